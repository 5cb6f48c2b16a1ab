#!/usr/bin/env bash
# Installs the Backstage catalog backend of the integration tests (npm ci of
# tests/integration/backstage/package-lock.json) into a folder keyed by the lock's hash, so a
# second run on the same machine only checks it. Prints that folder.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${PLATFORMCTL_CI_CACHE:-$HOME/.cache/platformctl-ci}"
lock=tests/integration/backstage/package-lock.json
dir="$CACHE/backstage/$(sha256sum "$lock" | cut -c1-16)"
if [ ! -d "$dir/node_modules" ]; then
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  cp tests/integration/backstage/package.json "$lock" "$dir.tmp/"
  start=$SECONDS
  # better-sqlite3 compiles from source (the host of its prebuilt binaries is out of reach).
  if ! (cd "$dir.tmp" && npm ci --no-audit --no-fund --loglevel=error --cache "$CACHE/npm") >"$dir.tmp.log" 2>&1; then
    tail -n 40 "$dir.tmp.log" >&2
    exit 1
  fi
  rm -rf "$dir" && mv "$dir.tmp" "$dir" && rm -f "$dir.tmp.log"
  printf '[backstage-modules] installed in %s s\n' "$((SECONDS - start))" >&2
else
  printf '[backstage-modules] cached\n' >&2
fi
printf '%s\n' "$dir"
