"""The SDK registry (``cio_lint.sdks``): its queries, its data checks, what its model can
express, and that no module outside it names an SDK."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import cio_lint
from cio_lint import sdks
from cio_lint.analysis.refs import _bind_signature
from cio_lint.sdks import (
    EventObject,
    Family,
    Method,
    Module,
    Seam,
    Signature,
    Variant,
)

SRC = Path(cio_lint.__file__).resolve().parent

# Outside ``sdks/``, only ``capture/`` may still name an SDK.
# TODO(issue 11, the plugin step): the plugin moves onto the registry (each family's
# ``capture`` seam and its modules' ``runtime_label``); then drop this exemption.
EXEMPT = ("sdks",)


def _names() -> tuple[frozenset[str], frozenset[str]]:
    """(top-level packages, every other name an SDK is known by: modules, clients, module
    functions, distributions, planned distributions)."""
    tops = frozenset(sdks.TOP_LEVEL)
    others = {m.name for f in sdks.FAMILIES for m in f.modules}
    others |= set(sdks.CLIENTS) | set(sdks.FUNCTIONS) | set(sdks.DISTRIBUTIONS)
    return tops, frozenset(others)


def naming_an_sdk(value: str) -> str | None:
    """Why a string literal names an SDK, or None: it is an SDK name or a dotted name under
    one (``"customerio"``, ``"segment.analytics.track"``, ``"rudder-sdk-python"``), it holds an
    import of one (``"from customerio import analytics\\n..."``), or it writes one as the SDK
    it is (``'customerio = "2.4"'``, ``"customerio 3.x takes ..."``). English words are not
    names: ``"analytics calls"``."""
    tops, others = _names()
    text = value.strip()
    if text in others or text in tops:
        return f"the name {text!r}"
    if re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", text) and text.split(".")[0] in tops:
        return f"the dotted name {text!r}"
    alternatives = "|".join(re.escape(t) for t in sorted(tops, key=len, reverse=True))
    imports = re.search(rf"(?m)^\s*(?:from|import)\s+({alternatives})(?![\w-])", value)
    if imports:
        return f"an import of {imports.group(1)!r}"
    as_sdk = re.search(rf"(?<![\w.-])({alternatives})(?:\s*=\s*[\"']|\s+\d)", value)
    if as_sdk:
        return f"{as_sdk.group(1)!r} as an SDK"
    return None


def sdk_literals(source: str) -> list[tuple[int, str]]:
    """(line, why) of each str or bytes literal of ``source`` naming an SDK, docstrings aside."""
    tree = ast.parse(source)
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or id(node) in docstrings:
            continue
        value = node.value
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str):
            why = naming_an_sdk(value)
            if why is not None:
                found.append((node.lineno, why))
    return sorted(found)


# ---------------------------------------------------------------------- no SDK outside
def test_no_module_outside_the_registry_names_an_sdk() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if rel.parts[0] in EXEMPT:
            continue
        for line, why in sdk_literals(path.read_text(encoding="utf-8")):
            offenders.append(f"src/cio_lint/{rel.as_posix()}:{line}: {why}")
    assert offenders == [], "\n".join(offenders)


def test_the_scan_finds_the_names_it_is_for() -> None:
    source = (
        '"""Docstrings may say customerio."""\n'
        'A = "customerio"\n'
        'B = ("segment.analytics", "analytics.client.Client")\n'
        'C = "from customerio import analytics\\n"\n'
        'D = "import enum\\nimport rudder_analytics as r\\n"\n'
        'E = b"rudderstack"\n'
        "F = 'rudder-sdk-python'\n"
        'G = f"{x} (customerio 3.x takes properties as `data={{...}}`)"\n'
        "H = 'a table like {customerio = \"2.4\"}'\n"
        "I = 'posthog'\n"
        "def f():\n"
        '    """analytics here is a docstring"""\n'
        '    return "cio-lint: analytics calls against the tracking plan"\n'
        "J = \"analytics.track(user.id, 'Signed Up')\"\n"
        'K = "app.util.analytics"\n'
    )
    assert [line for line, _ in sdk_literals(source)] == [2, 3, 3, 4, 5, 6, 7, 8, 9, 10]


# ---------------------------------------------------------------------- the indexes
def test_module_functions_and_clients() -> None:
    assert sdks.FUNCTIONS["segment.analytics.track"] == ("segment-family", "track")
    assert sdks.FUNCTIONS["rudder_analytics.page"] == ("segment-family", "page")
    assert sdks.FUNCTIONS["customerio.analytics.identify"] == ("segment-family", "identify")
    # classic customerio has no module-level API, and `customerio` is not the CDP module
    assert "customerio.track" not in sdks.FUNCTIONS
    assert "customerio.identify" not in sdks.FUNCTIONS
    assert len(sdks.FUNCTIONS) == 5 * 6 + 6  # posthog: capture, set(_once), alias, ...
    assert sdks.FUNCTIONS["posthog.capture"] == ("posthog-python", "capture")
    assert sdks.FUNCTIONS["posthog.identify"] == ("posthog-python", "identify")  # <= 5.x
    assert sdks.CLIENTS["customerio.CustomerIO"] == "customerio-classic"
    assert sdks.CLIENTS["customerio.track.CustomerIO"] == "customerio-classic"
    assert sdks.CLIENTS["analytics.client.Client"] == "segment-family"
    assert "customerio.Client" not in sdks.CLIENTS
    assert sdks.CLIENTS["posthog.Posthog"] == sdks.CLIENTS["posthog.Client"] == "posthog-python"
    assert sdks.API_MODULES == {
        "posthog",
        "customerio.analytics",
        "segment.analytics",
        "analytics",
        "rudderstack.analytics",
        "rudder_analytics",
    }


def test_methods_by_name_and_family() -> None:
    assert sdks.METHOD_NAMES == {
        "identify",
        "track",
        "track_anonymous",
        "page",
        "screen",
        "group",
        "alias",
        "import_data",
        "people_set",
        "people_set_once",
        "capture",
        "set",
        "set_once",
        "group_identify",
        # the App API client's transactional sends (kind "send")
        "send_email",
        "send_push",
        "send_sms",
        "send_inbox_message",
    }
    assert [f for f, _ in sdks.METHODS_NAMED["track"]] == [
        "customerio-classic",
        "segment-family",
        "mixpanel-client",
        "amplitude-python",
    ]
    assert [f for f, _ in sdks.METHODS_NAMED["identify"]] == [
        "customerio-classic",
        "segment-family",
        "posthog-python",
        "amplitude-python",
    ]
    assert [f for f, _ in sdks.METHODS_NAMED["alias"]] == [
        "segment-family",
        "mixpanel-client",
        "posthog-python",
    ]
    anonymous = sdks.method("customerio-classic", "track_anonymous")
    assert anonymous is not None and anonymous.kind == "track"
    assert anonymous.roles == {
        "anonymous_id": "anonymous_id",
        "event": "name",
        "properties": "data",
    }
    page = sdks.method("segment-family", "page")
    assert page is not None and page.roles["event"] == "name"  # not `category`
    assert sdks.method("segment-family", "track_anonymous") is None
    pattern = re.compile(rf"\.(?:{sdks.method_call_pattern()})\(")
    assert pattern.search("x.track_anonymous(") and pattern.search("x.screen(")
    assert not pattern.search("x.tracker(")


def test_seed_words_and_the_byte_test() -> None:
    assert set(sdks.TOP_LEVEL) == {
        "customerio",
        "analytics",
        "segment",
        "rudderstack",
        "rudder_analytics",
        "mixpanel",
        "posthog",
        "amplitude",
    }
    # `rudder_analytics` holds `analytics`: the byte test needs only the shorter word
    assert set(sdks.SEED_BYTES) == {
        b"customerio",
        b"analytics",
        b"segment",
        b"rudderstack",
        b"mixpanel",
        b"posthog",
        b"amplitude",
    }
    for word in sdks.TOP_LEVEL:
        assert any(seed in word.encode() for seed in sdks.SEED_BYTES)


def test_signatures_follow_the_decided_version() -> None:
    old = sdks.variants({"customerio": (2, 4)})
    new = sdks.variants({"customerio": (3, 0)})
    newest = sdks.variants({})
    track = ("customerio-classic", "track")
    assert old[track].signature == Signature(
        ("customer_id", "name"), ("customer_id", "name"), varkw="data"
    )
    assert old[track].hint == "customerio before 3.0 takes properties as keyword arguments"
    assert new[track].signature.params == ("customer_id", "name", "data", "id", "timestamp")
    assert new[track].hint == "customerio 3.x takes properties as `data={...}`"
    assert newest[track] == new[track]
    identify = ("customerio-classic", "identify")
    assert old[identify] == new[identify]
    assert old[identify].signature.varkw == "attributes"
    # the Segment family's signatures do not depend on a version
    assert old[("segment-family", "track")] == newest[("segment-family", "track")]
    assert newest[("segment-family", "track")].signature.params[:3] == (
        "user_id",
        "event",
        "properties",
    )


def test_describe_and_distributions() -> None:
    assert sdks.describe("customerio", (0, 2, 1)) == "track(customer_id, name, **data)"
    assert (
        sdks.describe("customerio", sdks.NEWEST)
        == "track(customer_id, name, data=None, id=None, timestamp=None)"
    )
    assert sdks.describe("segment-analytics-python", (2, 4)) is None
    assert sdks.describe("posthog", (5, 4)) == (
        "capture(distinct_id=None, event=None, properties=None, context=None, timestamp=None,"
        " uuid=None, groups=None, send_feature_flags=None, disable_geoip=None);"
        " set(distinct_id=None, properties=None, context=None, timestamp=None, uuid=None,"
        " disable_geoip=None)"
    )
    assert sdks.describe("posthog", (7,)) == (
        "capture(event, *, distinct_id=None, properties=None, timestamp=None, uuid=None,"
        " groups=None, flags=None, send_feature_flags=None, disable_geoip=None);"
        " set(*, distinct_id=None, properties=None, timestamp=None, uuid=None, disable_geoip=None)"
    )
    assert sdks.describe("mixpanel", (5,)) is None
    assert sdks.describe("amplitude-analytics", (1, 3)) is None
    assert sdks.DISTRIBUTIONS == (
        "customerio",
        "customerio-cdp-analytics",
        "segment-analytics-python",
        "analytics-python",
        "rudder-sdk-python",
        "mixpanel",
        "posthog",
        "amplitude-analytics",
    )


def test_planned_distributions_are_not_registered_yet() -> None:
    registered = {d for f in sdks.FAMILIES for d in f.distributions}
    overlap = registered & set(sdks.PLANNED_DISTRIBUTIONS)
    assert not overlap, f"registered now: remove {sorted(overlap)} from PLANNED_DISTRIBUTIONS"


def test_declared_wrappers_emit_calls_of_a_family_with_every_wrapper_kind() -> None:
    assert [f.name for f in sdks.FAMILIES if f.declared_wrappers] == [sdks.DECLARED_FAMILY]
    declared = sdks.family(sdks.DECLARED_FAMILY)
    for kind in ("identify", "track", "page", "screen", "group"):  # config's wrapper kinds
        m = declared.method(kind)
        assert m is not None and m.kind == kind
        assert "user_id" in m.roles and "anonymous_id" in m.roles


_NOT_CAPTURED_YET: set[str] = set()
_CUSTOMERIO_LIMITS = {"customerio-classic", "segment-family"}


def test_every_family_is_complete() -> None:
    for fam in sdks.FAMILIES:
        assert fam.distributions and fam.modules and fam.methods and fam.label
        # the capture seam is a real function of capture/ (none yet: posthog)
        if fam.capture is None:
            assert fam.name in _NOT_CAPTURED_YET
        else:
            module_name, _, function = fam.capture.installer.partition(":")
            assert callable(getattr(importlib.import_module(module_name), function))
            assert fam.capture.targets
        # the rules' examples import the family's own modules or clients
        tree = ast.parse(fam.example_setup)
        imported = {
            f"{node.module}.{alias.name}" if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names
        }
        names = {m.name for m in fam.modules} | set(fam.clients)
        names |= {c for m in fam.methods for obj in m.objects for c in obj.classes}
        assert imported and imported <= names, (fam.name, imported)
        if fam.name in _CUSTOMERIO_LIMITS:
            assert fam.default_destinations == (sdks.CUSTOMERIO,)
        else:  # CIO101-105 only by configuration
            assert fam.default_destinations == ()
        for m in fam.methods:
            assert m.variants[0].since == () and m.variants[-1].until is None
        assert sum(1 for _ in (SRC / "sdks").glob("*.py")) >= 3
    for path in (SRC / "sdks").glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) < 300, path.name


# ---------------------------------------------------------------------- data checks
def test_a_role_must_name_a_parameter() -> None:
    with pytest.raises(ValueError, match="role `event` names no parameter `evnt`"):
        Method("track", "track", {"event": "evnt"}, (Variant(Signature(("event",))),))


def test_versions_must_be_covered_without_gaps() -> None:
    sig = Signature(("a",))
    with pytest.raises(ValueError, match=r"versions from \(3,\) are not covered"):
        Method("m", "track", {}, (Variant(sig, until=(3,)), Variant(sig, since=(4,))))
    with pytest.raises(ValueError, match="the newest versions are not covered"):
        Method("m", "track", {}, (Variant(sig, until=(3,)),))


def test_a_family_checks_its_distributions() -> None:
    m = Method("track", "track", {}, (Variant(Signature(("a",))),))
    with pytest.raises(ValueError, match="module `x` of an unknown distribution"):
        Family("f", "F", ("d",), (Module("x", "other"),), (), (m,), Seam("a:b", ()), "")
    with pytest.raises(ValueError, match="`e` is not among its distributions"):
        Family("f", "F", ("d",), (), (), (m,), Seam("a:b", ()), "", version_from="e")


# ---------------------------------------------------------------------- what it can express
def test_the_model_expresses_the_sdks_to_come() -> None:
    """research/sdk-apis.md §3-§5: PostHog's `capture` changed its positional order in 6.0 and
    became keyword-only; an unbindable call raises at module level but is logged and dropped
    on a client from 6.7.6; `set` is identify-kind with traits in `properties`; Mixpanel has no
    module API; Amplitude's roles live in the `BaseEvent(...)` it is given."""
    tail = ("timestamp", "uuid", "groups")
    capture = Method(
        "capture",
        "track",
        {"user_id": "distinct_id", "event": "event", "properties": "properties"},
        (
            Variant(
                Signature(("distinct_id", "event", "properties", "context", *tail)), until=(6,)
            ),
            Variant(
                Signature(("event",), ("event",), kwonly=("distinct_id", "properties", *tail)),
                since=(6,),
                until=(6, 7, 6),
                hint="posthog 6 takes `capture(event, distinct_id=...)`",
            ),
            Variant(
                Signature(("event",), ("event",), kwonly=("distinct_id", "properties", *tail)),
                since=(6, 7, 6),
                hint="posthog 6 takes `capture(event, distinct_id=...)`",
                unbindable_on_client="logged",
            ),
        ),
    )
    assert capture.variant((5, 4)).signature.params[0] == "distinct_id"
    assert capture.variant((6, 0)).signature.kwonly[0] == "distinct_id"
    assert capture.variant((6, 7)).outcome(on_client=True) == "raises"
    assert capture.variant((7, 91)).outcome(on_client=True) == "logged"
    assert capture.variant((7, 91)).outcome(on_client=False) == "raises"
    assert (
        capture.variant((7, 91))
        .signature.render("capture")
        .startswith("capture(event, *, distinct_id=None, properties=None")
    )
    set_ = Method(
        "set",
        "identify",
        {"user_id": "distinct_id", "traits": "properties"},
        (Variant(Signature((), kwonly=("distinct_id", "properties"))),),
    )
    assert set_.kind == "identify" and set_.roles["traits"] == "properties"
    people_set = Method(
        "people_set",
        "identify",
        {"user_id": "distinct_id", "traits": "properties"},
        (Variant(Signature(("distinct_id", "properties", "meta"), ("distinct_id", "properties"))),),
        module_level=False,
    )
    assert not people_set.module_level and people_set.on_client
    base_event = EventObject(
        "event",
        ("amplitude.BaseEvent",),
        Signature(("event_type", "user_id", "device_id", "time", "event_properties")),
        {"event": "event_type", "user_id": "user_id", "properties": "event_properties"},
    )
    track = Method(
        "track", "track", {}, (Variant(Signature(("event",), ("event",))),), objects=(base_event,)
    )
    assert track.objects[0].roles["event"] == "event_type"
    with pytest.raises(ValueError, match="has no parameter `payload`"):
        Method(
            "t",
            "track",
            {},
            (Variant(Signature(("event",))),),
            objects=(EventObject("payload", ("x.E",), Signature(()), {}),),
        )
    with pytest.raises(ValueError, match="both an argument and in an object"):
        Method(
            "t",
            "track",
            {"user_id": "event"},
            (Variant(Signature(("event",))),),
            objects=(base_event,),
        )
    with pytest.raises(ValueError, match="unknown role `trait`"):
        EventObject("event", ("x.E",), Signature(()), {}, builder={"set": "trait"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="role `properties` names no parameter"):
        EventObject("event", ("x.E",), Signature(("a",)), {"properties": "props"})


def test_keyword_only_parameters_bind_like_python() -> None:
    sig = Signature(("event",), ("event",), kwonly=("distinct_id", "properties"))
    lit = ("lit", "x", None, None)
    bound, _, error = _bind_signature(sig, (lit,), (("distinct_id", lit),), lambda _s: None)
    assert error is None and set(bound) == {"event", "distinct_id"}
    _, _, error = _bind_signature(sig, (lit, lit), (), lambda _s: None)
    assert error == "takes 1 positional argument but 2 were given"
    _, _, error = _bind_signature(sig, (), (("distinct_id", lit),), lambda _s: None)
    assert error == "is missing a required argument: `event`"
    _, _, error = _bind_signature(sig, (lit,), (("uuid", lit),), lambda _s: None)
    assert error == "got an unexpected keyword argument `uuid`"
    required = Signature((), ("distinct_id",), kwonly=("distinct_id",))
    _, _, error = _bind_signature(required, (), (), lambda _s: None)
    assert error == "is missing a required argument: `distinct_id`"
