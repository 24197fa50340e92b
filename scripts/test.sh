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
# A real posthog 6.x beside the main (posthog 7) one, for tests/test_capture_posthog6.py (its
# subprocesses put .venv/posthog6 first on PYTHONPATH). --no-deps: 6.9.3 needs nothing 7 and
# the test extra do not already install (requests, backoff, distro, typing-extensions, six,
# python-dateutil).
.venv/bin/python -m pip install -q --no-deps --upgrade --target .venv/posthog6 "posthog==6.9.3"
.venv/bin/python -m pytest -q "$@"
