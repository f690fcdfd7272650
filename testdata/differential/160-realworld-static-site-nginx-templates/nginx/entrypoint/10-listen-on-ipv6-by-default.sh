#!/bin/sh
echo "ipv6 is left as configured"
