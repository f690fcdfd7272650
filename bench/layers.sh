#!/usr/bin/env bash
# Layer creation and apply throughput: wharf against the usual command-line tools, on one ~300 MB mixed tree.
#
#   bench/layers.sh            N=5 runs of each case, tree of 300 MB
#   N=7 SIZE_MB=500 bench/layers.sh
#
# Cases (each wharf run alternates with its peer, the order swapping every round, so drift in the machine's load
# hits both sides alike):
#   gzip   wharf's default layer (gzip level 6, parallel blocks on every core)  vs  tar -c | pigz -6
#   zstd   wharf zstd level 3                                                   vs  tar -c | zstd -3
#   apply  wharf LayerApplier of the uncompressed layer tar                     vs  tar -x of the same tar
# wharf runs in a fresh JVM per run (timed from outside, JVM start included: what a wharf command costs, so with the
# JIT flags ./wharf starts its JVM with, C1 and C2 compilation delayed; JVM_FLAGS= runs a plain java), and
# separately in one warm JVM (default flags, as an embedder's; 2 warm-up iterations discarded, then N timed inside).
# Every timed run (wharf and peer) starts after a sync, so dirty pages of earlier runs are not written back during
# it; both sides unpack on the same file system ($BENCH_TMP, default /var/tmp). The trees a run unpacked are moved
# aside, not deleted, until all rounds are done: ext4 does not reuse an inode for about 30 s after it is freed
# (fs/ext4/ialloc.c, recently_deleted), and each create right after a delete of 11,000 inodes scans the inode tables
# past them, which made every apply round (tar -x and wharf alike) slower than the one before it (tar -x from 0.5 to
# 7 s of system time in one run).
# MB/s is megabytes (10^6 bytes) of uncompressed layer tar per second; the ratio is wharf's throughput over the
# peer's (above 1: wharf is faster). The Markdown table goes to bench/results/layers-<date>.md (layers-<date>-<HHMM>.md
# if that exists) and stdout.
# Fresh-JVM and peer runs are timed by /usr/bin/time: wall clock and CPU (user + system of all threads and
# children). On a shared machine with more runnable threads than cores, CPU time is the steadier number.
#   BASE_JAR=JAR   also run the fresh-JVM cases with an older benchmarks.jar in the same rounds (before/after)
#   CDS=off        fresh JVMs without the class-data archive (a BASE_JAR older than LayerBench's classes mode gets
#                  none, so compare such a jar with CDS=off)
#   TREE=DIR       use an existing tree instead of copying one from $SOURCE (it is not deleted)
set -euo pipefail
N=${N:-5}
SIZE_MB=${SIZE_MB:-300}
SOURCE=${SOURCE:-/usr/lib}
repo=$(cd "$(dirname "$0")/.." && pwd)
jar=$repo/bench/target/benchmarks.jar
results=$repo/bench/results
mkdir -p "$results"

if ! command -v pigz >/dev/null || ! command -v zstd >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y pigz zstd >/dev/null
    else
        echo "layers.sh: pigz and zstd are needed: sudo apt-get install -y pigz zstd" >&2
        exit 1
    fi
fi
if [ ! -f "$jar" ]; then
    (cd "$repo" && mvn -B -q -DskipTests -pl bench -am package)
fi

# Not /tmp: it may be a tmpfs, and layers are written to disk in real use.
work=$(mktemp -d "${BENCH_TMP:-/var/tmp}/wharf-layers.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
tree=${TREE:-$work/tree}
mkdir -p "$tree"
if [ -z "${TREE:-}" ]; then

# The tree: regular files and symlinks of $SOURCE in a fixed pseudo-random order until SIZE_MB, so it mixes large
# libraries, small scripts and many directories.
# (A seeded awk shuffle: shuf with a constant --random-source is far from random and left out every symlink.)
(cd "$SOURCE" && find . -xdev \( -type f -readable -o -type l \) -printf '%s\t%p\n') | LC_ALL=C sort -t$'\t' -k2 \
    | awk 'BEGIN { srand(42) } { print rand() "\t" $0 }' | LC_ALL=C sort -g | cut -f2- >"$work/all"
awk -F'\t' -v max=$((SIZE_MB * 1000000)) '{ if (total >= max) exit; total += $1; print $2 }' "$work/all" \
    >"$work/list"
tar -C "$SOURCE" -cf - --no-recursion -T "$work/list" | tar -C "$tree" -xf -
fi
files=$(find "$tree" -type f | wc -l)
dirs=$(find "$tree" -type d | wc -l)
links=$(find "$tree" -type l | wc -l)

# ./wharf's start-up flags (see the wharf script): what a wharf command's JVM runs with.
# shellcheck source=lib/wharf-flags.sh
. "$repo/bench/lib/wharf-flags.sh"
cli_flags=$(wharf_jvm_flags "$repo")
JVM_FLAGS=${JVM_FLAGS-$cli_flags}
wharf() {
    # shellcheck disable=SC2086
    java ${flags:-} -cp "${use_jar:-$jar}" dev.wharf.bench.LayerBench "$@"
}

# ./wharf also starts from a class-data archive (AppCDS, made at package time): each jar's fresh-JVM runs get one,
# dumped at the exit of an untimed run of every case over a small tree (CDS=off: none).
mkdir -p "$work/small"
# (find is killed by SIGPIPE when head has its 300 names first, which pipefail would take for a failure.)
(cd "$tree" && { find . -mindepth 1 -maxdepth 4 -print0 || true; } | head -z -n 300) \
    | tar -C "$tree" -cf - --null --no-recursion -T - | tar -C "$work/small" -xf -
cds_flags() {
    local archive=$work/cds-$(basename "$1" .jar)-$(cksum <"$1" | cut -d' ' -f1).jsa
    if [ "${CDS:-on}" = on ] && [ ! -f "$archive" ]; then
        mkdir -p "$work/cds-run"
        # shellcheck disable=SC2086
        if ! java $JVM_FLAGS -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=off -Xlog:cds+dynamic=off -cp "$1" \
            dev.wharf.bench.LayerBench classes "$work/small" "$(mktemp -d "$work/cds-run/XXXXXX")" >/dev/null 2>&1; then
            # An older benchmarks.jar without the classes mode: no archive for it (compare with CDS=off then).
            echo "layers.sh: no class-data archive for $1 (no 'classes' mode)" >&2
            rm -f "$archive"
        fi
    fi
    [ ! -f "$archive" ] || wharf_cds_flags "$archive"
}

# The uncompressed layer tar: the apply input and the MB basis for every case.
mkdir -p "$work/prep"
wharf create none "$tree" "$work/prep" 1 >/dev/null
layer=$work/prep/layer.tar
tar_bytes=$(stat -c %s "$layer")
sync

# Runs "$@" (a shell function) and prints its wall time and CPU time in ms: "WALL CPU". CPU comes from the
# shell's "times" (user + system of waited-for children: java, tar, pigz, zstd), read before and after.
# ("times" runs in this shell, not in a command substitution, whose subshell has no children yet.)
children_cpu() { tail -1 "$1" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]);
    t += p[1] * 60000 + p[2] * 1000 } printf "%d", t }'; }
timed() {
    local start end c0 c1
    times >"$work/times0"
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    times >"$work/times1"
    c0=$(children_cpu "$work/times0")
    c1=$(children_cpu "$work/times1")
    echo "$(((end - start) / 1000000)) $((c1 - c0))"
}

cds_current=$(cds_flags "$jar")
cds_base=$([ -z "${BASE_JAR:-}" ] || cds_flags "$BASE_JAR")
fresh() { flags="$JVM_FLAGS ${fresh_cds-$cds_current}" wharf "$@"; }
peer_gzip() { tar -C "$tree" -cf - . | pigz -6 >"$work/peer.tar.gz"; }
peer_zstd() { tar -C "$tree" -cf - . | zstd -3 -q -f -o "$work/peer.tar.zst"; }
peer_apply() { mkdir "$work/peer-apply" && tar -C "$work/peer-apply" -xf "$layer"; }
wharf_gzip() { fresh create gzip "$tree" "$work/w" 1 >"$work/w-gzip.out"; }
wharf_zstd() { fresh create zstd "$tree" "$work/w" 1 >"$work/w-zstd.out"; }
wharf_apply() { mkdir -p "$work/wa" && fresh apply "$layer" "$work/wa" 1; }
base_gzip() { use_jar=$BASE_JAR fresh_cds=$cds_base wharf_gzip; }
base_zstd() { use_jar=$BASE_JAR fresh_cds=$cds_base wharf_zstd; }
base_apply() { use_jar=$BASE_JAR fresh_cds=$cds_base wharf_apply; }

declare -A times cpus
record() { times[$1]="${times[$1]:-} ${2% *}"; cpus[$1]="${cpus[$1]:-} ${2#* }"; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq 1 "$N"); do
    for case in gzip zstd apply; do
        if [ $((round % 2)) = 1 ]; then order="wharf peer"; else order="peer wharf"; fi
        [ -z "${BASE_JAR:-}" ] || order="base $order"
        for side in $order; do
            sync
            record "$side-$case" "$(timed "${side}_$case")"
            # Moved aside, deleted at the exit (see above: a delete here would slow the next round's creates).
            for t in peer-apply wa; do
                if [ -e "$work/$t" ]; then mkdir -p "$work/trash" && mv "$work/$t" "$work/trash/$t-$round-$side"; fi
            done
        done
    done
    echo "round $round/$N done" >&2
done
gzip_sizes="$(awk '{print $3}' "$work/w-gzip.out" | cut -d= -f2) $(stat -c %s "$work/peer.tar.gz")"
zstd_sizes="$(awk '{print $3}' "$work/w-zstd.out" | cut -d= -f2) $(stat -c %s "$work/peer.tar.zst")"

# Warm JVM: one process per case, 2 warm-up iterations, then N timed ones.
# LayerBench prints "iteration=I ms=M ... cpums=C" (C: the process's CPU time during the iteration).
warm() {
    local name=$1
    shift
    sync
    wharf "$@" | tail -n "$N" >"$work/warm.out"
    times[warm-$name]=$(sed 's/.* ms=\([0-9.]*\).*/\1/' "$work/warm.out" | tr '\n' ' ')
    cpus[warm-$name]=$(sed 's/.* cpums=\([0-9.]*\).*/\1/' "$work/warm.out" | tr '\n' ' ')
}
warm gzip create gzip "$tree" "$work/w" $((N + 2))
warm zstd create zstd "$tree" "$work/w" $((N + 2))
mkdir -p "$work/wa"
warm apply apply "$layer" "$work/wa" $((N + 2))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
mbps() { awk -v b="$tar_bytes" -v ms="$1" 'BEGIN {printf "%.1f", b / 1e6 / (ms / 1000)}'; }
ratio() { awk -v w="$1" -v p="$2" 'BEGIN {printf "%.2f", p / w}'; }
secs() { awk -v ms="$1" 'BEGIN {printf "%.2f", ms / 1000}'; }

out=$results/layers-$(date +%F).md
# A second run the same day keeps the first: runs on a shared machine are worth comparing.
[ ! -e "$out" ] || out=$results/layers-$(date +%F-%H%M).md
{
    echo "# Layer benchmark, $(date -u '+%F %H:%M UTC')"
    echo
    echo "Tree: $(awk -v b="$tar_bytes" 'BEGIN {printf "%.0f", b / 1e6}') MB uncompressed layer tar from $SOURCE"
    echo "($files files, $dirs directories, $links symlinks). N=$N runs per case, medians; wharf and peer runs"
    echo "alternate. MB/s = 10^6 bytes of uncompressed layer tar per second. Ratio = wharf MB/s / peer MB/s"
    echo "(above 1: wharf faster). Fresh JVM = one java process per run, timed from outside (JVM start included);"
    echo "warm JVM = one process, 2 warm-up iterations discarded, N timed inside. Fresh-JVM flags:"
    echo "\`${JVM_FLAGS:-none}\`, and a class-data archive as ./wharf has (CDS=${CDS:-on}). A sync precedes every timed"
    echo "run; unpacked trees are moved aside (ext4 is slow to create inodes right after deleting many) and deleted at exit."
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"
    echo "$(java -version 2>&1 | head -1), $(tar --version | head -1), pigz $(pigz --version 2>&1 | awk '{print $2}'),"
    echo "zstd $(zstd --version | grep -o 'v[0-9.]*'). Load average before: $load_before; after: $load_after."
    echo "The machine is shared with other builds: expect noise of tens of percent between runs."
    echo
    echo "| Case | peer | peer s | peer MB/s | wharf fresh JVM s | MB/s | ratio | wharf warm JVM s | MB/s | ratio |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for case in gzip zstd apply; do
        case $case in
            gzip) label="create, gzip -6 (wharf default, parallel)"; peer="tar -c \\| pigz -6" ;;
            zstd) label="create, zstd -3"; peer="tar -c \\| zstd -3" ;;
            apply) label="apply uncompressed layer"; peer="tar -x" ;;
        esac
        p=$(echo "${times[peer-$case]}" | median)
        w=$(echo "${times[wharf-$case]}" | median)
        h=$(echo "${times[warm-$case]}" | median)
        echo "| $label | $peer | $(secs "$p") | $(mbps "$p") | $(secs "$w") | $(mbps "$w") | $(ratio "$w" "$p") |" \
            "$(secs "$h") | $(mbps "$h") | $(ratio "$h" "$p") |"
    done
    echo
    echo "CPU time (user + system, ms, medians) of the fresh-JVM runs, the warm-JVM iterations (the process's CPU"
    echo "time during each) and the peers; CPU ratio = peer / wharf (above 1: wharf needs less CPU)."
    echo
    echo "| Case | peer CPU | wharf fresh CPU | CPU ratio | wharf warm CPU | CPU ratio |$([ -z "${BASE_JAR:-}" ] || echo ' before: wharf CPU | CPU ratio | wall s | wall ratio |')"
    echo "|---|---|---|---|---|---|$([ -z "${BASE_JAR:-}" ] || echo '---|---|---|---|')"
    for case in gzip zstd apply; do
        pc=$(echo "${cpus[peer-$case]}" | median)
        wc=$(echo "${cpus[wharf-$case]}" | median)
        hc=$(echo "${cpus[warm-$case]}" | median)
        line="| $case | $pc | $wc | $(ratio "$wc" "$pc") | $hc | $(ratio "$hc" "$pc") |"
        if [ -n "${BASE_JAR:-}" ]; then
            bc=$(echo "${cpus[base-$case]}" | median)
            bw=$(echo "${times[base-$case]}" | median)
            p=$(echo "${times[peer-$case]}" | median)
            line="$line $bc | $(ratio "$bc" "$pc") | $(secs "$bw") | $(ratio "$bw" "$p") |"
        fi
        echo "$line"
    done
    echo
    read -r wg pg <<<"$gzip_sizes"
    read -r wz pz <<<"$zstd_sizes"
    echo "Compressed sizes: gzip wharf $((wg / 1000000)) MB, pigz $((pg / 1000000)) MB;" \
        "zstd wharf $((wz / 1000000)) MB, zstd CLI $((pz / 1000000)) MB."
    echo
    echo "Raw times (ms): $(for k in "${!times[@]}"; do echo -n "$k:${times[$k]}; "; done)"
    echo
    echo "Raw CPU (ms): $(for k in "${!cpus[@]}"; do echo -n "$k:${cpus[$k]}; "; done)"
} >"$out"
cat "$out"
echo "written to $out" >&2
