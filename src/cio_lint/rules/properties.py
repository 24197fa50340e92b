"""Rules about the properties of a track call, checked against the event's JSON Schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from cio_lint import sdks
from cio_lint.model import (
    MISSING,
    CallSite,
    DictVal,
    Finding,
    Known,
    Val,
    alternatives,
    val_to_python,
)
from cio_lint.rules.base import Invalid, Rule, code_text
from cio_lint.rules.events import event_names

if TYPE_CHECKING:
    from cio_lint.plan import EventSpec, Plan

_CDP = sdks.example_setup("segment-family")


def planned_events(call: CallSite, plan: Plan) -> Iterator[EventSpec]:
    """The planned events a track call sends: its names' own, or the one planned name a name
    differs from only in case or separators (CIO002), so a property problem is not hidden
    behind the name's. A name that collides with two planned names (CIO002 names both) has no
    event to check against."""
    seen = set()
    for name in event_names(call):
        spec = plan.event(name.value)
        if spec is None:
            variants = plan.case_variants(name.value)
            spec = plan.event(variants[0]) if len(variants) == 1 else None
        if spec is not None and spec.name not in seen:
            seen.add(spec.name)
            yield spec


def property_dicts(value: Val | None) -> Iterator[DictVal]:
    """The statically known shapes of a properties/traits argument (absent = empty dict)."""
    if value is None:
        yield DictVal()
        return
    for alt in alternatives(value):
        if isinstance(alt, DictVal):
            yield _last_wins(alt)
        elif isinstance(alt, Known) and alt.value is None:
            yield DictVal(loc=alt.loc)
        elif isinstance(alt, Known) and isinstance(alt.value, dict):
            yield DictVal(
                tuple((str(k), Known(v), None) for k, v in alt.value.items()), False, alt.loc
            )


def _last_wins(d: DictVal) -> DictVal:
    """A key set twice (``d["k"] = v`` after the literal) keeps its last value."""
    last: dict[str, tuple[str, Val, object]] = {}
    for item in d.items:
        last.pop(item[0], None)
        last[item[0]] = item
    if len(last) == len(d.items):
        return d
    return DictVal(tuple(last.values()), d.open, d.loc)  # type: ignore[arg-type]


def known_values(value: Val) -> Iterator[tuple[object, Val]]:
    """(python value, the Val it came from) for every statically known alternative."""
    for alt in alternatives(value):
        python = val_to_python(alt)
        if isinstance(alt, (Known, DictVal)) and python is not MISSING:
            yield python, alt


class UnknownProperty(Rule):
    """Property not in the event's schema, where the schema does not allow additional ones.

    A property the plan does not know is usually a rename that silently breaks every segment
    and liquid template built on the old name.
    """

    CODE, NAME = "CIO004", "unknown-property"
    MESSAGE = "Property `{prop}` is not in the schema of `{event}`{hint}"
    VALID = [_CDP + 'analytics.track("u1", "Signed Up", {"plan": "pro", "referrer": None})']
    INVALID = [
        Invalid(_CDP + 'analytics.track("u1", "Signed Up", {"plan": "pro", "source": "ad"})'),
        Invalid(
            _CDP + 'p = {"plan": "pro"}\np["refferer"] = "x"\nanalytics.track("u1", "Signed Up", p)'
        ),
        # also CIO002: the properties are checked against `Signed Up` all the same
        Invalid(_CDP + 'analytics.track("u1", "signed up", {"plan": "pro", "source": "ad"})'),
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        for spec in planned_events(call, plan):
            for props in property_dicts(call.properties):
                for key, _, key_loc in props.items:
                    if len(key.encode()) > 150 or spec.allows_property(key):
                        continue
                    close = _closest(key, spec.property_names)
                    hint = f" (did you mean `{close}`?)" if close else ""
                    yield self.finding(
                        call, key_loc or props.loc, prop=code_text(key), event=spec.name, hint=hint
                    )


def _closest(name: str, candidates: tuple[str, ...]) -> str | None:
    import difflib

    found = difflib.get_close_matches(name, candidates, n=1, cutoff=0.7)
    return found[0] if found else None


class MissingRequiredProperty(Rule):
    """A property the event's schema requires is statically absent.

    Only reported when every key of the properties is known (no ``**spread`` of an unknown dict).
    """

    CODE, NAME = "CIO005", "missing-required-property"
    MESSAGE = "Required property `{prop}` of `{event}` is missing"
    VALID = [
        _CDP + 'analytics.track("u1", "Order Completed", {"order_id": "1", "total": 9.5})',
        _CDP
        + 'def f(extra):\n    analytics.track("u1", "Order Completed", {"order_id": "1", **extra})',
    ]
    INVALID = [
        Invalid(_CDP + 'analytics.track("u1", "Order Completed", {"order_id": "1"})'),
        Invalid(_CDP + 'analytics.track("u1", "Signed Up")'),
        Invalid(_CDP + 'analytics.track("u1", "order_completed", {"order_id": "1"})'),  # CIO002
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        for spec in planned_events(call, plan):
            for props in property_dicts(call.properties):
                if props.open:
                    continue
                present = set(props.keys())
                for required in spec.required:
                    if required not in present:
                        yield self.finding(
                            call, props.loc or call.loc, prop=required, event=spec.name
                        )


class InvalidPropertyValue(Rule):
    """A statically known property value violates the property's schema.

    Type, enum, const, pattern, bounds and format are checked with the plan's own compiled
    validator, so the message is JSON Schema's.
    """

    CODE, NAME = "CIO006", "invalid-property-value"
    MESSAGE = "Property `{prop}` of `{event}`: {error}"
    VALID = [_CDP + 'analytics.track("u1", "Signed Up", {"plan": "enterprise" if True else "pro"})']
    INVALID = [
        Invalid(_CDP + 'analytics.track("u1", "Signed Up", {"plan": "platinum"})'),
        Invalid(_CDP + 'analytics.track("u1", "Order Completed", {"order_id": 1, "total": 2})'),
        Invalid(_CDP + 'analytics.track("u1", "Order Completed", {"order_id": "1", "total": -2})'),
        Invalid(_CDP + 'analytics.track("u1", "signed-up", {"plan": "platinum"})'),  # and CIO002
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        for spec in planned_events(call, plan):
            for props in property_dicts(call.properties):
                for key, value, key_loc in props.items:
                    if not spec.allows_property(key):
                        continue
                    for python, alt in known_values(value):
                        for error in spec.value_errors(key, python):
                            yield self.finding(
                                call,
                                alt.loc or key_loc,
                                prop=code_text(key),
                                event=spec.name,
                                error=error,
                            )


class AttributeNameLimit(Rule):
    """Trait or property name over 150 bytes: Customer.io rejects it."""

    CODE, NAME = "CIO102", "attribute-name-limit"
    DESTINATION = sdks.CUSTOMERIO
    MESSAGE = "{what} name `{name}` is {size} bytes; Customer.io rejects names over 150 bytes"
    VALID = [_CDP + 'analytics.identify("u1", {"email": "a@b.co", "company_name": "Acme"})']
    INVALID = [
        Invalid(_CDP + 'analytics.identify("u1", {"email": "a@b.co", "' + "k" * 151 + '": 1})')
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        what = "Trait" if call.kind in ("identify", "group") else "Property"
        if call.kind not in ("identify", "group", "track", "page", "screen"):
            return
        for props in property_dicts(call.properties):
            for key, _, key_loc in props.items:
                size = len(key.encode())
                if size > 150:
                    yield self.finding(
                        call, key_loc or props.loc, what=what, name=code_text(key, 40), size=size
                    )
