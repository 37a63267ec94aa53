#!/usr/bin/env bash
# Everything a fresh machine needs before verdict can grade: npm dependencies,
# a Docker engine, the sandbox images. Safe to rerun; each step skips what is done.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "[prepare] $*" >&2; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

bash scripts/ensure-docker.sh

log "building sandbox images (the first time takes a few minutes)"
npx tsx src/cli.ts images build
