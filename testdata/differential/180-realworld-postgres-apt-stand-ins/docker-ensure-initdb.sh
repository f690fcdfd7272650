#!/usr/bin/env bash
set -Eeuo pipefail
source /usr/local/bin/docker-entrypoint.sh
