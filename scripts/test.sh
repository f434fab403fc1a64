#!/usr/bin/env bash
# The test command: installs what is missing, then runs every test (unit, integration against
# the loopback emulator, doc tests), then the A/V check through a sound server it starts itself
# (scripts/sound_server.sh). No network, no sound card, no API key needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Tests never need a real key; one from the environment must not leak into them.
unset INWORLD_API_KEY INWORLD_API_BASE_URL AIMLAPI_API_KEY AIMLAPI_BASE_URL
cargo test --workspace --all-features "$@"
# The audio-driven viseme model on held-out sentences, voice and rate: transcript alignment and
# the sound alone must keep their accuracy.
cargo run --quiet -p offline_voice --example bake_report -- --min-transcript 0.85 --min-audio 0.70
# End to end through a real sound server: PulseAudio with a null sink, ALSA routed to it, the
# plugin on its default device, the sink recorded; every line's mouth within 12 ms of the sound.
bash scripts/sound_server.sh
cargo run --quiet --all-features --example av_report -- --max-offset-ms 12 --min-agreement 0.93
