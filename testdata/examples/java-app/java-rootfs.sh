#!/bin/sh
# Writes a root filesystem tarball with a small Java 17 runtime made by jlink from the host's JDK, on top of a
# busybox userland: an offline base image for the java-app example, for `wharf import`.
#
#   java-rootfs.sh jdk FILE   java.base + javac + jar (the build stage's base: wharf-jdk:17)
#   java-rootfs.sh jre FILE   java.base only (the runtime stage's base: wharf-jre:17)
#
# The JDK lands in /opt/java with java, javac and jar linked from /usr/bin; the host's shared libraries it needs
# (found with ldd) are copied to the same paths. Needs a JDK 17 with jlink, ldd and a static busybox on the host
# (Debian: apt-get install openjdk-17-jdk-headless busybox-static).
set -eu
kind=${1:?usage: java-rootfs.sh jdk|jre FILE}
out=${2:?usage: java-rootfs.sh jdk|jre FILE}
case $kind in
  jdk) modules=java.base,jdk.compiler,jdk.jartool ;;
  jre) modules=java.base ;;
  *) echo "java-rootfs.sh: unknown kind '$kind' (jdk or jre)" >&2; exit 2 ;;
esac
for tool in jlink ldd busybox; do
  command -v "$tool" >/dev/null || { echo "java-rootfs.sh: $tool not found" >&2; exit 1; }
done
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

# A busybox userland, as in ../busybox-rootfs.sh.
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root" "$root/usr/bin" "$root/opt"
cp "$(command -v busybox)" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
chmod 755 "$root" "$root/bin/busybox"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"

# --strip-debug and --compress=2 keep the runtime near 35 MB; no man pages or headers in an image.
jlink --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 \
  --output "$root/opt/java"
for tool in "$root"/opt/java/bin/*; do
  ln -s "/opt/java/bin/$(basename "$tool")" "$root/usr/bin/$(basename "$tool")"
done

# The shared libraries of every launcher and native library, from the host (libjvm.so and libjli.so are in the
# runtime itself; ldd reports them as not found or inside /opt/java, and they are skipped).
find "$root/opt/java" -type f \( -name '*.so' -o -perm -u+x \) | while read -r elf; do
  ldd "$elf" 2>/dev/null || true
done | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}' | sort -u | while read -r lib; do
  case $lib in "$root"*) continue ;; esac
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$out" .
