#!/usr/bin/env bash
# Start-up cost of the wharf CLI: `wharf version`, a fully cached `wharf build` of testdata/examples/hello and a cold
# one (--no-cache: its COPY and RUN run, its layer is written), in three set-ups, against a fully cached and a
# --no-cache `docker build` of the same context on the peers' dockerd (BuildKit).
#
#   bench/startup.sh          N=10 runs of each case
#   N=20 bench/startup.sh
#
# Set-ups (wall time from outside, JVM start included: what a user waits for):
#   java -jar     plain `java -jar cli/target/wharf.jar`, no flags (the state before the start-up work)
#   no archive    ./wharf with WHARF_CDS=off: its start flags without the class-data archive
#   archive       ./wharf on the JVM: start flags and the AppCDS archive cli/target/wharf.jsa made at package time
#   native        cli/target/wharf-native (mvn -Pnative), when it was built from the current jar: what ./wharf
#                 runs when it is there
#   baseline      with BASELINE_JAR=path/to/wharf.jar: `java -jar` of another build (e.g. before a change); or with
#                 BASELINE_WHARF=path/to/other-checkout/wharf: that checkout's ./wharf (its flags and archive)
# Each round runs every case once, in a rotating order, so drift in the machine's load hits all of them alike.
# User+system CPU seconds are reported too: on a shared machine they move less with the load than wall time.
# Needs root (the first, uncached build runs RUN in the sandbox), busybox-static, and a packaged jar
# (mvn -B -q -DskipTests package). The Markdown table goes to bench/results/startup-<date>.md and stdout.
set -euo pipefail
N=${N:-10}
repo=$(cd "$(dirname "$0")/.." && pwd)
jar=$repo/cli/target/wharf.jar
archive=$repo/cli/target/wharf.jsa
results=$repo/bench/results
peers=$repo/../shared/tools/peers.sh
mkdir -p "$results"
[ -f "$jar" ] && [ -f "$archive" ] || { echo "startup.sh: package first: mvn -B -q -DskipTests package" >&2; exit 1; }

work=$(mktemp -d "${BENCH_TMP:-/var/tmp}/wharf-startup.XXXXXX")
trap 'rm -rf "$work"' EXIT
export WHARF_ROOT=$work/store
# The hello example without its `# syntax=` line, which would make the offline dockerd try to pull the frontend
# image; wharf builds the same copy, so both build the same text.
context=$work/hello
cp -r "$repo/testdata/examples/hello" "$context"
sed -i '/^# syntax=/d' "$context/Dockerfile"
"$repo/wharf" import <("$repo/testdata/examples/busybox-rootfs.sh") busybox:latest >/dev/null
"$repo/wharf" build --progress quiet -t hello "$context" >/dev/null

docker_ok=false
if [ -x "$peers" ] && "$peers" docker info >/dev/null 2>&1; then
    # The same busybox as wharf's base, so both build the same Dockerfile from the same image.
    "$repo/wharf" save busybox:latest -o "$work/busybox.tar"
    "$peers" docker load -i "$work/busybox.tar" >/dev/null
    if DOCKER_BUILDKIT=1 "$peers" docker build -q --network none -t wharf-startup-hello "$context" >/dev/null 2>&1; then
        docker_ok=true
    fi
fi

# ./wharf would run the native image when there is one: the JVM columns must stay the JVM's.
export WHARF_NATIVE=off
native=$repo/cli/target/wharf-native
native_ok=false
[ -x "$native" ] && [ ! "$jar" -nt "$native" ] && native_ok=true
declare -A wall cpu
cases=(version-jar version-noarchive version-archive build-jar build-noarchive build-archive)
cases+=(cold-jar cold-noarchive cold-archive)
$native_ok && cases+=(version-native build-native cold-native)
$docker_ok && cases+=(build-docker cold-docker)
baseline=${BASELINE_JAR:-}
baseline_wharf=${BASELINE_WHARF:-}
[ -z "$baseline$baseline_wharf" ] || cases+=(version-baseline build-baseline cold-baseline)
# The baseline's command: another checkout's ./wharf, or java -jar of another jar.
base() { if [ -n "$baseline_wharf" ]; then "$baseline_wharf" "$@"; else java -jar "$baseline" "$@"; fi; }
run_case() {
    case $1 in
        version-jar) java -jar "$jar" version ;;
        version-noarchive) WHARF_CDS=off "$repo/wharf" version ;;
        version-archive) "$repo/wharf" version ;;
        build-jar) java -jar "$jar" build --progress quiet -t hello "$context" ;;
        build-noarchive) WHARF_CDS=off "$repo/wharf" build --progress quiet -t hello "$context" ;;
        build-archive) "$repo/wharf" build --progress quiet -t hello "$context" ;;
        version-native) "$native" version ;;
        build-native) "$native" build --progress quiet -t hello "$context" ;;
        cold-native) "$native" build --progress quiet --no-cache -t hello "$context" ;;
        version-baseline) base version ;;
        build-baseline) base build --progress quiet -t hello "$context" ;;
        build-docker) DOCKER_BUILDKIT=1 "$peers" docker build -q --network none -t wharf-startup-hello "$context" ;;
        cold-jar) java -jar "$jar" build --progress quiet --no-cache -t hello "$context" ;;
        cold-noarchive) WHARF_CDS=off "$repo/wharf" build --progress quiet --no-cache -t hello "$context" ;;
        cold-archive) "$repo/wharf" build --progress quiet --no-cache -t hello "$context" ;;
        cold-baseline) base build --progress quiet --no-cache -t hello "$context" ;;
        cold-docker) DOCKER_BUILDKIT=1 "$peers" docker build -q --network none --no-cache -t wharf-startup-hello \
                         "$context" ;;
    esac
}
export jar repo context peers baseline baseline_wharf native
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((round = 0; round < N; round++)); do
    count=${#cases[@]}
    for ((i = 0; i < count; i++)); do
        c=${cases[$(((i + round) % count))]}
        /usr/bin/time -f '%e %U %S' -o "$work/time" bash -c "$(declare -f base run_case); run_case $c" >/dev/null 2>"$work/err" \
            || { echo "startup.sh: $c failed:" >&2; cat "$work/err" >&2; exit 1; }
        read -r e u s <"$work/time"
        wall[$c]+=" $e"
        cpu[$c]+=" $(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}')"
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {printf "%.2f", (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

out=$results/startup-$(date +%F).md
[ ! -e "$out" ] || out=$results/startup-$(date +%F-%H%M).md
{
    echo "# Start-up benchmark, $(date -u '+%F %H:%M UTC')"
    echo
    echo "\`bench/startup.sh\`, N=$N rounds, medians in seconds (wall; user+system CPU). $(nproc) cores,"
    echo "$(java -version 2>&1 | head -1). Load average before: $load_before; after: $load_after."
    echo "The cached build is \`wharf build --progress quiet -t hello testdata/examples/hello\` after one full build;"
    echo "the cold build the same with \`--no-cache\` (COPY and RUN run, a layer is written: JVM start, class loading"
    echo "and interpreted first runs of the whole build path);"
    echo "\`docker build\` is \`DOCKER_BUILDKIT=1 docker build -q\` of the same context on the peers' dockerd"
    echo "(client start included, daemon already running; its CPU column is the client's only)."
    echo
    [ -z "$baseline" ] || echo "Baseline: \`java -jar $baseline\`."
    [ -z "$baseline_wharf" ] || echo "Baseline: \`$baseline_wharf\` (another checkout's ./wharf, with its archive)."
    echo
    echo "| case | baseline | java -jar | ./wharf, no archive | ./wharf with archive | native | docker build | archive vs java -jar |"
    echo "|---|---|---|---|---|---|---|---|"
    for what in version build cold; do
        j=$(echo "${wall[$what-jar]}" | median); n=$(echo "${wall[$what-noarchive]}" | median)
        a=$(echo "${wall[$what-archive]}" | median)
        jc=$(echo "${cpu[$what-jar]}" | median); nc=$(echo "${cpu[$what-noarchive]}" | median)
        ac=$(echo "${cpu[$what-archive]}" | median)
        nat="n/a"
        $native_ok && nat="$(echo "${wall[$what-native]}" | median) ($(echo "${cpu[$what-native]}" | median))"
        d="n/a"
        if [ "$what" != version ] && $docker_ok; then
            dw=$(echo "${wall[$what-docker]}" | median); dc=$(echo "${cpu[$what-docker]}" | median)
            d="$dw ($dc); wharf/docker $(ratio "$a" "$dw")"
            ! $native_ok || d="$d, native/docker $(ratio "$(echo "${wall[$what-native]}" | median)" "$dw")"
        fi
        b="n/a"
        [ -z "$baseline$baseline_wharf" ] || b="$(echo "${wall[$what-baseline]}" | median) ($(echo "${cpu[$what-baseline]}" | median))"
        echo "| $what | $b | $j ($jc) | $n ($nc) | $a ($ac) | $nat | $d | $(ratio "$a" "$j") |"
    done
} | tee "$out"
