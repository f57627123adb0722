#!/bin/sh
# Set up Glossator on a Debian-like machine that has only Python and pip:
# the system libraries Qt needs (plus, with --test, Chromium, poppler and a virtual X display with
# a window manager and input tools for the smoke run),
# a virtual environment in .venv, and the package installed in it (editable).
set -eu
cd "$(dirname "$0")/.."
PKGS="libegl1 libgl1 libfontconfig1 libx11-6 libx11-xcb1 libxkbcommon0 libxkbcommon-x11-0 libglib2.0-0 libdbus-1-3 fonts-dejavu-core fonts-noto-core"
# Every library Qt's X11 platform plugin (libqxcb.so, libQt6XcbQpa) links to, from `ldd`: a fresh
# Debian 12 or 13 machine lacks libxcb-icccm4 and libxcb-keysyms1, and without them the app aborts.
PKGS="$PKGS libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1"
# Chinese, Japanese and Korean glyphs for the PDF export (the sample quotes 督辦公司)
PKGS="$PKGS fonts-noto-cjk"
PKGS="$PKGS chromium fontconfig"  # the PDF is printed by headless Chromium; fc-list finds missing fonts
EXTRA=""
if [ "${1:-}" = "--test" ]; then
  PKGS="$PKGS poppler-utils"
  # the smoke run of the real window: a virtual X display, a window manager, input and screenshots
  PKGS="$PKGS xvfb xauth xdotool openbox imagemagick"
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
