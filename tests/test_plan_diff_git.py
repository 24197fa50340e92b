"""`cio-lint plan diff --base GIT_REF`: the committed plan read from git, in a temporary
repository (no checkout, nothing written in it); bad refs and paths are one-line errors."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from plan_diff_cases import BASE, OC, SU, as_json, make_project, run, write_plan


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_project(tmp_path, monkeypatch)


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True, timeout=30
    )
    return done.stdout


@pytest.fixture
def repo(project: Path) -> Path:
    _git(project, "init", "-q", "-b", "main")
    _git(project, "config", "user.email", "t@example.com")
    _git(project, "config", "user.name", "T")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "base")
    return project


def test_base_head_compares_the_committed_plan(repo: Path) -> None:
    data = copy.deepcopy(BASE)
    del data["events"][SU]
    write_plan(repo / "tracking_plan", data)
    before = _git(repo, "status", "--porcelain")
    code, out, err = run("plan", "diff", "--base", "HEAD", "--format", "json")
    assert code == 1, err
    result = as_json(out)
    assert result["old"] == "HEAD:tracking_plan" and result["new"] == "tracking_plan"
    (change,) = result["changes"]
    assert change["kind"] == "event-removed"
    assert change["old_location"].startswith("HEAD:tracking_plan/plan.yaml:")
    assert change["sites"] == ["app/shop.py:4", "app/shop.py:7"]
    assert _git(repo, "status", "--porcelain") == before  # nothing written in the repository
    # the committed plan against itself: no change
    _git(repo, "checkout", "-q", "--", "tracking_plan")
    code, out, _ = run("plan", "diff", "--base", "HEAD", "tracking_plan")
    assert (code, out) == (0, "No changes from HEAD:tracking_plan to tracking_plan.\n")


def test_base_with_a_single_plan_file(repo: Path) -> None:
    data = copy.deepcopy(BASE)
    data["events"][OC]["properties"]["total"]["minimum"] = 1
    write_plan(repo / "tracking_plan", data)
    code, out, _ = run("plan", "diff", "--base", "HEAD", "tracking_plan/plan.yaml", "--no-code")
    assert code == 1
    assert out.splitlines()[0].endswith(
        "breaking range-narrowed: Property `total` of `Order Completed`: `minimum` changed from 0 to 1"
    )


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("no-such-branch", "Error: 'no-such-branch' is not a commit in this repository\n"),
        (
            "--output=/tmp/x",
            "Error: refusing git ref '--output=/tmp/x': a ref cannot start with `-` or be empty\n",
        ),
        ("HEAD~5", "Error: 'HEAD~5' is not a commit in this repository\n"),
    ],
)
def test_bad_ref_is_exit_2_with_one_line(repo: Path, ref: str, message: str) -> None:
    code, out, err = run("plan", "diff", f"--base={ref}")
    assert (code, out, err) == (2, "", message)


def test_a_plan_not_in_git_is_exit_2(repo: Path) -> None:
    write_plan(repo / "other_plan", BASE)
    code, _, err = run("plan", "diff", "--base", "HEAD", "other_plan")
    assert code == 2
    assert err == "Error: other_plan is not in git at HEAD\n"


def test_outside_a_repository_is_exit_2(project: Path) -> None:
    code, _, err = run("plan", "diff", "--base", "HEAD", "tracking_plan")
    assert code == 2
    assert err == "Error: tracking_plan is not inside a git repository\n"


def test_a_committed_symlink_is_not_followed(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    secret = tmp_path_factory.mktemp("outside") / "secret.yaml"
    secret.write_text("events:\n  Secret Event: {}\n")
    (repo / "tracking_plan" / "link.yaml").symlink_to(secret)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "link")
    (repo / "tracking_plan" / "link.yaml").unlink()
    code, out, _ = run("plan", "diff", "--base", "HEAD", "--no-code")
    # the committed link is skipped, not read: the working plan has no change against it
    assert (code, out) == (0, "No changes from HEAD:tracking_plan to tracking_plan.\n")


def test_committed_broken_plan_names_the_ref(repo: Path) -> None:
    (repo / "tracking_plan" / "plan.yaml").write_text("events: [1, 2\n")
    _git(repo, "commit", "-qam", "broken")
    write_plan(repo / "tracking_plan", BASE)
    code, _, err = run("plan", "diff", "--base", "HEAD")
    assert code == 2
    assert err.startswith("Error: HEAD:tracking_plan/plan.yaml")
    assert "cio-lint-base-" not in err


def test_the_workflow_of_ci_md_runs_as_written(repo: Path) -> None:
    """docs/ci.md's plan-diff step, run by bash in a clone whose base branch is `origin/main`."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "ci.md").read_text("utf-8")
    block = text.split("# .github/workflows/plan-diff.yml\n", 1)[1].split("```", 1)[0]
    workflow = yaml.safe_load(block)
    (step,) = [s for s in workflow["jobs"]["plan-diff"]["steps"] if s.get("id") == "diff"]
    script = step["run"].replace("${{ github.base_ref }}", "main")
    (repo / "app").rename(repo / "src")
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    data = copy.deepcopy(BASE)
    del data["events"][SU]
    write_plan(repo / "tracking_plan", data)
    output = repo / "github_output"
    env = {**os.environ, "GITHUB_OUTPUT": str(output)}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    subprocess.run(["bash", "-e", "-c", script], cwd=repo, env=env, check=True, timeout=120)
    assert output.read_text() == "code=1\n"
    comment = (repo / "plan-diff.md").read_text()
    assert "### Breaking changes (1)" in comment
    assert (
        "| `event-removed` | Signed Up |  | Event `Signed Up` removed | src/shop.py:4, src/shop.py:7 |"
        in comment
    )
