#!/bin/sh
# Context: a script and 20 small data files.
set -e
mkdir -p "$1/app"
printf '#!/bin/sh\necho "small app"\n' >"$1/app/main.sh"
i=1; while [ $i -le 20 ]; do seq 1 $((i * 200)) >"$1/app/data$i.txt"; i=$((i + 1)); done
