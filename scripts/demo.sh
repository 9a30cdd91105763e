#!/usr/bin/env bash
# Set up a virtual environment and run the workflow on the embedded demo.
# Usage: bash scripts/demo.sh [snakemake arguments]   (default: --cores 2)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[workflow]'
export PATH="$PWD/.venv/bin:$PATH"
if [ "$#" -eq 0 ]; then set -- --cores 2; fi
exec snakemake "$@"
