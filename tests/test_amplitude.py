"""Amplitude (``amplitude-analytics``) in the analysis: the message lives in argument objects
(``sdks.EventObject``, ``analysis/objects.py``). ``track(BaseEvent(...))`` built inline, in a
local, by a helper, by project subclasses (with and without ``__init__``), in a wrapper's
parameter; ``identify(Identify().set(...), EventOptions(user_id=...))`` with the builder
chained or as statements; CIO011 for an event without ``user_id``/``device_id`` (Amplitude drops
it) and CIO013 for calls and constructors that raise ``TypeError``. Each runs with and without
the prefilter (both must find it)."""

from __future__ import annotations

import importlib.metadata
import inspect

import amplitude
import pytest
from conftest import Lint, codes

from cio_lint import sdks

PREFILTER = pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "no-prefilter"])

PLAN = """\
version: 1
defaults:
  additionalProperties: false
identify:
  properties:
    email: {type: string}
    plan: {enum: [free, pro]}
events:
  Signed Up:
    properties:
      plan: {enum: [free, pro]}
    required: [plan]
  Lesson Completed:
    properties:
      lesson_id: {type: string}
      score: {type: integer, maximum: 100}
    required: [lesson_id]
"""

SETUP = (
    "from amplitude import Amplitude, BaseEvent, EventOptions, Identify\n\namp = Amplitude('k')\n"
)


def _found(result: object) -> list[tuple[int, str]]:
    return [(line, code) for _, line, code in codes(result)]  # type: ignore[arg-type]


def _app(body: str) -> dict[str, str]:
    return {"app.py": SETUP + body}


def test_the_registry_matches_the_installed_sdk() -> None:
    """The methods' and the event objects' signatures are the installed package's."""
    assert importlib.metadata.version("amplitude-analytics")
    family = sdks.family("amplitude-python")
    classes = {
        "amplitude.BaseEvent": amplitude.BaseEvent,
        "amplitude.EventOptions": amplitude.EventOptions,
    }
    for m in family.methods:
        real = inspect.signature(getattr(amplitude.Amplitude, m.name))
        params = [p for p in real.parameters.values() if p.name != "self"]
        sig = m.variants[-1].signature
        assert sig.params == tuple(p.name for p in params), m.name
        assert sig.required == tuple(p.name for p in params if p.default is p.empty), m.name
        for obj in m.objects:
            cls = classes.get(obj.classes[0])
            if cls is None:  # Identify() takes nothing; its builder methods take (key, value)
                assert obj.signature.params == ()
                for name in obj.builder:
                    builder = inspect.signature(getattr(amplitude.Identify, name))
                    assert list(builder.parameters)[1:] == ["key", "value"]
                continue
            init = [p for p in inspect.signature(cls.__init__).parameters.values()][1:]
            assert obj.signature.params == tuple(p.name for p in init), obj.classes
            assert obj.signature.required == tuple(p.name for p in init if p.default is p.empty), (
                obj.classes
            )
    assert not [f for f in sdks.FUNCTIONS if f.startswith("amplitude.")]  # no module-level API


@PREFILTER
def test_an_event_built_inline_or_in_a_local(lint: Lint, prefilter: bool) -> None:
    result = lint(
        _app(
            """\
            def signup(user):
                amp.track(BaseEvent("Signed Up", user_id=user.id, event_properties={"plan": "pro"}))
                amp.track(BaseEvent(event_type="signed up", user_id=user.id, event_properties={"plan": "pro"}))
                event = BaseEvent("Signed Up", user_id=user.id, event_properties={"plam": "pro"})
                amp.track(event)
                late = BaseEvent("Signed Up", user_id=user.id)
                late.event_properties = {"plan": "gold"}
                amp.track(late)
            """.replace("            ", "")
        ),
        plan=PLAN,
        prefilter=prefilter,
    )
    found = _found(result)
    assert not [f for f in found if f[0] == 5]
    assert (6, "CIO002") in found
    assert (7, "CIO004") in found and (7, "CIO005") in found
    assert (10, "CIO006") in found  # set after it was built
    assert result.sdk_calls == 4


@PREFILTER
def test_an_event_built_by_a_helper_or_a_subclass(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
            "events.py": """\
            from amplitude import BaseEvent

            class Lesson(BaseEvent):
                def __init__(self, user_id, lesson_id, score):
                    super().__init__("Lesson Completed", user_id=user_id,
                                     event_properties={"lesson_id": lesson_id, "score": score})

            class AppEvent(BaseEvent):
                def __init__(self, name, user_id, **props):
                    BaseEvent.__init__(self, event_type=name, user_id=user_id, event_properties=props)

            class SignedUp(AppEvent):
                def __init__(self, user_id, plan):
                    super().__init__("Signed Up", user_id, plan=plan)

            class Plain(BaseEvent):
                pass

            def lesson(user, lesson_id):
                return BaseEvent("Lesson Complete", user_id=user.id, event_properties={"lesson_id": lesson_id})
            """,
            "views.py": """\
            from amplitude import Amplitude

            from events import Lesson, Plain, SignedUp, lesson

            amp = Amplitude("k")

            def view(user):
                amp.track(Lesson(user.id, "l1", 150))
                amp.track(SignedUp(user.id, "gold"))
                amp.track(Plain("Signed Up", user_id=user.id))
                amp.track(lesson(user, "l2"))
                amp.track(SignedUp(user.id, "pro"))
            """,
        },
        plan=PLAN,
        prefilter=prefilter,
    )
    found = set(codes(result))
    assert ("views.py", 8, "CIO006") in found  # score, through the subclass's parameters
    assert ("views.py", 9, "CIO006") in found  # through two subclasses, Base.__init__(self, ...)
    assert ("views.py", 10, "CIO005") in found  # a subclass without __init__: BaseEvent's
    assert ("events.py", 20, "CIO001") in found  # where the helper writes the name
    assert not [f for f in found if f[1] == 12]


@PREFILTER
def test_an_event_in_a_wrappers_parameter(lint: Lint, prefilter: bool) -> None:
    result = lint(
        _app(
            """\
            def log_event(uid, event_type, props=None):
                event = BaseEvent(event_type=event_type, user_id=str(uid), event_properties=props or {})

                def send():
                    amp.track(event)

                send()

            def send_event(event):
                amp.track(event)

            def view(user):
                log_event(user.id, "Signed Up", {"plan": "gold"})
                send_event(BaseEvent("Signed Up", user_id=user.id, event_properties={"plam": "pro"}))
            """.replace("            ", "")
        ),
        plan=PLAN,
        prefilter=prefilter,
    )
    found = _found(result)
    assert (16, "CIO006") in found
    assert (17, "CIO004") in found
    assert result.through_wrappers == 2


@PREFILTER
def test_identify_with_builders_and_options(lint: Lint, prefilter: bool) -> None:
    result = lint(
        _app(
            """\
            def profile(user, traits):
                amp.identify(Identify().set("email", user.email).set_once("nick", user.nick), EventOptions(user_id=user.id))
                ident = Identify()
                ident.set("plan", "gold")
                amp.identify(ident, EventOptions(user_id=user.id))
                some = Identify()
                for key, value in traits.items():
                    some.set(key, value)
                amp.identify(some, EventOptions(user_id=user.id))
                amp.identify(Identify().set("plan", "pro"), EventOptions(device_id="d1"))
            """.replace("            ", "")
        ),
        plan=PLAN,
        prefilter=prefilter,
    )
    found = _found(result)
    assert (5, "CIO008") in found  # `nick`, chained
    assert (5, "CIO008") in found and (5, "CIO011") not in found
    assert (7, "CIO010") in found  # `plan` `gold`, set by a statement
    assert not [f for f in found if f[0] in (8, 9, 10, 11, 12, 13)]  # unknown keys: not checked


@PREFILTER
def test_what_amplitude_drops_or_raises(lint: Lint, prefilter: bool) -> None:
    result = lint(
        _app(
            """\
            def view(user):
                amp.track(BaseEvent("Signed Up", event_properties={"plan": "pro"}))
                amp.track(BaseEvent("Signed Up", device_id="d1", event_properties={"plan": "pro"}))
                amp.track(BaseEvent(user_id=user.id))
                amp.track("Signed Up", user_id=user.id)
                amp.identify(Identify().set("plan", "pro"))
            """.replace("            ", "")
        ),
        plan=PLAN,
        prefilter=prefilter,
    )
    found = _found(result)
    messages = {f.line: f.message for f in result.findings if f.code == "CIO013"}
    assert (5, "CIO011") in found  # dropped by the SDK: no user_id, no device_id
    assert not [f for f in found if f[0] == 6]  # a device id is an identity
    assert "`BaseEvent()` is missing a required argument: `event_type`" in messages[7]
    assert "unexpected keyword argument `user_id`" in messages[8]
    assert "missing a required argument: `event_options`" in messages[9]


@PREFILTER
def test_a_client_that_is_a_parameters_default(lint: Lint, prefilter: bool) -> None:
    """``def __init__(self, client=default_client): self.client = client`` holds a client
    (found by tests/fixtures/real_amplitude/, a shape the analysis was not designed for)."""
    result = lint(
        _app(
            """\
            class Billing:
                def __init__(self, client=amp):
                    self.client = client

                def bought(self, user):
                    self.client.track(BaseEvent("Signed Up", user_id=user.id, event_properties={"plan": "gold"}))
            """.replace("            ", "")
        ),
        plan=PLAN,
        prefilter=prefilter,
    )
    assert (9, "CIO006") in _found(result)


@PREFILTER
def test_a_builder_call_not_written_as_key_and_value_opens_the_traits(
    lint: Lint, prefilter: bool
) -> None:
    plan = PLAN.replace("identify:\n", "identify:\n  required: [email]\n")
    result = lint(
        _app(
            """\
            def profile(user, pair):
                amp.identify(Identify().set(*pair), EventOptions(user_id=user.id))
                amp.identify(Identify().set("plan", "pro"), EventOptions(user_id=user.id))
            """.replace("            ", "")
        ),
        plan=plan,
        prefilter=prefilter,
    )
    found = _found(result)
    assert (5, "CIO009") not in found  # `email` may be among what `*pair` sets
    assert (6, "CIO009") in found
