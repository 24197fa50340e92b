"""What the docs promise, run: docs/testing.md's complete example passes as written, and fails
as it says when the code sends a value the plan forbids; the Action installs its own checkout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
_BLOCK = re.compile(r"```(?:python|yaml)\n# (\S+)\n(.*?)```", re.DOTALL)


def _example_files() -> dict[str, str]:
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    section = text.split("## A complete example", 1)[1].split("\n## ", 1)[0]
    return {name: body for name, body in _BLOCK.findall(section)}


def _project(pytester: pytest.Pytester, files: dict[str, str]) -> None:
    for name, body in files.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    (pytester.path / "app" / "__init__.py").write_text("", encoding="utf-8")


def test_the_complete_example_of_testing_md_passes(pytester: pytest.Pytester) -> None:
    files = _example_files()
    assert set(files) == {"app/signup.py", "tracking_plan/plan.yaml", "tests/test_signup.py"}
    _project(pytester, files)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "tests/test_signup.py")
    result.assert_outcomes(passed=1)


def test_the_complete_example_fails_as_the_docs_say(pytester: pytest.Pytester) -> None:
    files = _example_files()
    files["tests/test_signup.py"] = (
        files["tests/test_signup.py"]
        .replace('sign_up(user, "pro")', 'sign_up(user, "gold")')
        .replace('properties={"plan": "pro"}', 'properties={"plan": "gold"}')
    )
    _project(pytester, files)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "tests/test_signup.py")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*CIO006 Property `plan` of `Signed Up`: 'gold' is not one of*"])


def test_the_action_installs_its_own_checkout_unless_a_version_is_given() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    (step,) = [s for s in action["runs"]["steps"] if s.get("name") == "Install cio-lint"]
    assert step["env"]["CIO_LINT_ACTION_PATH"] == "${{ github.action_path }}"
    script = step["run"]
    assert 'pip install --disable-pip-version-check "$CIO_LINT_ACTION_PATH"' in script
    # PyPI only when a version is asked for: a bare `pip install cio-lint` would ignore the tag
    assert re.search(r"pip install[^\n]*\bcio-lint\s*$", script, re.MULTILINE) is None


def test_the_license_the_metadata_names_is_shipped() -> None:
    meta = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'license = "MIT"' in meta
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
