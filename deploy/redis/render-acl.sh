#!/bin/sh
# Writes a copy of deploy/users.acl with real passwords, stored as SHA-256 hashes (`#<hex>`), so the written file
# holds no password in clear text:
#
#   REDIS_ADMIN_PASSWORD=... REDIS_SERVER_PASSWORD=... REDIS_RELAY_PASSWORD=... REDIS_AGENT_PASSWORD=... \
#   REDIS_REPLICA_PASSWORD=... sh deploy/redis/render-acl.sh deploy/users.acl /etc/redis/users.acl
#
# Each placeholder `>change-me-<role>` in INPUT is replaced with the hash of $REDIS_<ROLE>_PASSWORD. It refuses (exit
# 1, OUTPUT untouched) when a role's variable is missing, shorter than 16 characters or still a `change-me` value.
# Use passwords safe in URLs, since clients put them into MAESTRO_REDIS_URL: `openssl rand -hex 32`.
# POSIX sh, sed and sha256sum only: it also runs inside the redis image (deploy/compose.yaml, deploy/k8s/redis.yaml).
set -eu

if [ "$#" -ne 2 ]; then
    echo "usage: render-acl.sh INPUT OUTPUT (passwords in REDIS_<ROLE>_PASSWORD)" >&2
    exit 64
fi
input=$1
output=$2
[ -r "$input" ] || { echo "render-acl.sh: cannot read $input" >&2; exit 1; }

umask 077
temporary="$output.tmp.$$"
trap 'rm -f "$temporary" "$temporary.next"' EXIT
cp "$input" "$temporary"
for role in $(sed -n 's/.*>change-me-\([a-z]*\).*/\1/p' "$input"); do
    variable="REDIS_$(echo "$role" | tr '[:lower:]' '[:upper:]')_PASSWORD"
    eval "password=\${$variable:-}"
    case "$password" in
        "") echo "render-acl.sh: $variable is not set (the maestro-$role password)" >&2; exit 1 ;;
        change-me*) echo "render-acl.sh: $variable is still a placeholder" >&2; exit 1 ;;
    esac
    if [ "${#password}" -lt 16 ]; then
        echo "render-acl.sh: $variable is shorter than 16 characters" >&2
        exit 1
    fi
    hash=$(printf '%s' "$password" | sha256sum | cut -d' ' -f1)
    sed -e "s/>change-me-$role /#$hash /g" -e "s/>change-me-$role\$/#$hash/" "$temporary" > "$temporary.next"
    mv "$temporary.next" "$temporary"
done
if grep -q 'change-me' "$temporary"; then
    echo "render-acl.sh: a placeholder password is left in $input" >&2
    exit 1
fi
mv "$temporary" "$output"
trap - EXIT
echo "render-acl.sh: wrote $output"
