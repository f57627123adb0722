#!/bin/sh
# Set up Glossator on a Debian-like machine that has only Python and pip:
# the system libraries Qt needs (plus Chromium and poppler for the tests with --test),
# a virtual environment in .venv, and the package installed in it (editable).
set -eu
cd "$(dirname "$0")/.."
PKGS="libegl1 libgl1 libfontconfig1 libx11-6 libx11-xcb1 libxkbcommon0 libxkbcommon-x11-0 libglib2.0-0 libdbus-1-3 fonts-dejavu-core fonts-noto-core"
PKGS="$PKGS chromium fontconfig"  # the PDF is printed by headless Chromium; fc-list finds missing fonts
EXTRA=""
if [ "${1:-}" = "--test" ]; then
  PKGS="$PKGS chromium poppler-utils"
  EXTRA="[test]"
fi
if command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1; then
  missing=""
  for p in $PKGS; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "Installing Debian packages:$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".$EXTRA"
