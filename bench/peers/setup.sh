#!/usr/bin/env bash
# Installs the peers that bench/peers/run.ts renders beside faceless, into bench/peers/ only (its own
# package.json, not a root workspace; `npm install` at the root never sees it):
#   - Remotion, with Debian's Chromium as its browser (never a downloaded one: run.ts passes
#     browserExecutable=/usr/bin/chromium);
#   - editly, whose native modules (canvas, gl) are built from source against Debian's libraries,
#     since their prebuilt binaries come from outside the package registries. headless-gl needs an
#     X display: run.ts starts editly under xvfb-run.
# Needs root (apt-get), the npm registry and Debian's archive; nothing else.
#   bash bench/peers/setup.sh
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(
  chromium ffmpeg xvfb xauth
  build-essential python3 pkg-config
  # node-canvas (editly's text and image layers)
  libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev libpixman-1-dev
  # headless-gl (editly's transitions)
  libxi-dev libglu1-mesa-dev libglew-dev libgl1-mesa-dri
  # Chromium's fonts for Remotion's captions
  fonts-dejavu-core
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# node-gyp builds against the headers Debian's nodejs ships instead of downloading them;
# Remotion's own browser download is never triggered (we pass browserExecutable and skip its postinstall).
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
export npm_config_build_from_source=true
export REMOTION_SKIP_BROWSER_DOWNLOAD=1
npm install --no-audit --no-fund --foreground-scripts
# The native modules load, and headless-gl gets a context on a virtual display (as run.ts uses it).
xvfb-run -a -s '-screen 0 1280x1024x24' node -e "
  const { createCanvas } = require('canvas');
  if (!createCanvas(2, 2).getContext('2d')) throw new Error('canvas: no 2d context');
  if (!require('gl')(2, 2)) throw new Error('gl: no WebGL context (is Mesa\'s libgl1-mesa-dri installed?)');
"
echo "peers installed in $(pwd)/node_modules: remotion $(node -p "require('remotion/package.json').version"), editly $(node -p "require('editly/package.json').version"), $(/usr/bin/chromium --version)"
