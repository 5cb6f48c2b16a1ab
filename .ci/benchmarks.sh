#!/usr/bin/env bash
# The benchmark table (docs/performance.md), as a report: CI machines are shared and noisy, so
# a budget exceeded here is printed, never a failure. Locally: python benchmarks/run.py --check
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v hyperfine >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null) || echo "warning: could not install hyperfine; the benchmark alternates runs itself"
fi
.venv/bin/python benchmarks/run.py --runs 5 || true
