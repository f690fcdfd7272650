#!/bin/sh
# Writes a tiny busybox root filesystem tarball to standard output (or to the file given as $1), for
# `wharf import`: an offline base image. Needs a static busybox (Debian: apt-get install busybox-static).
set -eu
busybox=$(command -v busybox || true)
if [ -z "$busybox" ]; then
  echo "busybox-rootfs.sh: busybox not found; install it with: apt-get install busybox-static" >&2
  exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root"
cp "$busybox" "$root/bin/busybox"
chmod 755 "$root" "$root/bin/busybox"
chmod 1777 "$root/tmp"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
if [ $# -gt 0 ]; then
  tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$1" .
else
  tar --numeric-owner --owner=0 --group=0 -C "$root" -cf - .
fi
