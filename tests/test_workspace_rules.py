"""CIO301-CIO304 against a workspace snapshot written by each test, and the snapshot loader's
answers to malformed files (exit 2, one line naming the file)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import Lint

from cio_lint.cli import main
from cio_lint.config import Config
from cio_lint.engine import lint_paths
from cio_lint.plan import load_plan
from cio_lint.workspace.snapshot import SnapshotError, load_snapshot

CDP = "from customerio import analytics\n"
SNAPSHOT = Path("tracking_plan") / "customerio-workspace.json"


def action(
    variables: list[str], state: str = "automatic", name: str = "Welcome email", id_: int = 101
) -> dict[str, Any]:
    return {
        "id": id_,
        "name": name,
        "type": "email",
        "sending_state": state,
        "variables": variables,
    }


def journey(
    id_: int,
    name: str,
    event: str | None,
    state: str = "running",
    actions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    trigger = {"type": "event", "event": event} if event else {"type": "segment"}
    return {
        "id": id_,
        "name": name,
        "state": state,
        "active": state == "running",
        "trigger": trigger,
        "actions": actions or [],
    }


def snapshot(journeys: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    data = {
        "format": "cio-lint-workspace/1",
        "region": "us",
        "complete": True,
        "journeys": journeys,
        "broadcasts": [],
        "transactional": [],
    }
    data.update(more)
    return data


def write(root: Path, data: Any) -> Path:
    path = root / SNAPSHOT
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return path


@pytest.fixture
def ws_lint(lint: Lint, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Lint ``files`` with ``data`` as the snapshot: the findings of CIO3xx as (path, line, code,
    message)."""

    def run(files: dict[str, str], data: dict[str, Any], **kw: Any) -> list[tuple[Any, ...]]:
        (tmp_path / "tracking_plan").mkdir(exist_ok=True)
        write(tmp_path, data)
        result = lint(files, **kw)
        return [
            (f.path, f.line, f.code, f.message) for f in result.findings if f.code[:4] == "CIO3"
        ]

    return run


def id_line(path: Path, item_id: int) -> int:
    """The line where ``"id": item_id`` is written at the least indentation (a journey's own)."""
    lines = path.read_text().splitlines()
    hits = [
        (len(t) - len(t.lstrip()), n)
        for n, t in enumerate(lines, 1)
        if t.strip().rstrip(",") == f'"id": {item_id}'
    ]
    return min(hits)[1]


# --------------------------------------------------------------------------- CIO301


def test_trigger_no_code_sends_is_reported_at_the_journey_in_the_snapshot(
    ws_lint, tmp_path: Path
) -> None:
    data = snapshot(
        [
            journey(12, "Onboarding", "Signed Up", actions=[action(["customer.email"])]),
            journey(13, "Welcome", "Account Created"),
            journey(14, "Old", "Project Deleted", state="stopped"),  # not active: no CIO301
            journey(15, "Segment based", None),
        ]
    )
    found = ws_lint({"app.py": CDP + "analytics.track('u1', 'Signed Up', {'plan': 'pro'})\n"}, data)
    assert [(p, c) for p, _, c, _ in found] == [(SNAPSHOT.as_posix(), "CIO301")]
    _, line, _, message = found[0]
    assert line == id_line(tmp_path / SNAPSHOT, 13)
    assert "`Welcome` (id 13)" in message and "`Account Created`, which no code sends" in message


def test_trigger_sent_in_another_spelling_is_reported_at_the_call_and_fixed(
    project, tmp_path: Path
) -> None:
    root = project({"app.py": CDP + "EVENT = 'account_created'\nanalytics.track('u1', EVENT)\n"})
    write(root, snapshot([journey(13, "Welcome", "Account Created")]))
    result = CliRunner().invoke(main, ["app.py", "--no-cache", "--select", "CIO301"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "app.py:2:9: CIO301 [*] Active journey `Welcome` (id 13) is triggered by "
        "`Account Created`; the code sends `account_created`"
    )
    fixed = CliRunner().invoke(main, ["app.py", "--no-cache", "--select", "CIO301", "--fix"])
    assert fixed.exit_code == 0, fixed.stdout
    assert "EVENT = 'Account Created'" in (root / "app.py").read_text()


def test_a_partial_run_or_an_unknown_event_name_does_not_claim_nothing_sends_it(
    project, tmp_path: Path
) -> None:
    root = project(
        {
            "app.py": CDP + "analytics.track('u1', 'Signed Up', {'plan': 'pro'})\n",
            "other.py": CDP + "def f(kind):\n    analytics.track('u1', f'{kind} Created')\n",
        }
    )
    write(root, snapshot([journey(13, "Welcome", "Account Created")]))
    config = Config(root=root, sdk_versions={"customerio": "3.2"}, cache=False)
    plan = load_plan(root / "tracking_plan")
    for targets in ([root], [root / "app.py"]):
        result = lint_paths(targets, config, plan, jobs=1)
        assert [f for f in result.findings if f.code == "CIO301"] == []
    (root / "other.py").write_text(CDP + "analytics.track('u1', 'Trial Started')\n")
    result = lint_paths([root], config, plan, jobs=1)
    assert [f.code for f in result.findings if f.code == "CIO301"] == ["CIO301"]


# --------------------------------------------------------------------------- CIO302


def test_event_whose_journeys_are_all_inactive_names_them_and_their_states(ws_lint) -> None:
    data = snapshot(
        [
            journey(14, "Trial nurture", "Trial Started", state="draft"),
            journey(15, "Trial old", "Trial Started", state="stopped"),
            journey(16, "Order thanks", "Order Completed", state="paused"),
            journey(17, "Order live", "Order Completed"),
        ]
    )
    app = (
        CDP + "analytics.track('u1', 'Trial Started')\n"
        "analytics.track('u1', 'Order Completed', {'order_id': '1', 'total': 2})\n"
    )
    found = ws_lint({"app.py": app}, data)
    assert [(p, line, c) for p, line, c, _ in found] == [("app.py", 2, "CIO302")]
    assert found[0][3] == (
        "Event `Trial Started` triggers only journeys that are not active: "
        "`Trial nurture` (draft), `Trial old` (stopped)"
    )


# --------------------------------------------------------------------------- CIO303


OPEN_PLAN = """\
version: 1
events:
  Signed Up:
    additionalProperties: true
    properties:
      plan: {type: string}
"""


def test_event_property_no_call_sends(ws_lint) -> None:
    live = action(["event.plan", "event.referrer", "event.items.0.name", "customer.id"])
    draft = action(["event.coupon"], state="draft", id_=102)
    data = snapshot([journey(12, "Onboarding", "Signed Up", actions=[live, draft])])
    app = (
        CDP + "def signup(ok):\n"
        "    if ok:\n"
        "        analytics.track('u1', 'Signed Up', {'plan': 'pro', 'referrer': 'x'})\n"
        "    else:\n"
        "        analytics.track('u1', 'Signed Up', {'plan': 'free'})\n"
    )
    found = ws_lint({"app.py": app}, data, plan=OPEN_PLAN)  # the plan allows any property
    # `items` is sent by neither call; `referrer` by one (enough); the draft's `coupon` is not live
    assert [(line, c) for _, line, c, _ in found] == [(4, "CIO303"), (6, "CIO303")]
    assert all("`{{event.items}}`" in m and "sends `items`" in m for *_, m in found)
    assert found[0][3].startswith("`Welcome email` of journey `Onboarding` uses")


def test_event_property_with_unknown_keys_at_a_call_is_not_reported(ws_lint) -> None:
    data = snapshot([journey(12, "Onboarding", "Signed Up", actions=[action(["event.source"])])])
    app = (
        CDP + "def signup(extra):\n"
        "    analytics.track('u1', 'Signed Up', {'plan': 'pro', **extra})\n"
    )
    assert ws_lint({"app.py": app}, data, plan=OPEN_PLAN) == []
    # the same call with known keys: `source` is missing
    app = CDP + "analytics.track('u1', 'Signed Up', {'plan': 'pro'})\n"
    assert [c for _, _, c, _ in ws_lint({"app.py": app}, data, plan=OPEN_PLAN)] == ["CIO303"]


CLOSED_PLAN = """\
version: 1
events:
  Signed Up:
    additionalProperties: false
    properties:
      plan: {type: string}
"""


def test_event_property_the_closed_plan_lacks_is_reported_without_any_call(
    ws_lint, tmp_path: Path
) -> None:
    data = snapshot([journey(12, "Onboarding", "Signed Up", actions=[action(["event.source"])])])
    found = ws_lint(
        {"app.py": CDP + "analytics.track('u1', 'Trial Started')\n"}, data, plan=CLOSED_PLAN
    )
    codes = {(p, c) for p, _, c, _ in found}
    assert (SNAPSHOT.as_posix(), "CIO303") in codes
    (message,) = [m for _, _, c, m in found if c == "CIO303"]
    assert "the plan's schema of `Signed Up` has no property `source`" in message


# --------------------------------------------------------------------------- CIO304


def test_customer_attribute_no_identify_sets(ws_lint, tmp_path: Path) -> None:
    data = snapshot(
        [
            journey(
                12,
                "Onboarding",
                "Signed Up",
                actions=[action(["customer.first_name", "customer.email", "customer.id"])],
            )
        ],
        broadcasts=[
            {
                "id": 7,
                "name": "Launch",
                "state": "draft",
                "active": False,
                "api_triggered": False,
                "actions": [action(["customer.nickname"], name="Launch email", id_=701)],
            }
        ],
    )
    app = (
        CDP + "analytics.identify('u1', {'email': 'a@example.com', 'created_at': 1700000000})\n"
        "analytics.track('u1', 'Signed Up', {'plan': 'pro'})\n"
    )
    found = ws_lint({"app.py": app}, data)
    assert [(p, c) for p, _, c, _ in found] == [(SNAPSHOT.as_posix(), "CIO304")] * 2
    by_attribute = {m.split("`{{customer.")[1].split("}}")[0]: (line, m) for _, line, _, m in found}
    assert set(by_attribute) == {"first_name", "nickname"}  # `email` is sent, `id` is built in
    assert "journey `Onboarding`" in by_attribute["first_name"][1]
    assert "broadcast `Launch`" in by_attribute["nickname"][1]
    assert by_attribute["nickname"][0] == id_line(tmp_path / SNAPSHOT, 7)


def test_customer_attribute_not_reported_when_traits_are_unknown_or_planned(ws_lint) -> None:
    data = snapshot([journey(12, "Onboarding", "Signed Up", actions=[action(["customer.plan"])])])
    unknown = CDP + "def sync(user):\n    analytics.identify('u1', user.traits())\n"
    assert [c for _, _, c, _ in ws_lint({"app.py": unknown}, data)] == ["CIO301"]
    planned = CDP + "analytics.identify('u1', {'email': 'a@example.com'})\n"  # `plan` is planned
    assert [c for _, _, c, _ in ws_lint({"app.py": planned}, data)] == ["CIO301"]
    unplanned = CDP + "analytics.identify('u1', {'email': 'a@example.com'})\n"
    data["journeys"][0]["actions"][0]["variables"] = ["customer.tier"]
    assert [c for _, _, c, _ in ws_lint({"app.py": unplanned}, data)] == ["CIO301", "CIO304"]


# --------------------------------------------------------------------------- the snapshot


def test_no_snapshot_no_cio3xx_and_the_plan_ignores_the_snapshot(lint, project) -> None:
    app = CDP + "analytics.track('u1', 'Trial Started')\n"
    assert [f for f in lint({"app.py": app}).findings if f.code[:4] == "CIO3"] == []
    root = project({"app.py": app})
    write(root, snapshot([journey(14, "Trial", "Trial Started", state="draft")]))
    done = CliRunner().invoke(main, ["plan", "check", "tracking_plan"])
    assert done.exit_code == 0, done.output


def test_workspace_option_and_configuration_key(project) -> None:
    root = project({"app.py": CDP + "analytics.track('u1', 'Trial Started')\n"})
    (root / "ws").mkdir()
    write(root, snapshot([]))  # the default one finds nothing
    other = root / "ws" / "snap.json"
    other.write_text(json.dumps(snapshot([journey(14, "Trial", "Trial Started", state="draft")])))
    args = ["app.py", "--no-cache", "--select", "CIO3"]
    assert "CIO302" not in CliRunner().invoke(main, args).stdout
    assert "CIO302" in CliRunner().invoke(main, [*args, "--workspace", "ws/snap.json"]).stdout
    (root / "pyproject.toml").write_text('[tool.cio-lint]\nworkspace = "ws/snap.json"\n')
    assert "CIO302" in CliRunner().invoke(main, args).stdout
    missing = CliRunner().invoke(main, [*args, "--workspace", "nope.json"])
    assert missing.exit_code == 2
    assert missing.stderr.strip() == "Error: nope.json: workspace snapshot not found"


def test_a_changed_snapshot_is_not_answered_from_the_cache(project) -> None:
    root = project({"app.py": CDP + "analytics.track('u1', 'Trial Started')\n"})
    write(root, snapshot([journey(14, "Trial", "Trial Started")]))
    first = CliRunner().invoke(main, ["app.py", "--select", "CIO3"])
    assert first.exit_code == 0 and "CIO302" not in first.stdout
    write(root, snapshot([journey(14, "Trial", "Trial Started", state="draft")]))
    second = CliRunner().invoke(main, ["app.py", "--select", "CIO3"])
    assert "CIO302" in second.stdout


BAD = [
    ("{", "tracking_plan/customerio-workspace.json:1: not valid JSON:"),
    ("[]", "`$` must be an object"),
    ('{"format": "other/1"}', 'not a cio-lint workspace snapshot (`format` is "other/1"'),
    ('{"format": "cio-lint-workspace/1", "journeys": {}}', "`$.journeys` must be a list"),
    (
        '{"format": "cio-lint-workspace/1", "journeys": [{"id": "12"}]}',
        "`$.journeys[0].id` must be an integer",
    ),
    (
        '{"format": "cio-lint-workspace/1", "journeys": [{"id": true}]}',
        "`$.journeys[0].id` must be an integer",
    ),
    (
        '{"format": "cio-lint-workspace/1", "journeys": [{"id": 1, "actions": [{"id": 2, "variables": [3]}]}]}',
        "`$.journeys[0].actions[0].variables` must be a list of strings",
    ),
    (
        '{"format": "cio-lint-workspace/1", "transactional": [{"id": 1, "trigger_name": 5}]}',
        "`$.transactional[0].trigger_name` must be a string",
    ),
    ('{"format": "cio-lint-workspace/1", "region": "mars"}', '`$.region` must be "us" or "eu"'),
    ('{"format": "cio-lint-workspace/1", "complete": false}', "a partial pull"),
    ('{"format": "cio-lint-workspace/1", "x": ' + "[" * 70 + "]" * 70 + "}", "deeper than 64"),
    ("[" * 100000 + "]" * 100000, "deeper than 64"),
    (b"\xff\xfe{", "is not UTF-8"),
]


@pytest.mark.parametrize(("content", "expected"), BAD)
def test_a_malformed_snapshot_is_exit_2_with_one_line_naming_it(
    project, content: str | bytes, expected: str
) -> None:
    root = project({"app.py": CDP + "analytics.track('u1', 'Trial Started')\n"})
    path = root / SNAPSHOT
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    result = CliRunner().invoke(main, ["app.py", "--no-cache"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("Error: tracking_plan/customerio-workspace.json")
    assert expected in lines[0]


def test_a_snapshot_over_50_mib_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024 + 1)
    with pytest.raises(SnapshotError, match="over 50 MiB"):
        load_snapshot(path)


def test_unknown_keys_are_ignored_and_lists_come_back_sorted(tmp_path: Path) -> None:
    data = snapshot(
        [journey(20, "B", "X", actions=[action(["b.x", "a.y", "b.x"])]), journey(3, "A", None)],
        future_key={"anything": [1, 2]},
    )
    data["journeys"][0]["future"] = True
    loaded = load_snapshot(_write_at(tmp_path, data))
    assert [j.id for j in loaded.journeys] == [3, 20]
    assert loaded.journeys[1].actions[0].variables == ("a.y", "b.x")
    assert loaded.journeys[0].trigger_event is None and loaded.journeys[1].trigger_event == "X"


def _write_at(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return path


# --------------------------------------------------------------------------- wrappers


def test_a_wrapper_that_names_the_event_is_reported_once_in_its_body(ws_lint) -> None:
    data = snapshot([journey(14, "Trial", "Trial Started", state="paused")])
    app = (
        CDP + "def trial(user):\n"
        "    analytics.track(user.id, 'Trial Started')\n"
        "def a(user):\n    trial(user)\n"
        "def b(user):\n    trial(user)\n"
    )
    assert [(line, c) for _, line, c, _ in ws_lint({"app.py": app}, data)] == [(3, "CIO302")]


def test_a_wrapper_forwarding_properties_is_checked_at_its_call_sites(ws_lint) -> None:
    data = snapshot([journey(12, "Onboarding", "Signed Up", actions=[action(["event.source"])])])
    app = (
        CDP + "def signed_up(user, **props):\n"
        "    analytics.track(user.id, 'Signed Up', props)\n"
        "def a(user):\n    signed_up(user, plan='pro', source='ads')\n"
        "def b(user):\n    signed_up(user, plan='free')\n"
    )
    found = ws_lint({"app.py": app}, data, plan=OPEN_PLAN)
    assert [(line, c) for _, line, c, _ in found] == []  # `a` sends `source`
    app = app.replace(", source='ads'", "")
    found = ws_lint({"app.py": app}, data, plan=OPEN_PLAN)
    assert [(line, c) for _, line, c, _ in found] == [(5, "CIO303"), (7, "CIO303")]


# --------------------------------------------------------------------------- CIO305-CIO307

APP = "from customerio import APIClient, SendEmailRequest, SendSMSRequest\napi = APIClient('k')\n"
TEMPLATES = [
    {
        "id": 3,
        "name": "Receipt",
        "trigger_name": "receipt",
        "contents": [
            {"id": 31, "type": "email", "variables": ["trigger.order_number", "customer.email"]},
            {"id": 32, "type": "sms", "variables": ["trigger.items.0.name"]},
        ],
    },
    {"id": 4, "name": "No trigger name", "trigger_name": None, "contents": []},
]


def send(template: str, data: str, extra: str = ", identifiers={'id': 'u1'}") -> str:
    return (
        f"api.send_email(SendEmailRequest(transactional_message_id={template}, "
        f"message_data={data}{extra}))\n"
    )


def test_transactional_data_missing_by_trigger_name_numeric_id_or_digits(ws_lint) -> None:
    data = snapshot([], transactional=TEMPLATES)
    app = (
        APP
        + send("'receipt'", "{'order_number': 'A1', 'items': []}")
        + send("3", "{'order_number': 'A1'}")
        + send("'3'", "{}")
        + send("4", "{}")
    )
    found = ws_lint({"app.py": app}, data)
    assert [(line, c) for _, line, c, _ in found] == [(4, "CIO305"), (5, "CIO305")]
    assert found[0][3] == (
        "`sms` of transactional message `Receipt` uses `{{trigger.items}}`, "
        "but `message_data` has no `items`"
    )
    assert "`{{trigger.items}}`, `{{trigger.order_number}}`" in found[1][3]


def test_transactional_data_through_a_wrapper_or_unknown(ws_lint) -> None:
    data = snapshot([], transactional=TEMPLATES)
    app = (
        APP + "def receipt(user, data):\n"
        "    api.send_email(SendEmailRequest(transactional_message_id='receipt', "
        "identifiers={'id': user}, message_data=data))\n"
        "def a(user):\n    receipt(user, {'order_number': 'A1', 'items': []})\n"
        "def b(user):\n    receipt(user, {'order_number': 'A1'})\n"
        "def c(user, payload):\n    receipt(user, payload)\n"
    )
    found = ws_lint({"app.py": app}, data)
    assert [(line, c) for _, line, c, _ in found] == [(8, "CIO305")]


def test_unknown_transactional_message_suggests_the_closest_trigger_name(ws_lint) -> None:
    data = snapshot([], transactional=TEMPLATES)
    app = (
        APP
        + send("'reciept'", "{}")
        + send("99", "{}")
        + send("'receipt'", "{'order_number': 1, 'items': 2}")
    )
    found = ws_lint({"app.py": app}, data)
    assert [(line, c) for _, line, c, _ in found] == [(3, "CIO306"), (4, "CIO306")]
    assert found[0][3] == (
        "Transactional message `reciept` is not in the workspace snapshot (did you mean `receipt`?)"
    )
    assert found[1][3] == "Transactional message `99` is not in the workspace snapshot"


def test_transactional_without_identifiers_needs_no_snapshot(lint) -> None:
    app = (
        APP
        + send("'receipt'", "{}", extra=", to='a@example.com'")
        + "api.send_sms(SendSMSRequest(transactional_message_id='receipt', to='+33'))\n"
        + send("'receipt'", "{}")
    )
    result = lint({"app.py": app})
    assert [(f.line, f.code) for f in result.findings] == [(3, "CIO307"), (4, "CIO307")]


# --------------------------------------------------------------------------- CIO309

REGIONS = "from customerio import APIClient, CustomerIO, Regions\nfrom customerio.analytics import Client\n"


def test_region_mismatch_between_track_cdp_and_app_clients(lint) -> None:
    app = (
        REGIONS + "cio = CustomerIO('site', 'key', region=Regions.EU)\n"
        "api = APIClient('key', region=Regions.EU)\n"  # same region: fine
        "cdp = Client('wk', host='https://cdp.customer.io')\n"  # US
        "api_default = APIClient('key')\n"  # US: differs from `cio`
    )
    found = [(f.line, f.message) for f in lint({"app.py": app}).findings if f.code == "CIO309"]
    assert found == [
        (
            4,
            (
                "App API client is configured for the EU region, but the Data Pipelines client "
                "at `app.py:5` is configured for US"
            ),
        ),
        (
            6,
            (
                "App API client is configured for the US region, but the Track API client at "
                "`app.py:3` is configured for EU"
            ),
        ),
    ]


def test_region_unknown_at_run_time_takes_no_part_and_the_snapshot_counts(
    lint, project, tmp_path: Path
) -> None:
    app = REGIONS + "import os\ncdp = Client('wk', host=os.environ['HOST'])\napi = APIClient('k')\n"
    assert [f for f in lint({"app.py": app}).findings if f.code == "CIO309"] == []
    root = project({"app.py": app})
    write(root, snapshot([], region="eu"))
    config = Config(root=root, sdk_versions={"customerio": "3.2"}, cache=False)
    result = lint_paths([root], config, load_plan(root / "tracking_plan"), jobs=1)
    assert [(f.line, f.message) for f in result.findings if f.code == "CIO309"] == [
        (
            5,
            "App API client is configured for the US region, but the workspace snapshot was pulled from EU",
        )
    ]
