"""Hypothesis strategies for the fuzz properties: realistic SDK modules with mutated argument
shapes, the byte-level envelopes real files come in, byte mutations of real files, and modules
whose event names ``--fix`` should correct.

Every module these strategies build is small (a few KiB at most, nesting included), so one
example costs milliseconds to analyse.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
PLAN = REPO / "tracking_plan"
# planned in tracking_plan/ (and in rules/examples.py's EXAMPLE_PLAN)
PLANNED = ("Signed Up", "Order Completed", "Trial Started", "Trial Extended", "Logged In")
SEPARATORS = (" ", "_", "-", ".", "")

# ------------------------------------------------------------------ event names and literals


def _case(word: str, how: int) -> str:
    return (word.lower(), word.upper(), word.title(), word.swapcase(), word)[how]


@st.composite
def near_names(draw: st.DrawFn) -> str:
    """A planned name in other case and separators ("signed_up" for "Signed Up")."""
    words = draw(st.sampled_from(PLANNED)).split()
    cased = [_case(w, draw(st.integers(0, 4))) for w in words]
    return draw(st.sampled_from(SEPARATORS)).join(cased)


ODD_NAMES = (
    "",
    " ",
    "x" * 101,
    "É" * 60,
    "Ünïcødé Evént",
    "Signed\nUp",
    "Signed\\Up",
    "Signed 'Up'",
    'Signed "Up"',
    "Signed\x00Up",
    "\ud800",
)
event_names = st.one_of(
    near_names(),
    st.sampled_from(PLANNED),
    st.sampled_from(ODD_NAMES),
    st.text(max_size=12),
)


def python_literal(value: str, style: int) -> str:
    """``value`` as a Python string literal in one of several spellings."""
    plain = repr(value)
    if style == 1 and '"' not in value and "\\" not in plain:
        return f'"{plain[1:-1]}"'
    if style == 2:
        return "u" + plain
    if style == 3 and value.isascii() and value.isprintable() and not set(value) & set("\\'"):
        return f"r'{value}'"
    if style == 4 and '"' not in value and "\\" not in plain and not value.endswith('"'):
        return f'"""{plain[1:-1]}"""'
    if style == 5:
        return "b" + plain if value.isascii() else plain
    return plain


@st.composite
def string_literals(draw: st.DrawFn, values: st.SearchStrategy[str] = event_names) -> str:
    value = draw(values)
    shape = draw(st.integers(0, 9))
    if shape == 7 and len(value) > 1:  # implicit concatenation: "Signed" " Up"
        cut = draw(st.integers(1, len(value) - 1))
        return f"{value[:cut]!r} {value[cut:]!r}"
    if shape == 8:  # an f-string with a known or unknown part
        return draw(st.sampled_from(["f'{x} Up'", "f'Signed {\"Up\"}'", "f'{PLAN!r:>{w}}'"]))
    return python_literal(value, min(shape, 6))


# ------------------------------------------------------------------ expressions

IMPORTS = (
    ("import analytics\n", "analytics"),
    ("from customerio import analytics\n", "analytics"),
    ("import customerio.analytics as analytics\n", "analytics"),
    ("from segment import analytics\n", "analytics"),
    ("import segment.analytics as seg\n", "seg"),
    ("import rudderstack.analytics as analytics\n", "analytics"),
    ("from customerio import CustomerIO\ncio = CustomerIO('site', 'key')\n", "cio"),
    ("from segment.analytics import Client\nclient = Client('key')\n", "client"),
    ("from segment.analytics import track, identify\n", ""),
)
METHODS = ("track", "identify", "page", "screen", "group", "alias", "track_anonymous", "flush")
KEYWORDS = (
    "user_id",
    "event",
    "properties",
    "traits",
    "context",
    "timestamp",
    "anonymous_id",
    "customer_id",
    "name",
    "data",
    "id",
    "plan",
    "bogus",
)
CONSTANTS = ("SIGNUP", "ORDER", "ÉVÉNEMENT", "名前", "UNDEFINED")
NAMES = ("user", "user.id", "str(user.id)", "uid", "props", "x", "None", "kwargs", "args")
ATOMS = (
    "Event.SIGNED",
    "Event.SIGNED.value",
    "Event.MISSING.value",
    "(lambda: 'Signed Up')",
    "(lambda u: u)",
    "...",
    "{}",
    "[]",
    "()",
    "dict(plan='pro')",
    "{'plan': 'pro', 'total': 3}",
    "{**props, 'plan': 'free'}",
    "{'plan': 'pro', **props}",
    "(x := 'Signed Up')",
    "1e400",
    "0x_1",
    "10**100",
)
WILD_ATOMS = ("(yield)", "await x", "x := 'Signed Up'", "*args", "yield")
DEPTHS = (1, 2, 3, 5, 10, 50, 99, 150)
WILD_DEPTHS = (*DEPTHS, 199, 200, 201, 1000, 3000)  # CPython refuses 200 nested brackets


@st.composite
def nested(draw: st.DrawFn, inner: st.SearchStrategy[str], wild: bool) -> str:
    """``inner`` under deep nesting, or in a long chain: the shapes that exhaust parsers."""
    depth = draw(st.sampled_from(WILD_DEPTHS if wild else DEPTHS))
    body = draw(inner)
    depth = min(depth, max(1, 20_000 // max(1, len(body))))  # KiB, not MiB
    form = draw(st.integers(0, 6))
    if form == 0:
        return "(" * depth + body + ")" * depth
    if form == 1:
        return "[" * depth + body + "]" * depth
    if form == 2:
        return "-" * depth + body
    if form == 3:
        return "(" + "not " * depth + body + ")"
    if form == 4:
        return "f(" * depth + body + ")" * depth
    if form == 5:
        return " + ".join([body] * depth)
    return "{'k': " * depth + body + "}" * depth


def _in_fstring(expression: str) -> str:
    """``expression`` inside an f-string, where 3.11 allows it (no backslash, no same quotes)."""
    if any(bad in expression for bad in ("\\", "'''", "#", "\n", "\r")):
        return "f'{x} done'"
    return "f'''{(" + expression + ")} done'''"


def _expressions(wild: bool) -> st.SearchStrategy[str]:
    leaves = st.one_of(
        string_literals(),
        st.integers(-(10**20), 10**20).map(str),
        st.sampled_from(NAMES + CONSTANTS + ATOMS + (WILD_ATOMS if wild else ())),
    )

    def compound(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(children, children).map(lambda p: f"{p[0]} + {p[1]}"),
            st.tuples(children, children, children).map(
                lambda t: f"({t[0]} if {t[1]} else {t[2]})"
            ),
            st.lists(children, max_size=3).map(
                lambda xs: "{" + ", ".join(f"'k{i}': {x}" for i, x in enumerate(xs)) + "}"
            ),
            children.map(lambda c: f"name({c})"),
            children.map(lambda c: f"(lambda user: {c})"),
            children.map(_in_fstring),
            nested(children, wild),
        )

    return st.recursive(leaves, compound, max_leaves=6)


EXPRESSIONS = {False: _expressions(False), True: _expressions(True)}


@st.composite
def arguments(draw: st.DrawFn, wild: bool) -> str:
    """An argument list of any shape: missing, extra, keywords, unpacking; ``wild``: also out
    of order and repeated keywords, which CPython refuses."""
    inner = EXPRESSIONS[wild]
    parts = draw(st.lists(inner, max_size=5))
    keys = draw(st.lists(st.sampled_from(KEYWORDS), max_size=3, unique=not wild))
    parts += [f"{key}={draw(inner)}" for key in keys]
    stars = ["*args", "**kwargs", "**{'event': 'Signed Up'}"]
    parts += sorted(draw(st.lists(st.sampled_from(stars), max_size=2)), key=len)  # "*" first
    if wild and draw(st.booleans()):
        parts = draw(st.permutations(parts))  # positional after keyword: CPython refuses
    return ", ".join(parts) + draw(st.sampled_from(["", ",", " ,"]) if parts else st.just(""))


@st.composite
def sdk_calls(draw: st.DrawFn, receiver: str, wild: bool) -> str:
    method = draw(st.sampled_from(METHODS))
    callee = f"{receiver}.{method}" if receiver else method
    args = draw(arguments(wild))
    if draw(st.integers(0, 5)) == 5:  # an SDK call as an argument of another
        args = ", ".join(filter(None, [f"{callee}({args})", draw(arguments(wild)).rstrip(" ,")]))
    return f"{callee}({args})"


# ------------------------------------------------------------------ statements and modules


def _indented(text: str, unit: str, levels: int = 1) -> str:
    return "".join(unit * levels + line + "\n" for line in text.splitlines())


STATEMENTS = (
    "{c}",
    "ok = {c}",
    "handler = lambda user: {c}",
    "@{c}\ndef decorated(): pass",
    "with {c} as x:\n    pass",
    "if {c}:\n    pass",
    "assert {c}",
    "calls = [{c}]",
)
WILD_STATEMENTS = ("return {c}", "yield {c}", "await {c}", "del {c}", "{c} = 1", "global {c}")


@st.composite
def statements(draw: st.DrawFn, receiver: str, wild: bool) -> str:
    call = draw(sdk_calls(receiver, wild))
    shapes = STATEMENTS + WILD_STATEMENTS if wild else STATEMENTS
    stmt = draw(st.sampled_from(shapes)).format(c=call)
    unit = draw(st.sampled_from(["    ", "\t", "  ", " \t"] if wild else ["    ", "\t", "  "]))
    block = draw(st.integers(0, 8))
    if block == 0:
        return stmt + "\n"
    if block == 1:
        return "def handler(user, *args, **kwargs):\n" + _indented(stmt, unit)
    if block == 2:
        return "async def handler(user):\n" + _indented(stmt, unit)
    if block == 3:
        inner = "def run(self, user):\n" + _indented(stmt, unit)
        return "class Service:\n" + _indented(inner, unit)
    if block == 4:
        other = draw(sdk_calls(receiver, wild))
        return f"if user:\n{_indented(stmt, unit)}else:\n{_indented(other, unit)}"
    if block == 5:
        return (
            f"try:\n{_indented(stmt, unit)}except Exception:\n{unit}pass\nfinally:\n{unit}x = 1\n"
        )
    if block == 6:
        return "for user in users:\n" + _indented(stmt, unit)
    if block == 7:
        return "match user:\n" + _indented("case {'id': uid}:\n" + _indented(stmt, unit), unit)
    return "while True:\n" + _indented(stmt, unit) + unit + "break\n"


@st.composite
def definitions(draw: st.DrawFn) -> str:
    """Module-level constants and an Enum the calls may name."""
    lines = []
    for name in draw(st.lists(st.sampled_from(CONSTANTS[:-1]), unique=True, max_size=3)):
        lines.append(f"{name} = {draw(string_literals())}\n")
    if draw(st.booleans()):
        base = draw(st.sampled_from(["Enum", "str, Enum", "StrEnum"]))
        lines.append(f"from enum import Enum, StrEnum\nclass Event({base}):\n")
        lines.append(f"    SIGNED = {draw(string_literals())}\n")
        lines.append(f"    ORDER = {draw(string_literals())}\n")
    return "".join(lines)


HEADS = ("", "#!/usr/bin/env python\n", '"""Tracking."""\n', "from __future__ import annotations\n")


@st.composite
def sdk_modules(draw: st.DrawFn, wild: bool = False) -> str:
    """A module that imports an SDK and calls it, in shapes real code has; ``wild``: and in
    shapes CPython refuses."""
    head = draw(st.sampled_from(HEADS))
    imports = draw(st.lists(st.sampled_from(IMPORTS), min_size=1, max_size=2, unique=True))
    receiver = imports[-1][1]
    body = [draw(statements(receiver, wild)) for _ in range(draw(st.integers(1, 4)))]
    late = "from __future__ import annotations\n" if wild and draw(st.booleans()) else ""
    return head + "".join(i for i, _ in imports) + late + draw(definitions()) + "".join(body)


# ------------------------------------------------------------------ bytes


COOKIES = (
    "# -*- coding: {} -*-\n",
    "# coding={}\n",
    "#!/bin/python\n# vim: set fileencoding={} :\n",
)


@st.composite
def envelopes(draw: st.DrawFn, text: str, valid: bool = False) -> bytes:
    """``text`` as a file's bytes: line endings, BOM, coding cookie, NUL, form feed.

    With ``valid``, only what keeps a valid module valid (no NUL, no foreign cookie)."""
    newline = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    lines = text.split("\n")
    if newline == "mixed":
        text = "".join(line + draw(st.sampled_from(["\n", "\r\n", "\r"])) for line in lines)
        text = text[:-2] if text.endswith("\r\n") else text[:-1]
    else:
        text = newline.join(lines)
    if draw(st.integers(0, 4)) == 4:
        text = text.rstrip("\r\n")  # no newline at end of file
    if draw(st.integers(0, 9)) == 9:
        text = "\f" + text
    kinds = ["utf-8", "latin-1"] if valid else ["utf-8", "latin-1", "ascii", "utf-16", "foobar"]
    cookie = draw(st.sampled_from([None] * 8 + kinds))
    encoding = "utf-8"
    if cookie is not None:
        line = draw(st.sampled_from(COOKIES)).format(cookie)
        if not valid and draw(st.integers(0, 5)) == 5:
            line = "x = 1\n" + line  # a cookie after the second line does not count
        text = line + text
        if cookie == "latin-1" and (valid or draw(st.booleans())):
            encoding = "latin-1"  # else UTF-8 bytes read as Latin-1: valid, or not, as it falls
    try:
        data = text.encode(encoding, "surrogatepass")
    except UnicodeEncodeError:
        if valid:
            text = text.replace("coding: latin-1", "coding: utf-8").replace("=latin-1", "=utf-8")
        data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 4)) == 4 and not (valid and cookie == "latin-1"):
        data = b"\xef\xbb\xbf" + data  # with a latin-1 cookie, CPython refuses the file
    if not valid and draw(st.integers(0, 24)) == 24:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\x00" + data[at:]
    return data


@st.composite
def sdk_files(draw: st.DrawFn, wild: bool = False) -> bytes:
    return draw(envelopes(draw(sdk_modules(wild)), valid=not wild))


def _seeds() -> list[bytes]:
    """Real files of the demo project: what byte mutations start from."""
    files = sorted((REPO / "examples" / "acme").glob("*.py"))
    return [p.read_bytes() for p in files if 0 < p.stat().st_size <= 6000]


SEEDS = _seeds()
INSERTS = (
    b"(",
    b")",
    b"[",
    b"{",
    b":",
    b",",
    b"'",
    b'"',
    b'"""',
    b"\\",
    b"\n",
    b"\r",
    b"\r\n",
    b"\t",
    b" ",
    b"#",
    b"\x00",
    b"\xff",
    b"\xef\xbb\xbf",
    b"\xc3",
    b"\f",
    b"def ",
    b"return ",
    b"lambda ",
    b"**",
    b"=",
    b"analytics.track(",
    b"f'{",
    b"await ",
    b"nonlocal x\n",
    b"global analytics\n",
    b"from __future__ import annotations\n",
    b"# -*- coding: latin-1 -*-\n",
)


@st.composite
def mutated_files(draw: st.DrawFn) -> bytes:
    """A real or generated file with spans deleted, inserted, duplicated or swapped."""
    data = bytearray(draw(st.one_of(st.sampled_from(SEEDS), sdk_files())))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        end = min(len(data), at + draw(st.integers(0, 24)))
        op = draw(st.integers(0, 3))
        if op == 0:
            del data[at:end]
        elif op == 1:
            data[at:at] = draw(st.one_of(st.sampled_from(INSERTS), st.binary(max_size=6)))
        elif op == 2:
            data[at:at] = data[at:end]
        else:  # move the span elsewhere
            chunk = data[at:end]
            del data[at:end]
            there = draw(st.integers(0, len(data)))
            data[there:there] = chunk
    return bytes(data)


# ------------------------------------------------------------------ modules for --fix


@dataclass(frozen=True)
class Lit:
    """A string literal of a generated module, with its role: ``event`` (an event name
    argument), ``const`` (the definition of a constant or Enum member used as an event name) or
    ``other`` (anything else: the fix must leave it alone)."""

    text: str
    role: str


Part = str | Lit


@dataclass(frozen=True)
class FixModule:
    parts: tuple[Part, ...]

    @property
    def text(self) -> str:
        return "".join(p.text if isinstance(p, Lit) else p for p in self.parts)

    @property
    def roles(self) -> tuple[str, ...]:
        """The role of each STRING token, in order (each literal is one token)."""
        return tuple(p.role for p in self.parts if isinstance(p, Lit))


@st.composite
def fix_literals(draw: st.DrawFn, role: str) -> Lit:
    value = draw(st.one_of(near_names(), near_names(), st.sampled_from(PLANNED)))
    return Lit(python_literal(value, draw(st.sampled_from([0, 1, 2, 4]))), role)


@st.composite
def fix_projects(draw: st.DrawFn) -> dict[str, FixModule]:
    """One or two modules whose event names differ from planned ones in case or separators,
    through literals, constants (also imported from the other module), Enum members and
    conditional expressions, among look-alike strings that are no event names."""
    imp, receiver = draw(st.sampled_from(IMPORTS[:6]))
    unit = draw(st.sampled_from(["    ", "\t"]))
    shapes = draw(st.lists(st.integers(0, 6), min_size=1, max_size=4))
    calls: list[Part] = []
    for shape in shapes:
        calls += [unit, f"{receiver}.track(user.id, "]
        if shape == 0:
            calls += ["SIGNUP"]
        elif shape == 1:
            calls += ["Event.ORDER.value"]
        elif shape == 2:
            calls += [draw(fix_literals("event")), " if flag else ", draw(fix_literals("event"))]
        elif shape == 3:  # a look-alike as a property value: no event name
            calls += [draw(fix_literals("event")), ", {", Lit("'plan'", "other"), ": "]
            calls += [draw(fix_literals("other")), "}"]
        elif shape == 4:
            calls += ["event=", draw(fix_literals("event"))]
        else:
            calls += [draw(fix_literals("event"))]
        calls += [")\n"]
    # a constant is an event name only where a call uses it so
    signup = draw(fix_literals("const" if 0 in shapes else "other"))
    order = draw(fix_literals("const" if 1 in shapes else "other"))
    defs: list[Part] = ["from enum import Enum\n", "SIGNUP = ", signup, "\n"]
    defs += ["LOOKALIKE = ", draw(fix_literals("other")), "\n"]
    defs += ["class Event(str, Enum):\n", f"{unit}ORDER = ", order, "\n"]
    shared = draw(st.booleans())
    main: list[Part] = [imp]
    main += ["from names import SIGNUP, LOOKALIKE, Event\n"] if shared else defs
    main += ["def handler(user, flag):\n", unit, Lit('"""Signed up, trial started."""', "other")]
    main += ["\n", unit, "# signed up: a comment, never fixed\n", *calls]
    main += [unit, "print(LOOKALIKE, ", draw(fix_literals("other")), ")\n"]
    project = {"app.py": FixModule(tuple(main))}
    if shared:
        project["names.py"] = FixModule(tuple(defs))
    return project


@st.composite
def fix_inputs(draw: st.DrawFn) -> tuple[dict[str, bytes], dict[str, tuple[str, ...]]]:
    """Project files (their bytes in a valid envelope) and the roles of their string tokens."""
    project: dict[str, FixModule] = draw(fix_projects())
    files = {path: draw(envelopes(module.text, valid=True)) for path, module in project.items()}
    return files, {path: module.roles for path, module in project.items()}
