#!/bin/sh
PUID=${PUID:-911}
echo "uid $PUID"
