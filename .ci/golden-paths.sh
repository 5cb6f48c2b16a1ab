#!/usr/bin/env bash
# The bundled golden paths' own CI, as a platform team runs it on theirs: `golden-path lint`
# and `golden-path test` on each, through the installed command. Either failing fails CI.
set -euo pipefail
cd "$(dirname "$0")/.."

for golden_path in golden_paths/*/; do
  name="$(basename "$golden_path")"
  [ -f "$golden_path/golden-path.yaml" ] || continue  # _policies/ is not a golden path
  echo "== golden-path lint $name"
  .venv/bin/platformctl golden-path lint "$golden_path"
  echo "== golden-path test $name"
  .venv/bin/platformctl golden-path test "$golden_path"
done
