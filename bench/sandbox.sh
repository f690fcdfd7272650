#!/usr/bin/env bash
# Per-RUN overhead of wharf's sandboxes (issue 5), as root:
#
#   bench/sandbox.sh            N=15 rounds, big base of 1024 MB
#   N=21 BIG_MB=1024 WARMUP=20 bench/sandbox.sh
#
# WARMUP (20) untimed alternating rounds come first, so that the JIT has compiled wharf's side of a RUN.
#
# 1. A full RUN cycle (prepare an overlay snapshot, start the sandbox, run /bin/true, release it, compute the empty
#    diff, remove the snapshot) with the built-in sandbox, runc and crun, against a bare
#    `unshare --mount --pid --fork --uts --ipc chroot ROOTFS true`, all started from one warm JVM and alternating
#    within each round (the order reversing every round), so that load drift hits every variant alike.
# 2. A RUN writing one file on a 10 MB base and on a BIG_MB base, alternating (runc, else the built-in sandbox).
# Medians and ratios go to bench/results/sandbox-<date>.md (sandbox-<date>-<HHMM>.md if that exists) and stdout,
# with the load average, since the machine may be shared.
set -euo pipefail
N=${N:-15}
BIG_MB=${BIG_MB:-1024}
WARMUP=${WARMUP:-20}
repo=$(cd "$(dirname "$0")/.." && pwd)
results=$repo/bench/results
mkdir -p "$results"
if [ "$(id -u)" != 0 ]; then
    echo "sandbox.sh: run as root (the bench mounts overlays and makes namespaces)" >&2
    exit 1
fi
cd "$repo"
mvn -B -q -o -DskipTests -pl builder -am test-compile >/dev/null 2>&1 || mvn -B -q -DskipTests -pl builder -am test-compile
cpfile=$(mktemp)
trap 'rm -f "$cpfile"' EXIT
mvn -B -q -o -pl builder dependency:build-classpath -Dmdep.outputFile="$cpfile" >/dev/null
out=$results/sandbox-$(date +%F).md
[ -e "$out" ] && out=$results/sandbox-$(date +%F-%H%M).md
{
    echo "# Sandbox per-RUN overhead, $(date '+%F %H:%M')"
    echo
    echo "Host: $(nproc) cores, kernel $(uname -r), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Command: \`N=$N BIG_MB=$BIG_MB WARMUP=$WARMUP bench/sandbox.sh\` (commit $(git rev-parse --short HEAD))."
    echo
    # The reactor's own classes go first: the dependency classpath names wharf-* jars of ~/.m2, which may be stale.
    java -Dbench.warmup="$WARMUP" -cp "builder/target/test-classes:builder/target/classes:layers/target/classes:context/target/classes:cache/target/classes:grammar/target/classes:$(cat "$cpfile")" \
        dev.wharf.builder.sandbox.SandboxBench "$N" "$BIG_MB"
    echo
    echo "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)."
} | tee "$out"
