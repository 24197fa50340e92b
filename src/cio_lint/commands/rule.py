"""``cio-lint rule CODE``: explain a rule."""

from __future__ import annotations

import click

from cio_lint.commands._common import fail


@click.command("rule", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule instead.")
def rule_command(code: str | None, show_all: bool) -> None:
    """Explain a rule (CIO001, or its name: unknown-event), as `ruff rule` does."""
    from cio_lint.explain import rule_text, rules_table

    if show_all or code is None:
        click.echo(rules_table(), nl=False)
        return
    text = rule_text(code)
    if text is None:
        fail(f"no rule `{code}`: `cio-lint rule --all` lists them")
    click.echo(text, nl=False)


def register(main: click.Group) -> None:
    main.add_command(rule_command)
