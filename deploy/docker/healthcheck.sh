#!/bin/bash
# The image's HEALTHCHECK (no curl in the image): exit 0 when GET http://127.0.0.1:PORT/PATH answers 200.
#   maestro-healthcheck [PORT] [PATH]     defaults: 8080 /healthz (liveness; /readyz also needs Redis)
port="${1:-8080}"
path="${2:-/healthz}"
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$path" "$port" >&3
IFS= read -r -t 5 status <&3 || { echo "no answer from 127.0.0.1:$port$path" >&2; exit 1; }
status="${status%$'\r'}"
case "$status" in
    "HTTP/1."?" 200"*) exit 0 ;;
    *) echo "127.0.0.1:$port$path answered: $status" >&2; exit 1 ;;
esac
