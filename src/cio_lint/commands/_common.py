"""What every command shares: the exit codes and the one-line usage error."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from cio_lint.config import Config

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def fail(message: str) -> NoReturn:
    """``Error: message`` on stderr, exit 2 (usage, configuration or plan error)."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def project_of(paths: Sequence[Path]) -> tuple[list[Path], Config]:
    """The code paths a plan command reads (default ``.``), each checked to exist, and the
    configuration they fall under; a bad path or configuration is a usage error (exit 2)."""
    from cio_lint.config import ConfigError, load_config
    from cio_lint.discovery import check_paths

    targets = list(paths) or [Path(".")]
    try:
        check_paths(targets)
        return targets, load_config(targets[0])
    except ConfigError as exc:
        fail(str(exc))
