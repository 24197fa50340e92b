"""SDK versions decided from the project first (SPEC §3): configuration, then the project's
pins and lock entries, then lower bounds, then the installed package, then the newest."""

from __future__ import annotations

import importlib.metadata
import json
import os
import textwrap
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from cio_lint.cli import main
from cio_lint.sdk_versions import Versions, decide

INSTALLED_CIO = importlib.metadata.version("customerio")  # the venv has customerio 3.x


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def decided(root: Path, name: str = "customerio", **overrides: str) -> tuple[tuple[int, ...], str]:
    versions = decide(root, overrides, (name,))
    found = versions.decisions[name]
    return found.version, found.source


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# ---------------------------------------------------------------------- requirements files
@pytest.mark.parametrize(
    ("line", "version"),
    [
        ("customerio==0.2.1", (0, 2, 1)),
        ("customerio===0.2.1", (0, 2, 1)),
        ("customerio ~= 1.2", (1, 2)),
        ("customerio>=0.2", (0, 2)),
        ("customerio>=0.2,<1", (0, 2)),
        ("customerio<1,>=0.2", (0, 2)),
        ("customerio[async]==1.2", (1, 2)),
        ("customerio==1.2.*", (1, 2)),
        ('customerio==0.2.1 ; python_version >= "3.8"', (0, 2, 1)),
        ("customerio==0.2.1  # pinned: the 0.x API", (0, 2, 1)),
        ("customerio==0.2.1 --hash=sha256:abcdef", (0, 2, 1)),
        ("customerio (>=2.0)", (2, 0)),
    ],
)
def test_requirement_lines(tmp_path: Path, line: str, version: tuple[int, ...]) -> None:
    write(tmp_path, {"requirements.txt": f"# deps\nflask==3.0\n{line}\n"})
    assert decided(tmp_path) == (version, "requirements.txt:3")


def test_continuation_lines_and_comment_only_lines(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"requirements.txt": "# customerio==9.9\ncustomerio==0.2.1 \\\n    --hash=sha256:00\n"},
    )
    assert decided(tmp_path) == ((0, 2, 1), "requirements.txt:2")


@pytest.mark.parametrize(
    "include", ["-r base.txt", "-rbase.txt", "--requirement=base.txt", "-c base.txt"]
)
def test_includes_are_followed(tmp_path: Path, include: str) -> None:
    write(
        tmp_path,
        {"requirements-dev.txt": f"pytest\n{include}\n", "base.txt": "customerio==0.2.1\n"},
    )
    assert decided(tmp_path) == ((0, 2, 1), "base.txt:1")


def test_requirements_folder_and_in_files(tmp_path: Path) -> None:
    write(tmp_path, {"requirements/prod.txt": "-r ../reqs.in\n", "reqs.in": "customerio>=0.2\n"})
    assert decided(tmp_path) == ((0, 2), "reqs.in:1")
    write(tmp_path, {"requirements/base.txt": "customerio==1.0\n"})
    assert decided(tmp_path) == ((1, 0), "requirements/base.txt:1")


def test_an_include_cycle_ends_and_says_so(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"requirements.txt": "-r dev.txt\n", "dev.txt": "-r requirements.txt\ncustomerio==0.2.1\n"},
    )
    versions = decide(tmp_path, {}, ("customerio",))
    assert versions.decisions["customerio"].source == "dev.txt:2"
    assert versions.skipped == ["dev.txt:1: `requirements.txt` not followed (an include cycle)"]


def test_includes_outside_the_project_or_urls_are_not_followed(tmp_path: Path) -> None:
    write(tmp_path, {"outside.txt": "customerio==0.2.1\n"})
    root = write(
        tmp_path / "proj", {"requirements.txt": "-r ../outside.txt\n-r https://x.test/r.txt\n"}
    )
    versions = decide(root, {}, ("customerio",))
    assert versions.decisions["customerio"].source == "installed"
    assert versions.skipped == [
        "requirements.txt:1: `../outside.txt` not followed (outside the project)",
        "requirements.txt:2: `https://x.test/r.txt` not followed (a URL)",
    ]


# ---------------------------------------------------------------------- other declarations
@pytest.mark.parametrize(
    ("pyproject", "version"),
    [
        ('[project]\ndependencies = ["flask", "customerio==0.2.1"]\n', (0, 2, 1)),
        ('[project.optional-dependencies]\ncio = ["customerio>=1.1,<2"]\n', (1, 1)),
        ('[dependency-groups]\ndev = [{include-group = "x"}, "customerio~=2.0"]\n', (2, 0)),
        ('[tool.poetry.dependencies]\npython = "^3.10"\ncustomerio = "^0.2"\n', (0, 2)),
        ('[tool.poetry.dependencies]\ncustomerio = "0.2.1"\n', (0, 2, 1)),
        ('[tool.poetry.dependencies]\ncustomerio = {version = "~1.4", extras = ["x"]}\n', (1, 4)),
        ('[tool.poetry.group.dev.dependencies]\ncustomerio = ">=1.5,<2"\n', (1, 5)),
        ('[tool.uv]\ndev-dependencies = ["customerio==2.1"]\n', (2, 1)),
    ],
)
def test_pyproject_declarations(tmp_path: Path, pyproject: str, version: tuple[int, ...]) -> None:
    write(tmp_path, {"pyproject.toml": pyproject})
    found, source = decided(tmp_path)
    assert found == version
    line = next(i for i, text in enumerate(pyproject.splitlines(), 1) if "customerio" in text)
    assert source == f"pyproject.toml:{line}"


POETRY_LOCK = """\
[[package]]
name = "certifi"
version = "2024.2.2"
description = "mentions customerio in passing"

[[package]]
name = "customerio"
version = "0.2.1"
optional = false
files = [{file = "customerio-0.2.1.tar.gz", hash = "sha256:00"}]

[package.dependencies]
requests = ">=2"

[metadata]
content-hash = "00"
"""

UV_LOCK = """\
version = 1
requires-python = ">=3.10"

[[package]]
name = "customerio"
version = "1.6.1"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "requests" }]
wheels = [{ url = "https://x.test/customerio-1.6.1-py3-none-any.whl", hash = "sha256:00" }]
"""


def test_lock_files(tmp_path: Path) -> None:
    write(tmp_path, {"poetry.lock": POETRY_LOCK})
    assert decided(tmp_path) == ((0, 2, 1), "poetry.lock:6")
    (tmp_path / "poetry.lock").unlink()
    write(tmp_path, {"uv.lock": UV_LOCK})
    assert decided(tmp_path) == ((1, 6, 1), "uv.lock:4")


def test_pipfile_lock_pipfile_and_setup_cfg(tmp_path: Path) -> None:
    lock = {"_meta": {"hash": {}}, "default": {"Customerio": {"version": "==0.2.1"}}, "develop": {}}
    write(tmp_path, {"Pipfile.lock": json.dumps(lock, indent=4)})
    assert decided(tmp_path) == ((0, 2, 1), "Pipfile.lock:6")
    (tmp_path / "Pipfile.lock").unlink()
    write(tmp_path, {"Pipfile": '[packages]\nrequests = "*"\ncustomerio = ">=1.2"\n'})
    assert decided(tmp_path) == ((1, 2), "Pipfile:3")
    (tmp_path / "Pipfile").unlink()
    write(
        tmp_path,
        {
            "setup.cfg": (
                "[metadata]\nname = x\n[options]\ninstall_requires =\n    requests\n"
                "    customerio==0.4\n"
            )
        },
    )
    assert decided(tmp_path) == ((0, 4), "setup.cfg:6")


# ---------------------------------------------------------------------- precedence
def test_precedence_config_then_pin_then_lower_bound_then_installed_then_newest(
    tmp_path: Path,
) -> None:
    assert decided(tmp_path) == (tuple(int(p) for p in INSTALLED_CIO.split(".")), "installed")
    assert decided(tmp_path, "cio-lint-no-such-sdk") == ((99,), "newest")  # not installed
    write(tmp_path, {"requirements.txt": "customerio>=0.2\n"})
    assert decided(tmp_path) == ((0, 2), "requirements.txt:1")  # a lower bound beats installed
    write(tmp_path, {"requirements-dev.txt": "customerio>=0.5\n"})
    assert decided(tmp_path) == ((0, 5), "requirements-dev.txt:1")  # the higher lower bound
    write(tmp_path, {"pyproject.toml": '[project]\ndependencies = ["customerio==1.0"]\n'})
    assert decided(tmp_path) == ((1, 0), "pyproject.toml:2")  # an exact pin beats lower bounds
    write(tmp_path, {"poetry.lock": POETRY_LOCK})
    assert decided(tmp_path) == ((0, 2, 1), "poetry.lock:6")  # the lock comes first
    assert decided(tmp_path, customerio="2.4") == ((2, 4), "[tool.cio-lint.sdk-versions]")


def test_names_are_normalised_as_pep_503_says(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "CustomerIO==0.2.1\nSegment_Analytics.Python>=2.2\n"})
    assert decided(tmp_path) == ((0, 2, 1), "requirements.txt:1")
    assert decided(tmp_path, "segment-analytics-python") == ((2, 2), "requirements.txt:2")
    # `customer-io` is another distribution (PEP 503 keeps the separator): not customerio
    write(tmp_path, {"requirements.txt": "customer_io==0.2.1\n"})
    assert decided(tmp_path)[1] == "installed"
    assert decide(tmp_path, {"CustomerIO": "2.4"}, ("Customerio",)).version("customerio") == (2, 4)


# ---------------------------------------------------------------------- untrusted input
@pytest.mark.parametrize(
    ("files", "reason"),
    [
        (
            {"poetry.lock": '[[package]]\nname = "customerio"\nversion = 0.2.1\n'},
            "poetry.lock:1: invalid TOML",
        ),
        (
            {"uv.lock": '[[package]]\nname = "customerio"\nversion = "latest"\n'},
            "uv.lock:1: `customerio` has no readable version",
        ),
        (
            {"pyproject.toml": '[project\ndependencies = ["customerio==0.2.1"]\n'},
            "pyproject.toml: invalid TOML",
        ),
        (
            {"Pipfile.lock": '{"default": {"customerio": {"version": "==0.2.1"}'},
            "Pipfile.lock: invalid JSON",
        ),
        ({"Pipfile.lock": "[" * 100_000 + '"customerio"'}, "Pipfile.lock: invalid JSON"),
        ({"Pipfile": "[packages\ncustomerio = '==1'"}, "Pipfile: invalid TOML"),
        ({"setup.cfg": "install_requires = customerio==0.2.1\n"}, "setup.cfg: invalid setup.cfg"),
        (
            {"requirements.txt": "customerio==abc\n"},
            "requirements.txt:1: `customerio==abc`: not a version",
        ),
        ({"requirements.txt": "customerio=0.2.1\n"}, "requirements.txt:1: cannot read the version"),
    ],
)
def test_malformed_files_are_skipped_with_a_reason(
    tmp_path: Path, files: dict[str, str], reason: str
) -> None:
    write(tmp_path, files)
    versions = decide(tmp_path, {}, ("customerio",))
    assert versions.decisions["customerio"].source == "installed"
    assert len(versions.skipped) == 1 and versions.skipped[0].startswith(reason), versions.skipped


def test_deeply_nested_toml_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("x = " + "[" * 50_000 + "\n# customerio\n")
    versions = decide(tmp_path, {}, ("customerio",))
    assert versions.decisions["customerio"].source == "installed"
    assert versions.skipped[0].startswith("pyproject.toml: invalid TOML")


def test_non_utf8_and_huge_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"customerio==0.2.1\n\xff\xfe\n")
    with open(tmp_path / "poetry.lock", "wb") as handle:  # 50 MB, sparse: not read at all
        handle.truncate(50 * 1024 * 1024)
    versions = decide(tmp_path, {}, ("customerio",))
    assert versions.decisions["customerio"].source == "installed"
    assert versions.skipped == [
        "poetry.lock: over the 32 MiB limit, not read",
        "requirements.txt: not UTF-8 (byte 18)",
    ]


def _decide_in_a_thread(root: Path) -> Versions | None:
    out: list[Versions] = []
    worker = threading.Thread(
        target=lambda: out.append(decide(root, {}, ("customerio",))), daemon=True
    )
    worker.start()
    worker.join(10)
    return out[0] if out else None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_named_requirements_txt_does_not_block(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "requirements.txt")
    write(tmp_path, {"dev.txt": "-r requirements.txt\n"})
    os.mkfifo(tmp_path / "poetry.lock")
    versions = _decide_in_a_thread(tmp_path)
    assert versions is not None, "decide() blocked on a FIFO"
    assert versions.decisions["customerio"].source == "installed"
    assert versions.skipped == [
        "poetry.lock: not a regular file",
        "requirements.txt: not a regular file",
    ]


# ---------------------------------------------------------------------- configuration
@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            'nosuchsdk = "1.0"',
            "[tool.cio-lint].sdk-versions: unknown SDK `nosuchsdk` (known: customerio,",
        ),
        (
            'customerio = "latest"',
            "[tool.cio-lint].sdk-versions: `customerio = 'latest'` is not a version",
        ),
        (
            'customerio = "3.x"',
            "[tool.cio-lint].sdk-versions: `customerio = '3.x'` is not a version",
        ),
    ],
)
def test_bad_sdk_versions_in_the_configuration_exit_2(project, table: str, message: str) -> None:
    root = project(
        {"app.py": "x = 1\n", "pyproject.toml": f"[tool.cio-lint.sdk-versions]\n{table}\n"}
    )
    code, out, err = run(".")
    assert code == 2 and out == ""
    assert err.startswith(f"Error: {root / 'pyproject.toml'}: {message}") and err.count("\n") == 1


# ---------------------------------------------------------------------- end to end
APP = """\
from customerio import CustomerIO

cio = CustomerIO("site", "key")


def signed_up(user):
    cio.identify(user.id, email=user.email)
    cio.track(user.id, "Signed Up", plan="pro")


def signed_up_data(user):
    cio.identify(user.id, email=user.email)
    cio.track(user.id, "Signed Up", data={"plan": "pro"})
"""


def test_a_pinned_old_customerio_decides_the_signature(project) -> None:
    root = project({"app.py": APP, "requirements.txt": "django>=4\ncustomerio==0.2.1\n"})
    code, out, _ = run("--format", "json", ".")
    found = [(d["line"], d["code"], d["message"]) for d in json.loads(out)]
    assert [c for _, c, _ in found if c == "CIO013"] == []
    assert (13, "CIO004") in [(line, c) for line, c, _ in found]
    assert any(line == 13 and c == "CIO004" and "`data`" in m for line, c, m in found), found
    assert all(line == 13 for line, _, _ in found), found  # the keyword form is fine on 0.x
    # the cache key follows the pin: the same files with the pin removed give the 3.x findings
    (root / "requirements.txt").write_text("django>=4\ncustomerio\n")
    code, out, _ = run("--format", "json", ".")
    found = [(d["line"], d["code"]) for d in json.loads(out)]
    assert code == 1 and found == [(8, "CIO013")]


def test_explain_wrappers_and_show_settings_say_which_source_decided(project) -> None:
    project(
        {
            "app.py": APP,
            "requirements.txt": "django>=4\ncustomerio==0.2.1\n",
            "poetry.lock": "[[package]\n",
        }
    )
    code, out, _ = run("--explain-wrappers", ".")
    assert code == 0
    assert (
        out.splitlines()[0]
        == "customerio 0.2.1 (from requirements.txt:2): track(customer_id, name, **data)"
    )
    (Path.cwd() / "tracking_plan" / "plan.yaml").unlink()  # --show-settings needs no plan
    (Path.cwd() / "tracking_plan").rmdir()
    code, out, _ = run("--show-settings", "--select", "CIO0")
    assert code == 0
    lines = out.splitlines()
    assert "select = ['CIO0']" in lines
    assert "  customerio = 0.2.1 (from requirements.txt:2)" in lines
    assert "      track(customer_id, name, **data)" in lines
    assert (
        f"  analytics-python = {importlib.metadata.version('analytics-python')} (installed)"
        in lines
    )
    # the test extra installs every registered SDK: each is listed with its installed version
    amplitude = importlib.metadata.version("amplitude-analytics")
    assert f"  amplitude-analytics = {amplitude} (installed)" in lines
    assert "Found" not in out and "app.py" not in out  # nothing was linted


def test_show_settings_with_a_configured_version(project) -> None:
    project({"pyproject.toml": '[tool.cio-lint.sdk-versions]\nCustomerIO = "2.4"\n'})
    code, out, _ = run("--show-settings")
    assert code == 0
    assert "  customerio = 2.4 (from [tool.cio-lint.sdk-versions])" in out.splitlines()
