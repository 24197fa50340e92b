"""``cio-lint server``: the language server, over stdio (docs/editors.md)."""

from __future__ import annotations

import click

from cio_lint.commands._common import fail


@click.command("server", context_settings={"help_option_names": ["-h", "--help"]})
def server_command() -> None:
    """Run the language server over stdio (for editors: docs/editors.md)."""
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        fail("the language server needs pygls and lsprotocol: install cio-lint[lsp]")
    from cio_lint.server.server import serve

    serve()


def register(main: click.Group) -> None:
    main.add_command(server_command)
