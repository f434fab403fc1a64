#!/usr/bin/env bash
# One command for the contact sheet of the real head: its 15 viseme poses and the emotions,
# saved to contact_sheet.png (or the path given). Renders under Xvfb with Mesa's software Vulkan
# when there is no display (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --example contact_sheet
export BEVY_ASSET_ROOT="$PWD"
out="${1:-contact_sheet.png}"
bin=target/release/examples/contact_sheet
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  bash scripts/setup.sh xvfb xauth mesa-vulkan-drivers
  exec xvfb-run -a -s "-screen 0 1600x1000x24" "$bin" --out "$out"
fi
exec "$bin" --out "$out"
