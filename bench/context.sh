#!/usr/bin/env bash
# Build-context checksum benchmark (issue 4), not a unit test: bench/context.sh [WORK_DIR]
#   CTX=DIR        use an existing context instead of generating one (it is not deleted)
#   TOUCH=FILE     the file (b) touches (default: the generated context's d00/e00/f0/file000000.dat)
#   BASE_JAR=JAR   also run (a) and (b) with an older benchmarks.jar in the same rounds (before/after)
#   ROUNDS=N       rounds (default 3)
#   IGNORE=LINES   write LINES as the generated context's .dockerignore (e.g. IGNORE=$'d39\n!d39/e00\n**/f3'), which
#                  (a) and (b) then apply, as a build does
#   JAVA_OPTS=...  JVM flags for (a) and (b); default: the ./wharf script's start-up flags (C2 delayed), which a CLI
#                  build has (JAVA_OPTS=" " for none)
#   THREADS=1      (a) and (b) also print the CPU time of each kind of thread (JIT, GC, pool) on stderr; off by
#                  default, since reading /proc/self/task costs the timed process some 3 ms
#   TIMELINE=1     after each timed (b), one untimed (b) more under `perf record` of the scheduler's exec, fork and
#                  exit events (no ptrace, no change to the process), printed on stderr as the time from the JVM's
#                  exec to: the scan helper's exec, its worker thread's start (it walks from then), its exit, the
#                  extended-attribute helper's exec (a re-checksum reads the changed files' with it), the end; the
#                  phases of issue 4's re-checksum, which the in-process "wall ms" line cannot see (JVM start,
#                  process start-up). Needs perf and permission for tracepoints (root).
#   CDS=off        fresh JVMs without a class-data archive; by default each jar's (a) and (b) start from one, as
#                  ./wharf starts from the archive made at package time, dumped at the exit of an untimed (b) over a
#                  small context (the classes a re-checksum loads)
# Each process is timed by /usr/bin/time: wall clock and CPU (user + system, all threads and children). On a shared
# machine CPU time is the steadier number: wall time then mostly measures the other builds.
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
ctx="${CTX:-$work/ctx}"
cache="$work/cache"
rounds=${ROUNDS:-3}

[[ -n "${CTX:-}" ]] || python3 - "$ctx" <<'PY'
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
[[ -z "${IGNORE:-}" || -n "${CTX:-}" ]] || printf '%s\n' "$IGNORE" > "$ctx/.dockerignore"
# The CLI's JVM start: ./wharf's flags and a class-data archive per jar (see CDS above).
# shellcheck source=lib/wharf-flags.sh
. "$repo/bench/lib/wharf-flags.sh"
[[ -n "${JAVA_OPTS:-}" ]] || JAVA_OPTS="$(wharf_jvm_flags "$repo")"
small="$work/small"
python3 - "$small" <<'PY'
import os, sys
for i in range(2000):  # past the 512 entries below which a context is walked in Java
    d = os.path.join(sys.argv[1], "d%d" % (i % 20))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%d" % i), "wb") as f:
        f.write(b"x" * (i % 3000))
PY
cds_flags() { # JAR: the -XX flags that start from its archive, made now if missing
  local archive=$work/cds-$(cksum <"$1" | cut -d' ' -f1).jsa
  if [[ "${CDS:-on}" == on && ! -f "$archive" ]]; then
    rm -rf "$work/cds-cache"
    # shellcheck disable=SC2086
    java $JAVA_OPTS -cp "$1" dev.wharf.bench.ContextChecksumBench "$small" "$work/cds-cache" > /dev/null 2>&1 || true
    sleep 2.5  # past the racy window, so the untimed (b) reuses the cache as the timed one does
    touch "$small/d0/f0"
    # shellcheck disable=SC2086
    java $JAVA_OPTS -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=off -Xlog:cds+dynamic=off -cp "$1" \
      dev.wharf.bench.ContextChecksumBench "$small" "$work/cds-cache" > /dev/null 2>&1 || rm -f "$archive"
  fi
  [[ ! -f "$archive" ]] || wharf_cds_flags "$archive"
}
[[ "${THREADS:-0}" != 1 ]] || JAVA_OPTS="$JAVA_OPTS -Dwharf.bench.threads=true"
new_flags="$JAVA_OPTS $(cds_flags "$jar")"
[[ -z "${BASE_JAR:-}" ]] || base_flags="$JAVA_OPTS $(cds_flags "$BASE_JAR")"
files=$(find "$ctx" -type f | wc -l)
bytes=$(du -sb "$ctx" | cut -f1)
find "$ctx" -type f -print0 | xargs -0 cat > /dev/null   # warm the page cache
sleep 3  # past the checksum cache's 2 s racy window, so (a) may cache every file

# Runs "$@" with stdout to $work/out; prints "WALL_MS CPU_MS".
timed() {
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" > "$work/out"
  awk '{ printf "%d %d", $1 * 1000, ($2 + $3) * 1000 }' "$work/time"
}
declare -A W U
timeline() { # SIDE JAR FLAGS: an untimed (b) under perf's scheduler tracepoints, its phases on stderr
  touch "$touched"
  # shellcheck disable=SC2086
  perf record -q -o "$work/timeline.data" -e sched:sched_process_exec,sched:sched_process_fork,sched:sched_process_exit \
    -- java $3 -cp "$2" dev.wharf.bench.ContextChecksumBench "$ctx" "$cache" > /dev/null 2>&1 || return 0
  perf script -i "$work/timeline.data" 2>/dev/null | awk -v side="$1" '
    { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { t = substr($i, 1, length($i) - 1) * 1000; break } }
    NR == 1 { t0 = t }
    /sched_process_exec:/ && /wharf-scan/ { if (!scan) { scan = t; pid = $2 } else if (!xattr) xattr = t }
    scan && /sched_process_fork: comm=wharf-scan/ { if (!walk) walk = t; match($0, /child_pid=[0-9]+/)
      helper[substr($0, RSTART + 10, RLENGTH - 10)] = 1 }
    /sched_process_exit:/ && ($2 == pid || $2 in helper) && /group_dead=true/ && !done { done = t }
    { end = t }
    END { printf "timeline %s (b), ms from the JVM exec: scan helper exec %.1f, walking %.1f, exit %.1f;", side,
            scan - t0, (walk ? walk : scan) - t0, done - t0
          if (xattr) printf " xattr helper exec %.1f;", xattr - t0
          printf " end %.1f\n", end - t0 }' >&2
}
record() { local r; r=$(timed "${@:2}"); W[$1]="${W[$1]:-} ${r% *}"; U[$1]="${U[$1]:-} ${r#* }"; }
touched="${TOUCH:-$ctx/d00/e00/f0/file000000.dat}"
sides="new"; [[ -z "${BASE_JAR:-}" ]] || sides="base new"
for i in $(seq 1 $rounds); do
  for side in $sides; do
    j="$jar"; flags=$new_flags; [[ $side == new ]] || { j="$BASE_JAR"; flags=$base_flags; }
    rm -rf "$cache"
    # shellcheck disable=SC2086
    record "$side-a" java $flags -cp "$j" dev.wharf.bench.ContextChecksumBench "$ctx" "$cache"; outa=$(cat "$work/out")
    touch "$touched"
    # shellcheck disable=SC2086
    record "$side-b" java $flags -cp "$j" dev.wharf.bench.ContextChecksumBench "$ctx" "$cache"; outb=$(cat "$work/out")
    echo "round $i $side: (a) ${W[$side-a]##* } ms [$outa]  (b) ${W[$side-b]##* } ms [$outb]" >&2
    [[ "${TIMELINE:-0}" != 1 ]] || timeline "$side" "$j" "$flags"
  done
  record c sh -c "find '$ctx' -type f -print0 | xargs -0 cat > /dev/null"
  echo "round $i: (c) ${W[c]##* } ms" >&2
done

median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.2f", x / y }'; }
out="$repo/bench/results/context-$(date +%Y-%m-%d).md"
[[ ! -e "$out" ]] || out="$repo/bench/results/context-$(date +%Y-%m-%d-%H%M).md"
[[ ! -e "$out" ]] || out="$repo/bench/results/context-$(date +%Y-%m-%d-%H%M%S).md"  # two runs in one minute
wa=$(median ${W[new-a]}); wb=$(median ${W[new-b]}); wc=$(median ${W[c]})
ua=$(median ${U[new-a]}); ub=$(median ${U[new-b]}); uc=$(median ${U[c]})
row() { # label key ratio-text-wall ratio-text-cpu goal
  echo "| $1 | ${W[$2]# } | $(median ${W[$2]}) | ${U[$2]# } | $(median ${U[$2]}) | $3 | $4 | $5 |"
}
{
  echo "# Build-context checksum benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Context: $files files, $bytes bytes (du -sb), nested directories, sizes mixed (90% <= 8 KiB, 10% <= 64 KiB,"
  echo "0.1% 2-4 MiB). $(nproc) cores, $(java -version 2>&1 | head -1). Page cache warm for (a) and (c) alike."
  [[ ! -f "$ctx/.dockerignore" ]] || echo ".dockerignore applied by (a) and (b): \`$(tr '\n' ' ' < "$ctx/.dockerignore")\`."
  echo "JVM flags of (a) and (b), as ./wharf starts: \`$JAVA_OPTS\`, and a class-data archive (CDS=${CDS:-on})."
  echo "N=$rounds alternating rounds, medians; per process (JVM start included): wall clock, and CPU = user + system"
  echo "time of all its threads and children. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (a shared"
  echo "machine: other builds ran meanwhile; with more runnable threads than cores, CPU time is the steadier number)."
  echo
  echo "| measurement | wall runs (ms) | wall median | CPU runs (ms) | CPU median | ratio (wall) | ratio (CPU) | goal (wall) |"
  echo "|---|---|---|---|---|---|---|---|"
  if [[ -n "${BASE_JAR:-}" ]]; then
    row "(a) before: first checksum, fresh cache" base-a "(a)/(c) = $(ratio "$(median ${W[base-a]})" "$wc")" \
      "$(ratio "$(median ${U[base-a]})" "$uc")" ""
    row "(b) before: fresh JVM, one file touched" base-b "(b)/(a) = $(ratio "$(median ${W[base-b]})" \
      "$(median ${W[base-a]})")" "$(ratio "$(median ${U[base-b]})" "$(median ${U[base-a]})")" ""
  fi
  row "(a) first checksum, fresh cache" new-a "(a)/(c) = $(ratio "$wa" "$wc")" "$(ratio "$ua" "$uc")" "<= 1.5"
  row "(b) fresh JVM, one file touched" new-b "(b)/(a) = $(ratio "$wb" "$wa")" "$(ratio "$ub" "$ua")" "< 0.10"
  row "(c) find \\| xargs cat" c "" "" ""
} > "$out"
cat "$out"
