"""``--cio-coverage``: planned events no test emitted, merged across pytest-xdist workers."""

from __future__ import annotations

import pytest

TESTS = """
import pytest
import customerio.analytics as cdp
import segment.analytics

def test_signed_up(cio_events):
    cdp.track(anonymous_id="a1", event="Signed Up", properties={"plan": "pro"})

def test_watched_without_the_fixture():
    # Not captured by a fixture, but --cio-coverage watches (without interfering).
    client = segment.analytics.Client("key", send=False)
    ok, message = client.track(anonymous_id="a2", event="Order Completed",
                               properties={"order_id": "o1", "total": 1})
    assert ok and message["event"] == "Order Completed"

@pytest.mark.parametrize("n", range(6))
def test_filler(n, cio_events):
    cdp.identify(f"u{n}", {"email": "a@b.c"})
"""


def test_coverage_lists_planned_events_no_test_emitted(planned_project: pytest.Pytester) -> None:
    planned_project.makepyfile(TESTS)
    result = planned_project.runpytest("-p", "no:cacheprovider", "--cio-coverage")
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(
        [
            "*- cio-lint coverage -*",
            "1 of 3 planned events of tracking_plan were not emitted by any test:",
            "  Report Exported",
        ]
    )
    assert "Trial Extended" not in result.stdout.str()  # deprecated: not expected


def test_coverage_merges_xdist_workers(planned_project: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    planned_project.makepyfile(
        test_one=TESTS,
        test_two="""
import customerio.analytics as cdp

def test_report(cio_events):
    cdp.track(anonymous_id="a3", event="Report Exported", properties={"format": "csv"})
""",
    )
    result = planned_project.runpytest(
        "-p", "no:cacheprovider", "-n", "2", "--dist", "loadfile", "-v", "--cio-coverage"
    )
    result.assert_outcomes(passed=9)
    out = result.stdout.str()
    # Each file ran on its own worker: only the merge can know all three events.
    assert "[gw0]" in out and "[gw1]" in out
    result.stdout.fnmatch_lines(
        ["*- cio-lint coverage -*", "all 3 planned events of tracking_plan were emitted by tests"]
    )


def test_coverage_under_xdist_reports_the_missing_ones(planned_project: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    planned_project.makepyfile(TESTS)
    result = planned_project.runpytest("-p", "no:cacheprovider", "-n", "2", "--cio-coverage")
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(
        [
            "1 of 3 planned events of tracking_plan were not emitted by any test:",
            "  Report Exported",
        ]
    )


def test_coverage_from_ini_and_without_a_plan(sdk_project: pytest.Pytester) -> None:
    sdk_project.makeini("[pytest]\ncio_coverage = true\n")
    sdk_project.makepyfile("def test_nothing():\n    pass\n")
    result = sdk_project.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        ["*- cio-lint coverage -*", "no tracking plan found (looked for tracking_plan/ from *"]
    )


def test_no_coverage_section_by_default(planned_project: pytest.Pytester) -> None:
    planned_project.makepyfile(TESTS)
    result = planned_project.runpytest("-p", "no:cacheprovider")
    assert "cio-lint coverage" not in result.stdout.str()
