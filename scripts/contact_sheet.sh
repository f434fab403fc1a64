#!/usr/bin/env bash
# One command for the contact sheets of the real characters: the 15 viseme poses and the
# emotions of the RPM-67 head (contact_sheet.png, or the path given) and of Godette, the VRM
# character (the same name with _godette). Renders under Xvfb with Mesa's software Vulkan when
# there is no display (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --example contact_sheet
export BEVY_ASSET_ROOT="$PWD"
out="${1:-contact_sheet.png}"
bin=target/release/examples/contact_sheet
run=()
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  bash scripts/setup.sh xvfb xauth mesa-vulkan-drivers
  run=(xvfb-run -a -s "-screen 0 1600x1000x24")
fi
"${run[@]}" "$bin" --character rpm67 --out "$out"
"${run[@]}" "$bin" --character godette --out "${out%.png}_godette.png"
