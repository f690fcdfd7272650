#!/usr/bin/env bash
# Parser robustness at scale: bench/fuzz.sh [INPUTS [SEED [maven args...]]], e.g. bench/fuzz.sh 100000 24301 -o
# Runs ParserRobustnessTest with INPUTS mutated Dockerfiles (default 100000, the robustness requirement's
# minimum; the unit-test default is 20000 to keep `mvn verify` short on a shared 2-core machine). The test prints
# "parser robustness: N inputs (seed S), ..."; a failure names the seed that reproduces it.
# CI=true makes missing conformance data (the mutation seeds) an error instead of a skip.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
inputs=${1:-100000}
seed=${2:-24301}
shift $(( $# < 2 ? $# : 2 ))
CI=true exec mvn -B -pl grammar test -Dtest=ParserRobustnessTest \
    -Dwharf.fuzz.iterations="$inputs" -Dwharf.fuzz.seed="$seed" "$@"
