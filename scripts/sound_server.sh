#!/usr/bin/env bash
# A real sound server for the end-to-end A/V test, on a machine without a sound card: installs
# PulseAudio (when missing), starts it for this user with a null sink `lipsync` as the default
# sink, and routes ALSA's default device to it (~/.asoundrc). The sink's monitor,
# `lipsync.monitor`, records what the sink plays. Safe to run again: a running server is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh pulseaudio pulseaudio-utils libasound2-plugins

if ! grep -qs "type pulse" "$HOME/.asoundrc"; then
  echo "sound_server: routing ALSA's default device to PulseAudio in $HOME/.asoundrc" >&2
  cat >>"$HOME/.asoundrc" <<'EOF'
pcm.!default { type pulse }
ctl.!default { type pulse }
EOF
fi

if ! pactl info >/dev/null 2>&1; then
  echo "sound_server: starting PulseAudio with a null sink" >&2
  # As root PulseAudio warns that it is meant for users; it runs all the same.
  pulseaudio --system=false -n --daemonize=yes --exit-idle-time=-1 \
    --load=module-native-protocol-unix \
    --load="module-null-sink sink_name=lipsync rate=48000 channels=2" \
    --load=module-always-sink 2>/dev/null
  for _ in $(seq 50); do
    pactl info >/dev/null 2>&1 && break
    sleep 0.1
  done
fi
pactl set-default-sink lipsync
pactl info | grep -E "Server Name|Default Sink" >&2
