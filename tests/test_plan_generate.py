"""`cio-lint plan generate`: typed Python tracking functions from the plan (issue 16 item 3)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO

from cio_lint.capture import EventRecorder
from cio_lint.cli import main
from cio_lint.plan import load_plan
from cio_lint.plan.generate import HEADER, GenerateError, generate, plan_hash
from cio_lint.sdks import GENERATE_TARGETS

DEMO = REPO / "tracking_plan"

# How a test builds a client of each target (the tests may name SDKs; the generator may not).
CLIENTS = {
    "customerio": "from customerio.analytics import Client\nclient = Client(write_key='k')\n",
    "segment": "from segment.analytics import Client\nclient = Client(write_key='k')\n",
    "rudderstack": (
        "from rudderstack.analytics import Client\n"
        "client = Client(write_key='k', host='http://127.0.0.1:9')\n"
    ),
    "customerio-classic": "from customerio import CustomerIO\nclient = CustomerIO('site', 'key')\n",
    "posthog": "from posthog import Posthog\nclient = Posthog('phc_k', host='http://127.0.0.1:9')\n",
    "mixpanel": "from mixpanel import Mixpanel\nclient = Mixpanel('token')\n",
}

# Names that need every mangling rule, quotes and escapes in descriptions, nested objects.
HOSTILE_PLAN = textwrap.dedent(
    '''\
    version: 1
    events:
      Signed Up:
        description: 'Ends with a quote " and has """ and \\ and \\n inside'
        properties:
          class: {type: string, description: "a keyword"}
          2fa: {type: boolean}
          Order ID: {type: string}
          order_id: {type: integer}
          orderId: {type: number}
          user_id: {type: string, description: the property, not the parameter}
          properties: {type: string}
          "été": {enum: [a, 1, true, null]}
          address:
            type: object
            properties:
              street: {type: string}
              "zip code": {type: string}
            required: [street]
          items:
            type: array
            items:
              type: object
              properties:
                sku: {type: string}
                qty: {type: integer, minimum: 1}
              required: [sku]
          ratio: {enum: [0.5, 1.5]}
          nullable: {type: [string, "null"]}
          tags: {type: array, items: {type: string}}
          anything: {}
        required: [class, address]
      signed_up: {}
      "$signed-up":
        properties:
          x: {const: fixed}
      "1st Login": {}
      "None": {}
    '''
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _module_name(sdk: str) -> str:
    return "events_" + sdk.replace("-", "_")


def _import(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _client(sdk: str) -> Any:
    namespace: dict[str, Any] = {}
    exec(CLIENTS[sdk], namespace)  # noqa: S102  (the test's own constant)
    return namespace["client"]


def _plan_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan" / "plan.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_every_named_target_exists() -> None:
    assert {"customerio", "segment", "rudderstack", "customerio-classic", "posthog"} <= set(
        GENERATE_TARGETS
    )
    assert set(CLIENTS) == set(GENERATE_TARGETS)


# ---------------------------------------------------------------- mypy --strict


def test_generated_modules_pass_mypy_strict_and_their_types_catch_mistakes(
    tmp_path: Path,
) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    demo = load_plan(DEMO)
    for sdk, target in GENERATE_TARGETS.items():
        (good / f"{_module_name(sdk)}.py").write_text(generate(demo, target))
    (good / "events_validated.py").write_text(
        generate(demo, GENERATE_TARGETS["posthog"], validate=True)
    )
    hostile = load_plan(_plan_file(tmp_path, HOSTILE_PLAN))
    (good / "events_hostile.py").write_text(generate(hostile, GENERATE_TARGETS["customerio"]))
    (bad / "events_customerio.py").write_text(generate(demo, GENERATE_TARGETS["customerio"]))
    (bad / "use.py").write_text(
        CLIENTS["customerio"].replace("Client\n", "Client  # type: ignore[import-untyped]\n", 1)
        + "from events_customerio import track_signed_up, track_trial_started\n"
        + 'track_signed_up(client, "u1", plan="gold", signup_method="email")\n'  # line 4
        + 'track_trial_started(client, "u1", plan="pro")\n'  # line 5: trial_days missing
        + 'track_trial_started(client, "u1", plan="pro", trial_days="3")\n'  # line 6
    )
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental"]
    command += ["--cache-dir", str(tmp_path / ".mypy_cache")]
    done = subprocess.run(
        [*command, "good"], cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found in 8 source files" in done.stdout
    done = subprocess.run(
        [*command, "use.py"], cwd=bad, capture_output=True, text=True, timeout=600, check=False
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert done.returncode == 1
    assert [line.split(":")[:2] for line in errors] == [
        ["use.py", "4"],
        ["use.py", "5"],
        ["use.py", "6"],
    ], done.stdout
    assert "Literal['gold']" in errors[0] and "'enterprise'" in errors[0]
    assert '"trial_days"' in errors[1]


# ---------------------------------------------------------------- calls, captured


@pytest.mark.parametrize("sdk", sorted(GENERATE_TARGETS))
def test_generated_functions_send_through_the_sdk(sdk: str, tmp_path: Path) -> None:
    path = tmp_path / f"{_module_name(sdk)}.py"
    path.write_text(generate(load_plan(DEMO), GENERATE_TARGETS[sdk]))
    events = _import(path, f"{_module_name(sdk)}_{id(tmp_path)}")
    client = _client(sdk)
    with EventRecorder() as recorded:
        events.track_signed_up(client, "u1", plan="pro", signup_method="email")
        events.track_signed_up(client, "u2", plan="free", signup_method="saml", referrer=None)
        events.identify(client, "u1", email="a@example.com", plan="pro", extra_traits={"x": 1})
        events.track_logged_in(client, "u1")
    tracks = recorded.tracks()
    assert [(m["event"], m["userId"]) for m in tracks] == [
        ("Signed Up", "u1"),
        ("Signed Up", "u2"),
        ("Logged In", "u1"),
    ]
    # an optional property left out is not sent; one given (even None) is
    assert tracks[0]["properties"] == {"plan": "pro", "signup_method": "email"}
    assert tracks[1]["properties"] == {"plan": "free", "signup_method": "saml", "referrer": None}
    assert not tracks[2]["properties"]
    (identify,) = recorded.identifies()
    assert identify["userId"] == "u1"
    assert identify["traits"] == {"email": "a@example.com", "plan": "pro", "x": 1}


def test_hostile_names_map_to_identifiers_and_send_the_planned_keys(tmp_path: Path) -> None:
    plan = load_plan(_plan_file(tmp_path, HOSTILE_PLAN))
    text = generate(plan, GENERATE_TARGETS["customerio"])
    path = tmp_path / "hostile.py"
    path.write_text(text)
    events = _import(path, f"events_hostile_{id(tmp_path)}")
    # the description's quotes and backslashes survive as text, not as code
    assert events.track_signed_up.__doc__.startswith(
        'Track "Signed Up". Ends with a quote " and has """ and \\ and \\n inside'
    )
    for name in ("track_signed_up", "track_signed_up_2", "track_signed_up_3", "track_1st_login"):
        assert callable(getattr(events, name)), name
    assert callable(events.track_none)
    with EventRecorder() as recorded:
        events.track_signed_up(
            _client("customerio"),
            "u1",
            class_="c",
            address={"street": "Main", "zip code": "1"},
            _2fa=True,
            order_id="o-1",
            order_id_2=2,
            order_id_3=2.5,
            user_id_2="the property",
            properties_2="p",
            été=None,
            items=[{"sku": "a", "qty": 2}],
        )
        events.track_signed_up_3(_client("customerio"), "u1", x="fixed")
    first, second = recorded.tracks()
    assert first["event"] == "Signed Up" and second["event"] == "$signed-up"
    assert first["properties"] == {
        "class": "c",
        "address": {"street": "Main", "zip code": "1"},
        "2fa": True,
        "Order ID": "o-1",
        "order_id": 2,
        "orderId": 2.5,
        "user_id": "the property",
        "properties": "p",
        "été": None,
        "items": [{"sku": "a", "qty": 2}],
    }
    assert "été: Literal['a', 1, True] | None" in text.replace('"', "'")
    assert "ratio: float | _Omitted = OMITTED" in text
    assert "class SignedUpItemsItem(TypedDict):\n    sku: str\n    qty: NotRequired[int]" in text
    assert '"zip code": NotRequired[str]' in text  # not an identifier: the functional form


# ---------------------------------------------------------------- runtime validation


def test_validate_checks_each_message_against_the_plan(tmp_path: Path) -> None:
    import jsonschema  # a dependency of cio-lint itself

    demo = load_plan(DEMO)
    checked = tmp_path / "checked.py"
    checked.write_text(generate(demo, GENERATE_TARGETS["segment"], validate=True))
    unchecked = tmp_path / "unchecked.py"
    unchecked.write_text(generate(demo, GENERATE_TARGETS["segment"]))
    strict = _import(checked, f"events_checked_{id(tmp_path)}")
    loose = _import(unchecked, f"events_unchecked_{id(tmp_path)}")
    client = _client("segment")
    with EventRecorder() as recorded:
        strict.track_trial_started(client, "u1", plan="pro", trial_days=14)
        with pytest.raises(jsonschema.ValidationError, match="is greater than the maximum of 30"):
            strict.track_trial_started(client, "u1", plan="pro", trial_days=90)
        with pytest.raises(jsonschema.ValidationError, match="'gold' is not one of"):
            strict.identify(client, "u1", email="a@example.com", plan="gold")
        with pytest.raises(jsonschema.ValidationError, match="is not a 'email'"):
            strict.identify(client, "u1", email="not an address")
        loose.track_trial_started(client, "u1", plan="pro", trial_days=90)
    assert [m["properties"]["trial_days"] for m in recorded.tracks()] == [14, 90]


def test_validate_refuses_references_to_other_files(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    folder.mkdir()
    (folder / "common.yaml").write_text("$defs:\n  plan: {enum: [free, pro]}\n")
    (folder / "events.yaml").write_text(
        "events:\n  A:\n    properties:\n      p: {$ref: 'common.yaml#/$defs/plan'}\n"
    )
    plan = load_plan(folder)
    assert 'p: Literal["free", "pro"]' in generate(plan, GENERATE_TARGETS["segment"])
    with pytest.raises(GenerateError, match="refers to `common.yaml#/\\$defs/plan`"):
        generate(plan, GENERATE_TARGETS["segment"], validate=True)
    code, _, err = run(
        "plan",
        "generate",
        "--sdk",
        "segment",
        "--plan",
        str(folder),
        "--validate",
        "-o",
        str(tmp_path / "out.py"),
    )
    assert code == 2 and err.count("\n") == 1 and "--validate:" in err
    assert not (tmp_path / "out.py").exists()


# ---------------------------------------------------------------- determinism, the hash, -o


def test_a_rerun_gives_identical_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(DEMO, tmp_path / "tracking_plan")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "app" / "events.py"
    code, stdout, _ = run("plan", "generate", "--sdk", "customerio", "-o", str(out))
    assert code == 0 and stdout.startswith(f"Wrote {out} (12 event functions and identify")
    first = out.read_bytes()
    assert first.decode().splitlines()[0] == HEADER
    code, stdout, _ = run("plan", "generate", "--sdk", "customerio", "-o", str(out))
    assert code == 0 and "is up to date" in stdout
    assert out.read_bytes() == first
    again = generate(load_plan(tmp_path / "tracking_plan"), GENERATE_TARGETS["customerio"])
    assert again.encode() == first
    assert sorted(p.name for p in out.parent.iterdir()) == ["events.py"]  # no temporary left


def test_plan_hash_follows_the_schemas_not_the_layout(tmp_path: Path) -> None:
    shutil.copytree(DEMO, tmp_path / "a")
    before = plan_hash(load_plan(tmp_path / "a"))
    assert before == plan_hash(load_plan(DEMO))  # another folder, the same plan
    product = tmp_path / "a" / "events" / "product.yaml"
    product.write_text("# a comment\n" + product.read_text())
    assert plan_hash(load_plan(tmp_path / "a")) == before
    product.write_text(product.read_text().replace("maxLength: 2048", "maxLength: 2047"))
    changed = plan_hash(load_plan(tmp_path / "a"))
    assert changed != before
    plan_yaml = tmp_path / "a" / "plan.yaml"
    plan_yaml.write_text(plan_yaml.read_text().replace("[free, pro, enterprise]", "[free, pro]"))
    assert plan_hash(load_plan(tmp_path / "a")) not in (before, changed)  # a `$defs` entry
    text = generate(load_plan(tmp_path / "a"), GENERATE_TARGETS["segment"])
    assert f'PLAN_HASH = "{plan_hash(load_plan(tmp_path / "a"))}"' in text


def test_output_is_not_written_over_a_file_it_did_not_generate(tmp_path: Path) -> None:
    out = tmp_path / "events.py"
    out.write_text("def mine() -> None: ...\n")
    args = ["plan", "generate", "--sdk", "posthog", "--plan", str(DEMO), "-o", str(out)]
    code, _, err = run(*args)
    assert code == 2 and "not overwritten; pass --force" in err and err.count("\n") == 1
    assert out.read_text() == "def mine() -> None: ...\n"
    code, _, _ = run(*args, "--force")
    assert code == 0 and out.read_text().startswith(HEADER)
    code, _, err = run(*args[:-1], str(tmp_path))
    assert code == 2 and "is a folder" in err


def test_bad_plan_and_missing_plan_are_one_line_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("plan", "generate", "--sdk", "segment", "-o", "e.py")
    assert code == 2 and err.startswith("Error: no tracking plan found")
    bad = _plan_file(
        tmp_path, "version: 1\nevents:\n  A:\n    properties:\n      p: {type: numbr}\n"
    )
    code, _, err = run("plan", "generate", "--sdk", "segment", "--plan", str(bad), "-o", "e.py")
    assert code == 2 and "plan.yaml:5:" in err and "`numbr` is not a JSON Schema type" in err
    assert not (tmp_path / "e.py").exists()


# ---------------------------------------------------------------- the analyzer sees wrappers

SMALL_PLAN = textwrap.dedent(
    """\
    version: 1
    identify:
      properties:
        email: {type: string}
    events:
      Signed Up:
        properties:
          plan: {enum: [free, pro, enterprise]}
          referrer: {type: string}
        required: [plan]
    """
)


def test_cio_lint_checks_the_call_sites_of_generated_functions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _plan_file(tmp_path, SMALL_PLAN).parent.rename(tmp_path / "tracking_plan")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    monkeypatch.chdir(tmp_path)
    code, _, _ = run("plan", "generate", "--sdk", "customerio", "-o", "app/events.py")
    assert code == 0
    main_py = (
        CLIENTS["customerio"]
        + "from app.events import identify, track_signed_up\n"
        + "\n"
        + "def signup() -> None:\n"
        + '    identify(client, "u1", email="a@example.com")\n'
        + '    track_signed_up(client, "u1", plan="gold")\n'
        + '    track_signed_up(client, "u1", plan="pro", referrer=3)\n'
        + '    track_signed_up(client, "u1", plan="pro")\n'
    )
    (tmp_path / "app" / "main.py").write_text(main_py)
    lines = main_py.splitlines()
    code, stdout, _ = run("app", "--output-format", "concise", "--no-cache")
    findings = [line for line in stdout.splitlines() if ": CIO" in line]
    # at the wrong argument of each call site, nothing in the generated module
    gold, three = lines[6].index('"gold"') + 1, lines[7].index("3)") + 1
    assert [line.split(" ")[:2] for line in findings] == [
        [f"app/main.py:7:{gold}:", "CIO006"],
        [f"app/main.py:8:{three}:", "CIO006"],
    ], stdout
    assert "'gold' is not one of ['free', 'pro', 'enterprise']" in findings[0]
    assert code == 1


def test_the_mapping_is_deterministic_and_in_plan_order(tmp_path: Path) -> None:
    plan = load_plan(_plan_file(tmp_path, HOSTILE_PLAN))
    text = generate(plan, GENERATE_TARGETS["segment"])
    functions = [line[4:].split("(")[0] for line in text.splitlines() if line.startswith("def ")]
    assert functions == [
        "track_signed_up",  # Signed Up
        "track_signed_up_2",  # signed_up
        "track_signed_up_3",  # $signed-up
        "track_1st_login",
        "track_none",
    ]
    again = load_plan(_plan_file(tmp_path / "again", HOSTILE_PLAN))
    assert text == generate(again, GENERATE_TARGETS["segment"])


def test_without_jsonschema_the_validated_module_sends_unchecked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "checked.py"
    path.write_text(generate(load_plan(DEMO), GENERATE_TARGETS["segment"], validate=True))
    events = _import(path, f"events_nojsonschema_{id(tmp_path)}")
    monkeypatch.setitem(sys.modules, "jsonschema", None)  # `import jsonschema` -> ImportError
    with EventRecorder() as recorded:
        events.track_trial_started(_client("segment"), "u1", plan="pro", trial_days=90)
    assert [m["properties"] for m in recorded.tracks()] == [{"plan": "pro", "trial_days": 90}]


def test_the_excerpt_in_docs_is_what_the_demo_plan_gives() -> None:
    docs = (REPO / "docs" / "plan.md").read_text(encoding="utf-8")
    section = docs.split("## `plan generate`", 1)[1]
    excerpt = section.split("```python\n", 1)[1].split("```", 1)[0]
    text = generate(load_plan(DEMO), GENERATE_TARGETS["customerio"])
    function = excerpt[excerpt.index("def track_signed_up(") :]
    assert function in text
    for line in excerpt.splitlines():
        if not line.startswith(('"""', "...")) and "..." not in line:
            assert line in text.splitlines(), line


def test_unknown_keywords_of_the_plan_are_warnings(tmp_path: Path) -> None:
    plan = _plan_file(tmp_path, "version: 1\nevents:\n  A:\n    propertes:\n      p: {}\n")
    out = tmp_path / "e.py"
    code, _, err = run("plan", "generate", "--sdk", "segment", "--plan", str(plan), "-o", str(out))
    assert code == 0 and out.read_text().startswith(HEADER)
    (warning,) = err.splitlines()
    assert warning.startswith("warning: ") and "did you mean `properties`?" in warning


def test_the_generated_modules_are_clean_under_cio_lint_and_are_wrappers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the plan without the demo's workspace snapshot, whose journeys plant CIO3xx findings
    shutil.copytree(
        DEMO, tmp_path / "tracking_plan", ignore=shutil.ignore_patterns("customerio-workspace.json")
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    monkeypatch.chdir(tmp_path)
    for sdk in GENERATE_TARGETS:
        assert run("plan", "generate", "--sdk", sdk, "-o", f"app/{_module_name(sdk)}.py")[0] == 0
    code, stdout, _ = run("app", "--output-format", "json", "--no-cache")
    found = {(f["path"], f["code"]) for f in json.loads(stdout)}
    # only the deprecated event's one warning, where its function sends it; exit 0
    assert found == {(f"app/{_module_name(sdk)}.py", "CIO012") for sdk in GENERATE_TARGETS}
    assert code == 0
    code, stdout, _ = run("app", "--explain-wrappers", "--no-cache")
    for sdk in GENERATE_TARGETS:
        assert f"app.{_module_name(sdk)}.track_signed_up(client, user_id, plan" in stdout, sdk
        assert f"app.{_module_name(sdk)}.identify(client, user_id, email" in stdout, sdk
