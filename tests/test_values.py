"""Event names built from parts (issue 10, item 8): f-strings, ``%``, ``.format()``, ``+`` over
literals, constants and Enum values, and a helper's returns, evaluated per possible value."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cio_lint.cli import main

HEAD = "from customerio import analytics\n"


def _events(result) -> list[tuple[int, int, str, str]]:
    return [
        (f.line, f.column, f.code, f.message)
        for f in result.findings
        if f.code in ("CIO001", "CIO002", "CIO007")
    ]


@pytest.mark.parametrize(
    ("expr", "name"),
    [
        ('f"{PREFIX} Extended"', "Trial Extended"),  # a constant in an f-string
        ('f"{Kind.TRIAL.value} {VERB!s:>1}"', "Trial Extended"),  # an Enum value, conversion, spec
        ('"%s Extended" % PREFIX', "Trial Extended"),
        ('"%s %s" % (PREFIX, VERB)', "Trial Extended"),
        ('"{} {}".format(PREFIX, VERB)', "Trial Extended"),
        ('"{p} {v}".format(p=PREFIX, v=VERB)', "Trial Extended"),
        ('PREFIX + " " + VERB', "Trial Extended"),
        ("f\"{'Trial'!r}\"", "'Trial'"),
    ],
)
def test_names_built_from_known_parts_are_evaluated(lint, expr: str, name: str) -> None:
    result = lint(
        {
            "app.py": HEAD
            + "from enum import Enum\n"
            + "PREFIX = 'Trial'\nVERB = 'Extended'\n"
            + "class Kind(str, Enum):\n    TRIAL = 'Trial'\n"
            + f"analytics.track('u1', {expr})\n"
        }
    )
    found = [f for f in result.findings if f.code in ("CIO001", "CIO007", "CIO012")]
    if name == "Trial Extended":  # deprecated in the example plan: known, checked as that name
        assert [(f.code, f.line, f.column) for f in found] == [("CIO012", 7, 23)]
    else:
        assert [(f.code, f.message) for f in found] == [
            ("CIO001", f"Event `{name}` is not in the tracking plan")
        ]


def test_each_possible_value_gets_its_own_finding_at_the_expression(lint) -> None:
    result = lint(
        {
            "app.py": HEAD
            + "def f(flag):\n"
            + "    area = 'billing' if flag else 'Trial'\n"
            + "    verb = 'paid' if flag else 'started'\n"
            + "    analytics.track('u1', f'{area} {verb}')\n"
        }
    )
    assert _events(result) == [
        (
            5,
            27,
            "CIO001",
            "Event `Trial paid` is not in the tracking plan (did you mean `Trial Started`?)",
        ),
        (5, 27, "CIO001", "Event `billing paid` is not in the tracking plan"),
        (
            5,
            27,
            "CIO001",
            "Event `billing started` is not in the tracking plan (did you mean `Trial Started`?)",
        ),
        (
            5,
            27,
            "CIO002",
            "Event `Trial started` differs from planned `Trial Started` only in case or separators",
        ),
    ]


def test_a_built_name_is_not_fixable(lint) -> None:
    result = lint(
        {"app.py": HEAD + "KIND = 'signed'\nanalytics.track('u1', f'{KIND} up', {'plan': 'pro'})\n"}
    )
    [finding] = [f for f in result.findings if f.code == "CIO002"]
    assert finding.fix is None
    assert (finding.line, finding.column) == (3, 23)


def test_unknown_parts_stay_unknown(lint) -> None:
    result = lint(
        {
            "app.py": HEAD
            + "def f(user):\n"
            + "    analytics.track('u1', f'{user.kind} Created')\n"
            + "    analytics.track('u1', '%s Created' % user.kind)\n"
            + "    analytics.track('u1', '{} Created'.format(user.kind))\n"
            + "    analytics.track('u1', f'{1:>99999999}')\n"  # a huge width is not built
        }
    )
    assert [(line, code) for line, _, code, _ in _events(result)] == [
        (3, "CIO007"),
        (4, "CIO007"),
        (5, "CIO007"),
        (6, "CIO007"),
    ]


def test_too_many_combinations_are_unknown(lint) -> None:
    parts = "".join(
        f"    p{i} = 'a' if flag else 'b'\n" for i in range(7)
    )  # 2**7 = 128 combinations
    fields = "".join(f"{{p{i}}}" for i in range(7))
    result = lint(
        {"app.py": HEAD + "def f(flag):\n" + parts + f"    analytics.track('u1', f'{fields}')\n"}
    )
    assert [code for _, _, code, _ in _events(result)] == ["CIO007"]


HELPER = """\
def event_name(area, verb="Started"):
    return f"{area} {verb}"


def recursive(n):
    return recursive(n)
"""

VIEWS = (
    HEAD
    + """\
from app.names import event_name, recursive


def view(flag):
    analytics.track("u1", event_name("Trial"))
    analytics.track("u1", event_name("backend", "paid" if flag else "refunded"))
    analytics.track("u1", event_name("Trial"))
    analytics.track("u1", recursive(1))
"""
)


@pytest.mark.parametrize("prefilter", [True, False])
def test_a_helper_in_a_module_without_sdk_imports_is_evaluated(lint, prefilter: bool) -> None:
    result = lint(
        {"app/__init__.py": "", "app/names.py": HELPER, "app/views.py": VIEWS}, prefilter=prefilter
    )
    assert _events(result) == [
        (7, 27, "CIO001", "Event `backend paid` is not in the tracking plan"),
        (7, 27, "CIO001", "Event `backend refunded` is not in the tracking plan"),
        (9, 27, "CIO007", "Event name cannot be determined statically (computed at run time)"),
    ]


def test_a_helper_edited_after_a_cached_run_is_evaluated_again(project) -> None:
    root = project({"app/__init__.py": "", "app/names.py": HELPER, "app/views.py": VIEWS})
    first = CliRunner().invoke(main, ["app"])
    assert "backend paid" in first.stdout
    names = root / "app" / "names.py"
    names.write_text(names.read_text().replace('f"{area} {verb}"', 'f"{area}-{verb}"'))
    second = CliRunner().invoke(main, ["app"])
    assert "backend-paid" in second.stdout and "backend paid" not in second.stdout
    assert "Trial-Started" in second.stdout


def test_a_method_helper_with_self(lint) -> None:
    result = lint(
        {
            "app.py": HEAD
            + "class Events:\n"
            + "    prefix = 'Order'\n"
            + "    def name(self, verb):\n"
            + "        return self.prefix + ' ' + verb\n"
            + "    def send(self):\n"
            + "        analytics.track('u1', self.name('Shipped'))\n"
        }
    )
    assert [m for _, _, _, m in _events(result)] == [
        "Event `Order Shipped` is not in the tracking plan (did you mean `Order Completed`?)"
    ]


def test_a_helper_called_many_times_gives_each_call_its_value(lint) -> None:
    calls = "".join(f"    analytics.track('u1', name('v{i % 3}'))\n" for i in range(30))
    result = lint({"app.py": HEAD + "def name(v):\n    return 'x ' + v\ndef f():\n" + calls})
    assert sorted({m for _, _, _, m in _events(result)}) == [
        f"Event `x v{i}` is not in the tracking plan" for i in range(3)
    ]
    assert len(_events(result)) == 30
