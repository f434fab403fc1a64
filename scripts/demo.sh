#!/usr/bin/env bash
# The main job: the talking-NPC demo. Installs the system packages it needs (only the missing
# ones), then runs it. No key needed (offline voice), no sound card needed (virtual output).
# Pass demo options after the script: --emulator, --screenshot PATH --after SECONDS --say TEXT.
# Without a display ($DISPLAY and $WAYLAND_DISPLAY unset) it runs under Xvfb, installed if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --features emulator --example talking_npc
bin=target/release/examples/talking_npc
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  bash scripts/setup.sh xvfb xauth mesa-vulkan-drivers
  exec xvfb-run -a -s "-screen 0 1280x720x24" "$bin" "$@"
fi
exec "$bin" "$@"
