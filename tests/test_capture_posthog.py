"""``cio_events`` captures PostHog (posthog 7) through ``Client._submit_event``: module API and
clients, any thread, normalised to the Segment shape, validated and counted like the others."""

from __future__ import annotations

import textwrap

import pytest
from conftest import CAPTURE_PLAN

PLAN = CAPTURE_PLAN

#: the module API needs a key to build its default client; the host is loopback, port 9
#: (discard): nothing is listening and nothing may be sent
CONFTEST = textwrap.dedent(
    """
    import posthog

    posthog.api_key = "phc_test"
    posthog.host = "http://127.0.0.1:9"
    """
)


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    (pytester.mkdir("tracking_plan") / "plan.yaml").write_text(PLAN, encoding="utf-8")
    return pytester


def test_client_and_module_api_in_any_thread(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import threading

        import posthog
        from posthog import Posthog

        def test_shapes(cio_events):
            client = Posthog("phc_other", host="http://127.0.0.1:9")
            client.set(distinct_id="u1", properties={"email": "a@b.c"})
            client.capture("Signed Up", distinct_id="u1",
                           properties={"plan": "pro", "$set": {"email": "x@y.z"}})
            thread = threading.Thread(target=posthog.capture, args=("Report Exported",),
                                      kwargs={"distinct_id": "u2"})
            thread.start()
            thread.join()
            client.alias("old-id", "new-id")
            client.group_identify("company", "acme", {"name": "Acme"})
            identify, signed_up, exported, alias, group = cio_events.messages
            assert identify["type"] == "identify" and identify["userId"] == "u1"
            assert identify["traits"] == {"email": "a@b.c"}
            assert signed_up["type"] == "track" and signed_up["event"] == "Signed Up"
            assert signed_up["properties"] == {"plan": "pro"}
            assert signed_up["traits"] == {"email": "x@y.z"}
            assert signed_up["timestamp"] and signed_up["messageId"]
            assert exported["userId"] == "u2" and exported["properties"] == {}
            assert (alias["type"], alias["userId"], alias["previousId"]) == (
                "alias", "new-id", "old-id")
            assert (group["type"], group["groupId"], group["traits"]) == (
                "group", "acme", {"name": "Acme"})
            assert {m["sdk"] for m in cio_events.messages} == {"posthog"}
            cio_events.assert_tracked("Signed Up", user_id="u1", properties={"plan": "pro"})

        def test_only_the_submit_event_seam(cio_events):
            from posthog.client import Client
            # posthog 7 has both targets; ``_enqueue`` patched too would capture twice
            assert hasattr(Client._submit_event, "__cio_lint_original__")
            assert not hasattr(Client._enqueue, "__cio_lint_original__")

        def test_before_send_still_runs(cio_events):
            client = Posthog("phc_other", host="http://127.0.0.1:9",
                             before_send=lambda m: None if m["event"] == "Drop" else m)
            client.capture("Drop", distinct_id="u1")
            client.capture("Report Exported", distinct_id="u1")
            assert [m["event"] for m in cio_events.messages] == ["Report Exported"]
        """
    )
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_runtime_validation_reports_a_bad_event(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import posthog

        def test_bad(cio_events):
            posthog.capture("Signed Up", distinct_id="u1", properties={"plan": "gold"})

        def test_good_without_identify(cio_events):
            # PostHog makes the person from the event: no runtime CIO003
            posthog.capture("Signed Up", distinct_id="u1", properties={"plan": "pro"})
        """
    )
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["  CIO006 Property `plan` of `Signed Up`: 'gold' is not one of *"])
    assert "CIO003" not in result.stdout.str()


def test_coverage_counts_posthog_events(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import posthog

        def test_signed_up(cio_events):
            posthog.capture("Signed Up", distinct_id="u1", properties={"plan": "pro"})
        """
    )
    result = project.runpytest("-p", "no:cacheprovider", "--cio-coverage")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "1 of 2 planned events of tracking_plan were not emitted by any test:",
            "  Report Exported",
        ]
    )
