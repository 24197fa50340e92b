"""CIO308 broadcast-trigger-in-loop: what a trigger is, what a loop is, and the fixture project.

`tests/fixtures/real_broadcasts/` is a newsletter service written from scratch in the shapes
public code triggers Customer.io broadcasts with (its README); each finding is marked
`# expect: CIO308` where it starts, and the lines that must not be reported are explained there.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from conftest import Lint
from expectations import assert_as_marked, marked

from cio_lint.analysis.positions import Positions, _iter_calls_slow
from cio_lint.config import Config, load_config
from cio_lint.engine import lint_paths
from cio_lint.plan import Plan, load_plan

FIXTURE = Path(__file__).parent / "fixtures" / "real_broadcasts"
URL = "https://api.customer.io/v1/campaigns/7/triggers"


def _cio308(result: object) -> list[tuple[str, int]]:
    return [(f.path, f.line) for f in result.findings if f.code == "CIO308"]  # type: ignore[attr-defined]


def _app(body: str) -> dict[str, str]:
    return {"app/__init__.py": "", "app/jobs.py": textwrap.dedent(body)}


# ------------------------------------------------------------------ what a trigger is
@pytest.mark.parametrize(
    "post",
    [
        "requests.post(URL, json={'ids': [u]})",
        "requests.post(url=URL, json={'ids': [u]})",
        "requests.request('POST', URL, json={})",
        "requests.request(method='post', url=URL)",
        "httpx.post(f'{BASE}/campaigns/{bid}/triggers')",
        "httpx.post(BASE + '/campaigns/' + str(bid) + '/triggers')",
        "requests.post('https://api-eu.customer.io/v1/api/campaigns/%s/triggers' % bid)",
        "requests.post('https://api.customer.io/v1/campaigns/{}/triggers'.format(bid))",
        "session.post(f'/v1/campaigns/{bid}/triggers/')",  # a base_url client, trailing slash
        "self_client().post(PATH.format(id=bid), json={})",  # a receiver of unknown type
    ],
)
def test_each_shape_of_a_trigger_in_a_loop_is_reported(lint: Lint, post: str) -> None:
    result = lint(
        _app(
            f"""\
            import httpx
            import requests

            URL = {URL!r}
            BASE = "https://api.customer.io/v1"
            PATH = "/v1/campaigns/{{id}}/triggers"
            session = requests.Session()

            def launch(users, bid, self_client):
                for u in users:
                    {post}
            """
        )
    )
    assert _cio308(result) == [("app/jobs.py", 11)]
    message = next(f.message for f in result.findings if f.code == "CIO308")
    assert "one broadcast trigger every 10 seconds" in message and "429" in message


@pytest.mark.parametrize(
    "post",
    [
        "requests.get(URL)",  # reading it is not triggering it
        "requests.request('GET', URL)",
        "requests.post('https://api.customer.io/v1/send/email', json={})",  # transactional
        "requests.post(f'https://api.customer.io/v1/campaigns/{bid}/actions')",
        "requests.post(f'https://hooks.example.com/triggers/{bid}')",
        "requests.post(unknown_url, json={})",  # nothing known: not claimed
        "board.post(URL)",  # a project class's own `post` that sends nothing
        "requests.post(f'https://hooks.example.com/v1/campaigns/{bid}/triggers')",  # not Customer.io
        "requests.post(f'/api/campaigns/{bid}/triggers')",  # the app's own API, not /v1/
    ],
)
def test_what_is_not_a_trigger(lint: Lint, post: str) -> None:
    result = lint(
        _app(
            f"""\
            import requests

            URL = {URL!r}

            class Board:
                def post(self, text):
                    self.items.append(text)

            board = Board()

            def launch(users, bid, unknown_url):
                for u in users:
                    {post}
            """
        )
    )
    assert _cio308(result) == []


# ------------------------------------------------------------------ what a loop is
@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("for u in users:\n    post(u)", 9),
        ("while users:\n    post(users.pop())", 9),
        ("async def f():\n    async for u in users:\n        post(u)", 10),
        ("sent = [post(u) for u in users]", 8),
        ("sent = {u: post(u) for u in users}", 8),
        ("any(post(u) for u in users if u)", 8),
        ("sent = [x for u in users for x in post(u)]", 8),  # an inner iterable runs again
        ("for u in users:\n    on_commit(lambda: post(u))", 9),  # a lambda made in the loop
        ("for u in users:\n    if u.active:\n        post(u)", 10),
        ("for u in users:\n    with lock:\n        post(u)", 10),
    ],
)
def test_calls_that_may_run_more_than_once(lint: Lint, body: str, line: int) -> None:
    source = (
        "import requests\n"
        f"URL = {URL!r}\n\n"
        "def post(u):\n"
        "    requests.post(URL, json={'ids': [u]})\n\n"
        "def launch(users, on_commit, lock):\n" + textwrap.indent(body, "    ") + "\n"
    )
    assert _cio308(lint({"app/__init__.py": "", "app/jobs.py": source})) == [("app/jobs.py", line)]


@pytest.mark.parametrize(
    "body",
    [
        "post(users)",
        "sent = [u for u in post(users)]",  # the first iterable runs once
        "post([u.id for u in users])",  # a comprehension as an argument
        (
            "for attempt in range(3):\n    try:\n        post(users)\n        break\n"
            "    except OSError:\n        pass"
        ),  # a retry loop
        "for u in users:\n    if u.admin:\n        post(u)\n        return",  # a search
        "for u in users:\n    def later():\n        post(u)\n    register(later)",  # runs later
        "on_commit(lambda: post(users))",
    ],
)
def test_calls_that_run_once(lint: Lint, body: str) -> None:
    source = (
        "import requests\n"
        f"URL = {URL!r}\n\n"
        "def post(u):\n"
        "    requests.post(URL, json={'ids': [u]})\n\n"
        "def launch(users, on_commit, register):\n" + textwrap.indent(body, "    ") + "\n"
    )
    assert _cio308(lint({"app/__init__.py": "", "app/jobs.py": source})) == []


def test_trigger_functions_are_followed_across_modules_and_through_a_generic_post(
    lint: Lint,
) -> None:
    """`launch` -> `announce` -> `AppAPI.trigger` -> `AppAPI._post(path)`: the site is the call
    that passes the trigger path; every function above it triggers, in whatever module."""
    result = lint(
        {
            "app/__init__.py": "",
            "app/cio.py": (
                "import requests\n\n"
                "class AppAPI:\n"
                "    base = 'https://api.customer.io/v1'\n"
                "    def _post(self, path, body):\n"
                "        return requests.post(self.base + path, json=body)\n"
                "    def trigger(self, bid, ids):\n"
                "        return self._post(f'/campaigns/{bid}/triggers', {'ids': ids})\n"
                "    def customers(self, rows):\n"
                "        for row in rows:\n"
                "            self._post('/customers', row)\n\n"
                "api = AppAPI()\n"
            ),
            "app/service.py": (
                "from app.cio import api\n\ndef announce(team):\n    api.trigger(7, team.ids)\n"
            ),
            "app/jobs.py": (
                "from app import service\n\n"
                "def launch(teams):\n"
                "    for team in teams:\n"
                "        service.announce(team)\n"
            ),
        }
    )
    assert _cio308(result) == [("app/jobs.py", 5)]
    message = next(f.message for f in result.findings if f.code == "CIO308")
    assert message.startswith(
        "`announce()` triggers an API-triggered broadcast (at `app/cio.py:8`)"
    )


def test_a_suppression_comment_and_no_plan(lint: Lint) -> None:
    files = _app(
        f"""\
        import requests

        def launch(users):
            for u in users:
                requests.post({URL!r}, json={{'ids': [u]}})  # cio-lint: ignore[CIO308]
            for u in users:
                requests.post({URL!r}, json={{'ids': [u]}})
        """
    )
    assert _cio308(lint(files)) == [("app/jobs.py", 7)]
    assert _cio308(lint(files, no_plan=True)) == [("app/jobs.py", 7)]


# ------------------------------------------------------------------ positions
@pytest.mark.parametrize(
    "source",
    [
        "x = [f(a) for a in g() if h(a)]\n",
        "y = {k(): v() for z in w() for q in r(z)}\n",
        "z = a(b) if c() else [d(e) for e in f2(g2() for _ in h2())]\n",
        "w = (lambda: [m(n) for n in o()])()\n",
    ],
)
def test_repeated_calls_are_the_same_in_the_fast_and_the_slow_position_pass(source: str) -> None:
    module = cst.parse_module(source)
    expr = module.body[0].body[0].value  # type: ignore[attr-defined]
    fast = Positions(module, source).calls_within(expr)
    code = cst.Module([]).code_for_node
    assert sorted((code(c), cond, again) for c, cond, again in fast) == sorted(
        (code(c), cond, again) for c, cond, again in _iter_calls_slow(expr, False, False)
    )


# ------------------------------------------------------------------ the fixture projects
# real_broadcasts: written with the rule; real_flash_sale: written after it, in the shapes of
# public Python that triggers broadcasts (its README)
FIXTURES = {"real_broadcasts": 4, "real_flash_sale": 2}


def _copy(tmp_path: Path, name: str) -> Path:
    app_dir = tmp_path / name
    shutil.copytree(FIXTURE.parent / name, app_dir)
    return app_dir


@pytest.mark.parametrize(("name", "count"), FIXTURES.items())
def test_fixture_findings_are_the_marked_ones(  # type: ignore[no-untyped-def]
    name: str, count: int, tmp_path: Path, monkeypatch
) -> None:
    app_dir = _copy(tmp_path, name)
    monkeypatch.chdir(app_dir)
    expected, _ = marked(app_dir)
    assert len([k for k in expected if k[2] == "CIO308"]) == count
    config = load_config(Path(".")).with_overrides(cache=False)
    plan = load_plan(config.plan) if config.plan is not None else Plan.empty(app_dir)
    result = lint_paths([Path(".")], config, plan, jobs=1)
    actual = {(f.path, f.line, f.code) for f in result.findings}
    assert_as_marked(name, expected, actual, {})


@pytest.mark.parametrize(("name", "count"), FIXTURES.items())
def test_fixture_same_findings_with_and_without_the_prefilter(  # type: ignore[no-untyped-def]
    name: str, count: int, tmp_path: Path, monkeypatch
) -> None:
    app_dir = _copy(tmp_path, name)
    monkeypatch.chdir(app_dir)
    runs = []
    for prefilter in (True, False):
        config = Config(root=app_dir, cache=False, prefilter=prefilter, no_plan=True)
        result = lint_paths([app_dir], config, Plan.empty(app_dir), jobs=1)
        runs.append([(f.path, f.line, f.code, f.message) for f in result.findings])
    assert runs[0] == runs[1]
    assert sum(1 for row in runs[0] if row[2] == "CIO308") == count


def test_a_long_chain_of_helpers_is_followed_to_its_end(lint: Lint) -> None:
    """400 helpers, each calling the one before, the first triggering: the loop at the top of
    the chain is reported (each function is reached once, however long the chain)."""
    lines = ["import requests", f"URL = {URL!r}", "def f0(u):", "    requests.post(URL, json={})"]
    for i in range(1, 400):
        lines += [f"def f{i}(u):", f"    f{i - 1}(u)"]
    lines += ["def launch(users):", "    for u in users:", "        f399(u)"]
    result = lint({"app/__init__.py": "", "app/jobs.py": "\n".join(lines) + "\n"})
    assert _cio308(result) == [("app/jobs.py", len(lines))]
