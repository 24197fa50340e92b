"""The Segment family: ``customerio-cdp-analytics`` (Customer.io Data Pipelines),
``segment-analytics-python``, ``analytics-python`` and ``rudder-sdk-python``.

The four are forks of one code base (research/sdk-apis.md §1): the same method names,
positional order and ``Client._enqueue``, so one family serves them all. Their differences do
not change what cio-lint checks: CDP's ``group`` needs no user id, Rudder writes traits to
``context.traits``, analytics-python 1.2.9 has no ``message_id`` (a call passing it binds
here but not there: the newest signature is assumed for every version). ``customerio.analytics``
shares its top-level package with classic ``customerio`` (``customerio_classic``), a different
SDK: names are resolved by their full qualified name, never by the top-level package alone.
"""

from __future__ import annotations

from cio_lint.sdks._model import CUSTOMERIO, Family, Method, Module, Seam, Signature, Variant

_TAIL = ("context", "timestamp", "anonymous_id", "integrations", "message_id")

MODULES = (
    Module("customerio.analytics", "customerio-cdp-analytics", runtime_label="customerio-cdp"),
    Module("segment.analytics", "segment-analytics-python", runtime_label="segment"),
    # ``import analytics`` is analytics-python, or the stray copy segment-analytics-python
    # 2.2.3-2.3.1 shipped: the same API either way
    Module("analytics", "analytics-python", runtime_label="analytics-python"),
    Module("rudderstack.analytics", "rudder-sdk-python", runtime_label="rudderstack"),
    Module("rudder_analytics", "rudder-sdk-python", runtime_label="rudderstack"),  # 1.x
)


def _method(name: str, kind: str, params: tuple[str, ...], **roles: str) -> Method:
    # Every parameter has a default: a missing id or event is the SDK's ``AssertionError``
    # (CIO011), not a ``TypeError``.
    return Method(name, kind, roles, (Variant(Signature(params)),))  # type: ignore[arg-type]


_ID = {"user_id": "user_id", "anonymous_id": "anonymous_id"}

FAMILY = Family(
    name="segment-family",
    label="Client",
    distributions=(
        "customerio-cdp-analytics",
        "segment-analytics-python",
        "analytics-python",
        "rudder-sdk-python",
    ),
    modules=MODULES,
    clients=tuple(
        qualname
        for module in MODULES
        for qualname in (f"{module.name}.Client", f"{module.name}.client.Client")
    ),
    methods=(
        _method("identify", "identify", ("user_id", "traits", *_TAIL), **_ID, traits="traits"),
        _method(
            "track",
            "track",
            ("user_id", "event", "properties", *_TAIL),
            **_ID,
            event="event",
            properties="properties",
        ),
        _method(
            "alias",
            "alias",
            ("previous_id", "user_id", "context", "timestamp", "integrations", "message_id"),
            user_id="user_id",
            previous_id="previous_id",
        ),
        _method(
            "group",
            "group",
            ("user_id", "group_id", "traits", *_TAIL),
            **_ID,
            group_id="group_id",
            traits="traits",
        ),
        *(
            # ``page(user_id, category, name, properties)``: the name is the third argument
            _method(
                kind,
                kind,
                ("user_id", "category", "name", "properties", *_TAIL),
                **_ID,
                event="name",
                properties="properties",
            )
            for kind in ("page", "screen")
        ),
    ),
    capture=Seam(
        "cio_lint.capture.segment:install",
        tuple(f"{m.name}:Client._enqueue" for m in MODULES)
        # the transport, a backstop for messages a consumer thread already holds
        + tuple(
            f"{m.name}.{sub}:post" for m in MODULES for sub in ("request", "client", "consumer")
        ),
    ),
    example_setup="from customerio import analytics\n",
    default_destinations=(CUSTOMERIO,),
    declared_wrappers=True,
)
