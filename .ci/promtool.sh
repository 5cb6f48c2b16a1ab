#!/usr/bin/env bash
# Debian's prometheus package ships promtool, which checks and unit-tests the golden paths'
# alerting rules (tests/golden_paths/test_promtool.py). Without it those tests are skipped with
# a reason, so a failed install is a warning, not an error.
set -uo pipefail
if command -v promtool >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null) \
    || echo "warning: could not install prometheus; the promtool tests of the alerting rules will be skipped"
else
  echo "warning: no apt-get; the promtool tests of the alerting rules will be skipped"
fi
