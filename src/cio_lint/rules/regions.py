"""CIO309 region-mismatch: Customer.io clients of one project configured for different regions.

A workspace lives in one region (US or EU). Its Track API and Data Pipelines clients and its
App API client must all use that region's hosts: a key sent to the other region's host is
refused (401). Which client takes which argument, and how a value names a region, is SDK
knowledge (``sdks.REGION_CLIENTS``, ``sdks.region_named``). A region that cannot be known
statically (a host read from the environment) takes no part.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cio_lint import sdks
from cio_lint.analysis.facts import argument
from cio_lint.model import CallSite, Finding, Known
from cio_lint.rules.base import Invalid, Rule

if TYPE_CHECKING:
    from cio_lint.analysis.facts import CallFact, FileFacts
    from cio_lint.analysis.link import Project
    from cio_lint.analysis.syms import Sym
    from cio_lint.plan import Plan
    from cio_lint.workspace.snapshot import Snapshot

_SETUP = sdks.REGION_EXAMPLE_SETUP
_API_NAMES = {"track": "Track API client", "cdp": "Data Pipelines client", "app": "App API client"}


class RegionMismatch(Rule):
    """Customer.io clients of one project are configured for different regions.

    The App API client (``APIClient``) is set for one region while a Track API or Data
    Pipelines client of the same project is set for the other (``Regions.EU`` / ``Regions.US``,
    or a ``-eu`` host); or, with a workspace snapshot, the App API client's region is not the
    one the snapshot was pulled from. A workspace lives in one region: the other region's hosts
    answer 401. A client without the argument uses the US region.
    """

    CODE, NAME = "CIO309", "region-mismatch"
    SEVERITY = "warning"
    MESSAGE = "{what} is configured for the {region} region, but {other}"
    VALID = [
        _SETUP + "cio = CustomerIO('site', 'key', region=Regions.EU)\n"
        "api = APIClient('key', region=Regions.EU)",
        _SETUP + "cio = CustomerIO('site', 'key')\napi = APIClient('key')",
    ]
    INVALID = [
        Invalid(
            _SETUP + "cio = CustomerIO('site', 'key', region=Regions.EU)\napi = APIClient('key')"
        ),
        Invalid(
            _SETUP + "cio = CustomerIO('site', 'key', None, Regions.US)\n"
            "api = APIClient('key', None, Regions.EU)"
        ),
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        return iter(())  # runs on the project's client constructors: see ``check_regions``


_RULE = RegionMismatch()


@dataclass(frozen=True)
class _Client:
    api: str  # "track", "cdp" or "app"
    region: str
    module: FileFacts
    fact: CallFact

    @property
    def where(self) -> str:
        return f"{self.module.path}:{self.fact.loc[0]}"


def _region(project: Project, sym: Sym, mod: FileFacts, is_host: bool) -> str | None:
    ref = project.resolve(sym, mod)
    if ref is not None and ref.kind == "ext":
        return sdks.region_named(ref.name, False)
    value = project.value(sym, mod, False)
    if isinstance(value, Known) and isinstance(value.value, str):
        return sdks.region_named(value.value, is_host)
    return None


def _clients(project: Project, facts: Sequence[FileFacts]) -> Iterator[_Client]:
    for mod in facts:
        for fact in mod.calls:
            ref = project.classify(fact, mod)
            if ref is None or ref.kind != "ext" or ref.name not in sdks.REGION_CLIENTS:
                continue
            api, param, index = sdks.REGION_CLIENTS[ref.name]
            passed, sym = argument(fact, param, index)
            if not passed:
                yield _Client(api, "us", mod, fact)
            elif sym is not None:
                region = _region(project, sym, mod, is_host=param == "host")
                if region is not None:
                    yield _Client(api, region, mod, fact)


def check_regions(
    project: Project, facts: Sequence[FileFacts], snapshot: Snapshot | None
) -> Iterator[Finding]:
    """CIO309 at each App API client whose region differs from another client's (or from the
    snapshot's); the constructors of ``facts`` (the files being checked) are compared."""
    found = list(_clients(project, facts))
    others = [c for c in found if c.api != "app"]
    for client in found:
        if client.api != "app":
            continue
        differs = next((c for c in others if c.region != client.region), None)
        if differs is not None:
            other = (
                f"the {_API_NAMES[differs.api]} at `{_short(differs.where)}` is configured for "
                f"{differs.region.upper()}"
            )
        elif snapshot is not None and snapshot.region != client.region:
            other = f"the workspace snapshot was pulled from {snapshot.region.upper()}"
        else:
            continue
        line, column, end_line, end_column = client.fact.loc
        message = _RULE.MESSAGE.format(
            what=_API_NAMES["app"], region=client.region.upper(), other=other
        )
        yield Finding(
            _RULE.CODE,
            _RULE.NAME,
            _RULE.SEVERITY,
            message,
            client.module.path,
            line,
            column,
            end_line,
            end_column,
            snippet=client.fact.snippet,
        )


def _short(where: str) -> str:
    """``path:line`` shown in a message: the path relative to the current directory when it is
    below it (as findings' paths are)."""
    path, _, line = where.rpartition(":")
    try:
        path = Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        pass
    return f"{path}:{line}"
