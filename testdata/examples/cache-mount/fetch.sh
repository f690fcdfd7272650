#!/bin/sh
# fetch.sh CACHE_DIR WHO: writes CACHE_DIR/artifact.txt unless it is already there, saying which happened.
set -eu
cache=$1
if [ -f "$cache/artifact.txt" ]; then
  echo "cache hit: $(cat "$cache/artifact.txt")"
else
  echo "fetched by $2" > "$cache/artifact.txt"
  echo "cache miss: fetched into $cache"
fi
