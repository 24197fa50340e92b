"""A repository of several services, each its own project (issue 13 item 1): every service's
findings are found, and GitHub annotations and SARIF URIs name repository paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cio_lint.cli import main

VIEWS = (
    "from segment import analytics\n"
    "def login(u):\n"
    "    analytics.identify(u, {})\n"
    "    analytics.track(u, EVENT)\n"
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    (tmp_path / ".git").mkdir()  # a repository's top: what a checkout has
    (tmp_path / "tracking_plan").mkdir()
    (tmp_path / "tracking_plan" / "plan.yaml").write_text(
        "version: 1\nevents:\n  Logged In: {properties: {}}\n"
    )
    for service, event in (("api", "Loged In"), ("web", "Logged In")):
        app = tmp_path / "services" / service / "app"
        app.mkdir(parents=True)
        (app / "__init__.py").write_text("")
        (app / "views.py").write_text(VIEWS.replace("EVENT", repr(event)))
        (app.parent / "pyproject.toml").write_text(f'[project]\nname = "{service}"\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--no-cache"])
    return result.exit_code, result.stdout


def test_each_service_keeps_its_findings(repo: Path) -> None:
    for target in ("services/api", "."):
        code, out = run(target, "-q")
        assert code == 1
        assert out.splitlines() == [
            (
                "services/api/app/views.py:4:24: CIO001 Event `Loged In` is not in the tracking plan "
                "(did you mean `Logged In`?)"
            )
        ]


@pytest.mark.parametrize("where", [".", "services/api"])
def test_annotations_and_sarif_name_repository_paths(
    repo: Path, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / where)
    target = "." if where != "." else "services/api"
    code, out = run(target, "--format", "github")
    assert code == 1
    assert out.startswith("::error file=services/api/app/views.py,line=4,col=24,")
    _, out = run(target, "--format", "sarif")
    run_ = json.loads(out)["runs"][0]
    location = run_["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "services/api/app/views.py"
    (base,) = run_["originalUriBaseIds"].values()
    assert base["uri"] == repo.resolve().as_uri() + "/"


def test_github_workspace_wins(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a checkout whose workspace is not the top of the enclosing repository
    monkeypatch.setenv("GITHUB_WORKSPACE", str(repo / "services"))
    monkeypatch.chdir(repo / "services")
    _, out = run("api", "--format", "github")
    assert out.startswith("::error file=api/app/views.py,")


def test_configuration_found_as_ruff_finds_its_own(tmp_path: Path) -> None:
    from cio_lint.config import find_pyproject, load_config

    service = tmp_path / "services" / "api"
    service.mkdir(parents=True)
    (service / "pyproject.toml").write_text('[project]\nname = "api"\n')  # no [tool.cio-lint]
    assert find_pyproject(service) == service / "pyproject.toml"  # nothing above: the project
    (tmp_path / "pyproject.toml").write_text('[tool.cio-lint]\nplan = "plans"\n')
    assert find_pyproject(service) == tmp_path / "pyproject.toml"  # the search goes on up
    assert load_config(service).plan == tmp_path.resolve() / "plans"
    (service / "cio-lint.toml").write_text('ignore = ["CIO003"]\n')
    assert load_config(service).ignore == ("CIO003",)
    (service / ".cio-lint.toml").write_text('[tool.cio-lint]\nignore = ["CIO007"]\n')
    assert load_config(service).ignore == ("CIO007",)  # .cio-lint.toml first, as .ruff.toml


FIXTURE = Path(__file__).parent / "fixtures" / "real_monorepo"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The committed uv-workspace fixture, copied (it is linted in place by the unseen-project
    tests too), as a checkout: its top is the repository's."""
    import shutil

    root = tmp_path / "shoplane"
    shutil.copytree(FIXTURE, root)
    (root / ".git").mkdir()
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    return root


def test_workspace_service_run_from_its_folder(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a developer in one service runs `cio-lint .`: the root's [tool.cio-lint] and plan are
    # found above the service's own pyproject.toml, the shared library's wrapper is followed,
    # and the other service's `app.events` (same dotted name) is not mixed in
    monkeypatch.chdir(workspace / "services" / "worker")
    code, out = run(".", "-q")
    assert code == 1
    assert [line.split(" ")[0:2] for line in out.splitlines()] == [
        ["app/events.py:11:29:", "CIO002"],
        ["app/tasks.py:5:52:", "CIO006"],
    ]
    code, out = run(".", "--format", "github")
    assert out.splitlines()[0].startswith(
        "::error file=services/worker/app/events.py,line=11,col=29,"
    )


def test_workspace_from_the_top_checks_every_member(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workspace)
    code, out = run(".")
    assert code == 1
    found = [line.split(" ")[0:2] for line in out.splitlines()[:-1]]
    assert found == [
        ["services/api/app/events.py:15:9:", "CIO005"],
        ["services/api/app/events.py:15:37:", "CIO004"],
        ["services/worker/app/events.py:11:29:", "CIO002"],
        ["services/worker/app/tasks.py:5:52:", "CIO006"],
    ]
    assert out.splitlines()[-1].startswith("Checked 10 SDK calls in 8 files (8 through wrappers).")
