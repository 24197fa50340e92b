"""The SDK registry: every fact cio-lint knows about an analytics SDK, one module per family.

``segment`` (customerio-cdp-analytics, segment-analytics-python, analytics-python,
rudder-sdk-python), ``customerio_classic``, ``mixpanel``, ``posthog`` and ``amplitude`` each build one ``Family`` (``_model``): its
distributions, import modules, client classes, methods (kind, roles, signature per version
range, what an unbindable call does at run time, CIO013's hints), prefilter seed words,
capture seam and default destinations. Nothing outside this package names an SDK: the
analysis, the prefilter, the version decision and the rules' examples read the indexes below,
built once at import so that every lookup in a hot path is one dict or set lookup.
Adding an SDK: docs/architecture.md, "Adding an SDK".
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cio_lint.sdks import amplitude, customerio_classic, mixpanel, posthog, segment
from cio_lint.sdks._model import (
    CUSTOMERIO,
    DESTINATIONS,
    NEWEST,
    ROLES,
    EventObject,
    Family,
    GenerateTarget,
    Method,
    Module,
    Outcome,
    Role,
    Seam,
    Signature,
    Variant,
    Version,
)

__all__ = [
    "ANALYTICS_DOMAINS",
    "API_MODULES",
    "APP_EXAMPLE_SETUP",
    "BROADCAST_BYTES",
    "BROADCAST_EXAMPLE_SETUP",
    "BROADCAST_LIMIT",
    "BROADCAST_TRIGGER_PATH",
    "BROADCAST_WORD",
    "CLIENTS",
    "CLIENT_METHODS",
    "CUSTOMERIO",
    "DECLARED_FAMILY",
    "DEFAULT_DESTINATIONS",
    "DESTINATIONS",
    "DISTRIBUTIONS",
    "FAMILIES",
    "FUNCTIONS",
    "GENERATE_TARGETS",
    "HTTP_POST_FUNCTIONS",
    "HTTP_POST_METHOD",
    "HTTP_REQUEST_FUNCTIONS",
    "HTTP_REQUEST_METHOD",
    "METHODS_NAMED",
    "METHOD_NAMES",
    "NEWEST",
    "OBJECT_BUILDERS",
    "PLANNED_DISTRIBUTIONS",
    "REGION_CLIENTS",
    "REGION_EXAMPLE_SETUP",
    "ROLES",
    "SEED_BYTES",
    "TOP_LEVEL",
    "VERSIONED",
    "VERSION_EXAMPLE",
    "EventObject",
    "Family",
    "GenerateTarget",
    "Method",
    "Module",
    "Outcome",
    "Role",
    "Seam",
    "Signature",
    "Variant",
    "Version",
    "broadcast_trigger_url",
    "describe",
    "example_setup",
    "family",
    "method",
    "method_call_pattern",
    "region_named",
    "variants",
]

FAMILIES: tuple[Family, ...] = (
    customerio_classic.FAMILY,
    segment.FAMILY,
    mixpanel.FAMILY,
    posthog.FAMILY,
    amplitude.FAMILY,
)


def _segment_like(name: str, module: str) -> GenerateTarget:
    return GenerateTarget(
        name=name,
        family=segment.FAMILY.name,
        import_line=f"from {module} import Client",
        client_type="Client",
        track="{client}.track({user_id}, {event}, {properties})",
        identify="{client}.identify({user_id}, {traits})",
        example_client="Client(write_key=WRITE_KEY)",
    )


# ``cio-lint plan generate --sdk NAME``: the SDKs the generated module can call, by name.
GENERATE_TARGETS: dict[str, GenerateTarget] = {
    t.name: t
    for t in (
        _segment_like("customerio", "customerio.analytics"),
        _segment_like("segment", "segment.analytics"),
        _segment_like("rudderstack", "rudderstack.analytics"),
        GenerateTarget(
            name="customerio-classic",
            family=customerio_classic.FAMILY.name,
            import_line="from customerio import CustomerIO",
            client_type="CustomerIO",
            track="{client}.track({user_id}, {event}, data={properties})",
            identify="{client}.identify({user_id}, **{traits})",
            example_client="CustomerIO(SITE_ID, API_KEY)",
            note="customerio 3.0 or later (`track(customer_id, name, data=...)`)",
        ),
        GenerateTarget(
            name="posthog",
            family=posthog.FAMILY.name,
            import_line="from posthog import Posthog",
            client_type="Posthog",
            track="{client}.capture({event}, distinct_id={user_id}, properties={properties})",
            identify="{client}.set(distinct_id={user_id}, properties={traits})",
            example_client="Posthog(PROJECT_API_KEY, host=HOST)",
            note="posthog 6 or later (`capture(event, distinct_id=..., properties=...)`)",
        ),
        GenerateTarget(
            name="mixpanel",
            family=mixpanel.FAMILY.name,
            import_line="from mixpanel import Mixpanel",
            client_type="Mixpanel",
            track="{client}.track({user_id}, {event}, {properties})",
            identify="{client}.people_set({user_id}, {traits})",
            example_client="Mixpanel(PROJECT_TOKEN)",
        ),
    )
}

# Accepted in ``[tool.cio-lint.sdk-versions]`` (and listed by ``--show-settings``) before their
# family module exists. A family module that adds one removes it here (tests/test_registry.py).
PLANNED_DISTRIBUTIONS: tuple[str, ...] = ()

VERSION_EXAMPLE = customerio_classic.VERSION_EXAMPLE
# the App API's transactional sends (``kind == "send"``): the examples of CIO305-CIO307
APP_EXAMPLE_SETUP = customerio_classic.APP_EXAMPLE_SETUP
# Customer.io's regions, as the clients are configured (CIO309)
REGION_CLIENTS = customerio_classic.REGION_CLIENTS
REGION_EXAMPLE_SETUP = customerio_classic.REGION_EXAMPLE_SETUP
region_named = customerio_classic.region_named
# API-triggered broadcasts, triggered by an HTTP POST (CIO308)
BROADCAST_TRIGGER_PATH = customerio_classic.BROADCAST_TRIGGER_PATH
broadcast_trigger_url = customerio_classic.broadcast_trigger_url
BROADCAST_BYTES = customerio_classic.BROADCAST_BYTES
BROADCAST_WORD = customerio_classic.BROADCAST_WORD
BROADCAST_LIMIT = customerio_classic.BROADCAST_LIMIT
BROADCAST_EXAMPLE_SETUP = customerio_classic.BROADCAST_EXAMPLE_SETUP
HTTP_POST_FUNCTIONS = customerio_classic.HTTP_POST_FUNCTIONS
HTTP_REQUEST_FUNCTIONS = customerio_classic.HTTP_REQUEST_FUNCTIONS
HTTP_POST_METHOD = customerio_classic.HTTP_POST_METHOD
HTTP_REQUEST_METHOD = customerio_classic.HTTP_REQUEST_METHOD

_BY_NAME: dict[str, Family] = {f.name: f for f in FAMILIES}

# ``"segment.analytics.track"`` -> (family, method): the module-level functions.
FUNCTIONS: dict[str, tuple[str, str]] = {
    f"{module.name}.{m.name}": (fam.name, m.name)
    for fam in FAMILIES
    for module in fam.modules
    if module.functions
    for m in fam.methods
    if m.module_level
}
# ``"customerio.CustomerIO"`` -> family: the client classes.
CLIENTS: dict[str, str] = {qualname: fam.name for fam in FAMILIES for qualname in fam.clients}
# The modules with a module-level API (a name bound to one holds a client, in effect).
API_MODULES: frozenset[str] = frozenset(
    module.name for fam in FAMILIES for module in fam.modules if module.functions
)
_METHODS: dict[tuple[str, str], Method] = {(f.name, m.name): m for f in FAMILIES for m in f.methods}
# (family, method) of the methods of the family's client classes.
CLIENT_METHODS: frozenset[tuple[str, str]] = frozenset(
    k for k, m in _METHODS.items() if m.on_client
)
# Method name -> (family, method) of each family that has a method of that name.
METHODS_NAMED: dict[str, tuple[tuple[str, Method], ...]] = {}
for (_family, _name), _method in _METHODS.items():
    METHODS_NAMED[_name] = (*METHODS_NAMED.get(_name, ()), (_family, _method))
METHOD_NAMES: frozenset[str] = frozenset(METHODS_NAMED)

# The short names of the classes whose instances carry a message's roles (``BaseEvent``) ->
# their builder methods (``Identify`` -> ``set``...): the extractor folds statements on a local
# of such a class (``ident.set(k, v)``, ``event.user_id = x``) into its value.
OBJECT_BUILDERS: dict[str, frozenset[str]] = {}
for _m in _METHODS.values():
    for _obj in _m.objects:
        for _cls in _obj.classes:
            _short = _cls.rsplit(".", 1)[-1]
            OBJECT_BUILDERS[_short] = OBJECT_BUILDERS.get(_short, frozenset()) | set(_obj.builder)

# The prefilter's seed words: a file must name one of these to use an SDK.
TOP_LEVEL: tuple[str, ...] = tuple(dict.fromkeys(n for f in FAMILIES for n in f.top_level))
# The byte test before it: the seed words no other seed word is part of
# (``rudder_analytics`` holds ``analytics``).
SEED_BYTES: tuple[bytes, ...] = tuple(
    word.encode()
    for word in TOP_LEVEL
    if not any(other != word and other in word for other in TOP_LEVEL)
)

DISTRIBUTIONS: tuple[str, ...] = tuple(
    dict.fromkeys([d for f in FAMILIES for d in f.distributions] + list(PLANNED_DISTRIBUTIONS))
)
# Distribution -> the families whose variants its version picks.
VERSIONED: dict[str, tuple[Family, ...]] = {}
for _fam in FAMILIES:
    if _fam.version_from is not None:
        VERSIONED[_fam.version_from] = (*VERSIONED.get(_fam.version_from, ()), _fam)

# Family -> the destinations its calls reach without configuration.
DEFAULT_DESTINATIONS: dict[str, frozenset[str]] = {
    f.name: frozenset(f.default_destinations) for f in FAMILIES
}
# The domains of every family's services (the plugin's network guard names them).
ANALYTICS_DOMAINS: tuple[str, ...] = tuple(dict.fromkeys(d for f in FAMILIES for d in f.domains))

# ``[tool.cio-lint.wrappers]`` emit calls of this family: its parameters are named as the roles.
DECLARED_FAMILY: str = next(f.name for f in FAMILIES if f.declared_wrappers)


def family(name: str) -> Family:
    return _BY_NAME[name]


def method(family_name: str, name: str) -> Method | None:
    return _METHODS.get((family_name, name))


def variants(versions: Mapping[str, Version]) -> dict[tuple[str, str], Variant]:
    """(family, method) -> the variant that applies, given the decided version of each
    deciding distribution (missing: the newest)."""
    out: dict[tuple[str, str], Variant] = {}
    for (family_name, name), m in _METHODS.items():
        source = _BY_NAME[family_name].version_from
        out[(family_name, name)] = m.variant(versions.get(source, NEWEST) if source else NEWEST)
    return out


def describe(distribution: str, version: Version) -> str | None:
    """The signatures that ``distribution``'s version decides, at ``version``
    (``track(customer_id, name, **data)``); None when it decides none."""
    shown = [
        m.variant(version).signature.render(m.name)
        for fam in VERSIONED.get(distribution, ())
        for name in fam.described
        if (m := fam.method(name)) is not None
    ]
    return "; ".join(shown) or None


def example_setup(family_name: str) -> str:
    """The import lines the rules' VALID/INVALID examples of a family start with."""
    return _BY_NAME[family_name].example_setup


def method_call_pattern() -> str:
    """The alternation of every SDK method name, for a regex (longest first)."""
    return "|".join(re.escape(n) for n in sorted(METHOD_NAMES, key=lambda n: (-len(n), n)))


del _family, _name, _method, _fam, _m, _obj, _cls, _short
