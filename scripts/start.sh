#!/usr/bin/env bash
# Quick start: installs what is missing, then starts the whole platform in one process with embedded
# defaults (PostgreSQL in-process under ./data, local files, in-process jobs) on http://localhost:1250.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec npm start
