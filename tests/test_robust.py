"""Robust parsing (issue 10, item 9): input too deep for the parsers is one file's CIO900, never
a crash of the run; an import of a sibling module named like a relevant one selects nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import libcst
import pytest
from click.testing import CliRunner

from cio_lint.cli import main
from cio_lint.config import Config
from cio_lint.engine import lint_paths
from cio_lint.plan import load_plan

SRC = str(Path(__file__).resolve().parents[1] / "src")

SDK = "from customerio import analytics\n"
GOOD = SDK + "analytics.track('u1', 'Project Deleted')\n"  # CIO001 on line 2
PLUS = SDK + "x = " + " + ".join(["1"] * 3000) + "\n"
DEEP = {
    "plus.py": PLUS,  # CPython's ast: RecursionError; libcst parses, extraction recurses
    "neg.py": SDK + "x = " + "-(" * 10000 + "1" + ")" * 10000 + "\n",  # libcst: C stack overflow
    "lists.py": SDK + "x = " + "[" * 10000 + "]" * 10000 + "\n",
    "unary.py": SDK + "x = " + "-" * 20000 + "1\n",  # ast: MemoryError; libcst: C stack overflow
    "elifs.py": SDK + "if x:\n    pass\n" + "elif x:\n    pass\n" * 10000,
}
LINE = {"neg.py": 2, "lists.py": 2}
# enough files for a pool of workers (engine._PARALLEL_MIN_FILES)
FILLER = {f"filler_{i}.py": f"VALUE_{i} = {i}\n" for i in range(30)}


def _findings(result_findings) -> list[tuple[str, int, str]]:
    return sorted((f.path, f.line, f.code) for f in result_findings if f.code != "CIO003")


def _expected(files: dict[str, str]) -> list[tuple[str, int, str]]:
    out = [("good.py", 2, "CIO001")]
    # CPython reports too many nested brackets as a syntax error at its line; the others have no line
    out += [
        (name, LINE.get(name, 1), "CIO900")
        for name in files
        if name != "good.py" and not name.startswith("filler")
    ]
    return sorted(out)


@pytest.mark.parametrize("prefilter", [True, False])
def test_a_too_deep_expression_is_a_cio900_and_the_rest_is_checked(
    project, prefilter: bool
) -> None:
    files = {"good.py": GOOD, "plus.py": PLUS}
    root = project(files)
    config = Config(root=root, cache=False, prefilter=prefilter, sdk_versions={"customerio": "3.2"})
    result = lint_paths([root], config, load_plan(root / "tracking_plan"), jobs=1)
    assert _findings(result.findings) == _expected(files)
    [error] = [f for f in result.findings if f.code == "CIO900"]
    # what ``python plus.py`` says: CPython rejects it (issue 12: libcst never sees it)
    assert error.message.startswith("Too deeply nested for Python: maximum recursion depth")


def test_deep_nesting_never_reaches_libcsts_native_parser(project) -> None:
    """Through the CLI with worker processes (``--jobs 2``): without the guard, a worker dies."""
    files = {"good.py": GOOD, **DEEP, **FILLER}
    project(files)
    result = CliRunner().invoke(main, [".", "--jobs", "2", "--no-cache", "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    import json

    found = sorted(
        (f["path"], f["line"], f["code"])
        for f in json.loads(result.stdout)
        if f["code"] != "CIO003"
    )
    assert found == _expected(files)


def test_a_cached_error_stays_an_error(project) -> None:
    files = {"good.py": GOOD, "plus.py": PLUS, "neg.py": DEEP["neg.py"], **FILLER}
    root = project(files)
    runs = []
    for _ in range(2):
        result = CliRunner().invoke(main, [".", "--jobs", "2", "--format", "json"])
        runs.append(result.stdout)
        (root / "filler_0.py").write_text("VALUE_0 = 'changed'\n")  # no whole-run cache hit next
    assert runs[0] == runs[1]
    assert '"CIO900"' in runs[1] and '"plus.py"' in runs[1] and '"neg.py"' in runs[1]


def test_a_crashed_worker_is_a_cio900_for_its_file(
    project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A native crash of libcst's parser in a worker (simulated in libcst itself with a real
    ``abort``: the forked workers inherit the patch) breaks the pool: each file not yet done is
    parsed alone, the one that crashes is its CIO900, the others are checked."""
    real = libcst.parse_module

    def crashing(source, *args, **kwargs):  # type: ignore[no-untyped-def]
        text = source if isinstance(source, str) else source.decode()
        if "CRASH_HERE" in text:
            os.abort()
        return real(source, *args, **kwargs)

    monkeypatch.setattr(libcst, "parse_module", crashing)
    files = {
        "good.py": GOOD,
        "crash.py": SDK + "CRASH_HERE = 1\nanalytics.track('u1', 'Other Unknown')\n",
        **{f"more_{i}.py": SDK + f"analytics.track('u1', 'Unknown {i}')\n" for i in range(30)},
    }
    root = project(files)
    config = Config(root=root, cache=False, sdk_versions={"customerio": "3.2"})
    result = lint_paths([root], config, load_plan(root / "tracking_plan"), jobs=2)
    found = _findings(result.findings)
    assert ("crash.py", 1, "CIO900") in found
    assert ("good.py", 2, "CIO001") in found
    assert [f for f in found if f[0].startswith("more_")] == sorted(
        (f"more_{i}.py", 2, "CIO001") for i in range(30)
    )
    [error] = [f for f in result.findings if f.code == "CIO900"]
    assert "crashed" in error.message


TWO_APPS = {
    "shop/__init__.py": "",
    "shop/views.py": SDK + "def track_order(user, name):\n    analytics.track(user, name)\n",
    "shop/urls.py": "from . import views\nviews.track_order('u1', 'Order Shipped')\n",
    "blog/__init__.py": "",
    "blog/views.py": "def index():\n    return 'hello'\n",
    "blog/urls.py": "from . import views\nurlpatterns = [views.index(\n",  # broken, imports nothing relevant
    "blog/feeds.py": "from blog import views\nFEED = views.index()\n",
    "blog/admin.py": "from .views import *\n",
    "blog/broken.py": "from blog import (  # shop\n    views,\n)\nx = (\n",
}


def test_importing_a_sibling_module_named_like_a_relevant_one_selects_nothing(lint) -> None:
    result = lint(TWO_APPS)
    assert _findings(result.findings) == [("shop/urls.py", 2, "CIO001")]
    assert result.files_parsed == 2  # shop/views.py and shop/urls.py


def test_the_exact_prefilter_finds_what_a_full_run_finds(lint) -> None:
    files = {k: v for k, v in TWO_APPS.items() if "broken" not in k and k != "blog/urls.py"}
    files["blog/urls.py"] = "from . import views\n"
    files["blog/uses_shop.py"] = "from shop import views\nviews.track_order('u1', 'Blog Read')\n"
    files["blog/rel_shop.py"] = "from ..shop import views as v\nv.track_order('u1', 'Blog Read')\n"
    files["shop/star.py"] = "from .views import *\ntrack_order('u1', 'Starred')\n"
    with_prefilter = lint(files)
    without = lint(files, prefilter=False)
    summary = [(f.path, f.line, f.code, f.message) for f in with_prefilter.findings]
    assert summary == [(f.path, f.line, f.code, f.message) for f in without.findings]
    assert {p for p, _, code, _ in summary if code != "CIO003"} == {
        "shop/urls.py",
        "blog/uses_shop.py",
        "blog/rel_shop.py",
        "shop/star.py",
    }
    assert with_prefilter.files_parsed < without.files_parsed


def test_from_targets_resolve_like_the_linker() -> None:
    from cio_lint.prefilter import from_targets

    source = b"from . import views, models as m\nfrom ..core import (\n  a,  # b\n  c)\nfrom x.y import *\n"
    assert from_targets(source, "site.blog.urls", False) == [
        ("site.blog.views", True),
        ("site.blog.models", True),
        ("site.core.a", True),
        ("site.core.c", True),
        ("x.y", False),
    ]
    assert from_targets(b"from . import views\n", "blog", True) == [("blog.views", True)]


# ---------------------------------------------------------------------------------- issue 12


def _cli(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess (``--format json``), as CI runs it; its peak memory (MiB)
    is the last line of stderr (``PEAK_MB n``)."""
    script = (
        "import sys\n"
        "from cio_lint.cli import main\n"
        "try:\n    main(sys.argv[1:])\n"
        "except SystemExit as exc:\n    status = exc.code\n"
        # VmHWM is this process's own peak: ru_maxrss keeps the parent's across exec
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')]\n"
        "print('PEAK_MB', int(hwm[0].split()[1]) // 1024, file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (SRC, env.get("PYTHONPATH")) if p)
    return subprocess.run(
        [sys.executable, "-c", script, *args, "--format", "json", "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _peak_mb(done: subprocess.CompletedProcess[str]) -> int:
    return int(done.stderr.strip().splitlines()[-1].split()[1])


def _found(done: subprocess.CompletedProcess[str]) -> list[tuple[str, int, str]]:
    assert done.returncode in (0, 1), (done.returncode, done.stderr[-2000:])
    return sorted(
        (f["path"], f["line"], f["code"]) for f in json.loads(done.stdout) if f["code"] != "CIO003"
    )


def test_the_memory_of_a_file_grows_linearly_with_its_calls(project) -> None:
    """Each call kept its own set of the calls before it (``CallFact.must``): n²/2 keys, 6,000
    calls of one scope took 0.9 GB. Doubling the calls must not much more than double what
    their analysis costs."""
    peaks = []
    for n in (0, 2000, 4000):
        calls = "".join(f"analytics.track('u{i}', 'Trial Started')\n" for i in range(n))
        root = project({"calls.py": SDK + calls})
        done = _cli(root, ".", "-j", "1")
        assert _found(done) == []
        peaks.append(_peak_mb(done))
    empty, half, full = peaks
    assert full - empty < 3 * (half - empty), peaks


@pytest.mark.parametrize("terms", [500, 900])
def test_a_long_chain_of_string_literals_in_a_call_is_checked(project, terms: int) -> None:
    """Valid Python nested ``terms`` deep: libcst's code generation and the extractor recurse
    per level (the default recursion limit was a false CIO900, or a crash of the run)."""
    chain = " + ".join(["'a'"] * terms)
    files = {
        "good.py": GOOD,
        "chain.py": SDK + "analytics.track('u1', 'Signed Up', {'plan': " + chain + "})\n",
    }
    done = _cli(project(files), ".", "-j", "1")
    assert _found(done) == [("chain.py", 2, "CIO006"), ("good.py", 2, "CIO001")]
    [message] = [f["message"] for f in json.loads(done.stdout) if f["code"] == "CIO006"]
    assert "'" + "a" * terms + "'" in message


def test_a_file_cpython_rejects_never_reaches_libcst(project) -> None:
    """CPython rejects the NUL byte; libcst, given the file, overflowed its C stack on the
    brackets and killed the whole run (exit 139)."""
    deep = "x = " + "[" * 3000 + "]" * 3000 + "\n"
    files = {"good.py": GOOD, "nul.py": SDK + "# a\x00b\n" + deep}
    done = _cli(project(files), ".", "-j", "1")
    assert _found(done) == [("good.py", 2, "CIO001"), ("nul.py", 2, "CIO900")]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_valid_nesting_deeper_than_libcst_can_take_is_a_cio900(project, jobs: str) -> None:
    """CPython keeps ``a and b and ...`` flat; libcst nests it and overflows its C stack at
    about 7,000 terms: in the run's own process (``-j 1``) that was exit 139, in a worker
    a CIO900 "the parser crashed". Now it is never handed to libcst."""
    files = {"good.py": GOOD, "ands.py": SDK + "x = " + " and ".join(["a"] * 8000) + "\n"}
    done = _cli(project({**files, **FILLER}), ".", "-j", jobs)
    assert _found(done) == [("ands.py", 2, "CIO900"), ("good.py", 2, "CIO001")]
    [error] = [f for f in json.loads(done.stdout) if f["code"] == "CIO900"]
    assert error["message"].startswith("Expression too deeply nested to analyse (")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_nesting_libcst_cannot_take_in_code_left_out_does_not_stop_the_file(
    project, jobs: str
) -> None:
    """Only what trimming keeps reaches libcst, so only that is measured against its bounds:
    the same ``and`` chain, in a function that mentions no SDK name, no longer makes the
    whole file a CIO900 (its SDK call is checked); CPython still compiles all of it."""
    chain = " and ".join(["a"] * 8000)
    files = {
        "good.py": GOOD,
        "ands.py": GOOD + "def unrelated(a):\n    return " + chain + "\n",
    }
    done = _cli(project({**files, **FILLER}), ".", "-j", jobs)
    assert _found(done) == [("ands.py", 2, "CIO001"), ("good.py", 2, "CIO001")]
    broken = {**files, "ands.py": files["ands.py"] + "def f(a, a):\n    pass\n"}
    done = _cli(project({**broken, **FILLER}), ".", "-j", jobs)
    assert ("ands.py", 5, "CIO900") in _found(done)  # compiled whole: CPython rejects it


def test_a_file_over_the_memory_budget_is_a_cio901_and_costs_little(project) -> None:
    """25 KiB of calls nested fifty deep took libcst over a gigabyte; the estimate made from
    CPython's tree refuses it before libcst starts."""
    nested = "f(" * 50 + "1" + ")" * 50
    body = "".join(f"x{i} = {nested}\n" for i in range(250))
    done = _cli(project({"good.py": GOOD, "nested.py": SDK + body}), ".", "-j", "1")
    assert _found(done) == [("good.py", 2, "CIO001"), ("nested.py", 1, "CIO901")]
    [warning] = [f for f in json.loads(done.stdout) if f["code"] == "CIO901"]
    assert "to analyse" in warning["message"] and "`max-file-size` = 512 KiB" in warning["message"]
    assert _peak_mb(done) < 300


def test_the_memory_budget_grows_with_max_file_size() -> None:
    from cio_lint.analysis.syntax import check

    nested = "f(" * 50 + "1" + ")" * 50
    data = "".join(f"x{i} = {nested}\n" for i in range(250)).encode()
    assert check(data, "nested.py", 512 * 1024).too_large
    assert not check(data, "nested.py", 2048 * 1024).too_large
