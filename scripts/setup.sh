#!/usr/bin/env bash
# Installs the system packages the crate needs, only those missing (Debian/Ubuntu, as root or
# with sudo). Safe to run again: it does nothing when everything is present.
set -euo pipefail

# Extra package names on the command line are installed too (the demo's Xvfb, for instance).
packages=(pkg-config libasound2-dev libudev-dev libx11-dev libxkbcommon-dev libwayland-dev "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: missing system packages (${missing[*]}) and no apt-get; install them by hand" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
