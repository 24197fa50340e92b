"""The character-counting code generation of ``positions.Positions`` against libcst's own
``PositionProvider``, for every node of real and awkward sources."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from cio_lint.analysis.positions import Positions

ROOT = Path(__file__).resolve().parent.parent

AWKWARD = {
    "parentheses": "x = ((a)) + (b\n   )\nf((1), *(args), **{'k': (v)})\n",
    "decorators": "@a.b(1)\n@c\nclass K(Base, metaclass=M):\n    @property\n    def p(self):  # note\n        return (self.x)\n",
    "strings": 's = """one\ntwo"""  \nt = f"{a!r:>{w}} {b}" + rb\'x\'\nu = ("a"\n     "b")\n',
    "unicode": "naïve = 'été'  # ünïcode\nπ = call(naïve, κ=1)\n",
    "crlf": "import os\r\nif x:\r\n    y = f(1)\r\nelse:\r\n    pass\r\n",
    "tabs": "def f():\n\tif a:\n\t\treturn g(a)\n\treturn None\n",
    "no trailing newline": "def f():\n    return track('x')",
    "comments and blank lines": "# head\n\n\nx = 1  # tail\n\n\n# before\ndef f():\n\n    # inside\n    pass\n",
    "compound": "async def f():\n    async with a as b, c:\n        async for i in d:\n            await e(i)\n    try:\n        pass\n    except (A, B) as exc:\n        raise X from exc\n    finally:\n        del q\n    match p:\n        case {'k': [1, *rest]} if rest:\n            pass\n",
    "lambda and comprehensions": "x = [f(i) for i in g() if h(i)]\ny = lambda a, *b, c=1, **d: (a, b)\nz = {k: v for k, v in w.items()}\n",
}


def _cases() -> list[tuple[str, str]]:
    cases = list(AWKWARD.items())
    for path in sorted((ROOT / "examples").rglob("*.py")):
        text = path.read_text("utf-8")
        try:
            cst.parse_module(text)
        except cst.ParserSyntaxError:
            continue  # the demo's deliberately broken file
        cases.append((path.relative_to(ROOT).as_posix(), text))
    return cases


@pytest.mark.parametrize(("name", "text"), _cases(), ids=[name for name, _ in _cases()])
def test_spans_match_position_provider(name: str, text: str) -> None:
    tree = cst.parse_module(text)
    expected = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    positions = Positions(tree, text)
    assert positions.spans is not None, "fell back to PositionProvider"
    assert tree.code == text  # libcst's own code generation is intact afterwards
    checked = 0
    for node, r in expected.items():
        if isinstance(node, (cst.SimpleWhitespace, cst.Comment, cst.Newline)):
            checked += 1
            continue  # only counted: never asked about
        if isinstance(node, cst.Module) or (
            not text.endswith("\n") and r.end.line > len(text.splitlines())
        ):
            checked += not isinstance(node, cst.Module)
            continue  # the module, and the newline libcst makes up at the end of a file without one
        assert positions[node] == (
            r.start.line,
            r.start.column + 1,
            r.end.line,
            r.end.column + 1,
        ), f"{type(node).__name__} {cst.Module([]).code_for_node(node)!r}"
        checked += 1
    assert checked == len(expected) - 1  # every node but the module


def test_parsing_without_validation_is_scoped() -> None:
    """Sources CPython accepted are parsed without libcst's per-node validation; validation is
    back on afterwards, and the facts are the same as with it."""
    from cio_lint.analysis.extract import extract_file

    source = (ROOT / "examples" / "acme" / "billing.py").read_bytes()
    fast = extract_file("billing.py", "acme.billing", False, source)
    slow = extract_file("billing.py", "acme.billing", False, source, validate=True)
    assert fast == slow and fast.calls
    with pytest.raises(cst.CSTValidationError):
        cst.SimpleWhitespace("not whitespace")
