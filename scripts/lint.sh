#!/usr/bin/env bash
# The style checks CI runs (needs the test extra in .venv): ruff lint and format, snakefmt on the
# rules, snakemake --lint. Usage: bash scripts/lint.sh
set -uo pipefail
cd "$(dirname "$0")/.."
rc=0
.venv/bin/ruff check . || rc=1
.venv/bin/ruff format --check . || rc=1
.venv/bin/snakefmt --check Snakefile workflow/rules || rc=1
.venv/bin/snakemake --lint || rc=1
exit "$rc"
