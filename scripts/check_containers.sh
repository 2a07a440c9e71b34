#!/usr/bin/env bash
# Static checks of the container files (no Docker engine needed):
# hadolint on the Dockerfiles, `docker-compose config` on both compose files.
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
