"""``analysis.reparse``: the language server's re-parse of the statements an edit touched gives
the facts a full parse gives, after random and targeted edits of real files (and the same
CIO900 for an edit that breaks the file)."""

from __future__ import annotations

import ast
import os
import random
from pathlib import Path

import pytest

from cio_lint import sdks
from cio_lint.analysis import reparse
from cio_lint.analysis.extract import extract_file
from cio_lint.analysis.facts import FileFacts
from cio_lint.analysis.positions import Positions

ROOT = Path(__file__).resolve().parent.parent
FILES = [
    "examples/acme/legacy_import.py",
    "examples/acme/billing.py",
    "examples/acme/models.py",
    "tests/fixtures/unseen_wrappers/taskboard/signup.py",
    "tests/fixtures/real_tenants/sitehub/tasks.py",
]
# what the engine trims with in these projects: the SDK packages (functions that mention none
# of them are blanked out, and libcst parses the trimmed text)
TRIM = ((), tuple(sorted(sdks.TOP_LEVEL)))


def facts_of(path: str, text: str, trim: object = None) -> FileFacts:
    return extract_file(path, "m", False, text.encode("utf-8"), trim)  # type: ignore[arg-type]


def insert(text: str, at: int, new: str) -> str:
    return text[:at] + new + text[at:]


def line_starts(text: str) -> list[int]:
    out = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            out.append(i + 1)
    return out[:-1] if out[-1] == len(text) else out


def random_edit(rng: random.Random, text: str) -> str:
    """One keystroke-like or line edit: characters typed or deleted anywhere, lines added,
    removed, indented, commented, decorated, made CRLF or tab-indented."""
    starts = line_starts(text)
    line = rng.choice(starts)
    end = text.find("\n", line) + 1 or len(text)
    at = rng.randrange(len(text) + 1)
    kind = rng.randrange(14)
    if kind == 0:
        return insert(text, at, rng.choice("abx_ 1(),:'\"#.=\t"))
    if kind == 1:
        return text[:at] + text[at + rng.randint(1, 3) :]
    if kind == 2:
        return insert(text, at, "\n")
    if kind == 3:
        return text[:line] + text[end:]  # delete a line
    if kind == 4:
        return insert(text, line, text[line:end])  # duplicate a line
    if kind == 5:
        return insert(text, line, rng.choice(["\n", "\n\n", "   \n"]))
    if kind == 6:
        return insert(text, line, rng.choice(["# note\n", "    # indented note\n", "  #x\n"]))
    if kind == 7:
        return insert(text, line, rng.choice(["@decorator\n", "@functools.cache\n"]))
    if kind == 8:
        return insert(text, line, rng.choice(["x = 1\n", "import os\n", "def g():\n    pass\n"]))
    if kind == 9:  # inside a string literal
        quote = text.find('"', at)
        return text if quote < 0 else insert(text, quote + 1, rng.choice(["z", " ", "\\n"]))
    if kind == 10:  # a line's leading spaces become tabs
        row = text[line:end]
        return text[:line] + row.replace("    ", "\t") + text[end:]
    if kind == 11:  # one line ends in CRLF
        return text[: end - 1] + "\r\n" + text[end:] if text[end - 1 : end] == "\n" else text
    if kind == 12:  # a line indented one level more or less
        row = text[line:end]
        row = row[4:] if row.startswith("    ") and rng.random() < 0.5 else "    " + row
        return text[:line] + row + text[end:]
    return insert(text, rng.choice([0, len(text)]), rng.choice(["# top\n", "\ny = 2\n", "\n"]))


def run_edits(
    path: str, texts: list[str], trim: object = None
) -> tuple[reparse.Reparser, int, int]:
    """Each text in turn through a reparser (as the server's open document ``path``) and
    through a full parse: their facts must be equal. The reparser, and how many texts parsed
    and how many were rejected."""
    reparser = reparse.Reparser()
    parsed = broken = 0
    full: dict[str, FileFacts] = {}
    for number, text in enumerate(texts):
        with reparse.active(reparser, [path]):
            got = facts_of(path, text, trim)
        # an open document is not trimmed (its edits are compiled by the slice): the facts of
        # a full parse of all of it, whatever ``trim`` says
        expected = full.get(text) or full.setdefault(text, facts_of(path, text))
        assert got == expected, f"text {number} (after {reparser.why or 'a splice'}):\n{text}"
        assert_positions_of_a_full_pass(reparser, path)
        if expected.error is None:
            parsed += 1
        else:
            broken += 1
    return reparser, parsed, broken


def assert_positions_of_a_full_pass(reparser: reparse.Reparser, path: str) -> None:
    """The positions kept for the open document (moved after a splice) are those a pass over
    its whole tree gives: every node's span, the calls and lambdas and the regions around them."""
    doc = reparser.docs.get(os.path.abspath(path))
    if doc is None:
        return
    got, full = doc.positions, Positions(doc.module, doc.text)
    assert got.spans is not None and full.spans is not None
    assert {key: got.spans[key] for key in full.spans} == full.spans
    for name in ("calls", "lambdas"):
        assert [(a, b, id(n)) for a, b, n in getattr(got.sink, name)] == [
            (a, b, id(n)) for a, b, n in getattr(full.sink, name)
        ], name
    for name in ("call_ends", "lambda_ends", "cond_starts", "repeat_starts", "lambda_starts"):
        assert getattr(got.sink, name) == getattr(full.sink, name), name
    assert got.sink.position == full.sink.position == len(doc.text)


def cumulative(rng: random.Random, text: str, count: int) -> list[str]:
    """``count`` edits, each of the last text that parsed (as when typing)."""
    texts = [text]
    for _ in range(count):
        edited = random_edit(rng, text)
        texts.append(edited)
        try:
            ast.parse(edited)
        except SyntaxError:
            continue
        text = edited
    return texts


def independent(rng: random.Random, text: str, count: int) -> list[str]:
    """``count`` edits of ``text``, each followed by ``text`` again: most parse."""
    texts = [text]
    for _ in range(count):
        texts.extend([random_edit(rng, text), text])
    return texts


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("trim", [None, TRIM], ids=["whole", "trimmed"])
def test_random_edits_give_the_facts_of_a_full_parse(name: str, trim: object) -> None:
    text = (ROOT / name).read_text("utf-8")
    rng = random.Random(f"{name}{trim is None}")
    path = str(ROOT / name)
    count = 10 if len(text) > 10_000 else 25
    reparser, parsed, broken = run_edits(path, independent(rng, text, count), trim)
    assert parsed > count and broken > 0
    assert reparser.spliced > count // 2, reparser.why  # most parsed texts were spliced
    assert reparser.moved == reparser.spliced  # and their positions moved, not counted again
    reparser, parsed, broken = run_edits(path, cumulative(rng, text, count), trim)
    assert parsed >= 2


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def tabs(text: str) -> str:
    return text.replace("    ", "\t")


def comment_out(text: str, start: int, end: int, nl: str) -> str:
    """``text`` with its lines from ``start`` (a line start) to ``end`` commented out."""
    lines = text[start:end].split(nl)
    return text[:start] + nl.join(f"# {line}" if line else line for line in lines) + text[end:]


def targeted(text: str) -> list[str]:
    """Edits at the places a splice has to get right: the top, the end, between functions,
    decorators and comments above a def, strings, statements created, joined and deleted."""
    nl = "\r\n" if "\r\n" in text else "\n"
    indent = "\t" if "\n\t" in text else "    "
    first_def = text.index(f"{nl}def ") + len(nl)
    second_def = text.index(f"{nl}def ", first_def) + len(nl)
    body = text.index(nl, first_def) + len(nl)  # the first line of the first function's body
    quote = text.index('"', second_def)
    above = text.rindex(nl, 0, first_def - 3 * len(nl)) + len(nl)
    edits = [
        insert(text, 0, f"# a new first line{nl}"),
        insert(text, 0, f"import os{nl}"),
        text[text.index(nl) + len(nl) :],  # the first line deleted
        text + f"{nl}x = 1{nl}",
        text + f"# the end{nl}",
        text + f"{indent}# an indented comment at the end{nl}",
        text[: -len(nl)] + f"{nl}{nl}",
        insert(text, first_def, f"@decorator{nl}"),
        insert(text, first_def, f"# about the function{nl}"),
        insert(text, first_def, f"{indent}# the end of what comes before{nl}"),
        insert(text, first_def, f"{nl}{nl}"),
        insert(text, second_def, f"{indent}return None{nl}{nl}"),  # the function before grows
        insert(text, second_def, f"def extra():{nl}{indent}pass{nl}{nl}{nl}"),
        insert(text, second_def, f"{nl}{indent}# belongs to the block above{nl}"),
        text[:first_def] + text[second_def:],  # a whole function deleted
        text[: second_def - len(nl)] + text[second_def:],  # statements joined (a blank line less)
        insert(text, body, f"{indent}x = track(1){nl}"),
        insert(text, body, f"{indent}if x:{nl}{indent}{indent}pass{nl}"),
        insert(text, quote + 1, "Z"),
        insert(text, quote + 1, '\\"'),
        insert(text, body, f"{indent}s = '''{nl}{nl}def not_a_function():{nl}'''{nl}"),
        insert(text, body, "\t" if indent == "    " else "    "),  # mixed indentation: broken
        insert(text, body, f"{indent}def broken({nl}"),  # typing: broken
        insert(text, second_def, f"class K:{nl}{indent}pass{nl}"),
        insert(text, second_def, "x = 1; "),
        insert(text, len(text) - len(nl), "\\"),  # a line continuation at the very end: broken
        text[: -len(nl)],  # no final newline
        comment_out(text, second_def, text.index(f"{nl}{nl}", second_def) + len(nl), nl),
        comment_out(text, above, first_def - 2 * len(nl), nl),  # the import above it
        text.replace(nl, "\n", 1) if nl == "\r\n" else text.replace("\n", "\r\n", 1),
    ]
    return edits


@pytest.mark.parametrize("style", [str, crlf, tabs], ids=["lf", "crlf", "tabs"])
def test_targeted_edits(style: object) -> None:
    text = style((ROOT / "examples/acme/billing.py").read_text("utf-8"))  # type: ignore[operator]
    path = str(ROOT / "examples/acme/billing.py")
    texts = [text]
    for edit in targeted(text):
        texts += [edit, text]
    reparser, parsed, broken = run_edits(path, texts)
    assert parsed + broken == len(texts)
    assert reparser.spliced > 30  # most of them (and back) were spliced


# one statement of each kind, each after a comment (a spliced statement takes the slice's
# leading lines, and its span must still start after them) and with a call inside
KINDS = """\
import analytics
x = analytics.track("u", "A")

# if
if x:
    analytics.track("u", "B")
elif x is None:
    pass
else:
    analytics.track("u", "C")

# for
for i in range(3):
    analytics.track("u", f"{i}")
else:
    pass

# while
while x:
    x = analytics.track("u", "D") if x else None

# try
try:
    analytics.track("u", "E")
except ValueError as exc:
    raise RuntimeError() from exc
finally:
    analytics.flush()

# with
with open("f") as f, open("g"):
    analytics.track("u", "F")

# a decorated def
@decorator(analytics.track)
async def send(a, *b, c=lambda: analytics.track("u", "G"), **d) -> None:
    await analytics.track("u", [y for y in b if analytics.track("u", y)])
    async with a:
        pass
    async for z in a:
        pass

# a class
@dataclass
class C(Base, metaclass=M):
    field: int = analytics.track("u", "H")

    def m(self):
        global x
        del self.a
        assert x, analytics.track("u", "I")
        return {k: analytics.track(k, "J") for k in x}

# match
match x:
    case [1, *rest] if analytics.track("u", "K"):
        pass
    case {"a": 1, **kw}:
        pass
    case C(field=2) | None:
        pass
    case _:
        pass

# simple statements
y: int = 1; y += analytics.track("u", "L") or 1
from os import path as p  # trailing comment
type_ = lambda v: analytics.track(v, "M")
"""


def test_an_edit_in_each_kind_of_statement() -> None:
    path = str(ROOT / "kinds.py")
    texts = [KINDS]
    for word in [
        '"A"',
        '"B"',
        '{i}"',
        '"D"',
        '"E"',
        '"F"',
        '"G"',
        '"H"',
        '"I"',
        '"K"',
        '"L"',
        "# trailing",
        '"M"',
    ]:
        at = KINDS.index(word) + 1
        texts += [insert(KINDS, at, "z"), KINDS]
        comment = KINDS.rfind("\n#", 0, at)
        if comment > 0:  # a blank line added to the comment before the statement
            texts += [insert(KINDS, comment, "\n"), KINDS]
    reparser, parsed, broken = run_edits(path, texts)
    assert broken == 0 and parsed == len(texts)
    assert reparser.moved == reparser.spliced >= len(texts) - 2


def test_a_broken_edit_gives_the_cio900_of_a_full_parse() -> None:
    name = ROOT / "examples/acme/billing.py"
    text = name.read_text("utf-8")
    broken = insert(text, text.index("\ndef ") + 1, "def oops(:\n")
    reparser = reparse.Reparser()
    with reparse.active(reparser, [str(name)]):
        facts_of(str(name), text)
        got = facts_of(str(name), broken)
        again = facts_of(str(name), text)
    assert got.error is not None and got.error == facts_of(str(name), broken).error
    assert again == facts_of(str(name), text)


def test_an_edit_of_one_function_is_spliced() -> None:
    name = ROOT / "examples/acme/billing.py"
    text = name.read_text("utf-8")
    reparser = reparse.Reparser()
    with reparse.active(reparser, [str(name)]):
        facts_of(str(name), text)
        edited = text.replace('"trial_days": 30', '"trial_days": 31')
        facts_of(str(name), edited)
    assert (reparser.full, reparser.spliced, reparser.why) == (1, 1, "")


def test_only_open_documents_keep_a_tree_and_only_while_active() -> None:
    name = str(ROOT / "examples/acme/billing.py")
    other = str(ROOT / "examples/acme/models.py")
    reparser = reparse.Reparser()
    with reparse.active(reparser, [name]):
        facts_of(name, (ROOT / "examples/acme/billing.py").read_text("utf-8"))
        facts_of(other, (ROOT / "examples/acme/models.py").read_text("utf-8"))
    assert list(reparser.docs) == [name]
    facts_of(name, (ROOT / "examples/acme/billing.py").read_text("utf-8") + "x = 1\n")
    assert reparser.spliced == 0  # not active: a full parse, nothing kept
    with reparse.active(reparser, [other]):
        pass
    assert reparser.docs == {}


def test_an_edit_is_compiled_by_the_statements_it_touched() -> None:
    name = str(ROOT / "examples/acme/billing.py")
    text = (ROOT / "examples/acme/billing.py").read_text("utf-8")
    reparser = reparse.Reparser()
    with reparse.active(reparser, [name]):
        facts_of(name, text)
        for days in range(31, 36):
            facts_of(name, text.replace('"trial_days": 30', f'"trial_days": {days}'))
    assert (reparser.compiled, reparser.checked) == (1, 5)


MODULE = "from __future__ import annotations\nx = 1\n\n\ndef f():\n    return 2\n\n\nclass C:\n    def m(self):\n        y = 1\n"


@pytest.mark.parametrize(
    "edited",
    [
        MODULE + "global x\n",  # name 'x' is assigned to before global declaration
        MODULE.replace("    return 2\n", "    return 2\n\n\nglobal x\n"),
        MODULE + "from __future__ import annotations\n",  # only at the top
        MODULE.replace("        y = 1\n", "        def g():\n            nonlocal z\n"),
        MODULE.replace("    return 2\n", "    pass\nreturn 2\n"),  # outside a function
        MODULE.replace("    return 2\n", "    yield from\n"),
        MODULE.replace("x = 1\n", "x = " + "(" * 1001 + "1" + ")" * 1001 + "\n"),  # too deep
        MODULE.replace("    return 2\n", "    return 2\n" + "    if x:\n" * 101 + "     pass\n"),
        MODULE.replace("class C:\n", "else:\n"),
        MODULE + "@decorator\n",  # a decorator of nothing
        MODULE.replace("x = 1\n", "x: (y := 1) = 1\n"),  # with ``annotations`` (below)
        MODULE.replace("x = 1\n", "x = 1\0\n"),
    ],
)
def test_what_the_compiler_checks_across_statements_is_compiled_whole(edited: str) -> None:
    path = str(ROOT / "cross.py")
    texts = [MODULE, edited, MODULE, MODULE.replace("y = 1", "y = 2"), edited, MODULE]
    reparser, parsed, broken = run_edits(path, texts)  # the facts (CIO900s) of a full parse
    assert (parsed, broken) == (4, 2)
    assert facts_of(path, edited).error is not None
    assert reparser.checked >= 1  # the edits that keep the file valid are compiled by slice


def test_the_memory_bound_of_compiled_slices_is_checked_whole_when_over_the_budget() -> None:
    text = (ROOT / "examples/acme/billing.py").read_text("utf-8")
    path = str(ROOT / "examples/acme/billing.py")
    data = text.encode()
    # a budget just over what this file needs: each edit adds its slice's estimate to the
    # bound, which soon exceeds the budget; the file is then compiled whole, and passes
    from cio_lint.analysis import syntax

    size = syntax.check(data, path, 512 * 1024).size
    assert size is not None
    limit = size.memory // syntax.BUDGET_PER_BYTE + 256
    reparser = reparse.Reparser()
    seen = []
    with reparse.active(reparser, [path]):
        for days in range(30, 60):
            edited = text.replace('"trial_days": 30', f'"trial_days": {days}').encode()
            facts = extract_file(path, "m", False, edited, None, False, limit)
            assert facts.error is None and not facts.too_large
            seen.append((reparser.compiled, reparser.checked))
    assert seen[0] == (1, 0) and seen[1] == (1, 1)
    assert seen[-1][0] > 1 and seen[-1][1] > seen[-1][0]  # compiled whole again, then by slice
