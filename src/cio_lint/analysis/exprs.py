"""Expressions as symbolic values (``analysis/syms.py``): literals, names, attributes, calls,
dicts, conditionals, strings built from parts, and annotations read as "an instance of".

``Expressions`` is the half of the extractor that never changes the walk's state; the
statements, definitions and path facts are in ``extract._Extractor``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from cio_lint.analysis.must import ROOT
from cio_lint.analysis.positions import Positions
from cio_lint.analysis.syms import UNKNOWN, Loc, Sym, key


def string_value(node: cst.SimpleString) -> str | bytes | None:
    """The value of a string literal; plain ones without ``ast.literal_eval`` (it is costly)."""
    raw = node.value
    quote = node.quote
    prefix = node.prefix
    body = raw[len(prefix) + len(quote) : len(raw) - len(quote)]
    if not prefix or prefix.lower() == "u":
        if "\\" not in body:
            return body
    elif prefix.lower() == "r":
        return body
    try:
        return node.evaluated_value
    except Exception:  # noqa: BLE001  (untrusted source: any malformed literal is unknown)
        return None


_MAX_BINOP_CHAIN = 32  # operands of one ``+``/``%`` chain kept symbolically


_UNION_MAX = 8


# Annotations that cannot name a client: no instance sym is recorded for them.
_PLAIN_TYPES = frozenset(
    {
        "str",
        "int",
        "float",
        "bool",
        "bytes",
        "dict",
        "list",
        "tuple",
        "set",
        "frozenset",
        "Any",
        "object",
        "None",
        "Dict",
        "List",
        "Tuple",
        "Set",
        "Callable",
        "Iterable",
        "Iterator",
        "Sequence",
        "Mapping",
        "type",
        "Type",
        "datetime",
        "date",
        "Decimal",
        "UUID",
    }
)


_WRAPPING_TYPES = frozenset({"Optional", "Union", "Annotated", "ClassVar", "Final"})


def union(a: Sym, b: Sym) -> Sym:
    """Either value: every assignment of an attribute or global counts (``None`` then a client)."""
    options = list(a[1] if a[0] == "cond" else (a,))
    known = {key(o) for o in options}
    for option in b[1] if b[0] == "cond" else (b,):
        if key(option) not in known and len(options) < _UNION_MAX:
            options.append(option)
            known.add(key(option))
    return (
        options[0]
        if len(options) == 1
        else ("cond", tuple(options), a[-1] if isinstance(a[-1], tuple) else None)
    )


def _type_sym(node: cst.BaseExpression, state: State) -> Sym:
    """A dotted name as a sym without locations (an annotation may be parsed from a string)."""
    if isinstance(node, cst.Attribute):
        return ("attr", _type_sym(node.value, state), node.attr.value, None)
    if isinstance(node, cst.Name):
        bound = state.env.get(node.value)
        if bound is not None and bound[0] == "imp":
            return bound
        return ("name", node.value, None)
    return UNKNOWN


@dataclass
class State:
    env: dict[str, Sym]
    must: int | None  # a node of ``analysis.must`` (None: this point cannot be reached)

    def copy(self) -> State:
        return State(dict(self.env), self.must)


# How deep (in nested tuples) a value may be. The passes after extraction (wrapper inference,
# linking, the rules) walk values recursively at Python's default recursion limit, about two
# frames per level; a deeper value (a dict literal 120 levels deep is 360) is an unknown
# expression. Nothing is lost that a tracking plan describes.
MAX_VALUE_DEPTH = 100


class Expressions:
    """``sym`` and its helpers, for an extractor that has ``pos`` (node positions)."""

    pos: Positions
    # the depth of each composite value ``sym`` returned, by id (the value is kept with it, so
    # its id is never reused while the extractor lives)
    _depths: dict[int, tuple[Sym, int]]

    def _depth(self, value: tuple[object, ...]) -> int:
        """Tuple nesting of ``value``; values ``sym`` built are looked up, not walked again, and
        a tuple of no tuples (a location, a string's prefix and quote) is not called on."""
        deepest = 0
        known = self._depths.get
        for part in value:
            if type(part) is tuple:  # (syms and their parts are plain tuples)
                found = known(id(part))
                if found is not None:
                    depth = found[1]
                elif tuple in map(type, part):
                    depth = self._depth(part)
                else:
                    depth = 1
                deepest = max(deepest, depth)
        return deepest + 1

    def sym(self, node: cst.BaseExpression, state: State) -> Sym:
        """``node`` as a symbolic value (see ``_sym``), an unknown one when it is nested deeper
        than MAX_VALUE_DEPTH."""
        value = self._sym(node, state)
        depth = self._depth(value)
        if depth > MAX_VALUE_DEPTH:
            return ("unknown", "expression", self.loc(node))
        if depth > 2:
            self._depths[id(value)] = (value, depth)
        return value

    def loc(self, node: cst.CSTNode) -> Loc:
        return self.pos[node]

    def annotation(self, node: cst.BaseExpression, state: State, depth: int = 0) -> Sym | None:
        """An annotation as an instance of the type it names (``("call", type, (), (), None)``;
        several for a union): ``X``, ``Optional[X]``, ``X | None``, ``"X"``. None for builtin
        and plain types, which cannot be clients."""
        if depth > 8:
            return None
        if isinstance(node, cst.SimpleString):
            text = string_value(node)
            if not isinstance(text, str) or len(text) > 200:
                return None
            try:
                inner = cst.parse_expression(text)
            except Exception:  # noqa: BLE001  (a string annotation that is not an expression)
                return None
            return self.annotation(inner, State({}, ROOT), depth + 1)
        if isinstance(node, cst.Subscript):
            head = cst.helpers.get_full_name_for_node(node.value) or ""
            if head.rsplit(".", 1)[-1] not in _WRAPPING_TYPES:
                return None
            elements = [e.slice.value for e in node.slice if isinstance(e.slice, cst.Index)]
            if head.endswith(("Annotated", "ClassVar", "Final")):
                elements = elements[:1]
            return self._annotations(elements, state, depth)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return self._annotations([node.left, node.right], state, depth)
        if isinstance(node, (cst.Name, cst.Attribute)):
            name = cst.helpers.get_full_name_for_node(node) or ""
            if name.rsplit(".", 1)[-1] in _PLAIN_TYPES or name.startswith("typing."):
                return None
            return ("call", _type_sym(node, state), (), (), None)
        return None

    def _annotations(self, nodes: list[cst.BaseExpression], state: State, depth: int) -> Sym | None:
        found = [t for t in (self.annotation(n, state, depth + 1) for n in nodes) if t is not None]
        if not found:
            return None
        result = found[0]
        for other in found[1:]:
            result = union(result, other)
        return result

    def arguments(
        self, args: Sequence[cst.Arg], state: State
    ) -> tuple[tuple[Sym, ...], tuple[tuple[str | None, Sym], ...]]:
        positional: list[Sym] = []
        keywords: list[tuple[str | None, Sym]] = []
        for arg in args:
            value = self.sym(arg.value, state)
            if arg.keyword is not None:
                keywords.append((arg.keyword.value, value))
            elif arg.star == "**":
                keywords.append((None, value))
            elif arg.star == "*":
                positional.append(("*", value))
            else:
                positional.append(value)
        return tuple(positional), tuple(keywords)

    def dict_call(self, node: cst.Call, state: State, loc: Loc) -> Sym:
        """``dict(a, k=v, **b)`` as a dict literal, so later ``d["k"] = v`` extends it."""
        items: list[tuple[Sym, Sym] | tuple[str, Sym]] = []
        is_open = False
        for arg in node.args:
            if arg.keyword is not None:
                items.append(
                    (
                        ("lit", arg.keyword.value, None, self.loc(arg.keyword)),
                        self.sym(arg.value, state),
                    )
                )
            elif arg.star == "*":
                is_open = True
            else:
                items.append(("**", self.sym(arg.value, state)))
        return ("dict", tuple(items), is_open, loc)

    def _sym(self, node: cst.BaseExpression, state: State) -> Sym:
        loc = self.loc(node)
        if isinstance(node, cst.SimpleString):
            value = string_value(node)
            if value is None:
                return ("unknown", "string", loc)
            if isinstance(value, bytes):
                return ("unknown", "bytes", loc)
            return ("lit", value, (node.prefix, node.quote), loc)
        if isinstance(node, cst.ConcatenatedString):
            try:
                value = node.evaluated_value
            except Exception:  # noqa: BLE001  (untrusted source: any malformed literal is unknown)
                value = None
            if isinstance(value, str):
                return ("lit", value, None, loc)
            return ("unknown", "str", loc)
        if isinstance(node, cst.FormattedString):
            parts = node.parts
            if all(isinstance(p, cst.FormattedStringText) for p in parts):
                return (
                    "lit",
                    "".join(p.value for p in parts if isinstance(p, cst.FormattedStringText)),
                    None,
                    loc,
                )
            return self.fstring(parts, "r" in node.prefix.lower(), state, loc)
        if isinstance(node, cst.Integer):
            return ("lit", node.evaluated_value, None, loc)
        if isinstance(node, cst.Float):
            return ("lit", node.evaluated_value, None, loc)
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
            inner = self.sym(node.expression, state)
            if (
                inner[0] == "lit"
                and isinstance(inner[1], (int, float))
                and not isinstance(inner[1], bool)
            ):
                return ("lit", -inner[1], None, loc)
            return ("unknown", "expression", loc)
        if isinstance(node, cst.Name):
            name = node.value
            if name in ("True", "False", "None"):
                return ("lit", {"True": True, "False": False, "None": None}[name], None, loc)
            bound = state.env.get(name)
            if bound is not None:
                # the local's value, located where it is used; a string's origin keeps where
                # its literal is written: rules report it there, once, and a fix edits it there
                if bound[0] == "lit" and bound[2] is not None and len(bound[2]) == 2:
                    return ("lit", bound[1], (*bound[2], bound[3]), loc)
                return (*bound[:-1], loc)
            return ("name", name, loc)
        if isinstance(node, cst.Attribute):
            return ("attr", self.sym(node.value, state), node.attr.value, loc)
        if isinstance(node, cst.Subscript):
            if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                return (
                    "sub",
                    self.sym(node.value, state),
                    self.sym(node.slice[0].slice.value, state),
                    loc,
                )
            return ("unknown", "subscript", loc)
        if isinstance(node, cst.Dict):
            items: list[tuple[Sym, Sym] | tuple[str, Sym]] = []
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    items.append((self.sym(element.key, state), self.sym(element.value, state)))
                else:
                    items.append(("**", self.sym(element.value, state)))
            return ("dict", tuple(items), False, loc)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return ("list", tuple(self.sym(e.value, state) for e in node.elements), loc)
        if isinstance(node, cst.IfExp):
            return ("cond", (self.sym(node.body, state), self.sym(node.orelse, state)), loc)
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            return ("or", self.sym(node.left, state), self.sym(node.right, state), loc)
        if isinstance(node, cst.Call):
            if (
                isinstance(node.func, cst.Name)
                and node.func.value == "dict"
                and "dict" not in state.env
            ):
                return self.dict_call(node, state, loc)
            func = self.sym(node.func, state)
            args, kwargs = self.arguments(node.args, state)
            return ("call", func, args, kwargs, loc)
        if isinstance(node, cst.BinaryOperation):
            left = self.sym(node.left, state)
            right = self.sym(node.right, state)
            if (
                isinstance(node.operator, cst.Add)
                and left[0] == "lit"
                and right[0] == "lit"
                and isinstance(left[1], str)
                and isinstance(right[1], str)
            ):
                return ("lit", left[1] + right[1], None, loc)
            if isinstance(node.operator, cst.BitOr) and left[0] == "dict" and right[0] == "dict":
                return ("dict", left[1] + right[1], left[2] or right[2], loc)
            built = self.binop(node, left, right, loc)
            if built is not None:
                return built
            if (
                isinstance(node.operator, cst.Modulo)
                and left[0] == "lit"
                and isinstance(left[1], str)
            ):
                return ("unknown", "str", loc)
            return ("unknown", "expression", loc)
        if isinstance(node, cst.Await):
            return ("unknown", "await", loc)
        return ("unknown", type(node).__name__, loc)

    def fstring(
        self,
        parts: Sequence[cst.BaseFormattedStringContent],
        raw: bool,
        state: State,
        loc: Loc | None,
    ) -> Sym:
        """An f-string as ``("fstr", parts, loc)``: text parts as literals, each replacement
        field as ``("fmt", value, conversion, spec, loc)`` (``spec``: an ``fstr`` or None)."""
        out: list[Sym] = []
        for part in parts:
            if isinstance(part, cst.FormattedStringText):
                text = part.value
                if "\\" in text and not raw:
                    return ("unknown", "str", loc)  # escapes: not worth decoding here
                out.append(("lit", text.replace("{{", "{").replace("}}", "}"), None, None))
            elif isinstance(part, cst.FormattedStringExpression):
                if part.equal is not None:
                    return ("unknown", "str", loc)  # ``f"{x=}"`` prints the expression's text
                spec = None
                if part.format_spec is not None:
                    spec = self.fstring(part.format_spec, raw, state, None)
                    if spec[0] == "unknown":
                        return ("unknown", "str", loc)
                value = self.sym(part.expression, state)
                out.append(("fmt", value, part.conversion, spec, self.loc(part.expression)))
            else:
                return ("unknown", "str", loc)
        return ("fstr", tuple(out), loc)

    def binop(self, node: cst.BinaryOperation, left: Sym, right: Sym, loc: Loc) -> Sym | None:
        """``+`` and ``%`` as ``("binop", op, left, right, loc)``, evaluated by the linker; op
        ``%()`` when the right operand is a tuple display (its elements are the arguments).
        Chains are kept to a few dozen operands (``1 + 1 + ...`` generated code)."""
        if isinstance(node.operator, cst.Add):
            op = "+"
        elif isinstance(node.operator, cst.Modulo):
            op = "%()" if isinstance(node.right, cst.Tuple) else "%"
        else:
            return None
        depth, inner = 0, left
        while inner[0] == "binop":
            depth += 1
            if depth >= _MAX_BINOP_CHAIN:
                return None
            inner = inner[2]
        return ("binop", op, left, right, loc)
