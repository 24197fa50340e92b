"""``cio_events`` captures Mixpanel (mixpanel 5) at its consumers' ``send``: ``Consumer``,
``BufferedConsumer`` (flushed or not), ``alias``'s own ``Consumer()``, any thread; normalised to
the Segment shape, validated and counted like the others."""

from __future__ import annotations

import pytest
from conftest import CAPTURE_PLAN

PLAN = CAPTURE_PLAN


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    (pytester.mkdir("tracking_plan") / "plan.yaml").write_text(PLAN, encoding="utf-8")
    return pytester


def test_consumers_and_threads(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import threading

        import pytest
        from mixpanel import BufferedConsumer, Consumer, Mixpanel

        pytestmark = pytest.mark.cio_lint(ignore=["CIO003"])

        def test_shapes(cio_events):
            mp = Mixpanel("token")
            mp.people_set("u1", {"email": "a@b.c"})
            mp.track("u1", "Signed Up", {"plan": "pro"})
            thread = threading.Thread(target=mp.track, args=("u2", "Report Exported"))
            thread.start()
            thread.join()
            mp.alias("new-id", "old-id")
            mp.people_increment("u1", {"logins": 1})
            identify, signed_up, exported, alias, other = cio_events.messages
            assert (identify["type"], identify["userId"], identify["traits"]) == (
                "identify", "u1", {"email": "a@b.c"})
            assert (signed_up["type"], signed_up["userId"], signed_up["event"]) == (
                "track", "u1", "Signed Up")
            assert signed_up["properties"] == {"plan": "pro"}
            assert signed_up["timestamp"] and signed_up["messageId"]
            assert exported["userId"] == "u2" and exported["properties"] == {}
            assert (alias["type"], alias["userId"], alias["previousId"]) == (
                "alias", "new-id", "old-id")
            assert other["type"] == "people:$add" and other["userId"] == "u1"
            assert {m["sdk"] for m in cio_events.messages} == {"mixpanel"}
            cio_events.assert_identified("u1")

        def test_buffered_consumer_once(cio_events):
            consumer = BufferedConsumer(max_size=2)
            mp = Mixpanel("token", consumer=consumer)
            for n in range(3):
                mp.track(f"u{n}", "Report Exported")
            consumer.flush()
            assert [m["userId"] for m in cio_events.tracks()] == ["u0", "u1", "u2"]
            assert cio_events.dropped == []

        def test_a_consumer_used_directly(cio_events):
            Consumer().send("events", '{"event": "Report Exported", '
                            '"properties": {"distinct_id": "u9", "token": "t"}}')
            assert cio_events.tracks()[0]["userId"] == "u9"
        """
    )
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_runtime_validation_reports_a_bad_event(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        from mixpanel import Mixpanel

        def test_bad(cio_events):
            mp = Mixpanel("token")
            mp.people_set("u1", {"email": "a@b.c"})
            mp.track("u1", "Signed Up", {"plan": "gold"})

        def test_track_before_identify(cio_events):
            Mixpanel("token").track("u2", "Signed Up", {"plan": "pro"})
        """
    )
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["  CIO006 Property `plan` of `Signed Up`: 'gold' is not one of *"])
    result.stdout.fnmatch_lines(["  CIO003 Track of `Signed Up` for user `u2` before *"])


def test_coverage_counts_mixpanel_events(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        from mixpanel import BufferedConsumer, Mixpanel

        def test_signed_up(cio_events):
            mp = Mixpanel("token")
            mp.people_set("u1", {"email": "a@b.c"})
            mp.track("u1", "Signed Up", {"plan": "pro"})

        def test_watched_without_the_fixture():
            # --cio-coverage watches without interfering: buffered, never flushed (no network)
            consumer = BufferedConsumer(max_size=50)
            Mixpanel("token", consumer=consumer).track("u2", "Report Exported")
            assert len(consumer._buffers["events"]) == 1
        """
    )
    result = project.runpytest("-p", "no:cacheprovider", "--cio-coverage")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        ["*- cio-lint coverage -*", "all 2 planned events of tracking_plan were emitted*"]
    )
