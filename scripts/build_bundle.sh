#!/usr/bin/env bash
# Build the desktop bundle (dist/fielddesk/) with PyInstaller and run its self-test offscreen.
# Fails if the build or the self-test fails. Prints build time and bundle size.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pip install -q "pyinstaller>=6.10"
start=$(date +%s)
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller build.spec
end=$(date +%s)
bundle=dist/fielddesk
size=$(du -sm "$bundle" | cut -f1)
echo "bundle: $bundle  build: $((end - start)) s  size: ${size} MB"
"$bundle/fielddesk-cli" --version
QT_QPA_PLATFORM=offscreen FIELDDESK_HOME="$(mktemp -d)" "$bundle/fielddesk-cli" --self-test
if [ "$size" -gt 250 ]; then
  echo "bundle is ${size} MB, over the 250 MB budget" >&2
  exit 1
fi
