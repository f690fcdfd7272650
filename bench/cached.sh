#!/usr/bin/env bash
# The cached rebuild of issue #6, embedded: one warm JVM builds testdata/examples/hello through the Java API once,
# then times N fully cached rebuilds (after WARMUP untimed ones) and prints their median and p90
# (dev.wharf.bench.CachedRebuildBench). Goal: under 50 ms.
#
#   bench/cached.sh                 N=200 WARMUP=50
#   N=500 WARMUP=100 bench/cached.sh
#   JAVA_OPTS='-XX:StartFlightRecording=filename=/tmp/c.jfr' bench/cached.sh   (profile it)
#
# Needs root (the first build runs RUN in the sandbox), busybox-static and a packaged bench jar
# (mvn -B -q -DskipTests -pl bench,cli -am package). Prints one line; results are kept by hand in bench/results/.
set -euo pipefail
N=${N:-200}
WARMUP=${WARMUP:-50}
repo=$(cd "$(dirname "$0")/.." && pwd)
jar=$repo/bench/target/benchmarks.jar
[ -f "$jar" ] || jar=$(ls "$repo"/bench/target/wharf-bench-*.jar 2>/dev/null | grep -v original | head -1)
[ -f "$jar" ] && [ -f "$repo/cli/target/wharf.jar" ] \
    || { echo "cached.sh: package first: mvn -B -q -DskipTests -pl bench,cli -am package" >&2; exit 1; }
work=$(mktemp -d "${BENCH_TMP:-/var/tmp}/wharf-cached.XXXXXX")
trap 'rm -rf "$work"' EXIT
WHARF_ROOT=$work/store "$repo/wharf" import <("$repo/testdata/examples/busybox-rootfs.sh") busybox:latest >/dev/null
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -cp "$jar" dev.wharf.bench.CachedRebuildBench "$work/store" "$repo/testdata/examples/hello" \
    hello:latest "$N" "$WARMUP"
