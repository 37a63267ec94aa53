#!/usr/bin/env bash
# Everything a fresh machine needs before verdict can grade: npm dependencies,
# a Docker engine, the sandbox images. Safe to rerun; each step skips what is done.
#   prepare.sh         for the test suite: every image, Chromium, redis-server
#   prepare.sh serve   for `npm run up`: npm dependencies and Docker only (up.sh
#                      builds the Python image beside the imports; the service
#                      builds the others in the background while it serves)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-test}"

log() { echo "[prepare] $*" >&2; }

# node_modules, restored from a machine-local cache keyed by the lockfile when
# one exists (compiling better-sqlite3 takes minutes), else installed.
cache_dir="${VERDICT_CACHE_DIR:-/var/cache/verdict}/npm"
lock_hash=$( (cat package-lock.json; node --version) | sha256sum | cut -c1-16)
if [ ! -f node_modules/.verdict-lock-$lock_hash ]; then
  if [ -f "$cache_dir/node_modules-$lock_hash.tar" ]; then
    log "restoring node_modules from $cache_dir"
    rm -rf node_modules && tar -xf "$cache_dir/node_modules-$lock_hash.tar"
  else
    log "installing npm dependencies"
    # `npm ci` trips over npm's optional-dependency lockfile bug (npm/cli#4828);
    # install honours the lockfile all the same. No prebuilt binaries can be
    # downloaded here, so native modules build from source straight away.
    npm_config_build_from_source=true npm install --no-audit --no-fund --loglevel=error
    touch node_modules/.verdict-lock-$lock_hash
    if mkdir -p "$cache_dir" 2>/dev/null; then
      tar -cf "$cache_dir/node_modules-$lock_hash.tar.tmp" node_modules && mv "$cache_dir/node_modules-$lock_hash.tar.tmp" "$cache_dir/node_modules-$lock_hash.tar" || true
    fi
  fi
fi

bash scripts/ensure-docker.sh

[ "$mode" = serve ] && exit 0

# Headless Chromium renders the evaluation report in test/report.test.ts.
if ! command -v chromium >/dev/null 2>&1; then
  log "installing chromium (Debian package)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || log "chromium install failed"
fi

# Scale-out tests (test/cluster.test.ts) run a real redis-server.
if ! command -v redis-server >/dev/null 2>&1; then
  log "installing redis-server (Debian package)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null) || log "redis-server install failed"
  # only the binary is wanted: the tests start their own servers
  (systemctl disable --now redis-server >/dev/null 2>&1 || service redis-server stop >/dev/null 2>&1) || true
fi

log "building sandbox images (the first time takes a few minutes)"
npx tsx src/cli.ts images build
