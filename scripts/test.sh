#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite. PostgreSQL tests run when
# FIELDDESK_TEST_PG_URL is set (.ci/run sets it and makes them mandatory).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest -n 2 -q "$@"
