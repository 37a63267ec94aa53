#!/usr/bin/env bash
# Images for a deployment (deploy/compose.yaml), built from Debian packages and
# the npm registry only: the sandbox images, a Node 20 base (unless
# NODE_BASE names one you have, e.g. node:20-bookworm-slim), the service image
# verdict/service:local and a Redis image verdict/redis:local.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "[deploy-images] $*" >&2; }

bash scripts/ensure-docker.sh
log "sandbox images"
npx tsx src/cli.ts images build
base=$(npx tsx -e "import('./src/sandbox/images/config.ts').then(m => console.log(m.baseImage(m.imagesConfigFromEnv())))")

# The machine's CA bundle goes into the build contexts (npm behind a TLS-intercepting proxy).
with_ca() {
  local dir=$1
  rm -rf "$dir/host-ca" && mkdir -p "$dir/host-ca"
  [ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$dir/host-ca/"
}

node_base=${NODE_BASE:-}
if [ -z "$node_base" ]; then
  node_base=verdict/node20:local
  log "Node 20 base $node_base (from $base)"
  with_ca deploy/node-base
  docker build -q -t "$node_base" --build-arg BASE="$base" deploy/node-base
  rm -rf deploy/node-base/host-ca
fi
log "service image verdict/service:local (from $node_base)"
with_ca .
docker build -q -t verdict/service:local --build-arg NODE_BASE="$node_base" .
rm -rf host-ca
log "redis image verdict/redis:local"
docker build -q -t verdict/redis:local --build-arg BASE="$base" deploy/redis
docker images --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' | grep -E '^verdict/(service|redis|node20):local'
