"""The rules: ``RULES`` maps each code to its class; ``check_call`` runs them on one call.

Static analysis and the pytest plugin both go through ``check_call``, so a property means the
same thing in both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cio_lint import sdks
from cio_lint.model import CallSite, Finding
from cio_lint.rules.base import Invalid, Rule
from cio_lint.rules.broadcasts import BroadcastTriggerInLoop
from cio_lint.rules.calls import (
    FileTooLarge,
    MissingIdentity,
    SdkCallSignature,
    SyntaxErrorRule,
    UnreadableFile,
    UnresolvedSdkReceiver,
    UnusedSuppression,
)
from cio_lint.rules.consistency import EventNamingConvention, NearDuplicateEvent, PropertyDrift
from cio_lint.rules.events import (
    DeprecatedEvent,
    EventNameCase,
    EventNameLimit,
    UnknownEvent,
    UnresolvedEventName,
)
from cio_lint.rules.flow import TrackBeforeIdentify
from cio_lint.rules.generated import GeneratedCodeStale
from cio_lint.rules.properties import (
    AttributeNameLimit,
    InvalidPropertyValue,
    MissingRequiredProperty,
    UnknownProperty,
)
from cio_lint.rules.regions import RegionMismatch
from cio_lint.rules.traits import (
    AttributeValueLimit,
    CreatedAtNotUnixSeconds,
    InvalidTraitValue,
    MissingRequiredTrait,
    TooManyAttributes,
    UnknownTrait,
)
from cio_lint.rules.transactional import (
    TransactionalDataMissing,
    TransactionalWithoutIdentifiers,
    UnknownTransactionalMessage,
)
from cio_lint.rules.workspace import (
    JourneyNotActive,
    JourneyTriggerNotSent,
    LiquidAttributeUnknown,
    LiquidEventPropertyMissing,
)

if TYPE_CHECKING:
    from cio_lint.plan import Plan

_CALL_RULES: tuple[type[Rule], ...] = (
    UnknownEvent,
    EventNameCase,
    UnknownProperty,
    MissingRequiredProperty,
    InvalidPropertyValue,
    UnresolvedEventName,
    UnknownTrait,
    MissingRequiredTrait,
    InvalidTraitValue,
    MissingIdentity,
    DeprecatedEvent,
    SdkCallSignature,
    EventNameLimit,
    AttributeNameLimit,
    AttributeValueLimit,
    TooManyAttributes,
    CreatedAtNotUnixSeconds,
    TransactionalWithoutIdentifiers,
)

_ALL_RULES: tuple[type[Rule], ...] = (
    *_CALL_RULES,
    TrackBeforeIdentify,
    GeneratedCodeStale,
    EventNamingConvention,
    NearDuplicateEvent,
    PropertyDrift,
    JourneyTriggerNotSent,
    JourneyNotActive,
    LiquidEventPropertyMissing,
    LiquidAttributeUnknown,
    TransactionalDataMissing,
    UnknownTransactionalMessage,
    BroadcastTriggerInLoop,
    RegionMismatch,
    SyntaxErrorRule,
    FileTooLarge,
    UnresolvedSdkReceiver,
    UnreadableFile,
    UnusedSuppression,
)
RULES: dict[str, type[Rule]] = {
    rule.CODE: rule for rule in sorted(_ALL_RULES, key=lambda r: r.CODE)
}

_INSTANCES = tuple(rule() for rule in _CALL_RULES)
_SIGNATURE_ONLY = tuple(rule for rule in _INSTANCES if isinstance(rule, SdkCallSignature))


def check_call(
    call: CallSite, plan: Plan, destinations: frozenset[str] = frozenset()
) -> list[Finding]:
    """Every finding of the per-call rules on ``call``, de-duplicated, in a stable order.
    ``destinations``: where the project forwards every call besides its SDK's defaults
    (``[tool.cio-lint] destinations``); a destination's limits apply only to calls reaching it."""
    seen: set[tuple[str, int, int, str]] = set()
    out: list[Finding] = []
    reached = sdks.DEFAULT_DESTINATIONS.get(call.sdk, frozenset()) | destinations
    # A call that does not bind raises TypeError: nothing is sent, so only CIO013 applies.
    rules = _SIGNATURE_ONLY if call.signature_error else _INSTANCES
    for rule in rules:
        if rule.DESTINATION is not None and rule.DESTINATION not in reached:
            continue
        for finding in rule.check(call, plan):
            marker = (finding.code, finding.line, finding.column, finding.message)
            if marker not in seen:
                seen.add(marker)
                out.append(finding)
    dropped = {(code, f.line, f.column) for f in out for code in RULES[f.code].SUPERSEDES}
    if dropped:
        out = [f for f in out if (f.code, f.line, f.column) not in dropped]
    return out


__all__ = ["RULES", "Invalid", "Rule", "check_call"]
