#!/usr/bin/env bash
# Static checks of the container files (no Docker engine needed):
# hadolint on the Dockerfiles, `docker-compose config` on both compose files,
# `nginx -t` on the proxy configuration.
set -euo pipefail
cd "$(dirname "$0")/.."

hadolint dockerfiles/*.Dockerfile
echo "hadolint: ok"

if ! command -v docker-compose >/dev/null 2>&1; then
  echo "docker-compose is required (Debian: apt-get install docker-compose)" >&2
  exit 1
fi
docker-compose -f dev.compose.yml config --quiet
echo "dev.compose.yml: ok"

# prod.compose.yml reads .env: validate it against .env.example with placeholders filled in.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp prod.compose.yml "$scratch/"
sed 's/=$/=ci-placeholder/' .env.example > "$scratch/.env"
docker-compose --project-directory "$scratch" -f "$scratch/prod.compose.yml" config --quiet
echo "prod.compose.yml: ok"

# The proxy configuration, loaded as the nginx image loads it (inside its nginx.conf's
# http block, whose keepalive_timeout ours must not repeat; the storage template with
# STORAGE_HOST substituted, as the image's entrypoint does), with a throwaway
# self-signed certificate and `server` and `storage` as 127.0.0.1 (nginx resolves
# upstreams at load).
nginx=$(PATH="$PATH:/usr/sbin" command -v nginx || true)
if [ -z "$nginx" ]; then
  echo "nginx is required (Debian: apt-get install nginx)" >&2
  exit 1
fi
conf="$scratch/nginx"
mkdir -p "$conf/certs"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=localhost -keyout "$conf/certs/privkey.pem" -out "$conf/certs/fullchain.pem" \
  2>/dev/null
cp dockerfiles/nginx/problems.conf "$conf/"
sed -e "s|server server:8000|server 127.0.0.1:8000|" \
  -e "s|/etc/nginx/certs/|$conf/certs/|" \
  -e "s|include /etc/nginx/problems.conf;|include $conf/problems.conf;|" \
  dockerfiles/nginx/api.conf > "$conf/default.conf"
sed -e "s|\${STORAGE_HOST}|storage.example.com|g" \
  -e "s|server storage:9000;|server 127.0.0.1:9000;|" \
  -e "s|include /etc/nginx/problems.conf;|include $conf/problems.conf;|" \
  dockerfiles/nginx/storage.conf.template > "$conf/storage.conf"
if grep -q 'STORAGE_HOST}' "$conf/storage.conf"; then
  echo "storage.conf.template: STORAGE_HOST left unsubstituted" >&2
  exit 1
fi
# `http2 on;` needs nginx 1.25.1 (the image runs 1.27); older ones take `http2` on `listen`.
version=$("$nginx" -v 2>&1 | sed 's|.*nginx/||')
if [ "$(printf '%s\n' 1.25.1 "$version" | sort -V | head -n1)" != 1.25.1 ]; then
  sed -i -e '/^ *http2 on;$/d' -e 's/listen 443 ssl /listen 443 ssl http2 /' \
    "$conf/default.conf" "$conf/storage.conf"
fi
cat > "$conf/nginx.conf" <<EOF
pid $conf/nginx.pid;
error_log $conf/error.log;
events {}
http {
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    keepalive_timeout 65;
    include $conf/default.conf;
    include $conf/storage.conf;
}
EOF
"$nginx" -q -t -p "$conf/" -c "$conf/nginx.conf"
echo "dockerfiles/nginx: ok"
