#!/usr/bin/env bash
# Installs what the platform needs on Debian/Ubuntu: system packages (when missing) and npm dependencies.
# Safe to run again. Usage: scripts/setup.sh [--with-test-tools]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(ffmpeg pocketsphinx pocketsphinx-en-us)
if [[ "${1:-}" == "--with-test-tools" ]]; then
  # Synthetic test voices, audio tools, the browser for the web tests, and the servers the
  # distributed test configuration talks to.
  packages+=(festival festvox-us-slt-hts festvox-kallpc16k festvox-kdlpc16k sox chromium postgresql redis-server)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing system packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("Node.js >= 20.19 is required, found "+process.version); process.exit(1) }'
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
fi
