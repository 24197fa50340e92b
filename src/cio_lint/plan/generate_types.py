"""``plan generate``'s pieces of Python text: literals of untrusted strings, and annotations
(``TypedDict`` classes included) from JSON Schemas, ``$ref``s followed within the plan."""

from __future__ import annotations

import keyword
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from referencing.exceptions import Unresolvable

from cio_lint.plan.names import Namespace, camel_case

if TYPE_CHECKING:
    from referencing._core import Resolver

MAX_DEPTH = 32  # as deep as a plan's schemas may nest (limits.py)
_PY_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


# --------------------------------------------------------------------------- literals


def docstring(lines: list[str], indent: str) -> str:
    """A docstring of untrusted text: backslashes, quotes and control characters escaped."""
    out = []
    raw = "\n".join(lines).rstrip()
    for i, ch in enumerate(raw):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"' and raw[i + 1 : i + 2] in ('"', ""):  # never three, nor one at the end
            out.append('\\"')
        elif ch != "\n" and (ord(ch) < 32 or ch in "\x7f\x85\u2028\u2029"):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    text = "".join(out).replace("\n", "\n" + indent)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    multi = "\n" in text
    return f'{indent}"""{text}\n{indent}"""' if multi else f'{indent}"""{text}"""'


def str_literal(text: str) -> str:
    """A string literal, in double quotes where that needs no escape (as ruff formats it)."""
    shown = repr(text)
    if shown.startswith("'") and '"' not in text:
        shown = '"' + shown[1:-1].replace("\\'", "'") + '"'
    return shown


def _literal_value(value: object) -> str | None:
    if isinstance(value, str):
        return str_literal(value)
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    return None


# --------------------------------------------------------------------------- types


@dataclass
class Types:
    """JSON Schema -> annotation; the ``TypedDict`` classes it needs, defined before use."""

    module: Namespace
    classes: list[str] = field(default_factory=list)
    uses: set[str] = field(default_factory=set)
    _active: set[int] = field(default_factory=set)  # the ``$ref`` targets being expanded
    _done: dict[int, str] = field(default_factory=dict)  # an object schema -> its class

    def annotation(self, schema: object, resolver: Resolver[Any], hint: str, depth: int = 0) -> str:
        if not isinstance(schema, dict) or depth > MAX_DEPTH:
            return self._any()
        if "const" in schema:
            return self._literals([schema["const"]])
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return self._literals(enum)
        members = schema.get("anyOf", schema.get("oneOf"))
        if isinstance(members, list) and members and "type" not in schema:
            return self._union(self.annotation(m, resolver, hint, depth + 1) for m in members)
        kinds = schema.get("type")
        if isinstance(kinds, str):
            kinds = [kinds]
        if isinstance(kinds, list) and kinds:
            return self._union(self._of_type(k, schema, resolver, hint, depth) for k in kinds)
        if "properties" in schema:
            return self._of_type("object", schema, resolver, hint, depth)
        ref = schema.get("$ref")
        if isinstance(ref, str):
            try:
                resolved = resolver.lookup(ref)
            except Unresolvable:  # the plan was checked: a ref it refused is Any
                return self._any()
            key = id(resolved.contents)
            if key in self._active:  # a recursive schema: the nested copy is Any
                return self._any()
            self._active.add(key)
            try:
                return self.annotation(resolved.contents, resolved.resolver, hint, depth + 1)
            finally:
                self._active.discard(key)
        subs = schema.get("allOf")
        if isinstance(subs, list):
            typed = [a for a in (self.annotation(s, resolver, hint, depth + 1) for s in subs)]
            typed = [a for a in typed if a != "Any"]
            if len(typed) == 1:
                return typed[0]
        return self._any()

    def _any(self) -> str:
        self.uses.add("Any")
        return "Any"

    def _literals(self, values: list[object]) -> str:
        literal = [v for v in values if v is not None]
        shown = [_literal_value(v) for v in literal]
        parts = []
        if all(s is not None for s in shown):
            if literal:
                self.uses.add("Literal")
                parts.append(f"Literal[{', '.join(dict.fromkeys(s for s in shown if s))}]")
        else:  # a float, list or object among the values: their types
            parts.extend(self._python_type(v) for v in literal)
        if len(literal) < len(values):
            parts.append("None")
        return self._union(parts)

    def _python_type(self, value: object) -> str:
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, (int, float, str)):
            return type(value).__name__
        self.uses.add("Any")
        return "list[Any]" if isinstance(value, list) else "dict[str, Any]"

    def _union(self, parts: Iterator[str] | list[str]) -> str:
        unique = list(dict.fromkeys(parts))
        if "Any" in unique or not unique:
            return self._any()
        return " | ".join(unique)

    def _of_type(
        self, kind: object, schema: dict[str, Any], resolver: Resolver[Any], hint: str, depth: int
    ) -> str:
        if kind == "null":
            return "None"
        if isinstance(kind, str) and kind in _PY_TYPES:
            return _PY_TYPES[kind]
        if kind == "array":
            items = schema.get("items")
            item = (
                self.annotation(items, resolver, hint + " item", depth + 1)
                if isinstance(items, dict)
                else self._any()
            )
            return f"list[{item}]"
        if kind == "object":
            props = collect(schema, resolver)
            if not props.schemas:
                self.uses.add("Any")
                return "dict[str, Any]"
            if id(schema) not in self._done:  # one class for a `$defs` object used twice
                self._done[id(schema)] = self._typed_dict(props, hint, depth)
            return self._done[id(schema)]
        return self._any()

    def _typed_dict(self, props: Properties, hint: str, depth: int) -> str:
        fields = []
        for key, (sub, sub_resolver) in props.schemas.items():
            value = self.annotation(sub, sub_resolver, f"{hint} {key}", depth + 1)
            if key not in props.required:
                self.uses.add("NotRequired")
                value = f"NotRequired[{value}]"
            fields.append((key, value))
        self.uses.add("TypedDict")
        name = self.module.claim(camel_case(hint))
        if all(_is_plain_name(k) for k, _ in fields):
            body = "\n".join(f"    {k}: {v}" for k, v in fields)
            self.classes.append(f"class {name}(TypedDict):\n{body}\n")
            return name
        pairs = "".join(f"        {str_literal(k)}: {v},\n" for k, v in fields)
        self.classes.append(f'{name} = TypedDict(\n    "{name}",\n    {{\n{pairs}    }},\n)\n')
        return name


def _is_plain_name(key: str) -> bool:
    return key.isidentifier() and not keyword.iskeyword(key) and key.isascii()


@dataclass
class Properties:
    """The properties one object schema declares (through ``$ref``/``allOf`` too), in order."""

    schemas: dict[str, tuple[object, Resolver[Any]]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    open: bool = False


def collect(schema: object, resolver: Resolver[Any], depth: int = 0) -> Properties:
    out = Properties()
    closed = False

    def walk(sub: object, res: Resolver[Any], level: int) -> None:
        nonlocal closed
        if not isinstance(sub, dict) or level > MAX_DEPTH:
            return
        props = sub.get("properties")
        if isinstance(props, dict):
            for key, value in props.items():
                if isinstance(key, str):
                    out.schemas.setdefault(key, (value, res))
        required = sub.get("required")
        if isinstance(required, list):
            out.required.update(k for k in required if isinstance(k, str))
        if sub.get("patternProperties"):
            out.open = True
        if level == 0 and (
            sub.get("additionalProperties") is False or sub.get("unevaluatedProperties") is False
        ):
            closed = True
        ref = sub.get("$ref")
        if isinstance(ref, str):
            try:
                resolved = res.lookup(ref)
            except Unresolvable:  # refused by the plan check already
                return
            walk(resolved.contents, resolved.resolver, level + 1)
        subs = sub.get("allOf")
        if isinstance(subs, list):
            for member in subs:
                walk(member, res, level + 1)

    walk(schema, resolver, depth)
    out.open = out.open or not closed
    return out
