"""CIO203 property-drift: key sets, value types and property names across an event's sites."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from cio_lint.model import Finding, Location, Val, shown_site
from cio_lint.naming import name_conventions
from cio_lint.rules.base import Rule, code_text
from cio_lint.rules.properties import property_dicts
from cio_lint.rules.similar import value_type
from cio_lint.rules.sites import Shape, Site, at_call, configured, key_sets, planned

if TYPE_CHECKING:
    from cio_lint.plan import Plan


def drift_findings(
    rule: Rule,
    sites: dict[str, list[Site]],
    plan: Plan | None,
    naming: Mapping[str, str] | None,
    targets: set[str] | None = None,
) -> Iterator[Finding]:
    """CIO203 over the sites of every event; ``targets`` as in ``check_consistency``."""
    # key -> where it is sent, for events the plan does not decide (None: a planned event's)
    keys_seen: dict[str, list[tuple[Site, Location | None, str] | None]] = {}
    for name, found in sites.items():
        decided = planned(plan, name)
        for site in found:
            for d in property_dicts(site.call.properties):
                for key, _, loc in d.items:
                    if not key.startswith("$"):
                        keys_seen.setdefault(key, []).append(None if decided else (site, loc, name))
        if decided:
            continue  # the plan's schema decides keys and types (CIO004-CIO006)
        shapes = key_sets(found)
        yield from _missing_keys(rule, name, shapes)
        for finding, site in _type_drift(rule, name, shapes):
            yield at_call(finding, site.call, targets)
    wanted = configured(naming, plan, "properties")
    for convention, outliers in name_conventions(sorted(keys_seen), wanted):
        if convention.kind != "case":
            continue
        for key in outliers:
            for seen in keys_seen[key]:
                if seen is None:
                    continue
                site, loc, event = seen
                at = loc if loc is not None and loc.path == site.loc.path else site.loc
                subject = (
                    f"Property `{code_text(key)}` of `{code_text(event)}` breaks the project's "
                    f"{convention.label()}{convention.evidence('property names')}"
                )
                yield rule.finding(site.call, at, subject=subject)


def _missing_keys(rule: Rule, event: str, shapes: list[Shape]) -> Iterator[Finding]:
    if len(shapes) < 4:
        return
    every = frozenset().union(*(keys for _, keys, _ in shapes))
    for key in sorted(every):
        without = [(s, keys, d) for s, keys, d in shapes if key not in keys]
        if len(without) != 1 or len(shapes) - 1 < 3:
            continue
        site, keys, d = without[0]
        others = [s for s, k, _ in shapes if key in k]
        own = sorted(keys - frozenset().union(*(k for s, k, _ in shapes if s is not site)))
        instead = f"; it sends `{own[0]}` instead" if len(own) == 1 else ""
        subject = (
            f"`{code_text(event)}` is sent without `{code_text(key)}` here, but with it at the "
            f"{len(others)} other sites (e.g. {shown_site(others[0].loc)}){instead}"
        )
        at = d.loc or site.loc
        yield rule.finding(site.call, at if at.path == site.loc.path else site.loc, subject=subject)


def _type_drift(rule: Rule, event: str, shapes: list[Shape]) -> Iterator[tuple[Finding, Site]]:
    by_key: dict[str, list[tuple[Site, str, Val]]] = {}
    for site, _, d in shapes:
        for key, value, _ in d.items:
            kind = value_type(value)
            if kind is not None:
                by_key.setdefault(key, []).append((site, kind, value))
    for key, seen in sorted(by_key.items()):
        counts: dict[str, int] = {}
        for _, kind, _ in seen:
            counts[kind] = counts.get(kind, 0) + 1
        if len(counts) < 2:
            continue
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        major, n = ranked[0]
        if n < 2 or n == ranked[1][1]:
            continue
        example = next(s for s, kind, _ in seen if kind == major)
        for site, kind, value in seen:
            if kind == major:
                continue
            subject = (
                f"Property `{code_text(key)}` of `{code_text(event)}` is {kind} here but {major} "
                f"at {n} other sites (e.g. {shown_site(example.loc)})"
            )
            yield rule.finding(site.call, value, subject=subject), site
