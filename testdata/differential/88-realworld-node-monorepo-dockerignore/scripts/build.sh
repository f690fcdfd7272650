#!/bin/sh
set -e
for p in packages/*/; do mkdir -p "$p/dist" && echo "built $p" > "$p/dist/index.js"; done
