"""What every command shares: the exit codes and the one-line usage error."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def fail(message: str) -> NoReturn:
    """``Error: message`` on stderr, exit 2 (usage, configuration or plan error)."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_ERROR)
