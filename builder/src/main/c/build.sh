#!/bin/sh
# Compiles a native helper (SOURCE.c) into the classes directory, as the resource
# PACKAGE_DIR/native/linux-<uname -m>/SOURCE that NativeHelpers (wharf-layers) installs at run time: the built-in
# sandbox's wharf-sandbox.c (PACKAGE_DIR dev/wharf/builder/sandbox, the default) and the context's wharf-scan.c
# (dev/wharf/context/walk). Maven runs it (builder/pom.xml, context/pom.xml, exec-maven-plugin) with the source, the
# output directory and the package directory. Without gcc, or off Linux, it does nothing and the callers keep their
# Java or shell path; a compile error on Linux with gcc fails the build.
# Statically linked where libc.a is there (one exec, no dynamic loader), dynamically otherwise.
set -eu
src=$1
classes=$2
package=${3:-dev/wharf/builder/sandbox}
name=$(basename "$src" .c)
if [ "$(uname -s)" != Linux ]; then
    echo "[wharf] not Linux: no native helper $name is built"
    exit 0
fi
if ! command -v gcc >/dev/null 2>&1; then
    echo "[wharf] gcc not found: no native helper $name; wharf uses its slower Java or shell path (apt-get install gcc libc6-dev)"
    exit 0
fi
out=$classes/$package/native/linux-$(uname -m)
bin=$out/$name
if [ -f "$bin.sha256" ] && [ "$bin" -nt "$src" ] && [ "$bin" -nt "$0" ]; then
    exit 0
fi
mkdir -p "$out"
flags="-O2 -std=c11 -Wall -Wextra -Werror -s -pthread"
if ! gcc $flags -static -o "$bin.tmp" "$src" 2>/dev/null; then
    gcc $flags -o "$bin.tmp" "$src"
fi
mv "$bin.tmp" "$bin"
# The digest beside it names the installed copy, so that a JVM need not read and hash the binary to find it.
sha256sum "$bin" | cut -c1-64 > "$bin.sha256"
