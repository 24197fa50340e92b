"""The sites that send each statically known event name, shared by the CIO2xx rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from cio_lint.model import CallSite, DictVal, Finding, Known
from cio_lint.rules.events import event_names
from cio_lint.rules.properties import property_dicts

if TYPE_CHECKING:
    from cio_lint.analysis.link import Resolved
    from cio_lint.plan import Plan

Shape = tuple["Site", frozenset[str], DictVal]  # a site, its keys, its properties dict


class Site:
    """One call that sends an event, with the name as written there."""

    def __init__(self, item: Resolved, name: Known) -> None:
        self.call = item.call
        self.name = name
        self.loc = item.call.loc

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.loc.path, self.loc.line, self.loc.column)


def sites_by_name(resolved: list[Resolved]) -> dict[str, list[Site]]:
    """Each statically known event name -> its sites, one per call location, in order."""
    out: dict[str, dict[tuple[str, int, int], Site]] = {}
    for item in resolved:
        call = item.call
        if item.flow_only or call.signature_error or call.runtime:
            continue
        for name in event_names(call):
            if name.value.startswith("$"):
                continue  # the SDK's own events (PostHog's `$pageview`): not the project's names
            site = Site(item, name)
            out.setdefault(name.value, {}).setdefault(site.key, site)
    return {
        name: sorted(found.values(), key=lambda s: s.key) for name, found in sorted(out.items())
    }


def configured(naming: Mapping[str, str] | None, plan: Plan | None, key: str) -> str | None:
    if naming and naming.get(key):
        return naming[key]
    planned = getattr(plan, "naming", None) or {}
    value = planned.get(key) if isinstance(planned, Mapping) else None
    return value if isinstance(value, str) else None


def planned(plan: Plan | None, name: str) -> bool:
    return plan is not None and (plan.event(name) is not None or bool(plan.case_variants(name)))


def key_sets(found: list[Site]) -> list[Shape]:
    """The key set of each site whose keys are all known (one closed dict), in order."""
    out = []
    for site in found:
        dicts = list(property_dicts(site.call.properties))
        if len(dicts) == 1 and not dicts[0].open:
            out.append((site, frozenset(dicts[0].keys()), dicts[0]))
    return out


def at_call(finding: Finding, call: CallSite, targets: set[str] | None) -> Finding:
    """``finding``, or, when it is written in a file not being checked (a constant of another
    package, on a pre-commit run of one file), the same finding at the call that sends it, as
    the engine does for the per-call rules (a fix still edits the definition)."""
    if targets is None or finding.path in targets:
        return finding
    loc = call.loc
    return replace(
        finding,
        path=loc.path,
        line=loc.line,
        column=loc.column,
        end_line=loc.end_line,
        end_column=loc.end_column,
    )
