"""PostHog (``posthog``): the module API (``posthog.capture(...)``) and ``Posthog``/``Client``.

``capture`` changed in 6.0 (research/sdk-apis.md §3, vendors-and-anchors.md §3): up to 5.x it
was ``capture(distinct_id, event, properties, ...)``; from 6.0 the event is the only positional
parameter and ``distinct_id``/``properties`` are keyword-only. A 5.x-style call on 6+ does not
bind: the module function raises ``TypeError`` at the call; a client method on 6.7.6+ is
``@no_throw`` and only logs the error, so the event is silently dropped (6.0-6.7.5 raise).
``identify``, ``page`` and ``screen`` were removed in 6.0 (``set`` replaces ``identify``).
Without a distinct id 6+ makes up a random one (or takes the context's, ``identify_context``):
no CIO011 there; ≤5 raised ``AssertionError``.
"""

from __future__ import annotations

from cio_lint.sdks._model import Family, Method, Module, Seam, Signature, Variant

# ``[tool.cio-lint.sdk-versions]`` as error messages show it
VERSION_EXAMPLE = 'posthog = "5.4"'

_V6: tuple[int, ...] = (6,)
_NO_THROW: tuple[int, ...] = (6, 7, 6)  # first tag with ``@no_throw`` on the client's methods
_HINT_6 = "posthog 6 takes `capture(event, distinct_id=..., properties=...)`"
_HINT_5 = "posthog before 6 takes `capture(distinct_id, event, properties)`"
_ID_AS_EVENT = (
    "`posthog.capture()` takes the event name first: the only positional argument here is an"
    " id, so the event is named after the user (" + _HINT_6 + ")"
)

_CAPTURE_5 = Signature(
    (
        "distinct_id",
        "event",
        "properties",
        "context",
        "timestamp",
        "uuid",
        "groups",
        "send_feature_flags",
        "disable_geoip",
    )
)
_CAPTURE_6 = Signature(
    ("event",),
    ("event",),
    kwonly=(
        "distinct_id",
        "properties",
        "timestamp",
        "uuid",
        "groups",
        "flags",
        "send_feature_flags",
        "disable_geoip",
    ),
)


def _six(signature: Signature, hint: str = "", **extra: bool | str) -> tuple[Variant, ...]:
    """The 6.x ranges of a method: a call that does not bind raises everywhere before 6.7.6,
    and from 6.7.6 only logs on a client (``@no_throw``)."""
    return (
        Variant(signature, since=_V6, until=_NO_THROW, hint=hint, **extra),  # type: ignore[arg-type]
        Variant(signature, since=_NO_THROW, hint=hint, unbindable_on_client="logged", **extra),  # type: ignore[arg-type]
    )


def _set(name: str) -> Method:
    tail = ("timestamp", "uuid", "disable_geoip")
    return Method(
        name,
        "identify",
        {"user_id": "distinct_id", "traits": "properties"},
        (
            Variant(
                Signature(("distinct_id", "properties", "context", *tail)),
                until=_V6,
                hint=f"posthog before 6 takes `{name}(distinct_id, properties)`",
            ),
            *_six(
                Signature((), kwonly=("distinct_id", "properties", *tail)),
                hint=f"posthog 6 takes `{name}(distinct_id=..., properties=...)` by keyword",
                identity_optional=True,
            ),
        ),
    )


def _removed_in_6(name: str, kind: str, signature: Signature, hint: str, **roles: str) -> Method:
    return Method(
        name,
        kind,  # type: ignore[arg-type]
        roles,  # type: ignore[arg-type]
        (
            Variant(signature, until=_V6),
            Variant(signature, since=_V6, removed=True, hint=hint),
        ),
    )


_LEGACY_TAIL = ("context", "timestamp", "uuid", "disable_geoip")

FAMILY = Family(
    name="posthog-python",
    label="posthog",
    distributions=("posthog",),
    modules=(Module("posthog", "posthog", runtime_label="posthog"),),
    clients=("posthog.Posthog", "posthog.Client", "posthog.client.Client"),
    methods=(
        Method(
            "capture",
            "track",
            {"user_id": "distinct_id", "event": "event", "properties": "properties"},
            (
                Variant(_CAPTURE_5, until=_V6, hint=_HINT_5),
                *_six(_CAPTURE_6, hint=_HINT_6, identity_optional=True, id_as_event=_ID_AS_EVENT),
            ),
            person_keys=("$set", "$set_once"),
        ),
        _set("set"),
        _set("set_once"),
        Method(
            "alias",
            "alias",
            {"previous_id": "previous_id", "user_id": "distinct_id"},
            (
                Variant(Signature(("previous_id", "distinct_id", *_LEGACY_TAIL)), until=_V6),
                *_six(
                    Signature(
                        ("previous_id", "distinct_id", "timestamp", "uuid", "disable_geoip"),
                        ("previous_id", "distinct_id"),
                    )
                ),
            ),
        ),
        Method(
            "group_identify",
            "group",
            {"group_id": "group_key", "traits": "properties", "user_id": "distinct_id"},
            (
                Variant(
                    Signature(
                        ("group_type", "group_key", "properties", *_LEGACY_TAIL, "distinct_id"),
                    ),
                    until=_V6,
                    identity_optional=True,
                ),
                *_six(
                    Signature(
                        (
                            "group_type",
                            "group_key",
                            "properties",
                            "timestamp",
                            "uuid",
                            "disable_geoip",
                            "distinct_id",
                        ),
                        ("group_type", "group_key"),
                    ),
                    identity_optional=True,
                ),
            ),
        ),
        _removed_in_6(
            "identify",
            "identify",
            Signature(("distinct_id", "properties", *_LEGACY_TAIL)),
            "posthog 6 removed `identify`: use `set(distinct_id=..., properties=...)`",
            user_id="distinct_id",
            traits="properties",
        ),
    ),
    # where ``_enqueue`` hands the finished event to the sender or queue: ``_submit_event``
    # (posthog 7); before 7 the hand-off is inline in ``_enqueue`` itself (capture/posthog.py)
    capture=Seam(
        "cio_lint.capture.posthog:install",
        ("posthog.client:Client._submit_event", "posthog.client:Client._enqueue"),
    ),
    example_setup="import posthog\n",
    version_from="posthog",
    described=("capture", "set"),
    needs_identify=False,
    domains=("posthog.com",),
)
