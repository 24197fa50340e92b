"""The engine's speed machinery must never change results: cache, prefilter, size limit, jobs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO

from cio_lint.config import Config
from cio_lint.engine import lint_paths
from cio_lint.plan import load_plan

APP = {
    "app/__init__.py": "",
    "app/names.py": "SIGNED = 'signed up'\n",
    "app/helpers.py": "from customerio import analytics\ndef track_event(user, name, **props):\n    analytics.track(user.id, name, props)\n",
    "app/views.py": (
        "from customerio import analytics\nfrom app.helpers import track_event\nfrom app.names import SIGNED\n"
        "def v(user):\n    analytics.identify(user.id, {'email': 'a@b.co'})\n    track_event(user, SIGNED, plan='pro')\n"
    ),
    "app/other.py": "from app.helpers import track_event\ndef w(user):\n    track_event(user, 'Nope')\n",
    "app/plain.py": "def track(x):\n    return x\n",
}


def _run(root: Path, **config: object):
    cfg = Config(root=root, cache_dir=root / "cache", **config)  # type: ignore[arg-type]
    return lint_paths([root / "app"], cfg, load_plan(root / "tracking_plan"), jobs=1)


def _summary(result) -> list[tuple[str, int, str, str]]:
    return [(f.path, f.line, f.code, f.message) for f in result.findings]


def test_warm_rerun_comes_from_the_cache_with_the_same_findings(project) -> None:
    root = project(APP)
    cold = _run(root)
    assert cold.files_parsed == 4 and not cold.from_cache
    warm = _run(root)
    assert warm.from_cache and _summary(warm) == _summary(cold)


def test_touching_one_file_reparses_only_that_file(project) -> None:
    root = project(APP)
    cold = _run(root)
    (root / "app/names.py").write_text("SIGNED = 'Signed Up'\n# edited\n")
    touched = _run(root)
    assert not touched.from_cache
    assert touched.files_parsed == 1  # names.py; the others' facts come from the cache
    assert [c for _, _, c, _ in _summary(touched)] == ["CIO001"]
    assert "CIO002" in [c for _, _, c, _ in _summary(cold)]


CUTOFF_APP = {
    **APP,
    "app/views.py": APP["app/views.py"] + "def unrelated(x):\n    return x * 2\n",
}

# (what the edit does, file, old text, new text, files parsed if the early cutoff takes it, else None)
CUTOFF_EDITS = [
    ("comment appended", "app/views.py", "return x * 2\n", "return x * 2\n# later\n", 1),
    ("trimmed-out function edited", "app/views.py", "x * 2", "x * 3", 1),
    ("event name changed", "app/other.py", "'Nope'", "'Signed Up'", None),
    ("lines shifted", "app/views.py", "from customerio", "\nfrom customerio", None),
    ("suppression added", "app/other.py", "'Signed Up')\n", "'Nah')  # noqa: CIO001\n", None),
    (
        "unparsed file starts sending",
        "app/plain.py",
        "return x\n",
        "return x\nfrom customerio import analytics\nanalytics.track('u', 'Nope2')\n",
        None,
    ),
    (
        "docstring added to a parsed file",
        "app/helpers.py",
        "def track_event",
        '"""Helpers."""\ndef track_event',
        None,
    ),
    ("touched, same bytes", "app/names.py", "", "", 0),  # its facts are cached by content
]


def test_reruns_after_edits_match_runs_without_cache(project) -> None:
    """After each edit a cached rerun reports exactly what a run without cache reports; edits
    that cannot change a fact (a comment, a trimmed-out function) skip linking and checking."""
    import os

    root = project(CUTOFF_APP)
    _run(root)
    for what, rel, old, new, parsed in CUTOFF_EDITS:
        path = root / rel
        text = path.read_text()
        assert old in text, what
        path.write_text(text.replace(old, new, 1))
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
        cached = _run(root)
        fresh = _run(root, cache=False)
        assert _summary(cached) == _summary(fresh), what
        assert cached.from_cache is (parsed is not None), what
        if parsed is not None:
            assert cached.files_parsed == parsed, what


def test_facts_the_early_cutoff_parsed_are_not_read_again(project, monkeypatch) -> None:
    """When the early cutoff finds a fact changed, the full run that follows takes the facts it
    parsed: the cache is read for the edited file once (its old facts), not twice."""
    import os

    from cio_lint.cache import Cache

    root = project(CUTOFF_APP)
    _run(root)
    path = root / "app/other.py"
    path.write_text(path.read_text().replace("'Nope'", "'Signed Up'"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    read: list[str | None] = []
    real = Cache.get_facts

    def counting(self: Cache, key: str):
        facts = real(self, key)
        read.append(facts.module if facts is not None else None)
        return facts

    monkeypatch.setattr(Cache, "get_facts", counting)
    result = _run(root)
    assert not result.from_cache  # the cutoff did not apply: a full run
    assert read.count("app.other") == 1, read
    assert "app.views" in read  # the unchanged files' facts still come from the cache
    assert _summary(result) == _summary(_run(root, cache=False))


def test_plan_change_invalidates_results(project) -> None:
    root = project(APP)
    first = _run(root)
    plan = root / "tracking_plan" / "plan.yaml"
    plan.write_text(plan.read_text().replace("Trial Started: {}", "Trial Started: {}\n  Nope: {}"))
    second = _run(root)
    assert not second.from_cache
    assert len(second.findings) == len(first.findings) - 1


def _rewrite_entry(entry: Path, payload: bytes, version: str | None = None) -> None:
    """Replace an entry's payload, with a header that matches it (a well-formed entry)."""
    import hashlib

    magic, fmt, current, key, _ = entry.read_bytes().split(b"\n", 1)[0].split()
    header = b" ".join(
        [
            magic,
            fmt,
            (version or current.decode()).encode(),
            key,
            hashlib.sha256(payload).hexdigest().encode(),
        ]
    )
    entry.write_bytes(header + b"\n" + payload)


def test_corrupt_and_foreign_cache_entries_are_ignored(project) -> None:
    import pickle

    from cio_lint.cache import dumps

    root = project(APP)
    cold = _run(root)
    entries = sorted(
        p for p in (root / "cache").rglob("*") if p.is_file() and p.parent.name != "cache"
    )
    assert len(entries) >= 4
    for i, entry in enumerate(entries):
        data = entry.read_bytes()
        if i % 4 == 0:
            entry.write_bytes(data[: len(data) // 2])  # truncated: the digest no longer matches
        elif i % 4 == 1:
            _rewrite_entry(entry, data.split(b"\n", 1)[1], version="0.0.0-foreign")
        elif i % 4 == 2:
            _rewrite_entry(
                entry, dumps({"calls": "garbage", "findings": 3})
            )  # well formed, wrong shape
        else:
            _rewrite_entry(entry, pickle.dumps(Path("/")))  # names a class: refused, never built
    again = _run(root)
    assert _summary(again) == _summary(cold)
    assert again.files_parsed == 4


def test_cache_entries_cannot_run_code(tmp_path: Path) -> None:
    """An entry is unpickled by an unpickler that refuses every global: a crafted entry (with a
    matching digest) that would call a function is ignored and calls nothing."""
    import hashlib
    import pickle

    from cio_lint.cache import FORMAT, Cache, code_version

    called = tmp_path / "called"

    class Exploit:
        def __reduce__(self):  # what a hostile entry would hold: call os.mkdir(called)
            import os

            return (os.mkdir, (str(called),))

    cache = Cache(tmp_path / "cache")
    key = "ab" * 32
    payload = pickle.dumps(Exploit())
    entry = tmp_path / "cache" / "facts" / key[:2] / key
    entry.parent.mkdir(parents=True)
    header = f"cio-lint-cache {FORMAT} {code_version()} {key} {hashlib.sha256(payload).hexdigest()}".encode()
    entry.write_bytes(header + b"\n" + payload)
    assert cache.get_facts(key) is None
    assert not called.exists()
    pickle.loads(payload)  # the same bytes through plain pickle would have run it
    assert called.exists()


def test_the_cache_version_changes_with_cio_lints_own_code(tmp_path: Path) -> None:
    """Entries are keyed by the version and a digest of cio-lint's source files, so a checkout
    that changed code without a new version number never reads the old entries."""
    import os

    from cio_lint import __version__
    from cio_lint.cache import code_version

    package = tmp_path / "cio_lint"
    (package / "rules").mkdir(parents=True)
    (package / "engine.py").write_text("x = 1\n")
    (package / "rules" / "events.py").write_text("y = 2\n")
    first = code_version(package)
    assert first.startswith(__version__ + "+") and first == code_version(package)
    os.utime(package / "rules" / "events.py", ns=(1, 1_000_000_000))
    second = code_version(package)
    (package / "engine.py").write_text("x = 10\n")
    third = code_version(package)
    assert len({first, second, third}) == 3


def test_no_cache_writes_nothing(project) -> None:
    root = project(APP)
    _run(root, cache=False)
    assert not (root / "cache").exists()


@pytest.mark.parametrize(
    "app",
    [
        "examples",
        "tests/fixtures/unseen_direct",
        "tests/fixtures/unseen_wrappers",
        "tests/fixtures/real_tenants",
        "tests/fixtures/real_service",
        "tests/fixtures/real_mixpanel",
        "tests/fixtures/real_posthog",
        "tests/fixtures/real_posthog_service",
        "tests/fixtures/real_amplitude",
    ],
)
def test_prefilter_does_not_change_findings(
    app: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files reached only through factories, client-holding members by name, lambdas and
    declared wrappers are selected too (the real_* projects have their own configuration)."""
    import dataclasses

    from cio_lint.config import load_config

    src = REPO / app
    shutil.copytree(src, tmp_path / "app")
    plan_dir = src / "tracking_plan" if (src / "tracking_plan").exists() else REPO / "tracking_plan"
    monkeypatch.chdir(tmp_path / "app")
    plan = load_plan(plan_dir)
    if (tmp_path / "app" / "pyproject.toml").exists():
        base = load_config(tmp_path / "app")
    else:
        base = Config(root=tmp_path / "app", sdk_versions={"customerio": "3.2"})
    results = []
    for prefilter in (True, False):
        cfg = dataclasses.replace(base, cache=False, prefilter=prefilter)
        results.append(lint_paths([tmp_path / "app"], cfg, plan, jobs=1))
    with_prefilter, without = results
    assert _summary(with_prefilter) == _summary(without)
    assert with_prefilter.files_parsed < without.files_parsed
    assert {(r.call.loc.path, r.call.loc.line) for r in with_prefilter.resolved} == {
        (r.call.loc.path, r.call.loc.line) for r in without.resolved
    }


def test_prefilter_follows_modules_that_hold_a_client(project) -> None:
    root = project(
        {
            "app/__init__.py": "",
            "app/clients.py": "from customerio import CustomerIO\ncio = CustomerIO('s', 'k')\n",
            "app/views.py": "from app.clients import cio\ncio.identify('u1', email='x@y.co')\ncio.track('u1', 'Nope')\n",
        }
    )
    result = _run(root)
    assert [(f.path, f.code) for f in result.findings] == [("app/views.py", "CIO001")]


def test_files_over_the_size_limit_are_skipped_with_a_warning(project) -> None:
    big = "from customerio import analytics\n" + "x = 1\n" * 40000
    root = project(
        {
            "app/__init__.py": "",
            "app/big.py": big,
            "app/ok.py": "from customerio import analytics\nanalytics.identify('u', {'email': 'a@b.co'})\nanalytics.track('u', 'Nope')\n",
        }
    )
    result = _run(root, max_file_bytes=100 * 1024)
    assert [(f.path, f.code, f.severity) for f in result.findings] == [
        ("app/big.py", "CIO901", "warning"),
        ("app/ok.py", "CIO001", "error"),
    ]
    assert "over the 100 KiB limit" in result.findings[0].message


# APP and 40 modules calling its wrapper: enough files for a pool of workers
BIG_APP = {
    **APP,
    **{
        f"app/m{i}.py": f"from app.helpers import track_event\ndef f(u):\n    track_event(u, 'N{i}')\n"
        for i in range(40)
    },
}


def test_parallel_workers_give_the_same_result(project) -> None:
    root = project(BIG_APP)
    cfg = Config(root=root, cache=False)
    plan = load_plan(root / "tracking_plan")
    serial = lint_paths([root / "app"], cfg, plan, jobs=1)
    parallel = lint_paths([root / "app"], cfg, plan, jobs=2)
    assert _summary(serial) == _summary(parallel) and len(serial.findings) > 40


def test_a_rerun_after_many_edits_parses_them_in_parallel_with_the_same_result(project) -> None:
    """A rerun starts one worker; when many files need parsing after all, a full pool."""
    root = project(BIG_APP)
    plan = load_plan(root / "tracking_plan")
    cached = Config(root=root, cache_dir=root / "cache")
    lint_paths([root / "app"], cached, plan, jobs=2)
    for i in range(12):
        path = root / f"app/m{i}.py"
        path.write_text(path.read_text().replace(f"'N{i}'", f"'Signed Up', plan='x{i}'"))
    rerun = lint_paths([root / "app"], cached, plan, jobs=2)
    fresh = lint_paths([root / "app"], Config(root=root, cache=False), plan, jobs=1)
    assert _summary(rerun) == _summary(fresh) and not rerun.from_cache
    assert rerun.files_parsed >= 12
    assert sum(f.code == "CIO006" for f in rerun.findings) == 12


def _broken_scan(paths: list[str], sdk_only: bool) -> list[object]:
    raise OSError("the helper died")  # runs in the helper process (forked with the patch)


def test_a_failing_import_scan_helper_costs_nothing_but_time(
    project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a first run a helper process reads import lines; if it fails, the engine reads them."""
    from cio_lint import prefilter

    root = project(BIG_APP)
    cfg = Config(root=root, cache=False)
    plan = load_plan(root / "tracking_plan")
    serial = lint_paths([root / "app"], cfg, plan, jobs=1)
    monkeypatch.setattr(prefilter, "scan_imports", _broken_scan)
    parallel = lint_paths([root / "app"], cfg, plan, jobs=2)
    assert _summary(serial) == _summary(parallel) and len(serial.findings) > 40


def test_progress_bar_only_after_a_second(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from cio_lint.commands import _show

    clock = iter([0.0, 0.5, 2.0, 2.1])
    monkeypatch.setattr(_show.time, "monotonic", lambda: next(clock))
    bar = _show.ProgressBar()
    bar(1, 10)
    assert capsys.readouterr().err == ""
    bar(5, 10)
    bar.close()
    assert "5/10 files" in capsys.readouterr().err
    monkeypatch.setenv("CI", "true")
    assert _show.show_progress(None) is False
    assert _show.show_progress(True) is True


@pytest.mark.parametrize(
    ("source", "relevant"),
    [
        ("from customerio import analytics\n", True),
        ("import segment.analytics as sa\n", True),
        ("def f():\n    from rudderstack.analytics import Client\n", True),
        ("import os, analytics\n", True),
        ("from app.helpers import track_event\n", True),
        ("from app import (\n    other,\n    helpers,\n)\n", True),
        ("from .helpers import track_event\n", True),
        ("import app\n", True),
        ("# we send analytics to customerio\nx = 'customerio'\n", False),
        ("shipment.track(number)\nface.identify(img)\n", False),
        ("from app.models import User\n", False),
        (
            "from app.helpers import format_price\n",
            False,
        ),  # a module with a wrapper, not the wrapper
        ("from app.helpers import *\n", True),
        ("from app.helpers import format_price, \\\n    track_event\n", True),
    ],
)
def test_import_prefilter(source: str, relevant: bool) -> None:
    from cio_lint.prefilter import SDK_TOP_LEVEL, SourceFile

    file = SourceFile(Path("x.py"), "x", False, True, source.encode())
    sdk_names = frozenset(SDK_TOP_LEVEL)
    found = file.imports_sdk(sdk_names) or file.imports_any({"track_event"}, {"app", "helpers"})
    assert found is relevant


IMPORT_SOURCES = [
    "import os\nfrom a.b import (\n    c,  # import d\n    e,\n)\nimport f.g as h\n",
    "from a import b, \\\n    c\nx = 1; import y\n",
    '"""\nimport inside_docstring\n"""\n# import in_comment\nprint("import")\n',
    "def f():\n\tfrom . import rel\n\timport pkg.mod\r\nfrom p import *\r\n",
    "from a import (b)  # import c\nimportant = 1\nreimport = 2\nfrom x import importer\n",
    "from a import (\n  b\n",  # unclosed: the rest of the line only
    "from a import (\n    b,\n    import c,\n)\nimport d, \\\n    import e\n",  # inside a match: no new one
    "",
    "no imports at all\n",
]


@pytest.mark.parametrize("source", IMPORT_SOURCES)
def test_import_words_agree_with_a_plain_scan(source: str) -> None:
    """``import_words`` tries the import-line regex only where the word ``import`` occurs:
    the same words as running it at every line start."""
    from cio_lint.prefilter import _IMPORT_LINE, _WORD, import_words

    modules: set[str] = set()
    names: set[str] = set()
    bare: set[str] = set()
    for match in _IMPORT_LINE.finditer(source.encode()):
        module, imported, bare_line = (
            g.decode() if g is not None else None for g in match.groups()
        )
        if bare_line is not None:
            bare.update(w.decode() for w in _WORD.findall(bare_line.encode()))
            continue
        path = [w.decode() for w in _WORD.findall(module.encode())]
        modules.update(path)
        names.update(w.decode() for w in _WORD.findall(imported.encode()))
        if "*" in imported and path:
            names.add(path[-1])
    assert import_words(source.encode()) == (frozenset(modules), frozenset(names), frozenset(bare))


def test_import_words_of_the_demo_app_agree_with_a_plain_scan() -> None:
    for path in sorted((REPO / "examples").rglob("*.py")):
        test_import_words_agree_with_a_plain_scan(path.read_text("utf-8"))


def test_trim_keeps_what_can_matter_and_every_line_number() -> None:
    from cio_lint.analysis.trim import trim

    source = (
        "from customerio import analytics\n"
        "from app.helpers import track_event as te\n"
        "import os\n"
        "CLIENT = analytics\n"
        "def plain(x):\n"
        "    return os.path.join(x, 'y')\n"
        "@decorator\n"
        "def sends(u):\n"
        "    analytics.track(u, 'A')\n"
        "def via_helper(u):\n"
        "    te(u, 'B')\n"
        "def calls_sender(u):\n"
        "    sends(u)\n"
        "def uses_client(u):\n"
        "    CLIENT.track(u, 'C')\n"
        "class Service:\n"
        "    def __init__(self):\n"
        "        self.c = analytics\n"
        "    def go(self, u):\n"
        "        self.c.track(u, 'D')\n"
        "class Plain:\n"
        "    X = 1\n"
        "    def m(self):\n"
        "        return 2\n"
    )
    out = trim(source, {"customerio", "analytics", "helpers"}, {"customerio", "analytics"})
    assert len(out.splitlines()) == len(source.splitlines())
    kept = [line for line in out.splitlines() if line.strip() and line.strip() != "pass"]
    assert "def plain(x):" not in kept and "    def m(self):" not in kept
    for needed in (
        "def sends(u):",
        "def via_helper(u):",
        "def calls_sender(u):",
        "def uses_client(u):",
        "        self.c.track(u, 'D')",
        "    X = 1",
        "class Plain:",
    ):
        assert needed in kept
    compile(out, "x.py", "exec")


TRIMMED_VIEW = """\
from customerio import analytics
import os


def unrelated(path):
    parts = []
    for p in path.split("/"):
        parts.append(os.path.basename(p))  # cio-lint: ignore
    return parts


class Helper:
    X = 1

    def go(self):
        return os.getcwd()


def send(user):
    analytics.identify(user, {"email": "a@b.co"})
    analytics.track(user, "Signed Up", {"plan":
        "platinum"})
    analytics.track(user, "Nope")  # cio-lint: ignore[CIO001]
    analytics.track(user, "order completed", {"order_id": "o1", "total": 1})
"""


@pytest.mark.parametrize(
    ("imports", "call"),
    [
        ("from app.pkg import mid", "mid.sender"),  # the module by its last name
        ("from app import pkg", "pkg.mid.sender"),  # through a package imported by name
        ("import app.pkg.mid", "app.pkg.mid.sender"),  # a bare import
        ("import app.pkg.mid as m", "m.sender"),  # an alias
        ("from app.pkg.mid import sender\nsend = sender", "send"),  # a module-level name for it
    ],
)
def test_a_file_trimmed_early_is_trimmed_again_whichever_way_it_reaches_the_module(
    project, imports: str, call: str
) -> None:
    """views.py imports the SDK, so the first round parses it, trimmed with what is known then;
    ``sender`` turns out to be a wrapper only in a later round, which must parse views.py again
    with the function that calls it."""
    root = project(
        {
            "app/__init__.py": "",
            "app/pkg/__init__.py": "",
            "app/core.py": "from customerio import analytics\ndef track_it(user, name):\n    analytics.track(user, name)\n",
            "app/pkg/mid.py": "from app.core import track_it\ndef sender(user, name):\n    track_it(user, name)\n",
            "app/views.py": (
                f"from customerio import analytics\n{imports}\n"
                "def v(u):\n    analytics.identify(u, {'email': 'a@b.co'})\n"
                f"def w(u):\n    {call}(u, 'Nope')\n"
            ),
        }
    )
    with_prefilter = _run(root, cache=False)
    without = _run(root, cache=False, prefilter=False)
    assert _summary(with_prefilter) == _summary(without)
    line = 6 + imports.count("\n")
    assert [(f.path, f.line, f.code) for f in with_prefilter.findings] == [
        ("app/views.py", line, "CIO001")
    ]


def test_trimmed_files_report_at_the_lines_and_columns_of_the_file(project) -> None:
    """libcst parses the file without the functions trimming left out: findings, suppressions
    and fixes are still where they are in the file."""
    from cio_lint.analysis.trim import trim_with_words

    trimmed = trim_with_words(
        TRIMMED_VIEW, {"customerio", "analytics"}, {"customerio", "analytics"}
    )
    assert trimmed.lines is not None and len(trimmed.lines) < len(TRIMMED_VIEW.splitlines())
    root = project({"app/__init__.py": "", "app/views.py": TRIMMED_VIEW})
    with_prefilter = _run(root, cache=False)
    without = _run(root, cache=False, prefilter=False)
    assert _summary(with_prefilter) == _summary(without)
    assert [(f.line, f.column, f.code) for f in with_prefilter.findings] == [
        (8, 44, "CIO904"),  # the comment in the function trimming left out: it hides nothing
        (22, 9, "CIO006"),
        (24, 27, "CIO002"),
    ]
    fix = with_prefilter.findings[2].fix
    assert fix is not None and [(e.line, e.column) for e in fix.edits] == [(24, 27)]


def test_cached_facts_equal_the_extracted_ones(tmp_path: Path) -> None:
    """Every field of FileFacts survives the cache (returns, annotations, lambdas included), so
    a warm run links exactly what a cold one did."""
    from cio_lint.analysis.extract import extract_file
    from cio_lint.cache import Cache

    source = (
        b"from typing import Optional\n"
        b"from customerio import CustomerIO\n"
        b"import analytics\n"
        b"cio: Optional[CustomerIO] = None\n"
        b"class Service:\n"
        b"    client: 'CustomerIO'\n"
        b"    def __init__(self, key: str = 'k'):\n"
        b"        self.client = None\n"
        b"        self.client = CustomerIO('site', key)\n"
        b"    @property\n"
        b"    def api(self) -> CustomerIO:\n"
        b"        return self.client\n"
        b"def name(area, verb):\n"
        b"    return f'backend:{area}:{verb}'\n"
        b"def later(user):\n"
        b"    run(lambda: analytics.track(user.id, 'Signed Up', {}))\n"
        b"def each(users):\n"
        b"    for user in users:\n"
        b"        analytics.track(user.id, 'Signed Up', {})\n"
    )
    facts = extract_file(str(tmp_path / "m.py"), "m", False, source)
    assert facts.functions["name"].returns and facts.calls
    assert [c.loop for c in facts.calls if c.scope == "each"] == [True]  # CIO308's loops
    cache = Cache(tmp_path / "cache")
    cache.put_facts("cd" * 32, facts)
    assert cache.get_facts("cd" * 32) == facts
