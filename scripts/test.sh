#!/usr/bin/env bash
# The test command: installs what is missing, then runs every test (unit, integration against
# the loopback emulator, doc tests). No network, no sound card, no API key needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Tests never need a real key; one from the environment must not leak into them.
unset INWORLD_API_KEY INWORLD_API_BASE_URL
cargo test --workspace --all-features "$@"
