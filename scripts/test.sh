#!/usr/bin/env bash
# Install cio-lint with its test extra into .venv and run the test suite (the README's command).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# customerio-cdp-analytics ships an empty customerio/__init__.py: installed after the classic
# `customerio` package it breaks `from customerio import CustomerIO`. Install it first.
.venv/bin/python -m pip install -q customerio-cdp-analytics
.venv/bin/python -m pip install -q -e ".[test]"
.venv/bin/python -m pytest -q "$@"
