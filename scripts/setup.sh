#!/usr/bin/env bash
# Installs what faceless needs on Debian/Ubuntu: ffmpeg from the system's packages
# (no npm package ships a complete, recent ffmpeg), then the npm dependencies.
# The voice engine (espeak-ng, WebAssembly) and the fonts come with the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
  echo "faceless setup: installing ffmpeg with apt-get" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq ffmpeg >/dev/null
fi

# npm ci can fail on platform-only optional packages; npm install resolves them for this machine.
npm install --no-audit --no-fund --loglevel=error
