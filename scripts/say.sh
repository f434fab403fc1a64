#!/usr/bin/env bash
# The main job for now: speak a line with the `say` tool and write its audio and timeline.
# Without INWORLD_API_KEY it runs against the built-in loopback emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo run --release --features emulator --example say -- "$@"
