#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine: installs docker.io and
# debootstrap from Debian when missing and starts dockerd in the background.
# Idempotent: does nothing when `docker info` already succeeds.
set -euo pipefail

log() { echo "[ensure-docker] $*" >&2; }

engine_up() { docker info >/dev/null 2>&1; }

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need_pkgs+=(debootstrap)
command -v docker >/dev/null 2>&1 || need_pkgs+=(docker.io)

if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "missing ${need_pkgs[*]} and not root: install them, then rerun"; exit 1
  fi
  log "installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" iptables ca-certificates >/dev/null
fi

# gVisor (runsc) as a second runtime, offered per request; runc stays the default.
# VERDICT_GVISOR=0 skips it.
setup_gvisor() {
  [ "${VERDICT_GVISOR:-1}" = 0 ] && return 0
  if ! command -v runsc >/dev/null 2>&1; then
    log "installing runsc (gVisor)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends runsc >/dev/null 2>&1 \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends runsc >/dev/null 2>&1; } \
      || { log "runsc not installable: gVisor runtime unavailable"; return 0; }
  fi
  mkdir -p /etc/docker
  local cfg=/etc/docker/daemon.json
  if ! grep -q '"runsc"' "$cfg" 2>/dev/null; then
    log "registering runsc in $cfg"
    node -e '
      const fs = require("fs"); const f = process.argv[1];
      let c = {}; try { c = JSON.parse(fs.readFileSync(f, "utf8")); } catch {}
      c.runtimes = Object.assign({}, c.runtimes, { runsc: { path: process.argv[2], runtimeArgs: ["--network=none", "--platform=ptrace"] } });
      fs.writeFileSync(f, JSON.stringify(c, null, 2) + "\n");
    ' "$cfg" "$(command -v runsc)"
    # runtimes are reloadable: a running engine picks them up on SIGHUP
    if pid=$(pidof dockerd); then kill -HUP $pid; sleep 1; fi
  fi
}
setup_gvisor

if engine_up; then log "engine answers"; exit 0; fi

if [ -n "${DOCKER_HOST:-}" ]; then
  log "DOCKER_HOST=$DOCKER_HOST does not answer; not starting a local engine"; exit 1
fi

log "starting dockerd"
mkdir -p /var/log
# setsid: the engine must outlive the shell (and CI step) that started it.
setsid nohup dockerd >/var/log/verdict-dockerd.log 2>&1 < /dev/null &
for _ in $(seq 1 60); do
  if engine_up; then log "engine up"; exit 0; fi
  sleep 1
done
log "dockerd did not answer within 60 s; tail of its log:"
tail -n 40 /var/log/verdict-dockerd.log >&2 || true
exit 1
