"""CIO201-CIO203: consistency rules over every resolved call of the project; no plan needed.

Like CIO003 (``rules/flow.py``), each rule class documents itself and holds its examples, its
per-call ``check`` finds nothing, and ``check_consistency`` computes the findings from all the
resolved calls at once. Only statically known names and keys count. A plan only sharpens them:
what the plan's own rules report (a planned name, a name CIO002 fixes, a key or a type the
event's schema decides) is left to those rules, and ``plan check`` runs the same checks over
the planned names (``plan_findings``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from cio_lint import sdks
from cio_lint.model import CallSite, Finding, shown_site
from cio_lint.naming import Convention, convert, name_conventions
from cio_lint.rules.base import Invalid, Rule, code_text
from cio_lint.rules.drift import drift_findings
from cio_lint.rules.events import _rename_fix
from cio_lint.rules.similar import candidate_pairs, near_duplicate, tokens
from cio_lint.rules.sites import Site, at_call, configured, key_sets, planned, sites_by_name

if TYPE_CHECKING:
    from cio_lint.analysis.link import Resolved
    from cio_lint.plan import Plan

_CDP = sdks.example_setup("segment-family")
_T = 'analytics.track("u1", '


def _tracks(*names: str) -> str:
    return _CDP + "\n".join(f'{_T}"{n}")' for n in names)


class EventNamingConvention(Rule):
    """An event name that breaks the project's naming convention.

    The convention is the one a clear majority of the distinct event names follow (Title Case,
    Sentence case, snake_case, kebab-case, camelCase, a `.` or `:` namespace, a shared prefix),
    or the one ``naming = {events = "..."}`` sets. A journey trigger is typed by hand: the odd
    spelling is the one somebody will get wrong. Fixable when the target is unambiguous.
    """

    CODE, NAME = "CIO201", "event-naming-convention"
    SEVERITY = "warning"
    FIXABLE = True
    MESSAGE = "Event `{event}` breaks the project's {convention}{evidence}{hint}"
    VALID = [
        _tracks("Note Created", "Note Shared", "Note Deleted", "Export Downloaded"),
        _tracks("Note Created", "note_shared", "Note Deleted"),  # no clear majority
    ]
    INVALID = [
        Invalid(
            _tracks("Note Created", "Note Shared", "Note Deleted", "Note Archived", "note shared"),
            fixed=_tracks(
                "Note Created", "Note Shared", "Note Deleted", "Note Archived", "Note Shared"
            ),
        ),
        Invalid(_tracks("app.note_created", "app.note_shared", "app.note_deleted", "note_moved")),
        Invalid(_tracks("Note created", "Note shared", "Note deleted", "Export Downloaded")),
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        return iter(())  # runs over the whole project: see ``check_consistency``


class NearDuplicateEvent(Rule):
    """Two emitted event names that are probably meant to be one.

    Equal ignoring case and separators, one edit or two apart (names of 8 characters or more),
    singular and plural, or sent with the same set of three or more property keys. Reports split
    in two and a journey waits for the spelling it was built with. Reported once per pair, at
    the first site of the less used name.
    """

    CODE, NAME = "CIO202", "near-duplicate-event"
    SEVERITY = "warning"
    MESSAGE = "Event `{event}` looks like a duplicate of `{other}` ({why}), sent at {where}"
    VALID = [
        _tracks("Note Created", "Note Deleted", "Subscription Started", "Subscription Restarted"),
        _tracks("User Subscribed", "User Unsubscribed", "Step 1 Completed", "Step 2 Completed"),
    ]
    INVALID = [
        Invalid(_tracks("Export Downloaded", "Export Downloaded", "Export Downloded")),
        Invalid(_tracks("Invite Sent", "Invites Sent", "Invite Sent")),
        Invalid(
            _CDP
            + _T
            + '"emails.invite_sent", {"to": 1, "role": 2, "team": 3})\n'
            + _T
            + '"emails.workspace_invite_sent", {"to": 1, "role": 2, "team": 3})'
        ),
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        return iter(())


class PropertyDrift(Rule):
    """The same event sent with different property keys or value types at different sites.

    A key sent at three or more sites of an event and missing at one (often renamed there: `kind`
    where the others send `type`), a key whose value is a number at one site and a string at the
    others, or a property name that breaks the project's property naming convention. A segment
    or a Liquid `{{event.x}}` built on the majority shape misses those sends.
    """

    CODE, NAME = "CIO203", "property-drift"
    SEVERITY = "warning"
    MESSAGE = "{subject}"
    VALID = [
        _CDP
        + "\n".join(_T + f'"Note Shared", {{"note_id": {i}, "channel": "x"}})' for i in range(4))
    ]
    INVALID = [
        Invalid(
            _CDP
            + "\n".join(_T + f'"Note Shared", {{"note_id": {i}, "type": "x"}})' for i in range(3))
            + "\n"
            + _T
            + '"Note Shared", {"note_id": 4, "kind": "x"})'
        ),
        Invalid(
            _CDP
            + "\n".join(_T + f'"Note Shared", {{"note_id": {i}}})' for i in range(2))
            + "\n"
            + _T
            + '"Note Shared", {"note_id": "4"})'
        ),
        Invalid(
            _CDP
            + _T
            + '"Note Shared", {"note_id": 1, "share_channel": "x", "share_url": "y"})\n'
            + _T
            + '"Note Moved", {"note_id": 1, "to_folder": 2, "folderName": "z"})'
        ),
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        return iter(())


_NAMING, _DUPLICATE, _DRIFT = EventNamingConvention(), NearDuplicateEvent(), PropertyDrift()


def _target(name: str, convention: Convention, names: list[str]) -> tuple[str, bool] | None:
    """What ``name`` should be renamed to, and whether that is an existing spelling."""
    from cio_lint.plan import normalize_name

    same = [
        n
        for n in names
        if n != name and normalize_name(n) == normalize_name(name) and convention.holds(n)
    ]
    if len(same) == 1:
        return same[0], True
    if not same and convention.kind == "case":
        converted = convert(name, convention.name)
        if converted is not None and converted != name:
            return converted, False
    return None


def check_consistency(
    resolved: list[Resolved],
    plan: Plan | None = None,
    naming: Mapping[str, str] | None = None,
    targets: set[str] | None = None,
) -> Iterator[Finding]:
    """CIO201, CIO202 and CIO203 over every resolved call. ``naming``: the configured
    conventions (``[tool.cio-lint] naming``), which win over the plan's and over detection;
    ``targets``: the files checked (a finding at a constant outside them is moved to the call)."""
    sites = sites_by_name(resolved)
    names = list(sites)
    renamed: dict[str, str] = {}
    out: list[Finding] = []
    for convention, outliers in name_conventions(names, configured(naming, plan, "events")):
        for name in outliers:
            if planned(plan, name):
                continue  # CIO002 fixes it, or the plan itself spells it so (`plan check`)
            target = _target(name, convention, names)
            fix = hint = None
            if target is not None:
                renamed[name] = target[0]
                hint = f"; use `{target[0]}`" if target[1] else f"; `{target[0]}` would follow it"
            for site in sites[name]:
                if target is not None:
                    fix = _rename_fix(site.name, target[0])
                    if fix is not None and not target[1]:
                        fix = type(fix)(fix.edits, "unsafe", fix.description)
                finding = _NAMING.finding(
                    site.call,
                    site.name,
                    fix,
                    event=code_text(name),
                    convention=convention.label(),
                    evidence=convention.evidence("event names"),
                    hint=hint or "",
                )
                out.append(at_call(finding, site.call, targets))
    out.extend(_duplicates(sites, plan, renamed, targets))
    out.extend(drift_findings(_DRIFT, sites, plan, naming, targets))
    return iter(out)


def _duplicates(
    sites: dict[str, list[Site]],
    plan: Plan | None,
    renamed: Mapping[str, str],
    targets: set[str] | None,
) -> Iterator[Finding]:
    unions: dict[str, frozenset[str]] = {}
    for name, found in sites.items():
        shapes = key_sets(found)
        if len(shapes) == len(found):
            unions[name] = frozenset().union(*(keys for _, keys, _ in shapes))
    by_keys: dict[frozenset[str], list[str]] = {}
    for name, keys in unions.items():
        if len(keys) >= 3:
            by_keys.setdefault(keys, []).append(name)
    pairs = set(candidate_pairs(sites))
    for group in by_keys.values():
        if len(group) <= 50:  # that many events with one key set: a pattern, not duplicates
            pairs.update((a, b) for i, a in enumerate(group) for b in group[i + 1 :])
    for a, b in sorted(pairs):
        if renamed.get(a) == b or renamed.get(b) == a:
            continue  # CIO201 renames one to the other
        why = near_duplicate(a, b)
        same_keys = a in unions and len(unions[a]) >= 3 and unions[a] == unions.get(b)
        words_a, words_b = set(tokens(a)), set(tokens(b))
        # one name is the other with words added (`invite_sent`, `workspace_invite_sent`); a
        # shared word alone (`Chat Started`, `Checkout Started`) is two events
        if why is None and same_keys and (words_a <= words_b or words_b <= words_a):
            why = "the same property keys"
        if why is None:
            continue
        if planned(plan, a) or planned(plan, b):
            continue  # CIO001/CIO002 name the planned one, `plan check` a planned pair
        if plan is not None and plan.closest(a) is not None and plan.closest(b) is not None:
            continue  # two misspellings of planned names: CIO001 suggests each one's
        less, more = sorted((a, b), key=lambda n: (-len(sites[n]), sites[n][0].key))[::-1]
        site, other = sites[less][0], sites[more][0]
        finding = _DUPLICATE.finding(
            site.call,
            site.name,
            event=code_text(less),
            other=code_text(more),
            why=why,
            where=shown_site(other.loc),
        )
        yield at_call(finding, site.call, targets)
