"""Captured messages are validated against the tracking plan with the static rules' codes."""

from __future__ import annotations

import os

import pytest

from cio_lint.capture.validate import to_callsite, validate
from cio_lint.model import DictVal, Known


def test_valid_calls_pass(planned_project: pytest.Pytester) -> None:
    planned_project.makepyfile(
        """
        import customerio.analytics as cdp
        from customerio import CustomerIO

        def test_sign_up(cio_events):
            cdp.identify("u1", {"email": "a@b.c", "plan": "pro"})
            cdp.track("u1", "Signed Up", {"plan": "pro", "referrer": None})
            cdp.track("u1", "Order Completed", {"order_id": "o1", "total": 12.5})
            cdp.track(anonymous_id="a1", event="Report Exported", properties={"format": "pdf"})

        def test_classic(cio_events):
            cio = CustomerIO("site", "key")
            cio.identify("u1", email="a@b.c")
            cio.track("u1", "Signed Up", {"plan": "free"})
            cio.track_anonymous("a1", "Report Exported", {"format": "csv"})
        """
    )
    planned_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_violations_fail_the_test_one_line_each(planned_project: pytest.Pytester) -> None:
    planned_project.makepyfile(
        """
        import threading

        import segment.analytics as segment
        from customerio import CustomerIO

        def test_checkout(cio_events):
            segment.identify("u1", {"email": "a@b.c", "favourite": "x"})
            segment.track("u1", "Signed Up", {"plan": "gold", "extra": 1})
            thread = threading.Thread(
                target=segment.track, args=("u1", "Order Completed", {"order_id": "o1"}))
            thread.start()
            thread.join()
            segment.track("u1", "Orders Completed", {})
            cio = CustomerIO("site", "key")
            cio.identify("u1", email="a@b.c")
            cio.track("u1", "Signed Up", {"plan": "pro", "extra": 2})
        """
    )
    result = planned_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    f = "test_violations_fail_the_test_one_line_each.py"
    result.stdout.fnmatch_lines(
        [
            (
                "cio-lint: 5 tracking plan violations in the analytics calls of this test "
                "(plan: tracking_plan):"
            ),
            # each names the line that sent the message (none: sent from a thread of its own)
            f"  CIO008 Trait `favourite` *  (identify, user `u1`) at {f}:7",
            (
                "  CIO004 Property `extra` *`Signed Up`*  (track `Signed Up`, user `u1`) x2"
                f" at {f}:8, {f}:16"
            ),
            (
                "  CIO006 Property `plan` of `Signed Up`: 'gold' is not one of *"
                f"(track `Signed Up`, user `u1`) at {f}:8"
            ),
            "  CIO005 *`total`*`Order Completed`*  (track `Order Completed`, user `u1`)",
            f"  CIO001 Event `Orders Completed` is not in the tracking plan* at {f}:13",
            "Fix the calls or the plan, or opt out with @pytest.mark.cio_lint(validate=False).",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_runtime_track_before_identify(planned_project: pytest.Pytester) -> None:
    planned_project.makepyfile(
        """
        import customerio.analytics as cdp
        from customerio import CustomerIO

        def test_track_first(cio_events):
            cdp.track("u1", "Signed Up", {"plan": "pro"})
            cdp.track("u1", "Signed Up", {"plan": "free"})
            cdp.identify("u1", {"email": "a@b.c"})

        def test_classic_track_first(cio_events):
            CustomerIO("site", "key").track(42, "Signed Up", {"plan": "pro"})

        def test_identified_first(cio_events):
            cdp.identify("u1", {"email": "a@b.c"})
            cdp.track("u1", "Signed Up", {"plan": "pro"})

        def test_anonymous_tracks_are_exempt(cio_events):
            cdp.track(anonymous_id="a1", event="Signed Up", properties={"plan": "pro"})
            CustomerIO("site", "key").track_anonymous("a2", "Signed Up", {"plan": "pro"})
        """
    )
    result = planned_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "cio-lint: 1 tracking plan violation in the analytics calls of this test *",
            (
                "  CIO003 Track of `Signed Up` for user `u1` before any identify of `u1` in this "
                "test  (track `Signed Up`, user `u1`) at test_runtime_track_before_identify.py:5"
            ),
        ]
    )
    result.stdout.fnmatch_lines(["  CIO003 Track of `Signed Up` for user `42` before *"])


def test_case_variant_properties_are_checked_against_the_planned_event(
    planned_project: pytest.Pytester,
) -> None:
    """CIO002 names the planned event; its schema still applies (docs/rules.md, CIO002)."""
    planned_project.makepyfile(
        """
        import customerio.analytics as cdp

        def test_sign_up(cio_events):
            cdp.identify("u1", {"email": "a@b.c"})
            cdp.track("u1", "signed_up", {"plan": "gold", "extra": 1})
        """
    )
    result = planned_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "cio-lint: 3 tracking plan violations in the analytics calls of this test *",
            "  CIO002 Event `signed_up` differs from planned `Signed Up` *",
            "  CIO004 Property `extra` is not in the schema of `Signed Up`*",
            "  CIO006 Property `plan` of `Signed Up`: 'gold' is not one of *",
        ]
    )


def test_marker_opts_out(planned_project: pytest.Pytester) -> None:
    planned_project.makepyfile(
        """
        import pytest
        import customerio.analytics as cdp

        pytestmark = pytest.mark.cio_lint(validate=False)

        def test_module_opt_out(cio_events):
            cdp.track("u1", "Nope", {})

        @pytest.mark.cio_lint(validate=True)
        def test_closest_marker_wins(cio_events):
            cdp.track("u1", "Nope", {})

        @pytest.mark.cio_lint(ignore=["CIO003"])
        def test_ignore_codes(cio_events):
            cdp.track("u1", "Signed Up", {"plan": "pro"})

        @pytest.mark.cio_lint(ignore="CIO0")
        def test_ignore_prefix(cio_events):
            cdp.track("u1", "Nope", {})

        @pytest.mark.cio_lint(valid=False)
        def test_typo_is_reported(cio_events):
            cdp.track("u1", "Nope", {})
        """
    )
    result = planned_project.runpytest("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*test_closest_marker_wins*",
            "*CIO001 Event `Nope` is not in the tracking plan*",
            "*cio_lint marker: unexpected arguments*valid*",
        ]
    )


def test_warnings_do_not_fail_the_test(planned_project: pytest.Pytester) -> None:
    planned_project.makepyfile(
        """
        import customerio.analytics as cdp

        def test_deprecated(cio_events):
            cdp.identify("u1", {"email": "a@b.c"})
            cdp.track("u1", "Trial Extended", {})
        """
    )
    result = planned_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        ["*CioLintWarning: CIO012 Event `Trial Extended` is deprecated*(track `Trial Extended`*"]
    )


def test_a_failing_test_is_not_validated(planned_project: pytest.Pytester) -> None:
    planned_project.makepyfile(
        """
        import customerio.analytics as cdp

        def test_fails(cio_events):
            cdp.track("u1", "Nope", {})
            assert False, "the test's own failure"
        """
    )
    result = planned_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    assert "CIO001" not in result.stdout.str()


def test_calls_in_fixture_teardown_are_validated_at_teardown(
    planned_project: pytest.Pytester,
) -> None:
    planned_project.makepyfile(
        """
        import pytest
        import customerio.analytics as cdp

        @pytest.fixture
        def emits_on_teardown(cio_events):
            yield
            cdp.track(anonymous_id="a1", event="Session Ended", properties={})

        def test_body_is_fine(emits_on_teardown, cio_events):
            cdp.track(anonymous_id="a1", event="Report Exported", properties={"format": "pdf"})
        """
    )
    result = planned_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            (
                "*CIO001 Event `Session Ended` is not in the tracking plan*"
                " at test_calls_in_fixture_teardown_are_validated_at_teardown.py:7"
            )
        ]
    )


def test_a_violation_names_the_project_line_that_sent_it_and_the_test_line(
    planned_project: pytest.Pytester,
) -> None:
    """Through the project's own wrapper: its line, then the test's (SDK frames skipped)."""
    planned_project.mkpydir("shop")
    (planned_project.path / "shop" / "events.py").write_text(
        "import customerio.analytics as cdp\n"
        "\n"
        "\n"
        "def order_done(user_id, order_id):\n"
        "    cdp.track(user_id, 'Order Completed', {'order_id': order_id})\n",
        encoding="utf-8",
    )
    planned_project.makepyfile(
        test_shop="""
        from shop.events import order_done
        import customerio.analytics as cdp

        def test_checkout(cio_events):
            cdp.identify("u1", {"email": "a@b.c"})
            order_done("u1", "o1")
        """
    )
    result = planned_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            (
                "  CIO005 *`total`*`Order Completed`*  (track `Order Completed`, user `u1`)"
                f" at {os.path.join('shop', 'events.py')}:5, called from test_shop.py:6"
            )
        ]
    )


def test_no_plan_means_no_validation(sdk_project: pytest.Pytester) -> None:
    sdk_project.makepyfile(
        """
        import customerio.analytics as cdp

        def test_anything_goes(cio_events):
            cdp.track("u1", "Whatever", {"x": 1})
        """
    )
    sdk_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_plan_option_and_ini(sdk_project: pytest.Pytester) -> None:
    from .conftest import PLAN_YAML

    plans = sdk_project.mkdir("plans")
    (plans / "plan.yaml").write_text(PLAN_YAML, encoding="utf-8")
    sdk_project.makepyfile(
        """
        import customerio.analytics as cdp

        def test_unknown(cio_events):
            cdp.track(anonymous_id="a1", event="Nope", properties={})
        """
    )
    result = sdk_project.runpytest("-p", "no:cacheprovider", "--cio-plan", "plans")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*(plan: plans):", "*CIO001 Event `Nope`*"])

    sdk_project.makeini("[pytest]\ncio_plan = plans\n")
    result = sdk_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)

    result = sdk_project.runpytest("-p", "no:cacheprovider", "--cio-plan", "missing")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*cio-lint: --cio-plan *missing does not exist*"])


def test_broken_plan_is_a_clear_error(sdk_project: pytest.Pytester) -> None:
    plan = sdk_project.mkdir("tracking_plan")
    (plan / "plan.yaml").write_text(
        "version: 1\nevents:\n  Signed Up:\n    properties:\n      plan: {type: numbr}\n",
        encoding="utf-8",
    )
    sdk_project.makepyfile(
        """
        import customerio.analytics as cdp

        def test_one(cio_events):
            cdp.track(anonymous_id="a1", event="Signed Up", properties={})

        def test_two(cio_events):
            cdp.track(anonymous_id="a1", event="Signed Up", properties={})
        """
    )
    result = sdk_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            (
                "cio-lint: cannot validate the captured analytics calls: the tracking plan could "
                "not be loaded (@pytest.mark.cio_lint(validate=False) to skip)"
            ),
            "*plan.yaml*numbr*",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert "loader.py" not in result.stdout.str()
    assert "During handling" not in result.stdout.str()


def test_messages_become_runtime_callsites() -> None:
    call = to_callsite(
        {
            "type": "track",
            "userId": "u1",
            "anonymousId": None,
            "event": "Signed Up",
            "properties": {"plan": "pro", "tags": ["a"]},
            "sdk": "segment",
        },
        "tests/test_x.py::test_y",
    )
    assert call is not None
    assert call.runtime and call.kind == "track" and call.sdk == "segment-family"
    assert call.loc.path == "tests/test_x.py::test_y" and call.loc.line == 0
    assert isinstance(call.user_id, Known) and call.user_id.value == "u1"
    assert call.anonymous_id is None
    assert isinstance(call.event, Known) and call.event.value == "Signed Up"
    assert isinstance(call.properties, DictVal) and not call.properties.open
    assert call.properties.to_python() == {"plan": "pro", "tags": ["a"]}

    identify = to_callsite(
        {
            "type": "identify",
            "userId": "u1",
            "traits": {"email": "a@b.c"},
            "sdk": "customerio-classic",
        }
    )
    assert identify is not None and identify.sdk == "customerio-classic"
    assert identify.loc.path == "<runtime>" and identify.event is None
    assert isinstance(identify.properties, DictVal)
    assert identify.properties.to_python() == {"email": "a@b.c"}
    assert to_callsite({"type": "transactional", "userId": "u1"}) is None


def test_validate_with_a_stand_in_rule() -> None:
    """``validate`` only needs ``check_call(call, plan)``; identical findings are merged."""
    from cio_lint.model import Finding

    def check_call(call, plan):  # type: ignore[no-untyped-def]
        if call.event is not None and call.event.value == "Bad":
            yield Finding(
                "CIO001",
                "unknown-event",
                "error",
                "Event `Bad` is not planned",
                call.loc.path,
                0,
                0,
                0,
                0,
            )

    messages = [
        {"type": "track", "userId": "u1", "event": "Bad", "properties": {}},
        {"type": "track", "userId": "u1", "event": "Bad", "properties": {}},
        {"type": "identify", "userId": "u2", "traits": {}},
        {"type": "track", "userId": "u2", "event": "Good", "properties": {}},
    ]
    found = validate(messages, plan=None, path="t.py::x", check_call=check_call)
    assert [v.render() for v in found] == [
        "CIO001 Event `Bad` is not planned  (track `Bad`, user `u1`) x2",
        (
            "CIO003 Track of `Bad` for user `u1` before any identify of `u1` in this test  "
            "(track `Bad`, user `u1`)"
        ),
    ]
    assert validate(messages, None, check_call=check_call, ignore=["cio001", "CIO003"]) == []
