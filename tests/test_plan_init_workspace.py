"""`cio-lint plan init --from-workspace`: a plan seeded from the journeys of a workspace snapshot
(issue 15 item 3): their trigger events, the `{{event.x}}` and `{{customer.y}}` Liquid they
render, and the code's spelling of a trigger reported as a conflict."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from cio_lint.cli import main
from cio_lint.plan import load_plan

CDP = "from customerio import analytics\n"

APP = CDP + textwrap.dedent(
    """\
    def signup(user):
        analytics.identify(user.id, {"email": user.email, "first_name": user.name})
        analytics.track(user.id, "signed_up", {"plan": "pro"})

    def dunning(user, details):
        analytics.track(user.id, "Payment Failed", {**details, "amount_due": 3})
    """
)


def _line(text: str) -> int:
    return next(i for i, line in enumerate(APP.splitlines(), 1) if text in line)


SIGNUP_LINE = _line('"signed_up"')
DUNNING_LINE = _line('"Payment Failed"')


def _action(id_: int, name: str, variables: list[str], state: str = "automatic") -> dict[str, Any]:
    return {
        "id": id_,
        "name": name,
        "type": "email",
        "sending_state": state,
        "variables": variables,
    }


def _journey(
    id_: int, name: str, trigger: dict[str, Any], state: str, actions: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": id_,
        "name": name,
        "state": state,
        "active": state == "running",
        "trigger": trigger,
        "actions": actions,
    }


def workspace() -> dict[str, Any]:
    """A snapshot in the shape `workspace pull` writes (see tracking_plan/ of the demo)."""
    return {
        "format": "cio-lint-workspace/1",
        "region": "us",
        "complete": True,
        "journeys": [
            _journey(
                101,
                "Welcome series",
                {"type": "event", "event": "Signed Up"},
                "running",
                [
                    _action(
                        1011,
                        "Welcome email",
                        ["customer.first_name", "customer.id", "event.plan", "event.signup_method"],
                    ),
                    _action(1012, "Day 3 tips", ["customer.cio_id", "customer.company"]),
                ],
            ),
            _journey(
                102,
                "Dunning",
                {"type": "event", "event": "Payment Failed"},
                "running",
                [
                    _action(1021, "Card declined", ["event.amount_due", "event.invoice_url"]),
                    _action(1022, "Card declined (SMS)", ["event.retry_date.day"], "draft"),
                ],
            ),
            _journey(
                103,
                "Trial nurture",
                {"type": "event", "event": "Trial Started"},
                "draft",
                [_action(1031, "Tips", ["event.trial_days", "trigger.coupon"])],
            ),
            _journey(104, "Newsletter", {"type": "segment"}, "running", []),
        ],
        "broadcasts": [
            {
                "id": 7,
                "name": "Launch",
                "state": "draft",
                "active": False,
                "api_triggered": True,
                "actions": [_action(71, "Launch email", ["customer.plan_name", "event.launch"])],
            }
        ],
        "transactional": [
            {
                "id": 3,
                "name": "Receipt",
                "trigger_name": "receipt",
                "contents": [
                    {"id": 31, "type": "email", "variables": ["trigger.order_number"]},
                ],
            }
        ],
    }


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def write_snapshot(
    root: Path, data: Any, name: str = "tracking_plan/customerio-workspace.json"
) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else json.dumps(data, indent=2, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "app.py").write_text(APP)
    write_snapshot(tmp_path, workspace())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def plan_data(root: Path) -> dict[str, Any]:
    data = yaml.safe_load((root / "tracking_plan" / "plan.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def lint_codes(root: Path) -> list[tuple[str, str, int, str]]:
    code, out, err = run(".", "--format", "json", "--no-cache")
    assert code in (0, 1), err
    return [(f["code"], f["path"], f["line"], f["message"]) for f in json.loads(out)]


def test_trigger_events_get_their_liquid_properties(project: Path) -> None:
    code, out, err = run("plan", "init", "--from-workspace")
    assert code == 0, err
    assert "(3 events, 3 of them journey triggers, identify)" in out
    events = plan_data(project)["events"]
    # every event-triggered journey, running or not; the segment-triggered one has no event
    assert sorted(events) == ["Payment Failed", "Signed Up", "Trial Started"]
    dunning = events["Payment Failed"]
    assert dunning["x-journeys"] == ["Dunning (id 102, running, active)"]
    assert dunning["x-emitted-at"] == [f"app.py:{DUNNING_LINE}"]
    # the code's inferred schema wins; Liquid-only keys (a draft action's too) are unconstrained
    assert dunning["properties"] == {
        "amount_due": {"const": 3},
        "invoice_url": {},
        "retry_date": {},
    }
    assert dunning["required"] == ["amount_due"]  # what every code site sends, nothing more
    trial = events["Trial Started"]
    assert trial["x-journeys"] == ["Trial nurture (id 103, draft, not active)"]
    assert trial["properties"] == {"trial_days": {}}  # `trigger.coupon` is not a property
    assert "x-emitted-at" not in trial and "required" not in trial


def test_customer_attributes_are_identify_traits(project: Path) -> None:
    assert run("plan", "init", "--from-workspace")[0] == 0
    identify = plan_data(project)["identify"]
    # journeys', broadcasts' and templates' `customer.*`; `id` and `cio_id` are built in
    assert sorted(identify["properties"]) == ["company", "email", "first_name", "plan_name"]
    assert identify["required"] == ["email", "first_name"]  # the code's identify sends these
    text = (project / "tracking_plan" / "plan.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    company = lines.index("    company: {}")
    assert lines[company - 1] == (
        "    # from the workspace: `Day 3 tips` of journey `Welcome series`; "
        "no identify of the code sets it"
    )
    # transactional `trigger.*` data and a broadcast's `event.*` are no event's properties
    assert "order_number" not in text and "coupon" not in text and "launch" not in text


def test_code_spelling_of_a_trigger_is_a_conflict(project: Path) -> None:
    code, out, err = run("plan", "init", "--from-workspace")
    assert code == 0
    events = plan_data(project)["events"]
    assert "signed_up" not in events
    signed_up = events["Signed Up"]  # the trigger's spelling: what Customer.io matches
    assert signed_up["x-emitted-at"] == [f"app.py:{SIGNUP_LINE}"]
    assert signed_up["properties"] == {"plan": {"const": "pro"}, "signup_method": {}}
    assert signed_up["required"] == ["plan"]
    lines = (project / "tracking_plan" / "plan.yaml").read_text(encoding="utf-8").splitlines()
    at = lines.index("  Signed Up:")
    assert lines[at - 1].startswith(
        f"  # conflict: the code sends `signed_up` at app.py:{SIGNUP_LINE}; the journey trigger "
        "is `Signed Up` (`Welcome series`)"
    )
    assert (
        "conflict: the code sends `signed_up` and journey `Welcome series` is triggered by "
        f"`Signed Up`: written as `Signed Up`; rename the event at app.py:{SIGNUP_LINE}"
    ) in err.splitlines()
    assert "1 conflict(s) to settle" in out


def test_plan_check_passes_on_the_seeded_plan(project: Path) -> None:
    assert run("plan", "init", "--from-workspace")[0] == 0
    code, out, err = run("plan", "check")
    assert code == 0, out + err
    assert "valid tracking plan (3 events)" in out
    assert load_plan(project / "tracking_plan").event("Trial Started") is not None


def test_lint_afterwards_has_no_journey_findings(project: Path) -> None:
    # the plan written from the code alone: the journeys' needs are not in it
    assert run("plan", "init")[0] == 0  # a folder that holds only the snapshot is no plan
    before = {(c, p, line) for c, p, line, _ in lint_codes(project)}
    assert ("CIO301", "app.py", SIGNUP_LINE) in before  # `signed_up` is not the trigger
    assert any(c == "CIO303" and "invoice_url" in m for c, _, _, m in lint_codes(project))
    assert any(c == "CIO304" and "company" in m for c, _, _, m in lint_codes(project))

    code, _, err = run("plan", "init", "--from-workspace", "--force")
    assert code == 0, err
    assert "customerio-workspace.json is left as it is" not in err  # the loader skips it
    after = lint_codes(project)
    assert [f for f in after if f[0] in ("CIO301", "CIO303", "CIO304")] == []
    # what is left is exactly the conflict: the code's spelling of the trigger, fixable
    assert [(c, p, line) for c, p, line, _ in after if c.startswith("CIO0")] == [
        ("CIO002", "app.py", SIGNUP_LINE)
    ]


def test_no_code_writes_the_workspace_only(project: Path) -> None:
    code, out, err = run("plan", "init", "--from-workspace", "--no-code")
    assert code == 0, err
    data = plan_data(project)
    assert sorted(data["events"]) == ["Payment Failed", "Signed Up", "Trial Started"]
    assert "x-emitted-at" not in json.dumps(data)
    assert data["events"]["Signed Up"]["properties"] == {"plan": {}, "signup_method": {}}
    assert "required" not in data["identify"] and "conflict:" not in err
    assert "conflict(s)" not in out
    assert run("plan", "check")[0] == 0


def test_snapshot_named_by_flag_or_config(project: Path) -> None:
    moved = project / "ws" / "snap.json"
    moved.parent.mkdir()
    (project / "tracking_plan" / "customerio-workspace.json").rename(moved)
    assert run("plan", "init", "--from-workspace", "--workspace", "ws/snap.json")[0] == 0
    assert "Trial Started" in plan_data(project)["events"]
    (project / "pyproject.toml").write_text('[tool.cio-lint]\nworkspace = "ws/snap.json"\n')
    code, _, err = run("plan", "init", "--from-workspace", "--force", "--no-code")
    assert code == 0, err
    assert sorted(plan_data(project)["events"]) == ["Payment Failed", "Signed Up", "Trial Started"]


def test_without_a_snapshot_exit_2(project: Path) -> None:
    (project / "tracking_plan" / "customerio-workspace.json").unlink()
    code, _, err = run("plan", "init", "--from-workspace")
    assert code == 2
    assert err == (
        f"Error: {Path('tracking_plan/customerio-workspace.json')}: workspace snapshot not "
        "found (run `cio-lint workspace pull`, or pass --workspace)\n"
    )
    assert not (project / "tracking_plan" / "plan.yaml").exists()
    code, _, err = run("plan", "init", "--from-workspace", "--workspace", "nowhere.json")
    assert (code, err) == (2, "Error: nowhere.json: workspace snapshot not found\n")
    code, _, err = run("plan", "init", "--from-workspace", "--workspace", "tracking_plan")
    assert (code, err) == (2, "Error: tracking_plan: is a folder, not a workspace snapshot file\n")


def test_flags_that_need_from_workspace(project: Path) -> None:
    for flags in (["--no-code"], ["--workspace", "tracking_plan/customerio-workspace.json"]):
        code, _, err = run("plan", "init", *flags)
        assert (code, err) == (2, "Error: --workspace and --no-code go with --from-workspace\n")
    assert not (project / "tracking_plan" / "plan.yaml").exists()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", ":1: not valid JSON"),
        ({"format": "something/2", "journeys": []}, "not a cio-lint workspace snapshot"),
        ({**workspace(), "journeys": [{"id": "12"}]}, "`$.journeys[0].id` must be an integer"),
        ({**workspace(), "journeys": {"id": 1}}, "`$.journeys` must be a list"),
        ({**workspace(), "complete": False}, "`$.complete` is not true"),
        ("[" * 100 + "]" * 100, "nested deeper than 64 levels"),
        (
            {**workspace(), "journeys": [{"id": 1, "trigger": {"type": "event", "event": 5}}]},
            "`$.journeys[0].trigger.event` must be a string",
        ),
    ],
)
def test_malformed_snapshot_exit_2_one_line(project: Path, content: Any, says: str) -> None:
    write_snapshot(project, content)
    code, _, err = run("plan", "init", "--from-workspace")
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("Error: tracking_plan/customerio-workspace.json")
    assert says in err
    assert not (project / "tracking_plan" / "plan.yaml").exists()


def test_hostile_names_are_written_as_data(project: Path) -> None:
    odd = ["a: b # c\nnext: line", "'quoted' \"twice\"", "- item", "&anchor *alias", "ünï 名前"]
    data = workspace()
    data["journeys"] = [
        _journey(
            i,
            f"journey\n{name}",
            {"type": "event", "event": name},
            "running",
            [_action(i * 10, "mail\r\nx", [f"event.{name}", f"customer.{name}"])],
        )
        for i, name in enumerate(odd, 1)
    ]
    write_snapshot(project, data)
    code, _, err = run("plan", "init", "--from-workspace", "--no-code")
    assert code == 0, err
    text = (project / "tracking_plan" / "plan.yaml").read_text(encoding="utf-8")
    # a newline in a name or a journey's name never starts a line of its own
    assert not any(line.startswith(("next", "x", "journey")) for line in text.splitlines())
    events = plan_data(project)["events"]
    assert sorted(events) == sorted(odd)
    for name in odd:
        assert list(events[name]["properties"]) == [name]
    plan = load_plan(project / "tracking_plan")
    assert sorted(plan.events) == sorted(odd)


def test_spellings_sent_exactly_and_near_two_triggers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "app.py").write_text(
        CDP + "analytics.track('u1', 'Order Paid', {'total': 3})\n"
        "analytics.track('u1', 'order-paid', {'total': 4.5, 'coupon': 'x'})\n"
        "analytics.track('u1', 'SIGNED_UP')\n"
    )
    data = workspace()
    data["journeys"] = [
        _journey(1, "Paid", {"type": "event", "event": "Order Paid"}, "running", []),
        _journey(2, "A", {"type": "event", "event": "Signed Up"}, "running", []),
        _journey(3, "B", {"type": "event", "event": "signed up"}, "paused", []),
    ]
    write_snapshot(tmp_path, data)
    monkeypatch.chdir(tmp_path)
    code, _, err = run("plan", "init", "--from-workspace")
    assert code == 0, err
    events = plan_data(tmp_path)["events"]
    # the code sends the trigger and a variant of it: one event, the variant's sites in it
    paid = events["Order Paid"]
    assert paid["x-emitted-at"] == ["app.py:2", "app.py:3"]
    assert paid["properties"] == {"coupon": {"const": "x"}, "total": {"enum": [3, 4.5]}}
    assert paid["required"] == ["total"]
    assert "order-paid" not in events
    # near two triggers that differ only in case: kept as it is, every one a collision
    assert {"Signed Up", "signed up", "SIGNED_UP"} <= set(events)
    text = (tmp_path / "tracking_plan" / "plan.yaml").read_text(encoding="utf-8")
    assert "# conflict: `SIGNED_UP` and `Signed Up` and `signed up` are the same name" in text
    assert events["signed up"]["x-journeys"] == ["B (id 3, paused, not active)"]


def test_written_text_is_the_data(project: Path) -> None:
    from cio_lint.config import load_config
    from cio_lint.engine import lint_paths
    from cio_lint.plan.infer import infer_plan
    from cio_lint.plan.model import Plan
    from cio_lint.workspace.snapshot import load_snapshot

    result = lint_paths([project], load_config(project), Plan.empty(), jobs=1, use_run_cache=False)
    snapshot = load_snapshot(project / "tracking_plan" / "customerio-workspace.json")
    inferred = infer_plan(result.resolved, project, snapshot)
    assert yaml.safe_load(inferred.text) == inferred.data
    assert inferred.from_workspace == 3
