#!/usr/bin/env bash
# Quick start: installs what is missing, builds the web app, then starts the whole platform in one process with embedded
# defaults (PostgreSQL in-process under ./data, local files, in-process jobs) on http://localhost:1250.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [[ ! -f apps/web/dist/index.html || -n "$(find apps/web/src apps/web/index.html -newer apps/web/dist/index.html -print -quit)" ]]; then
  npm run build:web --silent
fi
exec npm start
