"""``cio-lint workspace pull``: snapshot the Customer.io workspace for the CIO3xx checks."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import click

from cio_lint.commands._common import fail

KEY_VARIABLE = "CUSTOMERIO_APP_API_KEY"
#: for tests: the App API root (https, or http to a loopback host); not documented in --help
URL_VARIABLE = "CIO_LINT_APP_API_URL"
DEFAULT_OUTPUT = Path("tracking_plan") / "customerio-workspace.json"


@click.group("workspace", context_settings={"help_option_names": ["-h", "--help"]})
def workspace_group() -> None:
    """The Customer.io workspace: journeys, broadcasts, transactional messages (docs/workspace.md)."""


def _progress(enabled: bool) -> tuple[Callable[[str], None], Callable[[], None]]:
    """A function printing one overwritten status line on stderr, and one ending it."""
    width = [0]

    def show(text: str) -> None:
        if enabled:
            line = f"Pulling the workspace: {text}"
            sys.stderr.write("\r" + line.ljust(width[0]))
            sys.stderr.flush()
            width[0] = max(width[0], len(line))

    def done() -> None:
        if enabled and width[0]:
            sys.stderr.write("\r" + " " * width[0] + "\r")
            sys.stderr.flush()

    return show, done


@workspace_group.command("pull")
@click.option(
    "--region",
    type=click.Choice(["us", "eu"]),
    default="us",
    show_default=True,
    help="The workspace's region (api.customer.io or api-eu.customer.io).",
)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_OUTPUT,
    show_default=True,
    help="The snapshot file to write (replaced atomically).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=600),
    default=30.0,
    show_default=True,
    help="Seconds allowed for each request.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress line and no summary.")
def pull_command(region: str, out: Path, timeout: float, quiet: bool) -> None:
    """Write a snapshot of the Customer.io workspace for the CIO3xx checks.

    The App API key is read from the environment variable CUSTOMERIO_APP_API_KEY only.
    """
    key = os.environ.get(KEY_VARIABLE, "")
    if not key.strip():
        fail(
            f"{KEY_VARIABLE} is not set: export the workspace's App API key (Customer.io: "
            "Settings > API Credentials > App API Keys) in the environment, e.g. "
            f"`export {KEY_VARIABLE}=...` or a CI secret; it is never read from a flag"
        )
    try:
        from cio_lint import __version__
        from cio_lint.workspace.client import AppApiClient, PullError, base_url, check_key
        from cio_lint.workspace.pull import Puller
        from cio_lint.workspace.write import WriteError, render, write_atomic
    except ImportError as exc:
        fail(
            f"`workspace pull` needs the `workspace` extra ({exc.name} is missing): "
            "pip install 'cio-lint[workspace]'"
        )
    show, done = _progress(not quiet and sys.stderr.isatty())
    try:
        key = check_key(key)
        root = base_url(region, os.environ.get(URL_VARIABLE))
        client = AppApiClient(
            root, key, timeout, region=region, user_agent=f"cio-lint/{__version__}"
        )
        with closing(client):
            snapshot = Puller(client, region, show).pull()
            requests = client.requests
    except PullError as exc:
        done()
        fail(f"{exc}; {out} was not written")
    done()
    text = render(snapshot)
    # a real key is 32 characters; a much shorter one could match a name by chance
    if len(key) >= 16 and key in text:
        fail(f"a response holds the App API key itself; {out} was not written")
    try:
        write_atomic(out, text)
    except WriteError as exc:
        fail(str(exc))
    if not quiet:
        counts = {k: snapshot[k] for k in ("journeys", "broadcasts", "transactional")}
        sizes = {k: len(v) if isinstance(v, list) else 0 for k, v in counts.items()}
        click.echo(
            f"Wrote {out} ({sizes['journeys']} journeys, {sizes['broadcasts']} broadcasts, "
            f"{sizes['transactional']} transactional messages; {requests} requests)"
        )


def register(main: click.Group) -> None:
    main.add_command(workspace_group)
