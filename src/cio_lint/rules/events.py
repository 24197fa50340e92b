"""Rules about the event name of a track call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from cio_lint import sdks
from cio_lint.model import CallSite, Edit, Finding, Fix, Known, Unknown, alternatives, loc_of
from cio_lint.rules.base import Invalid, Rule, code_text

if TYPE_CHECKING:
    from cio_lint.plan import Plan

_CDP = sdks.example_setup("segment-family")
_MP = sdks.example_setup("mixpanel-client")
_POSTHOG = sdks.example_setup("posthog-python")
_AMP = sdks.example_setup("amplitude-python")


def event_names(call: CallSite) -> Iterator[Known]:
    """The statically known string names of a track call (every branch of a conditional)."""
    if call.kind != "track" or call.event is None:
        return
    for alt in alternatives(call.event):
        if isinstance(alt, Known) and isinstance(alt.value, str):
            yield alt


class UnknownEvent(Rule):
    """Event name not in the tracking plan.

    A Customer.io campaign or segment triggered by an event name only fires on an exact match;
    an event the plan does not know is either a typo or an undocumented event.
    """

    CODE, NAME = "CIO001", "unknown-event"
    MESSAGE = "Event `{event}` is not in the tracking plan{hint}"
    VALID = [
        _CDP + 'analytics.track("u1", "Trial Started")',
        _CDP + 'analytics.track("u1", "signed up", {"plan": "pro"})  # CIO002, not CIO001',
        _MP + 'mp.track("u1", "Trial Started")',
        _POSTHOG + 'posthog.capture("Trial Started", distinct_id="u1")',
        _AMP + 'amp.track(BaseEvent("Trial Started", user_id="u1"))',
    ]
    INVALID = [
        Invalid(_CDP + 'analytics.track("u1", "Project Deleted")'),
        Invalid(_AMP + 'amp.track(BaseEvent(event_type="Project Deleted", user_id="u1"))'),
        Invalid(
            _AMP + "class Deleted(BaseEvent):\n    def __init__(self, user_id):\n"
            '        super().__init__("Project Deleted", user_id=user_id)\n'
            'amp.track(Deleted("u1"))'
        ),
        Invalid(_POSTHOG + 'posthog.capture("Project Deleted", distinct_id="u1")'),
        Invalid(_CDP + 'EVENT = "Order Complete"\nanalytics.track("u1", EVENT, {})'),
        Invalid(_MP + 'mp.import_data("key", "u1", "Project Deleted", 1700000000)'),
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        for name in event_names(call):
            if plan.event(name.value) is None and not plan.case_variants(name.value):
                closest = plan.closest(name.value)
                spec = plan.event(closest) if closest else None
                if spec is not None and spec.deprecated and spec.replaced_by:
                    closest = spec.replaced_by  # never suggest what the plan is retiring
                hint = f" (did you mean `{closest}`?)" if closest else ""
                yield self.finding(call, name, event=code_text(name.value), hint=hint)


class EventNameCase(Rule):
    """Event name equals a planned name only when case and separators are ignored.

    ``signed_up``, ``signed up`` and ``Signed-Up`` are different events to Customer.io: a
    journey waiting for ``Signed Up`` never fires. Fixable: the literal (or the constant or Enum
    member it comes from) is rewritten to the planned spelling.
    """

    CODE, NAME = "CIO002", "event-name-case"
    MESSAGE = "Event `{used}` differs from planned {planned} only in case or separators"
    FIXABLE = True
    VALID = [_CDP + 'analytics.track("u1", "Signed Up", {"plan": "pro"})']
    INVALID = [
        Invalid(
            _CDP + 'analytics.track("u1", "signed_up", {"plan": "pro"})',
            fixed=_CDP + 'analytics.track("u1", "Signed Up", {"plan": "pro"})',
        ),
        Invalid(
            "from enum import Enum\n"
            + _CDP
            + "class Event(str, Enum):\n    ORDER = 'order-completed'\n"
            "analytics.track('u1', Event.ORDER.value, {'order_id': '1', 'total': 3})",
            fixed="from enum import Enum\n"
            + _CDP
            + "class Event(str, Enum):\n    ORDER = 'Order Completed'\n"
            "analytics.track('u1', Event.ORDER.value, {'order_id': '1', 'total': 3})",
        ),
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        for name in event_names(call):
            if plan.event(name.value) is not None:
                continue
            variants = plan.case_variants(name.value)
            if not variants:
                continue
            fix = _rename_fix(name, variants[0]) if len(variants) == 1 else None
            planned = " and ".join(f"`{v}`" for v in variants)
            if len(variants) > 1:
                planned += " (they collide in the plan)"
            yield self.finding(call, name, fix, used=code_text(name.value), planned=planned)


def _rename_fix(name: Known, planned: str) -> Fix | None:
    origin = name.origin
    if origin is None or "\\" in planned or origin.quote[0] in planned:
        return None
    if any(ch in origin.prefix.lower() for ch in "bf"):
        return None
    content = f"{origin.prefix}{origin.quote}{planned}{origin.quote}"
    edit = Edit(
        origin.path, origin.line, origin.column, origin.end_line, origin.end_column, content
    )
    return Fix((edit,), "safe", f"Rename to `{planned}`")


class UnresolvedEventName(Rule):
    """Event name cannot be determined statically.

    A name computed at run time (an f-string, a value from the database) cannot be checked
    against the plan. Use a constant, or test the code with the pytest plugin, which sees the
    real value.
    """

    CODE, NAME = "CIO007", "unresolved-event-name"
    SEVERITY = "warning"
    MESSAGE = "Event name cannot be determined statically ({reason})"
    VALID = [
        _CDP + 'NAME = "Trial Started"\nanalytics.track("u1", NAME)',
        _CDP + "def track_event(user, name):\n    analytics.track(user, name)",
    ]
    INVALID = [
        Invalid(_CDP + 'def f(kind):\n    analytics.track("u1", f"{kind} Created")'),
        Invalid(_CDP + "from elsewhere import NAME\nanalytics.track('u1', NAME)"),
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        if call.kind != "track" or call.event is None:
            return
        for alt in alternatives(call.event):
            if isinstance(alt, Unknown) and alt.reason != "param":
                yield self.finding(
                    call, alt, reason=_REASONS.get(alt.reason, "computed at run time")
                )
            elif isinstance(alt, Known) and not isinstance(alt.value, str):
                yield self.finding(call, alt, reason=f"not a string: `{code_text(alt.value)}`")


_REASONS = {
    "str": "built at run time",
    "unresolved": "its definition is not in the scanned code",
    "subscript": "looked up at run time",
    "loop": "a loop variable",
}


class DeprecatedEvent(Rule):
    """The event is marked ``deprecated`` in the plan.

    Deprecated events are on their way out of the plan; new code should send the replacement.
    """

    CODE, NAME = "CIO012", "deprecated-event"
    SEVERITY = "warning"
    MESSAGE = "Event `{event}` is deprecated in the tracking plan{hint}"
    VALID = [_CDP + 'analytics.track("u1", "Trial Started")']
    INVALID = [Invalid(_CDP + 'analytics.track("u1", "Trial Extended")')]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        for name in event_names(call):
            spec = plan.event(name.value)
            if spec is not None and spec.deprecated:
                hint = f"; use `{spec.replaced_by}`" if spec.replaced_by else ""
                # the use is the defect, not the constant: reported where the event is sent
                yield self.finding(call, loc_of(name, call.loc), event=name.value, hint=hint)


class EventNameLimit(Rule):
    """Customer.io rejects the event name: blank, or over 100 bytes."""

    CODE, NAME = "CIO101", "event-name-limit"
    DESTINATION = sdks.CUSTOMERIO
    SUPERSEDES = ("CIO001",)
    MESSAGE = "Event name {problem}; Customer.io rejects blank names and names over 100 bytes"
    VALID = [_CDP + 'analytics.track("u1", "Trial Started")']
    INVALID = [
        Invalid(_CDP + 'analytics.track("u1", "  ")'),
        Invalid(_CDP + 'analytics.track("u1", "' + "x" * 101 + '")'),
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        for name in event_names(call):
            size = len(name.value.encode())
            if not name.value.strip():
                yield self.finding(call, name, problem="is blank")
            elif size > 100:
                yield self.finding(call, name, problem=f"is {size} bytes")
