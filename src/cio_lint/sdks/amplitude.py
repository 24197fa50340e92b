"""Amplitude (``amplitude-analytics``, the ``Amplitude(api_key)`` client; research/sdk-apis.md §5).

There is no module-level API, and the message is an object: ``track(event)`` takes a
``BaseEvent(event_type, user_id=None, device_id=None, ..., event_properties=None, ...)`` built
inline, in a variable, by a project helper or by a project subclass whose ``__init__`` calls
``super().__init__(event_type="...", ...)``; ``identify(identify_obj, event_options,
event_properties=None)`` takes the traits as ``Identify().set(key, value)`` calls chained on
the object and the user in ``EventOptions(user_id=...)``. Every signature is the same in 1.0
and 1.3 (no version decides them). Amplitude validates client-side and never raises to the
caller: a call of ``track`` or ``identify`` that does not bind raises ``TypeError`` like any
Python call, but an event without ``user_id`` or ``device_id`` is logged and dropped
(``verify_event``): CIO011 covers it, a ``device_id`` counting as the anonymous id.
``group_identify``, ``set_group`` and ``revenue`` are not modelled.
"""

from __future__ import annotations

from cio_lint.sdks._model import EventObject, Family, Method, Module, Seam, Signature, Variant

# EventOptions' parameters after ``user_id`` and ``device_id`` (amplitude 1.3.0)
_OPTIONS_TAIL = (
    "time",
    "app_version",
    "platform",
    "os_name",
    "os_version",
    "device_brand",
    "device_manufacturer",
    "device_model",
    "carrier",
    "country",
    "region",
    "city",
    "dma",
    "language",
    "price",
    "quantity",
    "revenue",
    "product_id",
    "revenue_type",
    "currency",
    "location_lat",
    "location_lng",
    "ip",
    "idfa",
    "idfv",
    "adid",
    "android_id",
    "event_id",
    "session_id",
    "insert_id",
    "plan",
    "ingestion_metadata",
    "partner_id",
)
_BASE_EVENT = Signature(
    (
        "event_type",
        "user_id",
        "device_id",
        "time",
        "event_properties",
        "user_properties",
        "groups",
        "group_properties",
        *(p for p in _OPTIONS_TAIL if p != "time"),
        "user_agent",
        "callback",
    ),
    ("event_type",),
)
_EVENT_OPTIONS = Signature(
    ("user_id", "device_id", *_OPTIONS_TAIL, "version_name", "user_agent", "callback")
)
_IDENTITY = {"user_id": "user_id", "anonymous_id": "device_id"}

_EVENT = EventObject(
    "event",
    ("amplitude.BaseEvent", "amplitude.event.BaseEvent"),
    _BASE_EVENT,
    {"event": "event_type", "properties": "event_properties", **_IDENTITY},  # type: ignore[dict-item]
)
_IDENTIFY = EventObject(
    "identify_obj",
    ("amplitude.Identify", "amplitude.event.Identify"),
    Signature(()),
    {},
    builder={"set": "traits", "set_once": "traits"},
)
_OPTIONS = EventObject(
    "event_options",
    ("amplitude.EventOptions", "amplitude.event.EventOptions"),
    _EVENT_OPTIONS,
    _IDENTITY,  # type: ignore[arg-type]
)

FAMILY = Family(
    name="amplitude-python",
    label="Amplitude",
    distributions=("amplitude-analytics",),
    modules=(
        Module("amplitude", "amplitude-analytics", functions=False, runtime_label="amplitude"),
    ),
    clients=("amplitude.Amplitude", "amplitude.client.Amplitude"),
    methods=(
        Method(
            "track",
            "track",
            {},
            (
                Variant(
                    Signature(("event",), ("event",)),
                    hint="Amplitude takes one event object: `track(BaseEvent(event_type, ...))`",
                ),
            ),
            module_level=False,
            objects=(_EVENT,),
        ),
        Method(
            "identify",
            "identify",
            {},
            (
                Variant(
                    Signature(
                        ("identify_obj", "event_options", "event_properties"),
                        ("identify_obj", "event_options"),
                    ),
                    hint="Amplitude takes `identify(Identify().set(...), EventOptions(user_id=...))`",
                ),
            ),
            module_level=False,
            objects=(_IDENTIFY, _OPTIONS),
        ),
    ),
    # every event reaches the default destination's ``execute``, after the BEFORE and
    # ENRICHMENT plugins, before it is pushed to the storage the consumer thread sends from
    capture=Seam(
        "cio_lint.capture.amplitude:install",
        ("amplitude.plugin:AmplitudeDestinationPlugin.execute",),
    ),
    example_setup="from amplitude import Amplitude, BaseEvent, EventOptions, Identify\n"
    "amp = Amplitude('key')\n",
    needs_identify=False,  # Amplitude makes the user from the event
    domains=("amplitude.com",),
)
