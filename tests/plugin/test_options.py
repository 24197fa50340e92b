"""Registration: the pytest11 entry point, the option group, ini keys and the marker."""

from __future__ import annotations

import importlib.metadata

import pytest


def test_registered_through_the_pytest11_entry_point() -> None:
    points = importlib.metadata.entry_points(group="pytest11")
    assert any(p.name == "cio_lint" and p.value == "cio_lint.pytest_plugin" for p in points)


def test_help_shows_one_option_group_and_the_ini_keys(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        [
            "cio-lint: analytics calls against the tracking plan:",
            "  --cio-plan=PATH*",
            "  --cio-coverage*",
        ]
    )
    result.stdout.fnmatch_lines(["  cio_plan (string):*", "  cio_coverage (bool):*"])


def test_marker_is_registered_with_its_signature(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.cio_lint(validate=True): *"])


def test_fixture_is_listed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest("--fixtures")
    result.stdout.fnmatch_lines(["cio_events*", "*Capture every analytics SDK message*"])
