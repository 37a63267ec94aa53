#!/usr/bin/env bash
# One command from a fresh machine to a service grading real problems:
# prepare (npm deps, Docker, the Python image), import the benchmark files
# found, then serve while the other sandbox images build in the background.
#   VERDICT_BENCHMARKS_DIR  where the benchmark files are (default ../shared/benchmarks)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh serve
# The Python image (most benchmarks grade in it) builds while the service is
# compiled and the benchmarks imported; the others build once it serves.
echo "[up] building the Python sandbox image; log: ${TMPDIR:-/tmp}/verdict-up-python-image.log" >&2
npx tsx src/cli.ts images build python >"${TMPDIR:-/tmp}/verdict-up-python-image.log" 2>&1 &
image_pid=$!
npm run build --silent

data_dir="${VERDICT_DATA_DIR:-$PWD/data}"
bench_dir="${VERDICT_BENCHMARKS_DIR:-$PWD/../shared/benchmarks}"
import() { # benchmark file [version]
  if [ -f "$2" ]; then
    node dist/cli.js import "$1" "$2" --data-dir "$data_dir" ${3:+--version "$3"}
  fi
}
if [ -d "$bench_dir" ]; then
  import humaneval "$bench_dir/humaneval/HumanEval.jsonl.gz"
  import humaneval-plus "$bench_dir/humaneval/HumanEvalPlus.jsonl.gz" v0.1.10
  import mbpp "$bench_dir/mbpp/mbpp.jsonl"
  import mbpp-sanitized "$bench_dir/mbpp/sanitized-mbpp.json"
  import mbpp-plus "$bench_dir/mbpp/MbppPlus-v0.1.0.jsonl.gz"
  import mbpp-plus "$bench_dir/mbpp/MbppPlus.jsonl.gz"
  import bigcodebench "$bench_dir/bigcodebench/BigCodeBench-v0.1.0_hf.jsonl.gz"
  import bigcodebench "$bench_dir/bigcodebench/BigCodeBench-v0.1.4.jsonl.gz"
  import codeforces "$bench_dir/codeforces/code-contests-test-codeforces.jsonl"
else
  echo "[up] no benchmark files at $bench_dir: import them with 'npx verdict import <benchmark> <path>'" >&2
fi
if ! wait $image_pid; then
  echo "[up] the Python image did not build; the service will retry in the background:" >&2
  tail -n 20 "${TMPDIR:-/tmp}/verdict-up-python-image.log" >&2
fi
exec node dist/cli.js serve --data-dir "$data_dir" --build-images
