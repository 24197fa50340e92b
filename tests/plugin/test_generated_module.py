"""A module ``cio-lint plan generate`` wrote, used by an app's tests (issue 16 item 3): its
calls are captured by ``cio_events`` and validated against the same plan at teardown."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.fixture
def generated(planned_project: pytest.Pytester) -> pytest.Pytester:
    planned_project.mkpydir("app")
    done = subprocess.run(
        [sys.executable, "-m", "cio_lint", "plan", "generate", "--sdk", "customerio"]
        + ["-o", os.path.join("app", "events.py")],
        cwd=planned_project.path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return planned_project


def test_generated_calls_are_captured_and_pass_the_plan(generated: pytest.Pytester) -> None:
    generated.makepyfile(
        test_signup="""
        from customerio.analytics import Client

        from app import events

        def test_sign_up(cio_events):
            client = Client(write_key="k")
            events.identify(client, "u1", email="a@b.c")
            events.track_signed_up(client, "u1", plan="pro")
            events.track_order_completed(client, "u1", order_id="o1", total=12.5)
            client.flush()
            cio_events.assert_tracked("Signed Up", user_id="u1", properties={"plan": "pro"})
            assert cio_events.events == ["Signed Up", "Order Completed"]
            # an optional property left out is not sent
            assert "referrer" not in cio_events.tracks("Signed Up")[0]["properties"]
        """
    )
    generated.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_value_the_types_would_refuse_fails_at_teardown_naming_both_lines(
    generated: pytest.Pytester,
) -> None:
    generated.makepyfile(
        test_signup="""
        from customerio.analytics import Client

        from app import events

        def test_sign_up(cio_events):
            client = Client(write_key="k")
            events.identify(client, "u1", email="a@b.c")
            events.track_signed_up(client, "u1", plan="gold")  # type: ignore[arg-type]
        """
    )
    result = generated.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    source = (generated.path / "app" / "events.py").read_text().splitlines()
    sent = next(
        i for i, line in enumerate(source, 1) if 'client.track(user_id, "Signed Up"' in line
    )
    result.stdout.fnmatch_lines(
        [
            (
                "  CIO006 Property `plan` of `Signed Up`: 'gold' is not one of *"
                f"at {os.path.join('app', 'events.py')}:{sent}, called from test_signup.py:8"
            )
        ]
    )
