#!/usr/bin/env bash
# Installs everything the tests need, makes sure PostgreSQL and Redis are running, then runs every
# test: lint, typecheck, unit tests, and the API suite in both configurations (embedded and distributed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-test-tools
scripts/test-services.sh
exec npm test
