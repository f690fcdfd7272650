#!/usr/bin/env bash
# Pull and push of one image through a real registry: wharf pull / wharf push against skopeo copy.
#
#   bench/registry.sh             N=5 runs of each case, an image of 300 MB (three layers of random bytes)
#   N=3 SIZE_MB=100 bench/registry.sh
#
# A docker-registry (Debian package docker-registry) serves on a free 127.0.0.1 port with its storage on disk.
# Cases, each wharf run alternating with its skopeo run, the order swapping every round:
#   push  wharf push from a wharf store          vs  skopeo copy oci:<the same image saved by wharf> docker://...
#         (each push goes to an emptied registry, so every blob is uploaded)
#   pull  wharf pull into a fresh store root     vs  skopeo copy docker://... oci:<fresh directory>
# Both sides do the same work for a pull: the manifest, then the config and the layers several at once (wharf 3,
# skopeo up to 6), each streamed to a temporary file while its SHA-256 is checked, fsynced and renamed (wharf links)
# into blobs/sha256/; neither decompresses or unpacks a layer (the report gives the bytes each side stored, equal
# to the registry's blobs, and each side's whole directory). wharf also fsyncs the directories it publishes into and
# writes a store of its own around the blobs (index.json with the tag, state/); skopeo updates its blob-info cache
# (/var/lib/containers/cache, fdatasync'd). wharf runs as the `wharf` command of the
# checkout (./wharf: the class-data archive and start flags a user gets), a fresh JVM per run (JVM start included:
# what a user pays); `wharf version` is timed the same way as the cost of a bare start. MB/s is megabytes (10^6
# bytes) of compressed blobs per second; the ratio is wharf's throughput over skopeo's (above 1: wharf is faster).
# CPU is user+sys of the process and its children, the fairer comparison on a busy machine. BASE_WHARF=PATH (the
# ./wharf script of another checkout, built) adds that build's pull to the same rounds, as a before/after row. The Markdown table goes
# to bench/results/registry-<date>.md (registry-<date>-<HHMM>.md if that exists) and stdout.
set -euo pipefail
N=${N:-5}
SIZE_MB=${SIZE_MB:-300}
repo=$(cd "$(dirname "$0")/.." && pwd)
jar=$repo/cli/target/wharf.jar
results=$repo/bench/results
mkdir -p "$results"

for tool in docker-registry skopeo; do
    if ! command -v "$tool" >/dev/null; then
        echo "registry.sh: $tool is needed: sudo apt-get install -y $tool" >&2
        exit 1
    fi
done
if [ ! -f "$jar" ]; then
    (cd "$repo" && mvn -B -q -DskipTests -pl cli -am package)
fi

# Not /tmp: it may be a tmpfs, and blobs are written to disk in real use.
work=$(mktemp -d "${BENCH_TMP:-/var/tmp}/wharf-registry.XXXXXX")
# shellcheck source=lib/registry.sh
. "$repo/bench/lib/registry.sh"
trap 'stop_registry; rm -rf "$work"' EXIT

wharf() {
    "$repo/wharf" "$@"
}

# The image: three layers of SIZE_MB/3 random bytes each (incompressible, so blob size = content size).
mkdir -p "$work/rootfs"
head -c $((SIZE_MB * 1000000 / 3)) /dev/urandom >"$work/rootfs/a.bin"
tar -C "$work/rootfs" -cf "$work/a.tar" a.bin
seed=$work/seed
wharf import --root "$seed" "$work/a.tar" bench/base:1 >/dev/null
mkdir -p "$work/ctx"
head -c $((SIZE_MB * 1000000 / 3)) /dev/urandom >"$work/ctx/b.bin"
head -c $((SIZE_MB * 1000000 / 3)) /dev/urandom >"$work/ctx/c.bin"
printf 'FROM bench/base:1\nCOPY b.bin /b.bin\nCOPY c.bin /c.bin\n' >"$work/ctx/Dockerfile"
wharf build --root "$seed" --progress quiet -t "$host/bench/wharf:1" "$work/ctx" >/dev/null 2>&1
wharf save --root "$seed" --format oci-dir -o "$work/oci" "$host/bench/wharf:1"
bytes=$(du -sb --apparent-size "$seed/blobs" | cut -f1)

size() { du -sb --apparent-size "$1" | cut -f1; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

# timed FILE COMMAND...: appends "wall cpu" (seconds; cpu = user+sys of the command and its children) to FILE.
timed() {
    local file=$1 t
    shift
    t=$( { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>"$work/stderr"; } 2>&1 ) || {
        cat "$work/stderr" >&2
        exit 1
    }
    echo "$t" | awk '{ print $1, $2 + $3 }' >>"$file"
}

for f in push-wharf push-skopeo pull-wharf pull-skopeo pull-base start-wharf; do : >"$work/$f"; done
push_wharf() {
    start_registry
    timed "$work/push-wharf" wharf push --root "$seed" -q "$host/bench/wharf:1"
}
push_skopeo() {
    start_registry
    timed "$work/push-skopeo" skopeo copy -q --dest-tls-verify=false "oci:$work/oci" "docker://$host/bench/skopeo:1"
}
pull_wharf() {
    rm -rf "$work/pulled"
    timed "$work/pull-wharf" wharf pull --root "$work/pulled" -q "$host/bench/wharf:1"
}
pull_base() {
    if [ -n "${BASE_WHARF:-}" ]; then
        rm -rf "$work/pulled-base"
        timed "$work/pull-base" "$BASE_WHARF" pull --root "$work/pulled-base" -q "$host/bench/wharf:1"
    fi
}
pull_skopeo() {
    rm -rf "$work/pulled-oci"
    timed "$work/pull-skopeo" skopeo copy -q --src-tls-verify=false "docker://$host/bench/wharf:1" \
        "oci:$work/pulled-oci"
}

for i in $(seq "$N"); do
    if [ $((i % 2)) = 1 ]; then push_wharf; push_skopeo; else push_skopeo; push_wharf; fi
    # The registry now holds what the last push wrote; make sure the wharf image is there for the pulls.
    wharf push --root "$seed" -q "$host/bench/wharf:1" >/dev/null
    if [ $((i % 2)) = 1 ]; then pull_wharf; pull_base; pull_skopeo; else pull_skopeo; pull_base; pull_wharf; fi
    timed "$work/start-wharf" wharf version
done
stop_registry

# row CASE [WHARF_SIDE [LABEL]]: a table row from $work/CASE-WHARF_SIDE (default wharf) and $work/CASE-skopeo.
row() {
    local name=$1 side=${2:-wharf} label=${3:-$1} w s wc sc
    w=$(cut -d' ' -f1 "$work/$name-$side" | median)
    s=$(cut -d' ' -f1 "$work/$name-skopeo" | median)
    wc=$(cut -d' ' -f2 "$work/$name-$side" | median)
    sc=$(cut -d' ' -f2 "$work/$name-skopeo" | median)
    printf '| %s | %.2f s | %.0f | %.2f s | %.0f | %.2f | %.2f s | %.2f s | %.2f |\n' "$label" "$w" \
        "$(echo "$bytes / 1000000 / $w" | bc -l)" "$s" "$(echo "$bytes / 1000000 / $s" | bc -l)" \
        "$(echo "$s / $w" | bc -l)" "$wc" "$sc" "$(echo "$sc / $wc" | bc -l)"
}

out=$results/registry-$(date +%F).md
[ -e "$out" ] && out=$results/registry-$(date +%F-%H%M).md
{
    echo "# Registry pull and push: wharf vs skopeo copy ($(date +%F))"
    echo
    echo "Image of $((bytes / 1000000)) MB of blobs (3 random-byte layers), docker-registry on $host (loopback, disk"
    echo "storage), median of $N alternating runs; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)," \
        "$(nproc) cores; $(java -version 2>&1 | head -1), $(skopeo --version)."
    echo "Command: \`${BASE_WHARF:+BASE_WHARF=$BASE_WHARF }N=$N SIZE_MB=$SIZE_MB bench/registry.sh\`"
    echo
    echo "| case | wharf | wharf MB/s | skopeo | skopeo MB/s | ratio (wharf speed / skopeo) | wharf CPU | skopeo CPU | CPU ratio (skopeo / wharf) |"
    echo "|---|---|---|---|---|---|---|---|---|"
    row push
    row pull
    if [ -n "${BASE_WHARF:-}" ]; then
        row pull base "pull, BASE_WHARF"
    fi
    echo
    start=$(cut -d' ' -f1 "$work/start-wharf" | median)
    printf 'wharf times include the JVM start of the `wharf` command (./wharf); a bare `wharf version` takes %.2f s (CPU %.2f s).\n' \
        "$start" "$(cut -d' ' -f2 "$work/start-wharf" | median)"
    printf 'Without that start, wharf pull takes %.2f s (skopeo %.2f s) and wharf push %.2f s (skopeo %.2f s).\n' \
        "$(echo "$(cut -d' ' -f1 "$work/pull-wharf" | median) - $start" | bc -l)" \
        "$(cut -d' ' -f1 "$work/pull-skopeo" | median)" \
        "$(echo "$(cut -d' ' -f1 "$work/push-wharf" | median) - $start" | bc -l)" \
        "$(cut -d' ' -f1 "$work/push-skopeo" | median)"
    echo
    echo "Same work on both sides of the pull (last run): wharf stored $(size "$work/pulled/blobs") bytes of blobs" \
        "($(size "$work/pulled") in its whole store root), skopeo $(size "$work/pulled-oci/blobs")" \
        "($(size "$work/pulled-oci") in its OCI layout): the compressed blobs as the registry serves them, nothing" \
        "unpacked or decompressed."
} | tee "$out"
