#!/usr/bin/env bash
# wharf against its peers on whole builds: one command, one report.
#
#   bench/run.sh                       every scenario of bench/scenarios/, N=5 timed runs per builder
#   N=3 bench/run.sh a-small-app h-50-steps
#   TOOLS="wharf-cli buildkit" bench/run.sh
#
# Builders (TOOLS, default all):
#   wharf-cli  ./wharf build in a fresh JVM per build (what a user at a shell waits for, JVM start included), or
#              the native image with WHARF_CLI=cli/target/wharf-native
#   wharf-api  the Java API in one warm JVM (dev.wharf.bench.BuildDriver; what an embedding Maven/Gradle build waits for)
#   buildkit   docker build with BuildKit, on the private dockerd of ../shared/tools/peers.sh
#   buildah    buildah bud --layers with runc (peers.sh's private store; its default crun refuses this host's
#              hybrid cgroups)
#   legacy     docker build with the legacy builder (DOCKER_BUILDKIT=0)
#   wharf-base the API as wharf-api, from another build's bench jar (BASE_BENCH_JAR, e.g. main's
#              bench/target/benchmarks.jar copied aside) on a store of its own: an A/B of a change in the same run,
#              reported as API/base. Not in the default TOOLS.
#              BASE_BENCH_JAR=/tmp/main-benchmarks.jar TOOLS="wharf-api wharf-base" N=5 bench/run.sh c-one-file-changed
# Every builder gets the same base images (made offline here) and runs with --network none. Round r times every
# builder once, in an order rotated each round, so drift in the machine's load hits all builders alike. Reported:
# the median wall time per builder and the ratios wharf/peer (below 1: wharf is faster), as a Markdown table in
# bench/results/report-<date>.md and a bar chart of the ratios (report-<date>.png, gnuplot) beside it.
set -euo pipefail
N=${N:-5}
TOOLS=${TOOLS:-"wharf-cli wharf-api buildkit buildah legacy"}
repo=$(cd "$(dirname "$0")/.." && pwd)
peers=${PEERS:-$repo/../shared/tools/peers.sh}
scenarios_dir=$repo/bench/scenarios
results=$repo/bench/results
mkdir -p "$results"

if (($#)); then scenarios=("$@"); else
    scenarios=(); for d in "$scenarios_dir"/*/; do scenarios+=("$(basename "$d")"); done
fi
for s in "${scenarios[@]}"; do
    [ -f "$scenarios_dir/$s/Dockerfile" ] || { echo "run.sh: no scenario $s in $scenarios_dir" >&2; exit 2; }
done
wants() { [[ " ${scenarios[*]} " == *" $1 "* ]]; }
uses() { [[ " $TOOLS " == *" $1 "* ]]; }
# Before any base image is made: a missing jar is a usage error, not one found minutes in.
if uses wharf-base && [ ! -f "${BASE_BENCH_JAR:-}" ]; then
    echo "run.sh: wharf-base needs BASE_BENCH_JAR, a benchmarks.jar" >&2; exit 2
fi

[ "$(id -u)" = 0 ] || { echo "run.sh: RUN steps and the peers need root" >&2; exit 1; }
[ -f "$peers" ] || { echo "run.sh: $peers not found (the peers live in ../shared beside the checkout)" >&2; exit 1; }
command -v gnuplot >/dev/null || apt-get install -y -qq gnuplot-nox >/dev/null
bash "$peers" install >/dev/null
bash "$peers" start >/dev/null
docker() { bash "$peers" docker "$@"; }
buildah() { bash "$peers" buildah "$@"; }

(cd "$repo" && mvn -B -q -DskipTests -pl cli,bench -am package)
wharf_jar=$repo/cli/target/wharf.jar
bench_jar=$repo/bench/target/benchmarks.jar

work=$(mktemp -d "${BENCH_TMP:-/var/tmp}/wharf-run.XXXXXX")
store=$work/store
# ext4 without a journal (this project's VM root filesystem) skips inodes deleted in the last 60 s (360 s while their
# inode table block is dirty) in every inode allocation (fs/ext4/ialloc.c, recently_deleted, only without a journal):
# once buildah and the legacy builder have removed their 10,000-file trees, each file a build creates costs a scan of
# them. A journaled ext4 or XFS has no such scan. The report says so, since file-heavy scenarios (c) then depend on
# which builders ran just before.
fs_note=
fs_dev=$(basename "$(findmnt -n -o SOURCE --target "$work" 2>/dev/null || true)")
if [ -n "$fs_dev" ] && [ "$(cat "/sys/fs/ext4/$fs_dev/journal_task" 2>/dev/null)" = "<none>" ]; then
    fs_note="Note: $work is on ext4 without a journal ($fs_dev): for 60-360 s after a builder deletes a tree, creating files there costs several times more system time, so builds that create many files (c) slow down after the peers that delete theirs (buildah, legacy)."
fi
driver_pid=
base_pid=
cleanup() {
    [ -n "$driver_pid" ] && kill "$driver_pid" 2>/dev/null || true
    [ -n "$base_pid" ] && kill "$base_pid" 2>/dev/null || true
    for s in "${scenarios[@]}"; do
        docker rmi -f "bench-$s" "bench-$s-legacy" >/dev/null 2>&1 || true
        buildah rmi -f "bench-$s" >/dev/null 2>&1 || true
    done
    # A failed buildah bud leaves its working container mounted; the peers' buildah store is the bench's alone.
    buildah rm -a >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
base_store=$work/store-base
wharf() { "$repo/wharf" "$@" --root "$store"; }
# The wharf-cli column is ./wharf on the JVM (the package above makes the jar newer than any native image, which
# ./wharf then leaves alone); WHARF_CLI=cli/target/wharf-native measures the native CLI (mvn -Pnative) instead.
wharf_cmd() { local c=$1; shift; "${WHARF_CLI:-$repo/wharf}" "$c" --root "$store" "$@"; }

# --- base images, identical in every builder's store ------------------------------------------------------------
load_everywhere() { # TARBALL NAME:TAG
    wharf_cmd import "$1" "$2" >/dev/null
    if uses wharf-base; then "$repo/wharf" import "$1" "$2" --root "$base_store" >/dev/null; fi
    wharf_cmd save "$2" -o "$work/image.tar" --format docker
    docker load -i "$work/image.tar" >/dev/null
    buildah pull -q "docker-archive:$work/image.tar" >/dev/null
    rm -f "$work/image.tar"
}
echo "# preparing base images in $work" >&2
"$repo/testdata/examples/busybox-rootfs.sh" >"$work/busybox.tar"
load_everywhere "$work/busybox.tar" busybox:latest
if wants f-1gb-base; then
    mkdir "$work/big" && tar -C "$work/big" -xf "$work/busybox.tar"
    mkdir "$work/big/data"
    for i in $(seq 1 1000); do head -c 1000000 /dev/urandom >"$work/big/data/blob$i"; done
    tar -C "$work/big" -cf "$work/big.tar" . && rm -rf "$work/big"
    load_everywhere "$work/big.tar" wharf-bench-big:latest
    rm -f "$work/big.tar"
fi
if wants g-java-multistage; then
    "$repo/testdata/examples/java-app/java-rootfs.sh" jdk "$work/jdk.tar"
    "$repo/testdata/examples/java-app/java-rootfs.sh" jre "$work/jre.tar"
    load_everywhere "$work/jdk.tar" wharf-jdk:17
    load_everywhere "$work/jre.tar" wharf-jre:17
    rm -f "$work/jdk.tar" "$work/jre.tar"
fi

# --- the builders ----------------------------------------------------------------------------------------------
if uses wharf-api; then
    coproc DRIVER { exec java -cp "$bench_jar" dev.wharf.bench.BuildDriver "$store" 2>"$work/driver.log"; }
    driver_pid=$DRIVER_PID
fi
if uses wharf-base; then
    # A second coprocess: bash warns that the first still exists, and keeps both.
    coproc BASE { exec java -cp "$BASE_BENCH_JAR" dev.wharf.bench.BuildDriver "$base_store" 2>"$work/base.log"; }
    base_pid=$BASE_PID
fi

# build TOOL SCENARIO NOCACHE(true|false): one build; prints its wall time in ms, or "fail".
build() {
    local tool=$1 s=$2 nocache=$3 ctx=$work/ctx/$2 t0 t1 flag=() reply
    [ "$nocache" = true ] && flag=(--no-cache)
    t0=$(date +%s%N)
    case $tool in
        wharf-cli) wharf_cmd build --progress quiet --network none "${flag[@]}" -t "bench-$s" "$ctx" \
                       >/dev/null 2>>"$work/$tool.log" || { echo fail; return; } ;;
        wharf-api) echo "$ctx $ctx/Dockerfile bench-$s:api $nocache none" >&"${DRIVER[1]}"
                   read -r reply <&"${DRIVER[0]}"
                   [[ $reply == ok* ]] || { echo "$reply" >>"$work/$tool.log"; echo fail; return; }
                   echo "${reply#ok }"; return ;;
        wharf-base) echo "$ctx $ctx/Dockerfile bench-$s:base $nocache none" >&"${BASE[1]}"
                   read -r reply <&"${BASE[0]}"
                   [[ $reply == ok* ]] || { echo "$reply" >>"$work/$tool.log"; echo fail; return; }
                   echo "${reply#ok }"; return ;;
        buildkit)  DOCKER_BUILDKIT=1 docker build -q --network none "${flag[@]}" -t "bench-$s" "$ctx" \
                       >/dev/null 2>>"$work/$tool.log" || { echo fail; return; } ;;
        legacy)    DOCKER_BUILDKIT=0 docker build -q --network none "${flag[@]}" -t "bench-$s-legacy" "$ctx" \
                       >/dev/null 2>>"$work/$tool.log" || { echo fail; return; } ;;
        buildah)   buildah bud -q --layers --runtime runc --network none "${flag[@]}" -t "bench-$s" "$ctx" \
                       >/dev/null 2>>"$work/$tool.log" || { echo fail; return; } ;;
    esac
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000000))
}

mode_of() {
    case $1 in
        b-cached-rebuild) echo cached ;;
        c-one-file-changed) echo onechange ;;
        *) echo cold ;;
    esac
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

read -r -a tools <<<"$TOOLS"
mkdir -p "$work/times" "$work/ctx"
for s in "${scenarios[@]}"; do
    ctx=$work/ctx/$s
    mkdir -p "$ctx"
    cp "$scenarios_dir/$s/Dockerfile" "$ctx/"
    [ -x "$scenarios_dir/$s/gen.sh" ] && "$scenarios_dir/$s/gen.sh" "$ctx"
    mode=$(mode_of "$s")
    echo "# $s ($mode): ${tools[*]}, $N rounds" >&2
    # One untimed build per builder first: it fills the caches the warm modes need and, for every mode, takes
    # one-time costs out of the timing (docker load and buildah pull unpack the base at load time, wharf at its
    # first use; the warm JVM's first build loads its classes).
    for tool in "${tools[@]}"; do build "$tool" "$s" false >/dev/null; done
    for ((r = 0; r < N; r++)); do
        for ((k = 0; k < ${#tools[@]}; k++)); do
            tool=${tools[$(((k + r) % ${#tools[@]}))]}
            if [ "$mode" = onechange ]; then # a new edit for every build, outside the timing
                echo "edit $r $tool" >>"$ctx/src/d42/f17.txt"
            fi
            nocache=false; [ "$mode" = cold ] && nocache=true
            ms=$(build "$tool" "$s" "$nocache")
            echo "$ms" >>"$work/times/$s.$tool"
            echo "#   round $((r + 1)) $tool: $ms ms" >&2
        done
    done
done

# --- report ----------------------------------------------------------------------------------------------------
stamp=$(date +%Y-%m-%d)
report=$results/report-$stamp.md
[ -e "$report" ] && report=$results/report-$stamp-$(date +%H%M).md
plot_data=$work/ratios.dat
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
med() { if [ -f "$work/times/$1.$2" ]; then { grep -v fail "$work/times/$1.$2" || true; } | median; else echo -; fi; }
fails() { grep -qx fail "$work/times/$1.$2" 2>/dev/null && echo " (fail)" || true; }
ratio() { [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ && $2 != 0 ]] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || echo -; }
{
    echo "# wharf vs BuildKit, buildah and the legacy builder ($stamp)"
    echo
    echo "Machine: $(nproc) cores ($cpu), $mem, $(uname -sr). Command: \`N=$N bench/run.sh ${*:-}\`."
    echo "Median wall time in ms of $N builds per builder, alternating; ratios are wharf's time over the peer's"
    echo "(below 1.00: wharf is faster). \`fail\`: the builder cannot build the scenario."
    if [ -n "$fs_note" ]; then echo; echo "$fs_note"; fi
    echo
    echo "| scenario | wharf CLI | wharf API | BuildKit | buildah | legacy | CLI/BuildKit | API/BuildKit | CLI/buildah | CLI/legacy |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for s in "${scenarios[@]}"; do
        cli=$(med "$s" wharf-cli); api=$(med "$s" wharf-api); bk=$(med "$s" buildkit)
        bah=$(med "$s" buildah); leg=$(med "$s" legacy)
        echo "| $s | $cli$(fails "$s" wharf-cli) | $api$(fails "$s" wharf-api) | $bk$(fails "$s" buildkit) | $bah$(fails "$s" buildah) | $leg$(fails "$s" legacy) | $(ratio "$cli" "$bk") | $(ratio "$api" "$bk") | $(ratio "$cli" "$bah") | $(ratio "$cli" "$leg") |"
        echo "$s $(ratio "$cli" "$bk") $(ratio "$api" "$bk") $(ratio "$cli" "$bah") $(ratio "$cli" "$leg")" >>"$plot_data"
    done
    if uses wharf-base; then
        echo
        echo "A/B: wharf API of this checkout against the API of \`$BASE_BENCH_JAR\` (own store), median ms:"
        echo
        for s in "${scenarios[@]}"; do
            api=$(med "$s" wharf-api); base=$(med "$s" wharf-base)
            echo "- $s: API $api, base $base, API/base $(ratio "$api" "$base")"
        done
    fi
    echo
    echo "All runs (ms):"
    echo
    for s in "${scenarios[@]}"; do
        for tool in "${tools[@]}"; do
            [ -f "$work/times/$s.$tool" ] && echo "- $s $tool: $(tr '\n' ' ' <"$work/times/$s.$tool")"
        done
    done
    echo
    echo "![ratios](./$(basename "${report%.md}").png)"
} >"$report"

awk '{ for (i = 2; i <= NF; i++) if ($i == "-") $i = "?"; print }' "$plot_data" >"$plot_data.clean"
gnuplot <<EOF
set terminal pngcairo size 1200,600 noenhanced font ",10"
set output "${report%.md}.png"
set title "wharf time / peer time per scenario (below 1: wharf is faster), median of $N, $stamp"
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set datafile missing "?"
set logscale y 2
set yrange [0.0625:16]
set ytics ("1/16" 0.0625, "1/8" 0.125, "1/4" 0.25, "1/2" 0.5, "1" 1, "2" 2, "4" 4, "8" 8, "16" 16)
set grid ytics
set xtics rotate by -20
set key top left
set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 lc rgb "black" front
plot "$plot_data.clean" using 2:xtic(1) title "CLI / BuildKit", '' using 3 title "API / BuildKit", \
     '' using 4 title "CLI / buildah", '' using 5 title "CLI / legacy"
EOF
cat "$report"
echo "report: $report" >&2
for tool in "${tools[@]}"; do
    [ -s "$work/$tool.log" ] && { echo "--- $tool errors (last lines):" >&2; tail -5 "$work/$tool.log" >&2; }
done
true
