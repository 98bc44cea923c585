#!/usr/bin/env bash
# Set up (if needed) and start the FieldDesk desktop app on its embedded default: a local SQLite
# profile in the user-data directory. Arguments go to `fielddesk` (e.g. --data-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/fielddesk "$@"
