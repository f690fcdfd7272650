#!/usr/bin/env bash
# Runs wharf's JMH microbenchmarks: bench/jmh.sh [JMH args...], e.g. bench/jmh.sh ParserBenchmark -f 1
# Builds the benchmark jar, then runs it from the repository root so the corpus paths resolve.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
mvn -B -q -DskipTests -pl bench -am package
exec java -Dwharf.repo="$repo" -Dwharf.shared.dir="$repo/../shared" -jar bench/target/benchmarks.jar "$@"
