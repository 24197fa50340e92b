"""The assertion helpers: what passes, what fails, and what the failure says."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cio_lint.capture import ANY, EventRecorder


@pytest.fixture
def events() -> Iterator[EventRecorder]:
    import segment.analytics

    client = segment.analytics.Client("key", send=False)
    with EventRecorder() as recorder:
        client.track("u1", "Signed Up", {"plan": "pro"})
        client.identify("u1", {"email": "a@b.c"})
        client.track("u1", "Order Completed", {"order_id": "o1", "total": 9.99})
        client.track(anonymous_id="anon-1", event="Report Exported", properties={"format": "csv"})
        client.track("u2", "Order Completed", {"order_id": "o2", "total": 20})
    yield recorder


def failure(func: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(AssertionError) as info:
        func(*args, **kwargs)  # type: ignore[operator]
    return str(info.value)


def test_queries(events: EventRecorder) -> None:
    assert len(events.messages) == 5
    assert [m["event"] for m in events.tracks()] == [
        "Signed Up",
        "Order Completed",
        "Report Exported",
        "Order Completed",
    ]
    assert len(events.tracks("Order Completed")) == 2
    assert events.tracks("Nope") == []
    assert [m["userId"] for m in events.identifies()] == ["u1"]
    assert events.identifies("u2") == []
    assert events.events == ["Signed Up", "Order Completed", "Report Exported", "Order Completed"]
    events.clear()
    assert events.messages == []


def test_headline_and_captured_listing_match_the_house_style() -> None:
    import segment.analytics

    client = segment.analytics.Client("key", send=False)
    with EventRecorder() as events:
        client.track("u1", "Signed Up", {"plan": "pro"})
        client.identify("u1", {"email": "a@b.c"})
    assert failure(events.assert_tracked, "Order Completed", user_id="u1") == (
        "Expected a track of `Order Completed` for user `u1`, but none was captured.\n"
        "Captured:\n"
        '  track    `Signed Up`  user=u1  {"plan": "pro"}\n'
        '  identify u1           {"email": "a@b.c"}'
    )


def test_assert_tracked_passes(events: EventRecorder) -> None:
    assert len(events.assert_tracked("Order Completed")) == 2
    (match,) = events.assert_tracked("Order Completed", user_id="u1", properties={"total": 9.99})
    assert match["properties"]["order_id"] == "o1"
    events.assert_tracked("Order Completed", properties={"order_id": "o2", "total": 20}, exact=True)
    events.assert_tracked("Order Completed", properties={"order_id": ANY}, times=2)
    events.assert_tracked("Order Completed", user_id="u1", times=1)
    events.assert_tracked("Report Exported", user_id=None, anonymous_id="anon-1")
    events.assert_tracked("Nope", times=0)


def test_assert_tracked_shows_the_closest_candidate_and_a_diff(events: EventRecorder) -> None:
    text = failure(
        events.assert_tracked,
        "Order Completed",
        user_id="u1",
        properties={"total": 10, "currency": "USD"},
    )
    assert text.splitlines()[0] == (
        "Expected a track of `Order Completed` for user `u1` with properties "
        '{"total": 10, "currency": "USD"}, but none of the 2 captured `Order Completed` '
        "tracks match."
    )
    assert "Captured:\n  track    `Signed Up`" in text
    closest = text.split("Closest captured:\n", 1)[1]
    assert closest.splitlines() == [
        '  track    `Order Completed`  user=u1  {"order_id": "o1", "total": 9.99}',
        "Differences:",
        "  properties['total']: expected 10, got 9.99",
        "  properties['currency']: expected 'USD', but it is missing",
    ]


def test_assert_tracked_exact_reports_unexpected_properties(events: EventRecorder) -> None:
    text = failure(events.assert_tracked, "Signed Up", properties={}, exact=True)
    assert "with exactly the properties {}" in text
    assert "  properties['plan']: not expected (exact=True), got 'pro'" in text


def test_assert_tracked_wrong_user(events: EventRecorder) -> None:
    text = failure(events.assert_tracked, "Signed Up", user_id="u9")
    assert text.startswith(
        "Expected a track of `Signed Up` for user `u9`, but the captured `Signed Up` "
        "track does not match."
    )
    assert "  user_id: expected 'u9', got 'u1'" in text


def test_assert_tracked_times(events: EventRecorder) -> None:
    text = failure(events.assert_tracked, "Order Completed", times=3)
    assert text.splitlines()[0] == (
        "Expected a track of `Order Completed` 3 times, but 2 matching tracks were captured."
    )
    text = failure(events.assert_tracked, "Order Completed", user_id="u2", times=0)
    assert text.splitlines()[0] == (
        "Expected a track of `Order Completed` for user `u2` 0 times, "
        "but 1 matching track was captured."
    )


def test_assert_tracked_suggests_a_captured_name(events: EventRecorder) -> None:
    text = failure(events.assert_tracked, "Order Complete")
    assert text.endswith("Did you mean `Order Completed`? It was captured.")
    text = failure(events.assert_tracked, "signed up")
    assert text.endswith("Did you mean `Signed Up`? It was captured.")


def test_nothing_captured_says_so() -> None:
    text = failure(EventRecorder().assert_tracked, "Signed Up")
    assert text.splitlines()[1].startswith("Captured: nothing.")


def test_assert_not_tracked(events: EventRecorder) -> None:
    events.assert_not_tracked("Trial Extended")
    events.assert_not_tracked("Signed Up", user_id="u2")
    text = failure(events.assert_not_tracked, "Order Completed")
    lines = text.splitlines()
    assert lines[0] == "Expected no track of `Order Completed`, but 2 were captured:"
    assert lines[1].startswith("  track    `Order Completed`  user=u1")
    assert lines[2].startswith("  track    `Order Completed`  user=u2")
    assert "Captured:" in lines


def test_assert_identified(events: EventRecorder) -> None:
    (match,) = events.assert_identified("u1")
    assert match["traits"] == {"email": "a@b.c"}
    events.assert_identified("u1", {"email": "a@b.c"})
    events.assert_identified("u1", {"email": ANY}, exact=True)
    text = failure(events.assert_identified, "u2")
    assert text.splitlines()[0] == "Expected an identify of `u2`, but none was captured."
    text = failure(events.assert_identified, "u1", {"email": "x@y.z", "plan": "pro"})
    assert text.splitlines()[0] == (
        'Expected an identify of `u1` with traits {"email": "x@y.z", "plan": "pro"}, '
        "but the captured identify of `u1` does not match."
    )
    assert text.splitlines()[-2:] == [
        "  traits['email']: expected 'x@y.z', got 'a@b.c'",
        "  traits['plan']: expected 'pro', but it is missing",
    ]


def test_assert_sequence(events: EventRecorder) -> None:
    events.assert_sequence(["Signed Up", "Order Completed"])
    events.assert_sequence(["Signed Up", "Report Exported", "Order Completed"])
    events.assert_sequence([])
    events.assert_sequence(
        ["Signed Up", "Order Completed", "Report Exported", "Order Completed"], exact=True
    )
    text = failure(events.assert_sequence, ["Report Exported", "Signed Up"])
    assert text.splitlines()[0] == (
        "Expected tracks in this order: `Report Exported` -> `Signed Up`, but "
        "`Report Exported` matched, then `Signed Up` was only captured before "
        "`Report Exported`."
    )
    text = failure(events.assert_sequence, ["Signed Up", "Trial Started"])
    assert text.splitlines()[0] == (
        "Expected tracks in this order: `Signed Up` -> `Trial Started`, but `Signed Up` "
        "matched, then `Trial Started` was not captured."
    )
    text = failure(events.assert_sequence, ["Signed Up"], exact=True)
    assert text.splitlines()[0] == (
        "Expected exactly these tracks, in order: `Signed Up`, but captured: `Signed Up` -> "
        "`Order Completed` -> `Report Exported` -> `Order Completed`."
    )


def test_failures_in_a_test_run_hide_the_helper_frames(sdk_project: pytest.Pytester) -> None:
    sdk_project.makepyfile(
        """
        import customerio.analytics as cdp

        def test_missing_event(cio_events):
            cdp.track("u1", "Signed Up", {"plan": "pro"})
            cdp.identify("u1", {"email": "a@b.c"})
            cio_events.assert_tracked("Order Completed", user_id="u1")
        """
    )
    result = sdk_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E * Expected a track of `Order Completed` for user `u1`, but none was captured.",
            "E * Captured:",
            'E * track    `Signed Up`  user=u1  {"plan": "pro"}',
            'E * identify u1           {"email": "a@b.c"}',
        ]
    )
    assert "recorder.py" not in result.stdout.str()
