#!/bin/sh
# Compiles the built-in sandbox's native helper (wharf-sandbox.c) into the classes directory, as the resource
# dev/wharf/builder/sandbox/native/linux-<uname -m>/wharf-sandbox that HelperBinary installs at run time. Maven runs
# it (builder/pom.xml, exec-maven-plugin) with the source and the output directory. Without gcc, or off Linux, it
# does nothing and the built-in sandbox keeps its shell path; a compile error on Linux with gcc fails the build.
# Statically linked where libc.a is there (one exec, no dynamic loader), dynamically otherwise.
set -eu
src=$1
classes=$2
if [ "$(uname -s)" != Linux ]; then
    echo "[wharf] not Linux: no native sandbox helper is built"
    exit 0
fi
if ! command -v gcc >/dev/null 2>&1; then
    echo "[wharf] gcc not found: no native sandbox helper; the built-in sandbox uses its shell path (apt-get install gcc libc6-dev)"
    exit 0
fi
out=$classes/dev/wharf/builder/sandbox/native/linux-$(uname -m)
bin=$out/wharf-sandbox
if [ -f "$bin.sha256" ] && [ "$bin" -nt "$src" ] && [ "$bin" -nt "$0" ]; then
    exit 0
fi
mkdir -p "$out"
flags="-O2 -std=c11 -Wall -Wextra -Werror -s"
if ! gcc $flags -static -o "$bin.tmp" "$src" 2>/dev/null; then
    gcc $flags -o "$bin.tmp" "$src"
fi
mv "$bin.tmp" "$bin"
# The digest beside it names the installed copy, so that a JVM need not read and hash the binary to find it.
sha256sum "$bin" | cut -c1-64 > "$bin.sha256"
