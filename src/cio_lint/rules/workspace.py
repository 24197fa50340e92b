"""CIO301-CIO304: the code against the Customer.io workspace snapshot (journeys and their Liquid).

They run when a snapshot is present (``workspace.snapshot``) and look at the whole set of
resolved calls, like CIO003: which events the code sends, with which properties, and which
traits its identify calls set. What "statically" means is the same as everywhere: a value the
analysis knows; an unknown value is never guessed, so a rule that needs to know *every* call
stays quiet when one is unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from cio_lint import sdks
from cio_lint.model import CallSite, Finding, loc_of
from cio_lint.plan.model import normalize_name
from cio_lint.rules.base import Invalid, Rule, code_text
from cio_lint.rules.events import _rename_fix
from cio_lint.rules.workspace_sends import Sends, collect, keys_of, place, segment, uses

if TYPE_CHECKING:
    from cio_lint.analysis.link import Resolved
    from cio_lint.plan import Plan
    from cio_lint.workspace.snapshot import Journey, Snapshot

_CDP = sdks.example_setup("segment-family")
_IDENTIFY = _CDP + "analytics.identify('u1', {'email': 'a@example.com', 'first_name': 'Ada'})\n"
# Customer.io sets these on every profile itself
_BUILT_IN_ATTRIBUTES = frozenset({"id", "cio_id"})


def _example(
    journeys: list[dict[str, Any]], transactional: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "format": "cio-lint-workspace/1",
        "region": "us",
        "complete": True,
        "journeys": journeys,
        "broadcasts": [],
        "transactional": transactional or [],
    }


def _journey(
    id_: int, name: str, event: str, state: str = "running", variables: tuple[str, ...] = ()
) -> dict[str, Any]:
    actions = [
        {
            "id": id_ * 10 + 1,
            "name": f"{name} email",
            "type": "email",
            "sending_state": "automatic",
            "variables": list(variables),
        }
    ]
    return {
        "id": id_,
        "name": name,
        "state": state,
        "active": state == "running",
        "trigger": {"type": "event", "event": event},
        "actions": actions if variables else [],
    }


class WorkspaceRule(Rule):
    """A rule over the whole project and the workspace snapshot (``check_workspace``).
    ``EXAMPLE_WORKSPACE`` is the snapshot its VALID/INVALID examples are checked with."""

    EXAMPLE_WORKSPACE: ClassVar[dict[str, Any]] = {}

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        return iter(())  # runs on the project: see ``check_workspace``

    def at_snapshot(self, snapshot: Snapshot, line: int, **fields: Any) -> Finding:
        """A finding about the workspace itself, at ``line`` of the snapshot file."""
        return Finding(
            code=self.CODE,
            name=self.NAME,
            severity=self.SEVERITY,
            message=self.MESSAGE.format(**fields),
            path=str(snapshot.path),
            line=line,
            column=1,
            end_line=line,
            end_column=1,
        )


class JourneyTriggerNotSent(WorkspaceRule):
    """An active journey is triggered by an event that no code sends.

    The journey waits for an exact event name. When the code sends the name with another case
    or separators, each such call is reported (fixable: renamed to the trigger's spelling);
    when nothing comes close, the journey is reported once, at its id in the snapshot, and only
    when the whole project was checked. Events sent by other systems: ignore CIO301 for the
    snapshot file in ``per-file-ignores``.
    """

    CODE, NAME = "CIO301", "journey-trigger-not-sent"
    MESSAGE = "Active journey `{journey}` (id {id}) is triggered by `{event}`{detail}"
    FIXABLE = True
    EXAMPLE_WORKSPACE = _example(
        [_journey(12, "Onboarding", "Signed Up"), _journey(13, "Welcome", "Account Created")]
    )
    VALID = [
        _CDP + "analytics.track('u1', 'Signed Up', {'plan': 'pro'})\n"
        "analytics.track('u1', 'Account Created')"
    ]
    INVALID = [
        Invalid(
            _CDP + "analytics.track('u1', 'Signed Up', {'plan': 'pro'})\n"
            "analytics.track('u1', 'account-created')",
            fixed=_CDP + "analytics.track('u1', 'Signed Up', {'plan': 'pro'})\n"
            "analytics.track('u1', 'Account Created')",
        ),
        Invalid(_CDP + "analytics.track('u1', 'Trial Started')"),
    ]


class JourneyNotActive(WorkspaceRule):
    """The code sends an event whose only journeys are not active.

    Every journey this event triggers is a draft, stopped, paused or in an unknown state: the
    event reaches Customer.io, and nothing happens. The message names the journeys and their
    states; activate one, or stop sending the event.
    """

    CODE, NAME = "CIO302", "journey-not-active"
    SEVERITY = "warning"
    MESSAGE = "Event `{event}` triggers only journeys that are not active: {journeys}"
    EXAMPLE_WORKSPACE = _example(
        [
            _journey(12, "Onboarding", "Signed Up"),
            _journey(14, "Trial nurture", "Trial Started", state="draft"),
        ]
    )
    VALID = [
        _CDP + "analytics.track('u1', 'Signed Up', {'plan': 'pro'})",
        _CDP + "analytics.track('u1', 'Order Completed', {'order_id': '1', 'total': 3})",
    ]
    INVALID = [Invalid(_CDP + "analytics.track('u1', 'Trial Started')")]


class LiquidEventPropertyMissing(WorkspaceRule):
    """A live message of a journey renders ``{{event.x}}``, and the event never carries ``x``.

    A message in ``automatic`` sending state of a journey triggered by event E uses
    ``{{event.x}}``: reported when every call that sends E has statically known properties and
    none sends ``x`` (whole project checked), or when the plan's schema for E does not allow
    ``x``. Customer.io renders the missing value as blank: a hole in the message.
    """

    CODE, NAME = "CIO303", "liquid-event-property-missing"
    MESSAGE = "{uses} `{{{{event.{prop}}}}}`, but {why}"
    EXAMPLE_WORKSPACE = _example(
        [_journey(12, "Onboarding", "Signed Up", variables=("event.plan", "event.referrer"))]
    )
    VALID = [_CDP + "analytics.track('u1', 'Signed Up', {'plan': 'pro', 'referrer': None})"]
    INVALID = [Invalid(_CDP + "analytics.track('u1', 'Signed Up', {'plan': 'pro'})")]


class LiquidAttributeUnknown(WorkspaceRule):
    """A live message renders ``{{customer.y}}``, a trait that no identify sets.

    ``y`` is neither a trait any identify call of the code sends (when every identify's traits
    are statically known; whole project checked) nor a trait the plan's ``identify`` schema
    declares. Attributes can also come from CSV imports, the UI or other systems: declare them
    in the plan's ``identify`` schema, or ignore CIO304 for the snapshot file.
    """

    CODE, NAME = "CIO304", "liquid-attribute-unknown"
    SEVERITY = "warning"
    MESSAGE = "{uses} `{{{{customer.{attribute}}}}}`, which no identify sets and the plan does not declare"
    EXAMPLE_WORKSPACE = _example(
        [
            _journey(
                12,
                "Onboarding",
                "Signed Up",
                variables=("customer.email", "customer.first_name", "customer.id"),
            )
        ]
    )
    VALID = [_IDENTIFY + "analytics.track('u1', 'Signed Up', {'plan': 'pro'})"]
    INVALID = [
        Invalid(
            _CDP + "analytics.identify('u1', {'email': 'a@example.com'})\n"
            "analytics.track('u1', 'Signed Up', {'plan': 'pro'})"
        )
    ]


_301, _302, _303, _304 = (
    JourneyTriggerNotSent(),
    JourneyNotActive(),
    LiquidEventPropertyMissing(),
    LiquidAttributeUnknown(),
)

Located = tuple[Finding, "Resolved | None"]


def check_workspace(
    resolved: list[Resolved], plan: Plan, snapshot: Snapshot, whole_project: bool = True
) -> Iterator[Located]:
    """Every CIO301-CIO304 finding, each with the resolved call it is about (``None``: about
    the snapshot itself). Findings that need to know every call (a trigger no code sends, a
    property no call sends) only when the whole project was checked."""
    sends = collect(resolved)
    yield from _triggers(sends, plan, snapshot, whole_project)
    yield from _inactive(sends, snapshot)
    yield from _event_properties(sends, plan, snapshot, whole_project)
    if whole_project:
        yield from _attributes(sends, plan, snapshot)
    from cio_lint.rules.transactional import check_transactional  # it builds on this module

    yield from check_transactional(resolved, snapshot)


def _triggers(sends: Sends, plan: Plan, snapshot: Snapshot, whole: bool) -> Iterator[Located]:
    by_normal: dict[str, list[str]] = {}
    for sent in sends.tracks:
        by_normal.setdefault(normalize_name(sent), []).append(sent)
    for journey in snapshot.journeys:
        event = journey.trigger_event
        if not journey.active or event is None or event in sends.tracks:
            continue
        variants = [n for n in by_normal.get(normalize_name(event), []) if n != event]
        fields = {"journey": code_text(journey.name), "id": journey.id, "event": code_text(event)}
        for used in variants:
            for item, name in sends.tracks[used]:
                if plan.event(used) is None and event in plan.case_variants(used):
                    continue  # CIO002 reports it, with the same fix
                fix = _rename_fix(name, event)
                if fix is not None and plan.event(used) is not None:
                    fix = replace(fix, applicability="unsafe")  # the plan has the old name
                detail = f"; the code sends `{code_text(used)}`"
                yield _301.finding(item.call, name, fix, detail=detail, **fields), item
        if not variants and whole and not sends.unresolved_names:
            detail = ", which no code sends"
            yield _301.at_snapshot(snapshot, journey.line, detail=detail, **fields), None


def _inactive(sends: Sends, snapshot: Snapshot) -> Iterator[Located]:
    journeys: dict[str, list[Journey]] = {}
    for journey in snapshot.journeys:
        if journey.trigger_event is not None:
            journeys.setdefault(journey.trigger_event, []).append(journey)
    for event, sites in sends.tracks.items():
        waiting = journeys.get(event, [])
        if not waiting or any(j.active for j in waiting):
            continue
        names = ", ".join(f"`{code_text(j.name, 40)}` ({code_text(j.state, 20)})" for j in waiting)
        for item, name in sites:
            # the use is the defect, not the constant: reported where the event is sent
            at = loc_of(name, item.call.loc)
            yield _302.finding(item.call, at, event=code_text(event), journeys=names), item


def _event_properties(
    sends: Sends, plan: Plan, snapshot: Snapshot, whole: bool
) -> Iterator[Located]:
    used: dict[tuple[str, str], list[str]] = {}  # (event, property) -> where it is rendered
    lines: dict[str, int] = {}
    for journey in snapshot.journeys:
        event = journey.trigger_event
        if event is None:
            continue
        lines.setdefault(event, journey.line)
        for action in journey.actions:
            if action.live:
                for path in action.variables:
                    prop = segment(path, "event")
                    if prop is not None:
                        where = place(action, "journey", journey.name)
                        used.setdefault((event, prop), []).append(where)
    for (event, prop), places in sorted(used.items()):
        sites = sends.payloads.get(event, [])
        known = [keys_of(item.call.properties) for item in sites]
        if any(prop in keys for keys, _ in known):
            continue  # some call sends it (and CIO004 says so if the plan forbids it)
        spec = plan.event(event)
        if spec is not None and not spec.allows_property(prop):
            why = f"the plan's schema of `{code_text(event)}` has no property `{code_text(prop)}`"
        elif sites and whole and all(complete for _, complete in known):
            why = f"no call that sends `{code_text(event)}` sends `{code_text(prop)}`"
        else:
            continue
        used_in, shown = uses(places), code_text(prop)
        if not sends.tracks.get(event):
            yield (
                _303.at_snapshot(snapshot, lines[event], uses=used_in, prop=shown, why=why),
                None,
            )
        for item in sites:
            at = item.call.properties if item.call.properties is not None else item.call.loc
            yield _303.finding(item.call, at, uses=used_in, prop=shown, why=why), item


def _attributes(sends: Sends, plan: Plan, snapshot: Snapshot) -> Iterator[Located]:
    if not sends.traits_known:
        return
    planned = set(plan.identify.property_names) if plan.identify is not None else set()
    used: dict[str, list[tuple[str, int]]] = {}
    owners = (
        *(("journey", j.name, j.line, j.actions) for j in snapshot.journeys),
        *(("broadcast", b.name, b.line, b.actions) for b in snapshot.broadcasts),
        *(("transactional message", t.name, t.line, t.contents) for t in snapshot.transactional),
    )
    for kind, name, line, actions in owners:
        for action in actions:
            if not action.live:
                continue
            for path in action.variables:
                attribute = segment(path, "customer")
                if attribute is not None:
                    used.setdefault(attribute, []).append((place(action, kind, name), line))
    for attribute, places in sorted(used.items()):
        if attribute in _BUILT_IN_ATTRIBUTES or attribute in sends.traits:
            continue
        if attribute in planned:
            continue
        where = [p for p, _ in places]
        yield (
            _304.at_snapshot(
                snapshot, places[0][1], uses=uses(where), attribute=code_text(attribute)
            ),
            None,
        )
