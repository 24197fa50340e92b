"""Mixpanel (``mixpanel``, the ``Mixpanel(token)`` client; research/sdk-apis.md §4).

There is no module-level API and no identify call: the profile update ``people_set`` /
``people_set_once(distinct_id, properties)`` is what carries traits, so it is identify-kind
(and CIO003's "identify" for this SDK). The user id is always the first positional argument,
the event name the second: a Segment-style ``track(event, properties)`` binds (the event as
the user id) and ``track(user_id=..., event=...)`` raises ``TypeError``. Nothing is logged
and dropped: every call that does not bind raises. 4.x and 5.x have the same signatures.
``alias(alias_id, original)`` sends synchronously whatever the consumer (its own
``Consumer()``). Group profiles (``group_set``), ``merge`` and the other ``people_*``
updates are not modelled.
"""

from __future__ import annotations

from cio_lint.sdks._model import Family, Method, Module, Signature, Variant

_HINT = "Mixpanel takes the user id first: `track(distinct_id, event_name, properties)`"


def _method(name: str, kind: str, sig: Signature, hint: str, **roles: str) -> Method:
    return Method(
        name,
        kind,  # type: ignore[arg-type]
        roles,  # type: ignore[arg-type]
        (Variant(sig, hint=hint),),
        module_level=False,
    )


def _people(name: str) -> Method:
    return _method(
        name,
        "identify",
        Signature(("distinct_id", "properties", "meta"), ("distinct_id", "properties")),
        f"Mixpanel takes `{name}(distinct_id, properties)`",
        user_id="distinct_id",
        traits="properties",
    )


FAMILY = Family(
    name="mixpanel-client",
    label="Mixpanel",
    distributions=("mixpanel",),
    modules=(Module("mixpanel", "mixpanel", functions=False, runtime_label="mixpanel"),),
    clients=("mixpanel.Mixpanel",),
    methods=(
        _method(
            "track",
            "track",
            Signature(
                ("distinct_id", "event_name", "properties", "meta"), ("distinct_id", "event_name")
            ),
            _HINT,
            user_id="distinct_id",
            event="event_name",
            properties="properties",
        ),
        _method(
            "import_data",
            "track",
            Signature(
                (
                    "api_key",
                    "distinct_id",
                    "event_name",
                    "timestamp",
                    "properties",
                    "meta",
                    "api_secret",
                ),
                ("api_key", "distinct_id", "event_name", "timestamp"),
            ),
            "Mixpanel takes `import_data(api_key, distinct_id, event_name, timestamp, properties)`",
            user_id="distinct_id",
            event="event_name",
            properties="properties",
        ),
        _people("people_set"),
        _people("people_set_once"),
        _method(
            "alias",
            "alias",
            Signature(("alias_id", "original", "meta"), ("alias_id", "original")),
            "Mixpanel takes `alias(alias_id, original)`: the new id first",
            user_id="alias_id",
            previous_id="original",
        ),
    ),
    capture=None,  # TODO(issue 11, the plugin step): mixpanel.Consumer.send / BufferedConsumer.send
    example_setup="from mixpanel import Mixpanel\nmp = Mixpanel('token')\n",
)
