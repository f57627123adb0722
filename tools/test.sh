#!/bin/sh
# Install everything the tests need (see setup.sh), then run the whole test suite offscreen.
set -eu
cd "$(dirname "$0")/.."
sh tools/setup.sh --test
QT_QPA_PLATFORM=offscreen exec .venv/bin/python -m pytest "$@"
