#!/usr/bin/env bash
# The Maven goal's overhead: a fully cached build of testdata/examples/hello through `mvn wharf:build`, through the
# Java API in a warm JVM (BuildDriver) and through the CLI (`./wharf build`), alternating, N times each (as root).
#
#   bench/maven.sh            N=10
#
# The Maven run is `mvn -o -q dev.wharf:wharf-maven-plugin:<version>:build` in a throwaway project whose only
# plugin is wharf's: what a team adds to its build. The overhead is its median minus the API's median; the API's
# build is what the goal itself executes. Results: bench/results/maven-<date>.md (…-<HHMM>.md if that exists).
set -euo pipefail
N=${N:-10}
repo=$(cd "$(dirname "$0")/.." && pwd)
results=$repo/bench/results
mkdir -p "$results"
[ "$(id -u)" = 0 ] || { echo "maven.sh: the hello example has RUN steps, which need root here" >&2; exit 1; }
version=$(sed -n "s:.*<version>\(.*-SNAPSHOT\)</version>.*:\1:p" "$repo/pom.xml" | head -1)

# The plugin must be in the local repository for a project outside this reactor.
(cd "$repo" && mvn -B -q -o -DskipTests -Dinvoker.skip=true install)

work=$(mktemp -d "${BENCH_TMP:-/var/tmp}/wharf-maven.XXXXXX")
driver_pid=
trap '[ -n "$driver_pid" ] && kill "$driver_pid" 2>/dev/null; rm -rf "$work"' EXIT
store=$work/store
"$repo/testdata/examples/busybox-rootfs.sh" >"$work/busybox.tar"
"$repo/wharf" import --root "$store" "$work/busybox.tar" busybox:latest >/dev/null
ctx=$repo/testdata/examples/hello
mkdir "$work/project"
cat >"$work/project/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>bench</groupId>
  <artifactId>hello</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
</project>
EOF
mvn_build() {
    (cd "$work/project" && mvn -B -o -q "dev.wharf:wharf-maven-plugin:$version:build" \
        -Dstyle.color=never -Dwharf.contextDirectory="$ctx" -Dwharf.tags=hello-mvn -Dwharf.storeRoot="$store" \
        >/dev/null)
}
cli_build() { "$repo/wharf" build --root "$store" --progress quiet -t hello-cli "$ctx" >/dev/null; }
coproc DRIVER { exec java -cp "$repo/bench/target/benchmarks.jar" dev.wharf.bench.BuildDriver "$store" 2>"$work/driver.log"; }
driver_pid=$DRIVER_PID
api_build() {
    local reply
    echo "$ctx $ctx/Dockerfile hello-api false" >&"${DRIVER[1]}"
    read -r reply <&"${DRIVER[0]}"
    [[ $reply == ok* ]] || { echo "API build failed: $reply" >&2; exit 1; }
    echo "${reply#ok }"
}

# Untimed: fills the cache and warms the driver.
mvn_build; cli_build; api_build >/dev/null; api_build >/dev/null
ms() { local t0 t1; t0=$(date +%s%N); "$@"; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
: >"$work/maven"; : >"$work/cli"; : >"$work/api"
for ((r = 0; r < N; r++)); do
    ms mvn_build >>"$work/maven"
    ms cli_build >>"$work/cli"
    api_build >>"$work/api"
done
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
m=$(median "$work/maven"); c=$(median "$work/cli"); a=$(median "$work/api")
stamp=$(date +%Y-%m-%d)
out=$results/maven-$stamp.md
[ -e "$out" ] && out=$results/maven-$stamp-$(date +%H%M).md
{
    echo "# The Maven goal's overhead ($stamp $(date +%H:%M) UTC)"
    echo
    echo "\`N=$N bench/maven.sh\`: a fully cached build of testdata/examples/hello, median wall ms of $N alternating runs;"
    echo "$(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "| path | median ms |"
    echo "|---|---:|"
    echo "| \`mvn -o -q wharf:build\` (Maven start included) | $m |"
    echo "| \`./wharf build\` (JVM start included) | $c |"
    echo "| Java API in a warm JVM | $a |"
    echo
    echo "The goal's overhead over the API: $((m - a)) ms (Maven's own start and project model); over the CLI: $((m - c)) ms."
    echo
    echo "Runs (ms): maven $(tr '\n' ' ' <"$work/maven"); cli $(tr '\n' ' ' <"$work/cli"); api $(tr '\n' ' ' <"$work/api")"
} >"$out"
cat "$out"
