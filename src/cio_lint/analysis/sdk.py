"""What cio-lint knows about the real SDKs: modules, client classes and call signatures.

Signatures are copied from the installed packages' sources (segment-analytics-python 2.x,
customerio-cdp-analytics 1.x, rudder-sdk-python 2.x, analytics-python 1.x share one shape;
classic ``customerio`` changed ``track`` in 3.0). Which classic signature applies is decided by
``cio_lint.sdk_versions`` (configuration, the project's pins, the installed package, the newest).
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass

SEGMENT_FAMILY = "segment-family"
CLASSIC = "customerio-classic"

SEGMENT_MODULES = (
    "customerio.analytics",
    "segment.analytics",
    "analytics",
    "rudderstack.analytics",
    "rudder_analytics",
)

_COMMON_TAIL = ("context", "timestamp", "anonymous_id", "integrations", "message_id")

SEGMENT_SIGNATURES: dict[str, tuple[str, ...]] = {
    "identify": ("user_id", "traits", *_COMMON_TAIL),
    "track": ("user_id", "event", "properties", *_COMMON_TAIL),
    "alias": ("previous_id", "user_id", "context", "timestamp", "integrations", "message_id"),
    "group": ("user_id", "group_id", "traits", *_COMMON_TAIL),
    "page": ("user_id", "category", "name", "properties", *_COMMON_TAIL),
    "screen": ("user_id", "category", "name", "properties", *_COMMON_TAIL),
}

SDK_FUNCTIONS: dict[str, tuple[str, str]] = {
    f"{module}.{method}": (SEGMENT_FAMILY, method)
    for module in SEGMENT_MODULES
    for method in SEGMENT_SIGNATURES
}

SDK_CLIENTS: dict[str, str] = {
    **{f"{m}.Client": SEGMENT_FAMILY for m in SEGMENT_MODULES},
    **{f"{m}.client.Client": SEGMENT_FAMILY for m in SEGMENT_MODULES},
    "customerio.CustomerIO": CLASSIC,
    "customerio.track.CustomerIO": CLASSIC,
}

# The top-level names a file must mention to possibly use an SDK (the prefilter's seed).
SDK_TOKENS = ("customerio", "analytics", "segment", "rudderstack", "rudder_analytics")


@dataclass(frozen=True)
class Signature:
    """A Python signature: positional-or-keyword names, then ``**kwargs`` if ``varkw``."""

    params: tuple[str, ...]
    required: tuple[str, ...] = ()
    varkw: str | None = None


def classic_signatures(version: tuple[int, ...]) -> dict[str, Signature]:
    if version >= (3,):
        track = Signature(
            ("customer_id", "name", "data", "id", "timestamp"), ("customer_id", "name")
        )
        anon = Signature(
            ("anonymous_id", "name", "data", "id", "timestamp"), ("anonymous_id", "name")
        )
    else:
        track = Signature(("customer_id", "name"), ("customer_id", "name"), varkw="data")
        anon = Signature(("anonymous_id", "name"), ("anonymous_id", "name"), varkw="data")
    return {
        "identify": Signature(("id",), ("id",), varkw="attributes"),
        "track": track,
        "track_anonymous": anon,
    }


def segment_signatures() -> dict[str, Signature]:
    return {name: Signature(params) for name, params in SEGMENT_SIGNATURES.items()}


def parse_version(text: str) -> tuple[int, ...]:
    out: list[int] = []
    for part in text.split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        if not digits:
            break
        out.append(int(digits))
    return tuple(out) or (0,)


def installed_classic_version(override: str | None = None) -> tuple[int, ...]:
    """The classic ``customerio`` version to assume: override, installed, else the newest."""
    if override:
        return parse_version(override)
    try:
        return parse_version(importlib.metadata.version("customerio"))
    except importlib.metadata.PackageNotFoundError:
        return (99,)
