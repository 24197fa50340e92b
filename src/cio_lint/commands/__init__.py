"""The subcommands besides ``check``, one module each: ``register_all`` adds them to ``main``.

A module here defines ``register(main: click.Group) -> None``, which adds its commands (to
``main``, or to the ``plan`` group it finds there), and imports what its commands need inside
them, so that ``cio-lint --version`` does not pay for every command's imports.
"""

from __future__ import annotations

import importlib

import click

# In the order ``cio-lint --help`` lists them (``plan`` first: the ``plan`` group itself).
MODULES = (
    "plan",
    "plan_init",
    "plan_import",
    "plan_docs",
    "plan_diff",
    "plan_generate",
    "rule",
    "workspace",
    "server",
)


def register_all(main: click.Group) -> None:
    for name in MODULES:
        importlib.import_module(f"cio_lint.commands.{name}").register(main)


def plan_group(main: click.Group) -> click.Group:
    """The ``plan`` group, where the plan tools add themselves."""
    group = main.commands["plan"]
    assert isinstance(group, click.Group)
    return group
