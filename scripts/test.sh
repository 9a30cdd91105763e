#!/usr/bin/env bash
# Set up a virtual environment with the test and peer extras, then run the whole test suite.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test,peers]'
exec .venv/bin/python -m pytest "$@"
