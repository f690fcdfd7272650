#!/usr/bin/env bash
# Where layer compression happens: a cold build of scenario d (one RUN writing a 300 MB layer, half random, half
# text) and the pushes of its image, with two wharf jars side by side (before/after lazy compression).
#
#   BASE_JAR=old-wharf.jar bench/lazycompress.sh     N=3 rounds; the current cli/target/wharf.jar is "new"
#   N=5 BASE_JAR=... bench/lazycompress.sh
#
# Per round and jar (the order swaps every round), each on a fresh store with busybox imported:
#   build   wharf build --no-cache of bench/scenarios/d-300mb-layer
#   push    wharf push of that image to a new repository of a loopback docker-registry (every blob uploaded)
#   again   the same push once more (the registry has every blob)
# Reported: medians of wall time and of CPU time (user + system of the process and its children; on a shared
# machine wall time mostly measures the other jobs, CPU time does not), and build + push together. As root (RUN).
# Markdown table to bench/results/lazycompress-<date>.md and stdout.
set -euo pipefail
N=${N:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
new_jar=${NEW_JAR:-$repo/cli/target/wharf.jar}
base_jar=${BASE_JAR:?set BASE_JAR to the wharf.jar to compare with}
results=$repo/bench/results
mkdir -p "$results"
[ "$(id -u)" = 0 ] || { echo "lazycompress.sh: RUN steps need root" >&2; exit 1; }
command -v docker-registry >/dev/null || { echo "lazycompress.sh: apt-get install docker-registry" >&2; exit 1; }

work=$(mktemp -d "${BENCH_TMP:-/var/tmp}/wharf-lazy.XXXXXX")
# shellcheck source=lib/registry.sh
. "$repo/bench/lib/registry.sh"
trap 'stop_registry; rm -rf "$work"' EXIT
start_registry

bash "$repo/testdata/examples/busybox-rootfs.sh" >"$work/busybox.tar"
context=$repo/bench/scenarios/d-300mb-layer

TIMEFORMAT='%R %U %S'
# Runs "$@" and appends "wall cpu" (cpu = user + sys, children included) to $work/$1.
timed() {
    local file=$1; shift
    local t
    t=$( { time "$@" >/dev/null 2>"$work/last.err"; } 2>&1 ) || { cat "$work/last.err" >&2; exit 1; }
    echo "$t" | awk '{ printf "%s %.3f\n", $1, $2 + $3 }' >>"$work/$file"
}

round() {
    local name=$1 jar=$2 r=$3 store=$work/store-$1
    rm -rf "$store"
    java -jar "$jar" import --root "$store" "$work/busybox.tar" busybox:latest >/dev/null
    local image=$host/bench/$name-$r:1
    timed "$name-build" java -jar "$jar" build --root "$store" --progress quiet --no-cache -t "$image" "$context"
    timed "$name-push" java -jar "$jar" push --root "$store" "$image"
    timed "$name-again" java -jar "$jar" push --root "$store" "$image"
    rm -rf "$store"
}

for r in $(seq "$N"); do
    if [ $((r % 2)) = 1 ]; then round before "$base_jar" "$r"; round after "$new_jar" "$r"
    else round after "$new_jar" "$r"; round before "$base_jar" "$r"; fi
done

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
col() { cut -d' ' -f"$2" <"$work/$1" | median; }
# build + push per round, then the median.
sum() { paste -d' ' "$work/$1-build" "$work/$1-push" | awk -v c="$2" '{ print $c + $(c + 2) }' | median; }

row() {
    local label=$1 case=$2 bw bc aw ac
    if [ "$case" = total ]; then
        bw=$(sum before 1); bc=$(sum before 2); aw=$(sum after 1); ac=$(sum after 2)
    else
        bw=$(col "before-$case" 1); bc=$(col "before-$case" 2); aw=$(col "after-$case" 1); ac=$(col "after-$case" 2)
    fi
    printf '| %s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f | %.2f |\n' "$label" "$bw" "$aw" "$bc" "$ac" \
        "$(echo "$aw / $bw" | bc -l)" "$(echo "$ac / $bc" | bc -l)"
}

out=$results/lazycompress-$(date +%F).md
[ -e "$out" ] && out=$results/lazycompress-$(date +%F-%H%M).md
{
    echo "# Lazy layer compression: cold build and push of a 300 MB layer, before/after ($(date +%F))"
    echo
    echo "Scenario d (\`bench/scenarios/d-300mb-layer\`), \`java -jar wharf.jar\` (fresh JVM per command, no CDS),"
    echo "fresh store per round, docker-registry on $host; median of $N rounds, order swapped every round;"
    echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores; $(java -version 2>&1 | head -1)."
    echo "before: \`$(basename "$base_jar")\`, after: \`$(basename "$new_jar")\`. Command: \`N=$N BASE_JAR=... bench/lazycompress.sh\`"
    echo
    echo "| case | wall before | wall after | CPU before | CPU after | wall after/before | CPU after/before |"
    echo "|---|---|---|---|---|---|---|"
    row "cold build (--no-cache)" build
    row "first push (all blobs uploaded)" push
    row "second push (nothing to upload)" again
    row "build + first push" total
    echo
    echo "CPU = user + system time of the command and its children (RUN's sandbox included)."
} | tee "$out"
