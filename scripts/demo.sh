#!/usr/bin/env bash
# Install cio-lint into .venv and run it on the embedded demo (examples/ against tracking_plan/).
# Exit code 1 is expected: the demo breaks every rule on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
.venv/bin/cio-lint examples/ "$@"
