#!/bin/sh
# Context: 10,000 files of ~1 KB in 100 directories (deterministic content, written by one awk process).
set -e
i=0
while [ $i -lt 100 ]; do mkdir -p "$1/src/d$i"; i=$((i + 1)); done
awk -v root="$1/src" 'BEGIN {
  srand(7)
  for (d = 0; d < 100; d++) {
    for (f = 0; f < 100; f++) {
      path = root "/d" d "/f" f ".txt"
      line = ""
      for (k = 0; k < 16; k++) line = line sprintf("%08x", int(rand() * 2147483647))
      for (k = 0; k < 8; k++) print line > path
      close(path)
    }
  }
}'
