"""Rules about identify (and group) traits."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from cio_lint import sdks
from cio_lint.model import CallSite, DictVal, Finding, Known, Unknown, alternatives
from cio_lint.rules.base import Invalid, Rule, code_text
from cio_lint.rules.properties import known_values, property_dicts

if TYPE_CHECKING:
    from cio_lint.plan import EventSpec, Plan

_CDP = sdks.example_setup("segment-family")
_CLASSIC = sdks.example_setup("customerio-classic")
_MP = sdks.example_setup("mixpanel-client")
_POSTHOG = sdks.example_setup("posthog-python")
_AMP = sdks.example_setup("amplitude-python")


def trait_schema(call: CallSite, plan: Plan) -> EventSpec | None:
    if call.kind == "identify":
        return plan.identify
    if call.kind == "group":
        return plan.group
    return None


def trait_dicts(call: CallSite, plan: Plan, whole: bool = False) -> Iterator[DictVal]:
    """The traits a call sets, as dicts to check against ``trait_schema``: an identify's or a
    group's, and the person updates a track carries (PostHog's ``$set``), which are partial
    (``whole``: only the complete sets, for CIO009)."""
    if trait_schema(call, plan) is not None:
        yield from property_dicts(call.properties)
    elif not whole:
        for update in call.person_traits:
            yield from (d for d in property_dicts(update) if d.items or d.open)


def _person_schema(call: CallSite, plan: Plan) -> EventSpec | None:
    """The schema of the traits ``trait_dicts`` yields."""
    spec = trait_schema(call, plan)
    return spec if spec is not None else plan.identify if call.person_traits else None


def _kind(call: CallSite) -> str:
    return call.kind if call.kind in ("identify", "group") else "identify"


class UnknownTrait(Rule):
    """Identify trait not in the plan's ``identify`` schema (``group`` traits likewise)."""

    CODE, NAME = "CIO008", "unknown-trait"
    MESSAGE = "Trait `{trait}` is not in the plan's `{kind}` schema"
    VALID = [
        _CDP + 'analytics.identify("u1", {"email": "a@b.co", "plan": "pro"})',
        _MP + 'mp.people_set("u1", {"email": "a@b.co", "plan": "pro"})',
        _POSTHOG + 'posthog.set_once(distinct_id="u1", properties={"plan": "pro"})',
        _AMP + 'amp.identify(Identify().set("plan", "pro"), EventOptions(user_id="u1"))',
    ]
    INVALID = [
        Invalid(_CDP + 'analytics.identify("u1", {"email": "a@b.co", "favourite_color": "red"})'),
        Invalid(_CLASSIC + 'cio.identify(id="u1", email="a@b.co", nickname="al")'),
        Invalid(_MP + 'mp.people_set_once("u1", {"email": "a@b.co", "nickname": "al"})'),
        Invalid(_POSTHOG + 'posthog.set(distinct_id="u1", properties={"nickname": "al"})'),
        # a person update carried by a capture is an identify's traits
        Invalid(
            _POSTHOG + 'posthog.capture("Signed Up", distinct_id="u1", properties={"plan": "pro",'
            ' "$set": {"nickname": "al"}})'
        ),
        Invalid(
            _AMP + "ident = Identify()\nident.set_once('nickname', 'al')\n"
            "amp.identify(ident, EventOptions(user_id='u1'))"
        ),
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        spec = _person_schema(call, plan)
        if spec is None:
            return
        for traits in trait_dicts(call, plan):
            for key, _, key_loc in traits.items:
                if len(key.encode()) <= 150 and not spec.allows_property(key):
                    yield self.finding(
                        call, key_loc or traits.loc, trait=code_text(key), kind=_kind(call)
                    )


class MissingRequiredTrait(Rule):
    """A trait the plan requires on every identify is absent."""

    CODE, NAME = "CIO009", "missing-required-trait"
    MESSAGE = "Required trait `{trait}` is missing from `{kind}`"
    VALID = [
        _CDP + 'analytics.identify("u1", {"email": "a@b.co"})',
        # a `$set` in a capture is a partial update: what it leaves out is not missing
        _POSTHOG
        + 'posthog.capture("Trial Started", distinct_id="u1", properties={"$set": {"plan": "pro"}})',
    ]
    INVALID = [Invalid(_CDP + 'analytics.identify("u1", {"plan": "pro"})')]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        spec = trait_schema(call, plan)
        if spec is None:
            return
        for traits in trait_dicts(call, plan, whole=True):
            if traits.open:
                continue
            present = set(traits.keys())
            for required in spec.required:
                if required not in present:
                    yield self.finding(call, traits.loc or call.loc, trait=required, kind=call.kind)


class InvalidTraitValue(Rule):
    """A statically known trait value violates its schema."""

    CODE, NAME = "CIO010", "invalid-trait-value"
    MESSAGE = "Trait `{trait}`: {error}"
    VALID = [_CDP + 'analytics.identify("u1", {"email": "ada@example.com", "plan": "free"})']
    INVALID = [
        Invalid(_CDP + 'analytics.identify("u1", {"email": "not-an-email"})'),
        Invalid(_CLASSIC + 'cio.identify("u1", email="a@b.co", plan="gold")'),
        Invalid(
            _POSTHOG + 'posthog.capture("Trial Started", distinct_id="u1",'
            ' properties={"$set_once": {"plan": "gold"}})'
        ),
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        spec = _person_schema(call, plan)
        if spec is None:
            return
        for traits in trait_dicts(call, plan):
            for key, value, key_loc in traits.items:
                if not spec.allows_property(key):
                    continue
                for python, alt in known_values(value):
                    for error in spec.value_errors(key, python):
                        yield self.finding(
                            call, alt.loc or key_loc, trait=code_text(key), error=error
                        )


class AttributeValueLimit(Rule):
    """A statically known trait value over 1000 bytes: Customer.io rejects it."""

    CODE, NAME = "CIO103", "attribute-value-limit"
    DESTINATION = sdks.CUSTOMERIO
    MESSAGE = "Trait `{trait}` value is {size} bytes; Customer.io rejects values over 1000 bytes"
    VALID = [_CDP + 'analytics.identify("u1", {"email": "a@b.co", "bio": "short"})']
    INVALID = [
        Invalid(_CDP + 'analytics.identify("u1", {"email": "a@b.co", "bio": "' + "x" * 1001 + '"})')
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        if call.kind not in ("identify", "group"):
            return
        for traits in property_dicts(call.properties):
            for key, value, key_loc in traits.items:
                for python, alt in known_values(value):
                    text = python if isinstance(python, str) else json.dumps(python, default=str)
                    size = len(text.encode())
                    if size > 1000:
                        yield self.finding(
                            call, alt.loc or key_loc, trait=code_text(key), size=size
                        )


class TooManyAttributes(Rule):
    """More than 300 traits in one identify: Customer.io rejects the request."""

    CODE, NAME = "CIO104", "too-many-attributes"
    DESTINATION = sdks.CUSTOMERIO
    MESSAGE = "`identify` sends {count} traits; Customer.io accepts at most 300"
    VALID = [_CDP + 'analytics.identify("u1", {"email": "a@b.co"})']
    INVALID = [
        Invalid(
            _CDP
            + "analytics.identify('u1', {'email': 'a@b.co', "
            + ", ".join(f"'t{i}': {i}" for i in range(300))
            + "})"
        )
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        if call.kind != "identify":
            return
        for traits in property_dicts(call.properties):
            count = len(set(traits.keys()))
            if count > 300:
                yield self.finding(call, traits.loc or call.loc, count=count)


def _created_at_problem(value: object) -> str | None:
    for alt in alternatives(value):  # type: ignore[arg-type]
        if isinstance(alt, Unknown) and alt.reason in ("datetime", "str"):
            return "a datetime" if alt.reason == "datetime" else "a string"
        if isinstance(alt, Known):
            v = alt.value
            if isinstance(v, (_dt.datetime, _dt.date)):
                return "a datetime"
            if isinstance(v, str):
                return f"the string `{code_text(v)}`"
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 99_999_999_999:
                return f"`{v}`, which looks like milliseconds"
    return None


class CreatedAtNotUnixSeconds(Rule):
    """``created_at`` trait that is a string, a datetime, or looks like milliseconds.

    Customer.io reads ``created_at`` as Unix seconds; anything else breaks date-based segments
    and "time since signup" conditions.
    """

    CODE, NAME = "CIO105", "created-at-not-unix-seconds"
    DESTINATION = sdks.CUSTOMERIO
    SUPERSEDES = ("CIO010",)
    MESSAGE = "Trait `created_at` must be Unix seconds, got {what}"
    VALID = [_CDP + 'analytics.identify("u1", {"email": "a@b.co", "created_at": 1700000000})']
    INVALID = [
        Invalid(_CDP + 'analytics.identify("u1", {"email": "a@b.co", "created_at": "2024-01-01"})'),
        Invalid(
            _CDP + 'analytics.identify("u1", {"email": "a@b.co", "created_at": 1700000000000})'
        ),
        Invalid(
            "import datetime\n"
            + _CDP
            + 'analytics.identify("u1", {"email": "a@b.co", "created_at": datetime.datetime.now()})'
        ),
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        if call.kind != "identify":
            return
        for traits in property_dicts(call.properties):
            for key, value, key_loc in traits.items:
                if key != "created_at":
                    continue
                what = _created_at_problem(value)
                if what is not None:
                    yield self.finding(call, getattr(value, "loc", None) or key_loc, what=what)
