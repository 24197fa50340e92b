"""Acme Notes backend: the demo application that cio-lint checks.

Importing the package configures the analytics SDKs once (see ``acme.telemetry``).
"""

from acme import telemetry as telemetry
