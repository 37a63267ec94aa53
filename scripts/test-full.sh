#!/usr/bin/env bash
# The whole test suite from a fresh machine: prepare, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh
npm run typecheck
npm test
