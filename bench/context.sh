#!/usr/bin/env bash
# Build-context checksum benchmark (issue 4), not a unit test: bench/context.sh [WORK_DIR]
# Generates a context of 100,000 files / ~1 GB (mixed sizes, nested directories) in a temp dir, then, N=3 rounds,
#   (a) a first full checksum with a fresh checksum cache, in a fresh JVM (ContextChecksumBench),
#   (b) again in a fresh JVM after touching one file (cache reused from disk; goal: < 10% of (a)),
#   (c) find CTX -type f -print0 | xargs -0 cat > /dev/null (goal: (a) within 1.5x of (c)).
# The page cache is WARM for (a) and (c) alike (dropping it needs root and a writable /proc/sys/vm/drop_caches, which
# a shared machine should not touch): the context is read once before the rounds. Times are wall-clock of the whole
# process (JVM start and cache load included). Writes bench/results/context-<date>.md; deletes the context after.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
jar="$repo/bench/target/benchmarks.jar"
[[ -f "$jar" ]] || (cd "$repo" && mvn -B -q -DskipTests -pl bench -am package)
work=$(mktemp -d "${1:-${TMPDIR:-/tmp}}/wharf-context-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
ctx="$work/ctx"
cache="$work/cache"
rounds=3

python3 - "$ctx" <<'PY'
import os, random, sys
root = sys.argv[1]
rnd = random.Random(4)
block = os.urandom(4 << 20)  # content is sliced from one random block: generation must not dominate
total = 0
for i in range(100_000):
    d = os.path.join(root, "d%02d" % (i % 40), "e%02d" % (i // 40 % 25), "f%d" % (i // 1000 % 4))
    os.makedirs(d, exist_ok=True)
    r = rnd.random()
    size = rnd.randint(0, 8192) if r < 0.90 else rnd.randint(8192, 65536) if r < 0.999 else rnd.randint(2 << 20, 4 << 20)
    off = rnd.randint(0, len(block) - size)
    with open(os.path.join(d, "file%06d.dat" % i), "wb") as f:
        f.write(block[off:off + size])
    total += size
print("generated 100000 files, %d bytes" % total, file=sys.stderr)
PY
files=$(find "$ctx" -type f | wc -l)
bytes=$(du -sb "$ctx" | cut -f1)
find "$ctx" -type f -print0 | xargs -0 cat > /dev/null   # warm the page cache
sleep 3  # past the checksum cache's 2 s racy window, so (a) may cache every file

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
declare -a A B C
touched="$ctx/d00/e00/f0/file000000.dat"
for i in $(seq 1 $rounds); do
  rm -rf "$cache"
  t0=$(now); outa=$(java -cp "$jar" dev.wharf.bench.ContextChecksumBench "$ctx" "$cache"); t1=$(now)
  A+=("$(ms "$t0" "$t1")")
  touch "$touched"
  t0=$(now); outb=$(java -cp "$jar" dev.wharf.bench.ContextChecksumBench "$ctx" "$cache"); t1=$(now)
  B+=("$(ms "$t0" "$t1")")
  t0=$(now); find "$ctx" -type f -print0 | xargs -0 cat > /dev/null; t1=$(now)
  C+=("$(ms "$t0" "$t1")")
  echo "round $i: (a) ${A[-1]} ms [$outa]  (b) ${B[-1]} ms [$outb]  (c) ${C[-1]} ms" >&2
done

median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
ma=$(median "${A[@]}"); mb=$(median "${B[@]}"); mc=$(median "${C[@]}")
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.2f", x / y }'; }
out="$repo/bench/results/context-$(date +%Y-%m-%d).md"
{
  echo "# Build-context checksum benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Context: $files files, $bytes bytes (du -sb), nested directories, sizes mixed (90% <= 8 KiB, 10% <= 64 KiB,"
  echo "0.1% 2-4 MiB). $(nproc) cores, $(java -version 2>&1 | head -1). Page cache warm for (a) and (c) alike."
  echo "N=$rounds alternating rounds (a, b, c), medians; wall-clock per process, JVM start included."
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (a shared machine: other builds ran meanwhile)."
  echo
  echo "| measurement | runs (ms) | median (ms) | ratio | goal |"
  echo "|---|---|---|---|---|"
  echo "| (a) first checksum, fresh cache | ${A[*]} | $ma | (a)/(c) = $(ratio "$ma" "$mc") | <= 1.5 |"
  echo "| (b) fresh JVM, one file touched | ${B[*]} | $mb | (b)/(a) = $(ratio "$mb" "$ma") | < 0.10 |"
  echo "| (c) find \\| xargs cat | ${C[*]} | $mc | | |"
} > "$out"
cat "$out"
