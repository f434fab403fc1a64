#!/usr/bin/env bash
# The architecture's rules, checked: the speech crate compiles no Bevy, the Bevy crate's own
# source stays small (it only translates), and the plugin's modules depend on each other in no
# cycle.
set -euo pipefail
cd "$(dirname "$0")/.."
if cargo tree -p lipsync_speech -e normal --prefix none | grep -q '^bevy'; then
  echo "check_layout: lipsync_speech depends on Bevy:" >&2
  cargo tree -p lipsync_speech -e normal -i bevy_ecs >&2 || true
  exit 1
fi
# Unit-test files (`tests.rs`) do not count: they are checks, not what the crate holds.
lines=$(find src -name '*.rs' ! -name tests.rs -print0 | xargs -0 cat | wc -l)
echo "check_layout: src/ of bevy_lipsync holds $lines lines of code (at most 4400)"
if [ "$lines" -gt 4400 ]; then
  echo "check_layout: src/ grew past 4400 lines: move engine-agnostic code to a crate" >&2
  exit 1
fi
python3 scripts/check_module_cycles.py src/plugin
