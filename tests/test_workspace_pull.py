"""``cio-lint workspace pull`` end to end, against a real HTTP server on 127.0.0.1.

The served workspace and its expected snapshot: tests/workspace_served.py.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from workspace_served import serve_workspace
from workspace_server import FakeAppApi, Reply, serve

from cio_lint.cli import main

OUT = Path("tracking_plan") / "customerio-workspace.json"


def pull(api: FakeAppApi, *args: str, key: str | None = None, url: str | None = None) -> Result:
    env = {
        "CUSTOMERIO_APP_API_KEY": api.key if key is None else key,
        "CIO_LINT_APP_API_URL": api.url if url is None else url,
    }
    return CliRunner().invoke(main, ["workspace", "pull", *args], env=env)


def assert_one_line_error(result: Result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    for needle in needles:
        assert needle in result.stderr


@pytest.fixture
def app_api() -> Iterator[FakeAppApi]:
    with serve() as api:
        yield api


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_pull_writes_the_expected_snapshot_and_a_second_pull_is_identical(
    app_api: FakeAppApi, in_tmp: Path
) -> None:
    expected = serve_workspace(app_api)
    first = pull(app_api)
    assert first.exit_code == 0, first.output
    text = OUT.read_text(encoding="utf-8")
    assert json.loads(text) == expected
    assert text == json.dumps(expected, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert "Reçu" not in text and "<p>" not in text  # no bodies
    assert first.stdout.startswith(f"Wrote {OUT} (3 journeys, 2 broadcasts, 2 transactional")

    second = pull(app_api)
    assert second.exit_code == 0, second.output
    assert OUT.read_text(encoding="utf-8") == text
    assert sorted(p.name for p in OUT.parent.iterdir()) == [OUT.name]  # no temporary file left
    # the second page was asked for with the first page's cursor, every request with the key
    assert "/v1/campaigns/12/actions?start=MTEx" in app_api.targets()
    assert {hit.authorization for hit in app_api.hits} == {f"Bearer {app_api.key}"}
    for output in (text, first.stdout, first.stderr, second.stdout, second.stderr):
        assert app_api.key not in output


def test_requests_stay_under_ten_per_second(app_api: FakeAppApi, in_tmp: Path) -> None:
    serve_workspace(app_api)
    assert pull(app_api).exit_code == 0
    times = sorted(hit.at for hit in app_api.hits)
    assert len(times) >= 11
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= 10, f"{busiest} requests within one second"


@pytest.mark.parametrize(("region", "other"), [("us", "eu"), ("eu", "us")])
def test_a_refused_key_is_explained_and_nothing_is_written(
    app_api: FakeAppApi, in_tmp: Path, region: str, other: str
) -> None:
    serve_workspace(app_api)
    wrong = "track-key-0b1c2d3e4f"
    result = pull(app_api, "--region", region, key=wrong)
    assert_one_line_error(
        result,
        "the App API key was refused by 127.0.0.1: wrong region",
        f"(try --region {other}) or a Track API key instead of an App API key",
    )
    assert wrong not in result.output and wrong not in result.stderr
    assert not OUT.exists()
    assert len(app_api.hits) == 1  # a refused key stops the pull at once


def test_429_waits_for_retry_after_then_succeeds(app_api: FakeAppApi, in_tmp: Path) -> None:
    expected = serve_workspace(app_api)
    listed = app_api.routes["/v1/broadcasts"][0]
    app_api.route(
        "/v1/broadcasts",
        Reply(429, {"meta": {"error": "slow down"}}, (("Retry-After", "1"),)),
        listed,
    )
    result = pull(app_api)
    assert result.exit_code == 0, result.output
    assert json.loads(OUT.read_text(encoding="utf-8")) == expected
    asked = [hit.at for hit in app_api.hits if hit.target == "/v1/broadcasts"]
    assert len(asked) == 2 and asked[1] - asked[0] >= 1.0


def test_a_server_error_is_retried(app_api: FakeAppApi, in_tmp: Path) -> None:
    expected = serve_workspace(app_api)
    page_2 = "/v1/campaigns/12/actions?start=MTEx"
    app_api.route(page_2, Reply(500, {"meta": {"error": "oops"}}), app_api.routes[page_2][0])
    result = pull(app_api)
    assert result.exit_code == 0, result.output
    assert json.loads(OUT.read_text(encoding="utf-8")) == expected
    assert app_api.targets().count(page_2) == 2


def test_a_partial_failure_writes_nothing_and_names_what_failed(
    app_api: FakeAppApi, in_tmp: Path
) -> None:
    serve_workspace(app_api)
    app_api.route("/v1/campaigns/3/actions", Reply(503, b"<html>down</html>"))
    app_api.route("/v1/transactional/1/contents", Reply(200, b"not json"))
    OUT.parent.mkdir()
    OUT.write_text("the previous snapshot\n", encoding="utf-8")
    result = pull(app_api)
    assert_one_line_error(
        result,
        "2 request(s) failed: campaign 3",
        "campaign 3 (GET /v1/campaigns/3/actions: HTTP 503 after 4 attempts)",
        "transactional message 1 (GET /v1/transactional/1/contents: the response is not JSON)",
        f"{OUT} was not written",
    )
    assert OUT.read_text(encoding="utf-8") == "the previous snapshot\n"
    # the other campaigns were still pulled, so every failure is reported at once
    assert "/v1/transactional/3/contents" in app_api.targets()


def test_a_non_json_list_stops_the_pull(app_api: FakeAppApi, in_tmp: Path) -> None:
    serve_workspace(app_api)
    app_api.route("/v1/transactional", Reply(200, b"<html>maintenance</html>"))
    assert_one_line_error(pull(app_api), "GET /v1/transactional: the response is not JSON")
    assert not OUT.exists()


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "content-length"])
def test_a_huge_body_is_cut_off(app_api: FakeAppApi, in_tmp: Path, stream: bool) -> None:
    serve_workspace(app_api)
    body = b'{"campaigns": [' + b" " * (21 * 1024 * 1024) + b"]}"
    app_api.route("/v1/campaigns", Reply(200, body, stream=stream))
    assert_one_line_error(pull(app_api), "GET /v1/campaigns: the response is larger than 20 MiB")
    assert not OUT.exists()


def test_a_body_nested_too_deeply_is_refused(app_api: FakeAppApi, in_tmp: Path) -> None:
    serve_workspace(app_api)
    app_api.route("/v1/broadcasts", Reply(200, b'{"broadcasts": ' + b"[" * 100_000))
    result = pull(app_api)
    assert_one_line_error(result, "GET /v1/broadcasts:")
    app_api.route("/v1/broadcasts", {"broadcasts": [], "x": json.loads("[" * 70 + "]" * 70)})
    assert_one_line_error(pull(app_api), "nests deeper than 64 levels")
    assert not OUT.exists()


@pytest.mark.parametrize(
    ("target", "body", "message"),
    [
        ("/v1/campaigns", {"campaigns": {"id": 1}}, "`campaigns` is not a list"),
        ("/v1/campaigns", {"campaigns": [{"id": 12}, "x"]}, "`campaigns[1]` is not an object"),
        ("/v1/campaigns", {"campaigns": [{"id": "12"}]}, "`campaigns[0].id` is not an integer"),
        ("/v1/campaigns", {"campaigns": [{"id": True}]}, "`campaigns[0].id` is not an integer"),
        (
            "/v1/campaigns",
            {"campaigns": [{"id": 1, "name": 5}]},
            "`campaigns[0].name` is not a string",
        ),
        (
            "/v1/broadcasts",
            {"broadcasts": [{"id": 2, "active": "yes"}]},
            "`broadcasts[0].active` is not true or false",
        ),
        ("/v1/campaigns", [1, 2], "the response is not a JSON object"),
        ("/v1/campaigns", {"journeys": []}, "the response has no `campaigns`"),
    ],
)
def test_wrong_types_in_a_list_stop_the_pull(
    app_api: FakeAppApi, in_tmp: Path, target: str, body: object, message: str
) -> None:
    serve_workspace(app_api)
    app_api.route(target, body)
    assert_one_line_error(pull(app_api), f"GET {target}: {message}")
    assert not OUT.exists()


def test_wrong_types_in_actions_are_that_campaign_s_failure(
    app_api: FakeAppApi, in_tmp: Path
) -> None:
    serve_workspace(app_api)
    app_api.route("/v1/campaigns/20/actions", {"actions": [{"id": 1, "subject": ["x"]}], "next": 7})
    app_api.route("/v1/campaigns/3/actions", {"actions": [], "next": "same"})
    app_api.route("/v1/campaigns/3/actions?start=same", {"actions": [], "next": "same"})
    app_api.route("/v1/broadcasts/2/actions", {"actions": [], "next": "x" * 5000})
    result = pull(app_api)
    assert_one_line_error(
        result,
        "campaign 20 (GET /v1/campaigns/20/actions: `next` is not a string)",
        "campaign 3 (GET /v1/campaigns/3/actions: the `next` cursor repeats an earlier page)",
        "broadcast 2 (GET /v1/broadcasts/2/actions: `next` is not a cursor)",
    )
    assert not OUT.exists()


def test_a_server_that_does_not_answer_times_out(app_api: FakeAppApi, in_tmp: Path) -> None:
    serve_workspace(app_api)
    app_api.route("/v1/campaigns", Reply(200, {"campaigns": []}, delay=3.0))
    result = pull(app_api, "--timeout", "0.3")
    assert_one_line_error(result, "GET /v1/campaigns: no answer within 0.3 s")
    assert app_api.targets().count("/v1/campaigns") == 3  # tried three times
    assert not OUT.exists()


def test_a_response_holding_the_key_is_not_written(app_api: FakeAppApi, in_tmp: Path) -> None:
    serve_workspace(app_api)
    app_api.route("/v1/campaigns", {"campaigns": [{"id": 1, "name": f"key {app_api.key}"}]})
    app_api.route("/v1/campaigns/1/actions", {"actions": []})
    result = pull(app_api)
    assert_one_line_error(result, "a response holds the App API key itself")
    assert app_api.key not in result.stderr
    assert not OUT.exists()


def test_the_key_must_be_in_the_environment(app_api: FakeAppApi, in_tmp: Path) -> None:
    result = pull(app_api, key="")
    assert_one_line_error(result, "CUSTOMERIO_APP_API_KEY is not set", "export")
    assert app_api.hits == []
    assert_one_line_error(pull(app_api, key="two words"), "printable ASCII, no spaces")
    assert app_api.hits == []


def test_the_key_is_never_sent_in_clear_to_another_host(app_api: FakeAppApi, in_tmp: Path) -> None:
    result = pull(app_api, url="http://api.customer.io.example:80")
    assert_one_line_error(result, "CIO_LINT_APP_API_URL must be an https:// URL")
    assert app_api.key not in result.stderr


def test_the_output_must_name_a_file(app_api: FakeAppApi, in_tmp: Path) -> None:
    serve_workspace(app_api)
    (in_tmp / "snap").mkdir()
    result = pull(app_api, "-o", "snap")
    assert result.exit_code == 2
    assert "snap" in result.stderr
    assert list((in_tmp / "snap").iterdir()) == []


def _pull_on_a_terminal(api: FakeAppApi, cwd: Path, *args: str) -> tuple[int, str, str]:
    """Run the pull in a child process whose stderr is a pseudo-terminal."""
    leader, follower = pty.openpty()
    env = {
        **os.environ,
        "CUSTOMERIO_APP_API_KEY": api.key,
        "CIO_LINT_APP_API_URL": api.url,
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "cio_lint", "workspace", "pull", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the child
            break
        if not chunk:
            break
        seen += chunk
    out, _ = child.communicate(timeout=60)
    os.close(leader)
    return child.returncode, out.decode(), seen.decode(errors="replace")


def test_a_progress_line_only_on_a_terminal(app_api: FakeAppApi, in_tmp: Path) -> None:
    serve_workspace(app_api)
    code, out, err = _pull_on_a_terminal(app_api, in_tmp)
    assert code == 0, err
    assert "\rPulling the workspace: campaign 1/3" in err
    assert "\rPulling the workspace: transactional message 2/2" in err
    assert err.endswith("\r")  # the line is wiped at the end
    assert out.startswith("Wrote ")
    assert app_api.key not in out + err
    code, out, err = _pull_on_a_terminal(app_api, in_tmp, "--quiet")
    assert (code, out, err) == (0, "", "")
    quiet = pull(app_api)
    assert quiet.exit_code == 0 and quiet.stderr == ""  # not a terminal: no progress


def test_a_snapshot_that_cannot_be_written_is_one_line(app_api: FakeAppApi, in_tmp: Path) -> None:
    serve_workspace(app_api)
    (in_tmp / "plain-file").write_text("x", encoding="utf-8")
    result = pull(app_api, "-o", "plain-file/customerio-workspace.json")
    assert_one_line_error(result, "plain-file/customerio-workspace.json: cannot write the snapshot")
    assert (in_tmp / "plain-file").read_text(encoding="utf-8") == "x"


def test_the_request_budget_stops_the_pull_at_once(
    app_api: FakeAppApi, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cio_lint.workspace import pull as pull_module

    serve_workspace(app_api)
    monkeypatch.setattr(pull_module, "MAX_REQUESTS", 3)
    result = pull(app_api)
    assert_one_line_error(result, "more than 3 requests: the pull was stopped")
    assert "request(s) failed" not in result.stderr
    assert len(app_api.hits) == 3
    assert not OUT.exists()
