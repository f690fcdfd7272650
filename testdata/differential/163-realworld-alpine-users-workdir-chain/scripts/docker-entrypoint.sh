#!/bin/sh
set -e
if [ "${1#-}" != "$1" ]; then
    set -- serve "$@"
fi
if [ "$1" = serve ] && [ "$(id -u)" = 0 ]; then
    exec su-exec "$APP_USER" "$0" "$@"
fi
exec "$@"
