#!/bin/sh
# Compiles a JNI library (SOURCE.c) into the classes directory, as the resource
# PACKAGE_DIR/native/linux-<uname -m>/libSOURCE.so with its sha256 beside it (the name of its cached copy): layers'
# wharf-posix.c (JniPosixFiles). Maven runs it (layers/pom.xml, exec-maven-plugin) with the source, the output
# directory, the package directory and the JDK's home (for jni.h). As builder/src/main/c/build.sh: without gcc, off
# Linux, or without the JDK's headers it does nothing and wharf keeps the jffi binding; a compile error with gcc fails
# the build.
set -eu
src=$1
classes=$2
package=$3
jdk=$4
name=$(basename "$src" .c)
if [ "$(uname -s)" != Linux ]; then
    echo "[wharf] not Linux: no JNI library $name is built"
    exit 0
fi
if ! command -v gcc >/dev/null 2>&1; then
    echo "[wharf] gcc not found: no JNI library $name; wharf uses jffi for libc calls (apt-get install gcc libc6-dev)"
    exit 0
fi
if [ ! -f "$jdk/include/jni.h" ]; then
    echo "[wharf] no $jdk/include/jni.h (a JRE, not a JDK?): no JNI library $name; wharf uses jffi for libc calls"
    exit 0
fi
out=$classes/$package/native/linux-$(uname -m)
lib=$out/lib$name.so
if [ -f "$lib.sha256" ] && [ "$lib" -nt "$src" ] && [ "$lib" -nt "$0" ]; then
    exit 0
fi
mkdir -p "$out"
gcc -O2 -std=c11 -Wall -Wextra -Werror -s -shared -fPIC -I"$jdk/include" -I"$jdk/include/linux" \
    -o "$lib.tmp" "$src" -ldl
mv "$lib.tmp" "$lib"
sha256sum "$lib" | cut -c1-64 > "$lib.sha256"
