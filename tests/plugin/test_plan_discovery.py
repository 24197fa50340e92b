"""Where the plugin finds the plan: ``plan`` in ``[tool.cio-lint]`` as the command does, then
``tracking_plan/``; with none, the test says its messages were not validated."""

from __future__ import annotations

import pytest

from .conftest import PLAN_YAML

BAD_TEST = """
import customerio.analytics as cdp

def test_sign_up(cio_events):
    cdp.identify("u1", {"email": "a@b.c"})
    cdp.track("u1", "Signed Up", {"plan": "gold"})
"""


def test_plan_in_the_configuration_is_used(sdk_project: pytest.Pytester) -> None:
    (sdk_project.mkdir("schemas") / "plan.yaml").write_text(PLAN_YAML, encoding="utf-8")
    sdk_project.makepyprojecttoml('[tool.cio-lint]\nplan = "schemas"\n')
    sdk_project.makepyfile(BAD_TEST)
    result = sdk_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*CIO006 Property `plan` of `Signed Up`: 'gold' is not one of*"])


def test_a_configured_plan_that_does_not_exist_is_a_usage_error(
    sdk_project: pytest.Pytester,
) -> None:
    sdk_project.makepyprojecttoml('[tool.cio-lint]\nplan = "nowhere"\n')
    sdk_project.makepyfile(BAD_TEST)
    result = sdk_project.runpytest("-p", "no:cacheprovider")
    assert result.ret != 0  # the test errors: its messages cannot be validated
    result.stdout.fnmatch_lines(["*cio-lint: `plan` *nowhere does not exist*"])


def test_no_plan_is_said_not_silent(sdk_project: pytest.Pytester) -> None:
    sdk_project.makepyfile(BAD_TEST)
    result = sdk_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        ["*cio-lint: 2 captured analytics messages not validated: no tracking plan found*"]
    )


def test_plan_false_in_the_configuration_means_no_plan(sdk_project: pytest.Pytester) -> None:
    """`plan = false` (issue 14): the `tracking_plan/` folder next to it is not used."""
    (sdk_project.mkdir("tracking_plan") / "plan.yaml").write_text(PLAN_YAML, encoding="utf-8")
    sdk_project.makepyprojecttoml("[tool.cio-lint]\nplan = false\n")
    sdk_project.makepyfile(BAD_TEST)
    result = sdk_project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        ["*cio-lint: 2 captured analytics messages not validated: no tracking plan found*"]
    )
