"""``cio-lint plan generate``: a loaded plan and an SDK target -> a typed Python module's text.

Pure: no file is read or written here (``commands/plan_generate.py`` does that). One function
per event, ``track_<event>(client, user_id, *, prop: T, ...)``, and ``identify(client, user_id,
*, trait: T, ...)``, each typed from its JSON Schema, with the client parameter annotated with
the SDK's client class so that cio-lint's wrapper inference checks their call sites. An optional
property defaults to ``OMITTED`` and is then not sent. What is generated is docs/plan.md,
"plan generate"; the same plan and options always give the same bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from referencing.exceptions import Unresolvable

from cio_lint.analysis.generated import HEADER
from cio_lint.plan.generate_types import Types, collect, docstring, str_literal
from cio_lint.plan.model import EventSpec, Plan
from cio_lint.plan.names import Namespace, snake_case
from cio_lint.sdks import GenerateTarget

# what a generated function's body uses, so no parameter may shadow it
_BODY_NAMES = ("client", "user_id", "dict", "str", "int", "float", "bool", "list", "object")


class GenerateError(ValueError):
    """The plan cannot be generated with these options (one line, names the event)."""


def plan_hash(plan: Plan) -> str:
    """The sha256 of the canonical plan: every event's, ``identify``'s and ``group``'s effective
    schema and the shared ``$defs``, as JSON with sorted keys (layout, comments, file names and
    the order of events do not change it)."""
    canonical = json.dumps(
        _document(plan), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _document(plan: Plan) -> dict[str, Any]:
    doc: dict[str, Any] = {"events": {name: spec.schema for name, spec in plan.events.items()}}
    for spec in (plan.identify, plan.group):
        if spec is not None:
            doc[spec.kind] = spec.schema
    first = next(iter(plan.events.values()), plan.identify or plan.group)
    if first is not None:
        with contextlib.suppress(Unresolvable):  # a plan without `$defs`
            doc["$defs"] = first.resolver().lookup("#/$defs").contents
    return doc


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(quote(p.replace("~", "~0").replace("/", "~1"), safe="") for p in parts)


# --------------------------------------------------------------------------- the module


@dataclass(frozen=True)
class _Param:
    name: str  # the parameter
    key: str  # the property it sends
    annotation: str
    required: bool
    description: str | None


def _description(schema: object) -> str | None:
    if isinstance(schema, dict) and isinstance(schema.get("description"), str):
        return str(schema["description"]).strip() or None
    return None


class _Module:
    def __init__(self, plan: Plan, target: GenerateTarget, validate: bool) -> None:
        self.plan = plan
        self.target = target
        self.validate = validate
        reserved = {
            *("annotations", "json", "importlib", "Mapping", "Any", "Final"),
            *("Literal", "NotRequired", "TypedDict", "OMITTED", "PLAN_HASH", "identify"),
            target.client_type,
        }
        self.names = Namespace(reserved)
        self.types = Types(self.names)
        self.functions: list[str] = []
        self.omitted = False
        self.open = False

    def function(self, spec: EventSpec, name: str) -> str:
        what = "traits" if spec.kind != "event" else "properties"
        extra = f"extra_{what}"
        scope = Namespace({*_BODY_NAMES, what, extra})
        hint = spec.name if spec.kind == "event" else "Traits"
        props = collect(spec.schema, spec.resolver())
        params = []
        for key, (schema, resolver) in props.schemas.items():
            annotation = self.types.annotation(schema, resolver, f"{hint} {key}")
            required = key in props.required
            params.append(
                _Param(
                    scope.claim(snake_case(key)), key, annotation, required, _description(schema)
                )
            )
        params.sort(key=lambda p: not p.required)  # required first, each group in plan order
        lines = [f"def {name}(", f"    client: {self.target.client_type},", "    user_id: str,"]
        if params or props.open:
            lines.append("    *,")
        for p in params:
            if p.required:
                lines.append(f"    {p.name}: {p.annotation},")
            else:
                self.omitted = True
                lines.append(f"    {p.name}: {p.annotation} | _Omitted = OMITTED,")
        if props.open:
            self.open = True
            lines.append(f"    {extra}: Mapping[str, Any] | None = None,")
        lines.append(") -> None:")
        lines.append(docstring(self._doc(spec, params, extra if props.open else None), "    "))
        sent = ", ".join(f"{str_literal(p.key)}: {p.name}" for p in params if p.required)
        lines.append(f"    {what}: dict[str, Any] = {{{sent}}}")
        for p in params:
            if not p.required:
                lines.append(f"    if {p.name} is not OMITTED:")
                lines.append(f"        {what}[{str_literal(p.key)}] = {p.name}")
        if props.open:
            lines += [f"    if {extra}:", f"        {what}.update({extra})"]
        if self.validate:
            pointer = _pointer("events", spec.name) if spec.kind == "event" else _pointer(spec.kind)
            lines.append(f"    _check({str_literal(pointer)}, {what})")
        if spec.kind == "event":
            call = self.target.track.format(
                client="client", user_id="user_id", event=str_literal(spec.name), properties=what
            )
        else:
            call = self.target.identify.format(client="client", user_id="user_id", traits=what)
        lines.append(f"    {call}")
        return "\n".join(lines) + "\n"

    def _doc(self, spec: EventSpec, params: list[_Param], extra: str | None) -> list[str]:
        if spec.kind == "event":
            lines = [
                f"Track {str_literal(spec.name)}."
                + (f" {spec.description}" if spec.description else "")
            ]
        else:
            lines = ["Identify the person with these traits."]
            if spec.description:
                lines.append("")
                lines.append(spec.description)
        if spec.deprecated:
            replaced = f": send {str_literal(spec.replaced_by)} instead" if spec.replaced_by else ""
            lines += ["", f"Deprecated in the tracking plan{replaced}."]
        described = [p for p in params if p.description or p.name != p.key]
        if described or extra:
            lines += ["", "Args:"]
        for p in described:
            sends = f" (sent as {str_literal(p.key)})" if p.name != p.key else ""
            lines.append(f"    {p.name}{sends}: {p.description or ''}".rstrip())
        if extra:
            lines.append(f"    {extra}: more, sent as they are (the plan allows them).")
        return lines

    def text(self) -> str:
        plan = self.plan
        for name, spec in plan.events.items():
            fn = self.names.claim("track_" + snake_case(name).strip("_"))
            self.functions.append(self.function(spec, fn))
        if plan.identify is not None:
            self.functions.append(self.function(plan.identify, "identify"))
        return self._assemble()

    def _assemble(self) -> str:
        target, uses = self.target, self.types.uses | {"Any"}
        flag = " --validate" if self.validate else ""
        count = len(self.plan.events)
        out = [
            HEADER,
            f"# Regenerate with `cio-lint plan generate --sdk {target.name}{flag} -o FILE`.",
            f'"""Typed tracking functions for the {count} event{"s" if count != 1 else ""} of the'
            + " tracking plan.",
            "",
            f"Each function sends one event through a ``{target.client_type}``"
            + (f" ({target.note})" if target.note else "")
            + ". An optional property left out (``OMITTED``) is not sent.",
            '"""',
            "",
            "from __future__ import annotations",
            "",
        ]
        stdlib = ["importlib", "json"] if self.validate else []
        out += [f"import {m}" for m in stdlib]
        if self.open:
            out.append("from collections.abc import Mapping")
        typing_names = sorted(uses | ({"Final"} if self.omitted else set()))
        out.append(f"from typing import {', '.join(typing_names)}")
        out += [
            "",
            f"{target.import_line}  # type: ignore[import-untyped, import-not-found, unused-ignore]",
            "",
        ]
        out.append(f'PLAN_HASH = "{plan_hash(self.plan)}"')
        if self.omitted:
            out += [
                "",
                "",
                "class _Omitted:",
                '    """The default of an optional parameter: the property is not sent."""',
                "",
                "    def __repr__(self) -> str:",
                '        return "OMITTED"',
                "",
                "",
                "OMITTED: Final = _Omitted()",
            ]
        if self.validate:
            out += ["", "", *self._checker()]
        body = [*self.types.classes, *self.functions]
        return "\n".join(out) + "\n" + "".join("\n\n" + part for part in body)

    def _checker(self) -> list[str]:
        doc = _document(self.plan)
        for where, ref in _refs(doc):
            if not ref.startswith("#"):
                raise GenerateError(
                    f"--validate: {where} refers to `{ref}` in another file of the plan; the "
                    "embedded schemas can only refer to `#/$defs/...`: move it to `$defs`"
                )
        schemas = json.dumps(doc, sort_keys=True, ensure_ascii=True, default=str)
        return [
            f"_PLAN: dict[str, Any] = json.loads({str_literal(schemas)})",
            "",
            "",
            "def _check(pointer: str, instance: dict[str, Any]) -> None:",
            '    """Raise jsonschema.ValidationError when ``instance`` breaks the plan; nothing',
            '    happens when jsonschema is not installed."""',
            "    try:",
            '        jsonschema = importlib.import_module("jsonschema")',
            "    except ImportError:",
            "        return",
            "    validator = jsonschema.Draft202012Validator(",
            '        {**_PLAN, "$ref": pointer},',
            "        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,",
            "    )",
            "    validator.validate(instance)",
        ]


def _refs(node: object, where: str = "the plan") -> Iterator[tuple[str, str]]:
    stack: list[tuple[object, str]] = [(node, where)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                yield at, ref
            stack.extend((v, f"{at} {k}" if at != "the plan" else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, at) for v in item)


def generate(plan: Plan, target: GenerateTarget, *, validate: bool = False) -> str:
    """The generated module's text (raises ``GenerateError`` when it cannot be generated)."""
    return _Module(plan, target, validate).text()
