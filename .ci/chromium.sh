#!/usr/bin/env bash
# Debian's headless chromium for the HTML report test (tests/maturity/test_browser.py).
# Without it that test is skipped with a reason, so a failed install is a warning, not an error.
set -uo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null) \
    || echo "warning: could not install chromium; the browser test of the HTML report will be skipped"
else
  echo "warning: no apt-get; the browser test of the HTML report will be skipped"
fi
