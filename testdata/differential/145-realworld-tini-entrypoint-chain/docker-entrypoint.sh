#!/bin/sh
set -e
if [ -d /docker-entrypoint.d ]; then
  for f in /docker-entrypoint.d/*.sh; do [ -x "$f" ] && "$f"; done
fi
if [ "${1#-}" != "$1" ]; then
  set -- app "$@"
fi
exec "$@"
