#!/usr/bin/env bash
# The whole test suite from a fresh machine: prepare, then every test file
# (npm run test:all; `npm test` is only the fast tier).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh
npm run typecheck
npm run test:all
