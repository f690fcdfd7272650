#!/usr/bin/env bash
# Remote step cache benchmark (issue 8, item 4), not a unit test: bench/remote-cache.sh [ROUNDS]
# A "CI machine" is a fresh store root holding only the base image. The build (bench/remote-cache/Dockerfile-like
# steps written below: RUNs that spend CPU and write ~40 MB) is exported once with --cache-to to a docker-registry
# started on a free 127.0.0.1 port. Then, alternating, ROUNDS times (default 3):
#   (a) a cold build on a fresh store without any cache,
#   (b) a cold build on a fresh store with --cache-from the registry (every step CACHED, layers pulled).
# Wall-clock per `wharf build` process, JVM start included. Needs root (RUN), busybox-static, docker-registry and a
# built CLI (mvn -B -q -DskipTests -pl cli -am package). Writes bench/results/remote-cache-<date>.md.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
[[ -f "$repo/cli/target/wharf.jar" ]] || (cd "$repo" && mvn -B -q -DskipTests -pl cli -am package)
command -v docker-registry >/dev/null || { echo "docker-registry is missing: apt-get install docker-registry" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/wharf-rcache-bench.XXXXXX")
# shellcheck source=lib/registry.sh
. "$repo/bench/lib/registry.sh"
trap 'stop_registry; rm -rf "$work"' EXIT
wharf() { "$repo/wharf" "$@"; }
start_registry
ref="$host/bench/app:buildcache"

# The base image, saved once so every fresh store loads the very same manifest (same digest, so keys match).
"$repo/testdata/examples/busybox-rootfs.sh" "$work/busybox.tar"
wharf import --root "$work/template" "$work/busybox.tar" busybox:latest >/dev/null
wharf save --root "$work/template" busybox:latest -o "$work/base" --format oci-dir
fresh() { rm -rf "$1"; wharf load --root "$1" -i "$work/base" >/dev/null; }

mkdir -p "$work/ctx"
cat > "$work/ctx/Dockerfile" <<'DF'
FROM busybox:latest
RUN i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; dd if=/dev/urandom of=/a bs=1M count=20 2>/dev/null
WORKDIR /app
COPY Dockerfile .
RUN i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; dd if=/dev/urandom of=/app/b bs=1M count=20 2>/dev/null
RUN sha256sum /a /app/b > /app/sums
DF

fresh "$work/seed"
seed=$(wharf build --root "$work/seed" --progress quiet --cache-to "type=registry,ref=$ref,mode=max" "$work/ctx")

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
declare -a A B
for i in $(seq 1 "$rounds"); do
  fresh "$work/a"
  t0=$(now); ida=$(wharf build --root "$work/a" --progress quiet "$work/ctx"); t1=$(now)
  A+=("$(ms "$t0" "$t1")")
  fresh "$work/b"
  t0=$(now); idb=$(wharf build --root "$work/b" --progress plain --cache-from "type=registry,ref=$ref" "$work/ctx" \
      2>"$work/b.log"); t1=$(now)
  B+=("$(ms "$t0" "$t1")")
  cached=$(grep -c ' CACHED$' "$work/b.log" || true)
  echo "round $i: (a) ${A[-1]} ms  (b) ${B[-1]} ms, $cached CACHED lines" >&2
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
ma=$(median "${A[@]}"); mb=$(median "${B[@]}")
out="$repo/bench/results/remote-cache-$(date +%Y-%m-%d).md"
{
  echo "# Remote step cache benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "A cold build on a fresh store root (base image only) without a cache (a) and with --cache-from a local"
  echo "docker-registry holding the build's cache (b). Build: 2 CPU-bound RUNs writing 20 MB each, WORKDIR, COPY, a"
  echo "RUN hashing 40 MB. $(nproc) cores, $(java -version 2>&1 | head -1). N=$rounds alternating rounds, medians,"
  echo "wall-clock per wharf process (JVM start included). Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| measurement | runs (ms) | median (ms) | ratio |"
  echo "|---|---|---|---|"
  echo "| (a) cold build, no cache | ${A[*]} | $ma | |"
  echo "| (b) cold build, --cache-from registry | ${B[*]} | $mb | (b)/(a) = $(awk -v x="$mb" -v y="$ma" 'BEGIN { printf "%.2f", x / y }') |"
  echo
  echo "Image ids: exporting build $seed, last (b) $idb ($( [[ "$seed" == "$idb" ]] && echo equal || echo DIFFERENT)),"
  echo "last (a) $ida (differs: its RUNs ran again and wrote other random data)."
} > "$out"
cat "$out"
