"""Captured transactional sends are checked against the workspace snapshot (CIO305/CIO306).

The projects use the real classic ``customerio`` SDK: ``APIClient.send_email(SendEmailRequest(
...))`` goes through the plugin's capture seam; each inner test also makes any HTTP request
through ``requests`` fail, so a send that was not captured would fail it.
"""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

WORKSPACE = {
    "format": "cio-lint-workspace/1",
    "region": "us",
    "complete": True,
    "journeys": [],
    "broadcasts": [],
    "transactional": [
        {
            "id": 3,
            "name": "Receipt",
            "trigger_name": "receipt",
            "contents": [
                {
                    "id": 31,
                    "type": "email",
                    "variables": ["customer.first_name", "trigger.order_number", "trigger.total"],
                }
            ],
        },
        {
            "id": 5,
            "name": "Password reset",
            "trigger_name": "password_reset",
            "contents": [{"id": 51, "type": "sms", "variables": ["trigger.reset_url"]}],
        },
    ],
}

# the inner tests' preamble: the SDK, and a requests session that must never be used
PREAMBLE = textwrap.dedent(
    """
    import pytest
    import requests
    from customerio import APIClient, SendEmailRequest, SendSMSRequest

    @pytest.fixture(autouse=True)
    def no_http(monkeypatch):
        def refuse(*args, **kwargs):
            raise AssertionError("an HTTP request was made")
        monkeypatch.setattr(requests.Session, "send", refuse)

    def send(template, data, **extra):
        response = APIClient("app-key").send_email(SendEmailRequest(
            transactional_message_id=template, identifiers={"id": "u1"}, message_data=data,
            **extra))
        assert response["delivery_id"] == "cio-lint-captured"  # answered by the capture
        return response
    """
)


def _write(project: pytest.Pytester, body: str, name: str = "test_sends") -> str:
    written = project.makepyfile(**{name: PREAMBLE + textwrap.dedent(body)})
    return written.read_text(encoding="utf-8")  # as written: the lines the sites name


def _line(source: str, text: str) -> int:
    """The 1-based line of the first line of ``source`` that contains ``text``."""
    return next(i for i, line in enumerate(source.splitlines(), 1) if text in line)


@pytest.fixture
def workspace_project(planned_project: pytest.Pytester) -> pytest.Pytester:
    """``planned_project`` plus a snapshot beside the plan."""
    snapshot = planned_project.path / "tracking_plan" / "customerio-workspace.json"
    snapshot.write_text(json.dumps(WORKSPACE, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return planned_project


def test_complete_data_passes_by_trigger_name_and_by_id(
    workspace_project: pytest.Pytester,
) -> None:
    _write(
        workspace_project,
        """
        def test_by_trigger_name(cio_events):
            send("receipt", {"order_number": "A1", "total": 9.5, "extra": 1})
            (message,) = cio_events.messages
            assert message["type"] == "transactional"

        def test_by_id(cio_events):
            send(3, {"order_number": "A1", "total": 9.5})
            send("3", {"order_number": "A2", "total": 1})

        def test_sms(cio_events):
            APIClient("app-key").send_sms(SendSMSRequest(
                transactional_message_id="password_reset", identifiers={"id": "u1"},
                message_data={"reset_url": "https://example.com/r"}))
        """,
    )
    result = workspace_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    assert "CIO30" not in result.stdout.str()


def test_missing_key_fails_naming_it_and_the_site(workspace_project: pytest.Pytester) -> None:
    source = _write(
        workspace_project,
        """
        import customerio.analytics as cdp

        def test_receipt(cio_events):
            api = APIClient("app-key")
            cdp.identify("u1", {"email": "a@b.c", "plan": "pro"})
            api.send_email(SendEmailRequest(transactional_message_id="receipt", identifiers={"id": "u1"}, message_data={"order_number": "A1"}))
            cdp.track("u1", "Orders Completed", {})
            send(3, {})

        def test_reset(cio_events):
            APIClient("app-key").send_sms(SendSMSRequest(transactional_message_id=5, identifiers={"id": "u1"}))
        """,
    )
    result = workspace_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    f = "test_sends.py"
    receipt = "`email` of transactional message `Receipt` uses"
    direct = _line(source, '"order_number": "A1"}))')
    helper = _line(source, 'APIClient("app-key").send_email(')
    sms = _line(source, "send_sms(")
    result.stdout.fnmatch_lines(
        [
            (
                "cio-lint: 3 tracking plan violations in the analytics calls of this test "
                "(plan: tracking_plan, workspace: tracking_plan/customerio-workspace.json):"
            ),
            (
                f"  CIO305 {receipt} `{{{{trigger.total}}}}`, but `message_data` has no `total`"
                f"  (transactional email `receipt`, user `u1`) at {f}:{direct}"
            ),
            "  CIO001 Event `Orders Completed` is not in the tracking plan*",
            (
                f"  CIO305 {receipt} `{{{{trigger.order_number}}}}`, `{{{{trigger.total}}}}`, but "
                "`message_data` has no `order_number`, `total`  (transactional email `3`, "
                f"user `u1`) at {f}:{helper}"
            ),
        ]
    )
    result.stdout.fnmatch_lines(
        [
            (
                "*CIO305 `sms` of transactional message `Password reset` uses "
                "`{{trigger.reset_url}}`, but `message_data` has no `reset_url`  "
                f"(transactional sms `5`, user `u1`) at {f}:{sms}"
            )
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_unknown_template_fails_with_cio306(workspace_project: pytest.Pytester) -> None:
    _write(
        workspace_project,
        """
        def test_typo(cio_events):
            send("reciept", {"order_number": "A1", "total": 9.5})

        def test_unknown_id(cio_events):
            send(4, {"order_number": "A1", "total": 9.5})
        """,
    )
    result = workspace_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            (
                "  CIO306 Transactional message `reciept` is not in the workspace snapshot "
                "(did you mean `receipt`?)  (transactional email `reciept`, user `u1`) at *"
            ),
        ]
    )
    result.stdout.fnmatch_lines(
        ["  CIO306 Transactional message `4` is not in the workspace snapshot  (*"]
    )
    assert "CIO305" not in result.stdout.str()


def test_ignore_marker_and_validate_false(workspace_project: pytest.Pytester) -> None:
    _write(
        workspace_project,
        """
        @pytest.mark.cio_lint(ignore=["CIO305"])
        def test_ignored_305(cio_events):
            send("receipt", {})

        @pytest.mark.cio_lint(ignore="CIO306")
        def test_ignored_306(cio_events):
            send("nope", {})

        @pytest.mark.cio_lint(validate=False)
        def test_not_validated(cio_events):
            send("nope", {})
            send("receipt", {})

        @pytest.mark.cio_lint(ignore=["CIO306"])
        def test_other_code_still_reported(cio_events):
            send("receipt", {"total": 1})
        """,
    )
    result = workspace_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*CIO305 *has no `order_number`  (*"])


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ('{\n  "format": \n', "tracking_plan/customerio-workspace.json:3: not valid JSON: *"),
        (
            json.dumps({**WORKSPACE, "transactional": [{"id": "3"}]}),
            "tracking_plan/customerio-workspace.json: `$.transactional[0].id` must be an integer",
        ),
    ],
)
def test_malformed_snapshot_fails_with_one_line(
    planned_project: pytest.Pytester, content: str, error: str
) -> None:
    (planned_project.path / "tracking_plan" / "customerio-workspace.json").write_text(
        content, encoding="utf-8"
    )
    _write(
        planned_project,
        """
        import customerio.analytics as cdp

        def test_send(cio_events):
            send("receipt", {"order_number": "A1", "total": 9.5})

        def test_track_only(cio_events):  # no send: the snapshot is not read
            cdp.identify("u1", {"email": "a@b.c"})
            cdp.track("u1", "Signed Up", {"plan": "pro"})
        """,
    )
    result = planned_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            (
                "cio-lint: cannot check the captured transactional sends: the workspace snapshot "
                "could not be loaded (@pytest.mark.cio_lint(validate=False) to skip)"
            ),
            error,
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_no_snapshot_checks_nothing_extra(planned_project: pytest.Pytester) -> None:
    _write(
        planned_project,
        """
        def test_send(cio_events):
            send("nope", {})
        """,
    )
    result = planned_project.runpytest(
        "-p", "no:cacheprovider", "-W", "error::cio_lint.pytest_plugin.CioLintWarning"
    )
    result.assert_outcomes(passed=1)
    assert "CIO30" not in result.stdout.str()
    assert "CioLintWarning" not in result.stdout.str()


def test_snapshot_from_the_option_and_from_pyproject(planned_project: pytest.Pytester) -> None:
    other = planned_project.path / "ws"
    other.mkdir()
    (other / "snapshot.json").write_text(json.dumps(WORKSPACE), encoding="utf-8")
    _write(
        planned_project,
        """
        def test_send(cio_events):
            send("reciept", {})
        """,
    )
    result = planned_project.runpytest("-p", "no:cacheprovider", "--cio-workspace=ws/snapshot.json")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*workspace: ws/snapshot.json):", "  CIO306 *`receipt`*"])
    planned_project.makepyprojecttoml('[tool.cio-lint]\nworkspace = "ws/snapshot.json"\n')
    result = planned_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["  CIO306 *`receipt`*"])
    missing = planned_project.runpytest("-p", "no:cacheprovider", "--cio-workspace=nowhere.json")
    assert missing.ret == pytest.ExitCode.USAGE_ERROR
    missing.stderr.fnmatch_lines(
        ["*cio-lint: --cio-workspace *nowhere.json: workspace snapshot not found"]
    )


SENDS = [  # (transactional_message_id, message_data): each a source literal
    ("'receipt'", "{'order_number': 'A1', 'total': 9.5}"),
    ("'receipt'", "{'order_number': 'A1'}"),
    ("3", "{}"),
    ("'3'", "{'total': 1}"),
    ("'reciept'", "{}"),
    ("4", "{'order_number': 'A1'}"),
]


def test_runtime_findings_are_the_static_rules_findings(lint: Any, tmp_path: Path) -> None:
    """One meaning in both: each send, linted as code and captured at run time (through the
    classic capture's own conversion of the request), gives the same codes and messages."""
    from cio_lint.capture import classic
    from cio_lint.capture.workspace_check import send_findings
    from cio_lint.workspace.snapshot import load_snapshot

    (tmp_path / "tracking_plan").mkdir()
    path = tmp_path / "tracking_plan" / "customerio-workspace.json"
    path.write_text(json.dumps(WORKSPACE), encoding="utf-8")
    app = "from customerio import APIClient, SendEmailRequest\napi = APIClient('k')\n" + "".join(
        f"api.send_email(SendEmailRequest(transactional_message_id={template}, "
        f"identifiers={{'id': 'u1'}}, message_data={data}))\n"
        for template, data in SENDS
    )
    found = lint({"app.py": app}).findings
    static = {(f.line - 2, f.code, f.message) for f in found if f.code in ("CIO305", "CIO306")}
    snapshot = load_snapshot(path)
    runtime = set()
    for index, (template, data) in enumerate(SENDS, 1):
        payload = {
            "transactional_message_id": ast.literal_eval(template),
            "identifiers": {"id": "u1"},
            "message_data": ast.literal_eval(data),
        }
        (msg,) = classic.to_messages("POST", "https://api.customer.io/v1/send/email", payload)
        runtime.update((index, f.code, f.message) for f in send_findings(msg, snapshot, "t"))
    assert runtime == static
    assert {(line, code) for line, code, _ in runtime} == {
        (2, "CIO305"),
        (3, "CIO305"),
        (4, "CIO305"),
        (5, "CIO306"),
        (6, "CIO306"),
    }
