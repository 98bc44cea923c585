#!/usr/bin/env bash
# Set up everything FieldDesk needs on Debian 12 / Python 3.11: the Debian libraries Qt and the
# tests use, a virtual environment in .venv, and the project with its server and dev extras.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
want_test_tools=${1:-}

# Qt's runtime libraries (xcb for a real window, EGL/GL, fonts, keyboard, D-Bus).
debs=(libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3 libglib2.0-0
      libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
      libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxrender1 libxi6 python3-venv)
if [ "$want_test_tools" = "--test" ]; then
  # PDF rendering for report checks, a real Secret Service keyring, a virtual screen.
  debs+=(poppler-utils gnome-keyring dbus-user-session dbus-x11 xvfb)
fi
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.fielddesk-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[server,dev]'
  touch "$stamp"
fi
