"""The loaded plan: events, identify/group traits, and one compiled validator per schema.

The static rules and the runtime validator of the pytest plugin both ask these objects, so a
property means the same thing in both. Validators are compiled once, at load; ``$ref``s resolve
through the plan's own ``referencing.Registry`` (see ``loader.py``), never over the network.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT202012

from cio_lint.plan.errors import PlanIssue
from cio_lint.plan.patterns import PatternTimeout, PlanValidator, search

if TYPE_CHECKING:
    from referencing._core import Resolver

SpecKind = Literal["event", "identify", "group"]
ViolationKind = Literal["unknown", "required", "value"]

_SEPARATORS = str.maketrans("", "", " _-.")


def normalize_name(name: str) -> str:
    """The form in which two names are "the same" to a human: no case, no separators.

    Customer.io and Segment treat ``Order Completed`` and ``order_completed`` as different
    events, which splits reports; CIO002 and ``plan check`` compare names in this form.
    """
    return name.casefold().translate(_SEPARATORS)


# --------------------------------------------------------------------------- format checking
#
# jsonschema checks some formats only when optional packages are installed (rfc3339-validator,
# rfc3987...). A linter must not change its verdict with the environment, so the formats users
# put in plans most often get a dependency-free fallback.

_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))"
)
_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_HOSTNAME = re.compile(
    r"(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?"
)


def _is_date_time(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    match = _DATE_TIME.fullmatch(instance)
    if match is None:
        return False
    year, month, day, hour, minute, second, off_h, off_m = match.groups()
    _dt.date(int(year), int(month), int(day))  # raises ValueError on 2023-02-30
    if int(hour) > 23 or int(minute) > 59 or int(second) > 60:
        return False
    return off_h is None or (int(off_h) <= 23 and int(off_m) <= 59)


def _is_uri(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    if any(c.isspace() for c in instance) or any(c in '<>"{}|\\^`' for c in instance):
        return False
    return bool(_URI_SCHEME.fullmatch(urlsplit(instance).scheme))


def _is_uri_reference(instance: object) -> bool:
    return not isinstance(instance, str) or not any(c.isspace() for c in instance)


def _is_hostname(instance: object) -> bool:
    return not isinstance(instance, str) or bool(_HOSTNAME.fullmatch(instance))


def format_checker() -> FormatChecker:
    """A ``FormatChecker`` for every installed format, plus fallbacks for the common ones."""
    checker = FormatChecker()
    fallbacks = {
        "date-time": _is_date_time,
        "uri": _is_uri,
        "iri": _is_uri,
        "uri-reference": _is_uri_reference,
        "iri-reference": _is_uri_reference,
        "hostname": _is_hostname,
    }
    for name, func in fallbacks.items():
        if name not in checker.checkers:
            checker.checks(name, raises=ValueError)(func)
    return checker


# --------------------------------------------------------------------------- violations


@dataclass(frozen=True)
class SchemaViolation:
    """One reason an object does not match an event (or traits) schema, sorted for the rules.

    ``kind`` decides the code: ``unknown`` -> CIO004/CIO008, ``required`` -> CIO005/CIO009,
    ``value`` -> CIO006/CIO010. ``prop`` is always a top-level key, so a finding can point at
    the argument that carries it, even when the problem is nested inside it.
    """

    kind: ViolationKind
    prop: str | None
    message: str
    path: tuple[str | int, ...]


_PROPERTY_KEYWORDS = frozenset(
    {"properties", "patternProperties", "additionalProperties", "unevaluatedProperties"}
)
_ALWAYS_APPLIES = frozenset({"$ref", "allOf"})
_MAX_REF_DEPTH = 32
# A recursive schema (a tree of nodes) is checked as deep as the value goes; a value nested
# deeper than Python's recursion allows is reported, not a crash.
TOO_DEEP = "the value is nested too deeply to be checked against the plan"


def _applies_to_property(schema_path: Iterable[str | int]) -> bool:
    """Whether an error comes from a subschema that always applies to one property.

    ``value_errors`` validates ``{prop: value}`` alone; conditionals (``if``/``anyOf``...) at
    the top of the event would then be judged on a partial object and give false findings, so
    only errors reached through ``$ref``/``allOf`` and then a property keyword are kept.
    """
    for part in schema_path:
        if isinstance(part, int) or part in _ALWAYS_APPLIES:
            continue
        return part in _PROPERTY_KEYWORDS
    return False


def _applicable(
    schema: object, resolver: Resolver[Any], depth: int = 0
) -> Iterator[dict[str, Any]]:
    """The schema and every subschema that applies with it unconditionally (``$ref``, ``allOf``)."""
    if not isinstance(schema, dict) or depth > _MAX_REF_DEPTH:
        return
    yield schema
    ref = schema.get("$ref")
    if isinstance(ref, str):
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable:
            pass
        else:
            yield from _applicable(resolved.contents, resolved.resolver, depth + 1)
    subs = schema.get("allOf")
    if isinstance(subs, list):
        for sub in subs:
            yield from _applicable(sub, resolver, depth + 1)


def refuse_retrieval(uri: str) -> Resource[Any]:
    """The registry's retrieve hook: everything a plan may use is registered up front."""
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


class SchemaStore:
    """The plan's files as a ``referencing`` registry that never retrieves anything.

    Only plain data is pickled (the registry holds unpicklable callables), so a ``Plan`` can be
    sent to worker processes; the registry is rebuilt on first use there.
    """

    def __init__(self, documents: Sequence[tuple[str, Any]]) -> None:
        self._documents = tuple(documents)
        self._registry: Registry[Any] | None = None
        self._checker: FormatChecker | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"_documents": self._documents}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["_documents"])  # type: ignore[misc]

    @property
    def uris(self) -> frozenset[str]:
        return frozenset(uri for uri, _ in self._documents)

    @property
    def registry(self) -> Registry[Any]:
        if self._registry is None:
            registry: Registry[Any] = Registry(retrieve=refuse_retrieval)  # type: ignore[call-arg]
            self._registry = registry.with_resources(
                (uri, DRAFT202012.create_resource(doc)) for uri, doc in self._documents
            ).crawl()
        return self._registry

    def resolver(self, base_uri: str) -> Resolver[Any]:
        return self.registry.resolver(base_uri=base_uri)

    def validator(self, uri: str) -> Draft202012Validator:
        """A validator of the schema at ``uri``, resolving ``$ref`` within the plan only, its
        patterns matched with a timeout (``patterns.py``)."""
        if self._checker is None:
            self._checker = format_checker()
        validator: Draft202012Validator = PlanValidator(
            {"$ref": uri}, registry=self.registry, format_checker=self._checker
        )
        return validator


class EventSpec:
    """One planned event, or the ``identify`` / ``group`` traits schema.

    ``schema`` is the effective JSON Schema: ``type: object`` implied and the plan's default for
    ``additionalProperties`` filled in. Validation goes through one validator compiled at load,
    whose ``$ref``s resolve against the plan (``#/$defs/...`` is shared by all files).
    """

    def __init__(
        self,
        *,
        name: str,
        kind: SpecKind,
        source: str,
        line: int | None,
        schema: dict[str, Any],
        store: SchemaStore,
        uri: str,
        base_uri: str,
    ) -> None:
        self.name = name
        self.kind: SpecKind = kind
        self.source = source
        self.line = line
        self.schema = schema
        self.deprecated = schema.get("deprecated") is True
        replaced_by = schema.get("x-replaced-by")
        self.replaced_by: str | None = replaced_by if isinstance(replaced_by, str) else None
        description = schema.get("description")
        self.description: str | None = description if isinstance(description, str) else None
        self._store = store
        self._uri = uri
        self._validator: Draft202012Validator | None = store.validator(uri)
        self._value_errors: dict[tuple[str, str, object], list[str]] = {}

        properties: dict[str, None] = {}
        required: dict[str, None] = {}
        patterns: list[str] = []
        for sub in _applicable(schema, store.resolver(base_uri)):
            props = sub.get("properties")
            if isinstance(props, dict):
                properties.update(dict.fromkeys(k for k in props if isinstance(k, str)))
            req = sub.get("required")
            if isinstance(req, list):
                required.update(dict.fromkeys(k for k in req if isinstance(k, str)))
            pattern_props = sub.get("patternProperties")
            if isinstance(pattern_props, dict):
                patterns.extend(p for p in pattern_props if isinstance(p, str))
        self.property_names: tuple[str, ...] = tuple(properties)
        self.required: tuple[str, ...] = tuple(required)
        self._patterns = tuple(patterns)
        self._declared = frozenset(properties)
        self._closed = (
            schema.get("additionalProperties") is False
            or schema.get("unevaluatedProperties") is False
        )

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_validator": None, "_value_errors": {}}

    @property
    def validator(self) -> Draft202012Validator:
        """The compiled validator of this schema (rebuilt once after unpickling)."""
        if self._validator is None:
            self._validator = self._store.validator(self._uri)
        return self._validator

    def resolver(self) -> Resolver[Any]:
        """A resolver of this schema's ``$ref``s (within the plan), for tools that walk it."""
        return self._store.resolver(self._uri.partition("#")[0])

    def __repr__(self) -> str:
        return f"EventSpec({self.kind} {self.name!r} at {self.source}:{self.line})"

    def _is_declared(self, name: str) -> bool:
        """Declared, or matched by a ``patternProperties`` pattern; a match that times out
        counts as one: the validator reports the timeout at the value, not an unknown name."""
        if name in self._declared:
            return True
        for pattern in self._patterns:
            try:
                if search(pattern, name):
                    return True
            except PatternTimeout:
                return True
        return False

    def allows_property(self, name: str) -> bool:
        """Whether ``name`` may appear at all: declared, matched by a pattern, or the schema is open."""
        return self._is_declared(name) or not self._closed

    def value_errors(self, prop: str, value: object) -> list[str]:
        """jsonschema's messages for one top-level value; ``[]`` when valid or unconstrained.

        The value is validated as ``{prop: value}`` by the event's own validator, which is what
        makes ``$ref``s, ``allOf``, ``patternProperties`` and an ``additionalProperties`` schema
        work exactly as they do for a whole message.
        """
        key = (
            (prop, type(value).__name__, value)
            if isinstance(value, (str, int, float, type(None)))
            else None
        )
        if key is not None and key in self._value_errors:
            return list(self._value_errors[key])  # the same literal at another call site
        messages: list[str] = []
        try:
            for error in self.validator.iter_errors({prop: value}):
                if (
                    error.absolute_path
                    and error.absolute_path[0] == prop
                    and _applies_to_property(error.absolute_schema_path)
                    and error.message not in messages
                ):
                    messages.append(error.message)
        except RecursionError:
            messages = [TOO_DEEP]
        if key is not None:
            self._value_errors[key] = list(messages)
        return messages

    def validate(self, instance: Mapping[str, Any]) -> list[SchemaViolation]:
        """Every problem of a whole properties (or traits) object, classified for the rules."""
        violations: list[SchemaViolation] = []
        try:
            for error in self.validator.iter_errors(dict(instance)):
                violations.extend(self._classify(error))
        except RecursionError:
            violations.append(SchemaViolation("value", None, TOO_DEEP, ()))
        return violations

    def _classify(self, error: ValidationError) -> Iterator[SchemaViolation]:
        path = tuple(error.absolute_path)
        top = path[0] if path and isinstance(path[0], str) else None
        keyword = error.validator
        if keyword in ("additionalProperties", "unevaluatedProperties"):
            if not path and isinstance(error.instance, dict):
                extras = [k for k in error.instance if not self._is_declared(k)]
                if extras:
                    label = "Additional" if keyword == "additionalProperties" else "Unevaluated"
                    for key in extras:
                        message = f"{label} properties are not allowed ({key!r} was unexpected)"
                        yield SchemaViolation("unknown", key, message, (key,))
                    return
            yield SchemaViolation("unknown", top, error.message, path)
        elif keyword in ("required", "dependentRequired"):
            missing = None
            if not path and isinstance(error.instance, dict):
                missing = next(
                    (
                        name
                        for name in _required_names(error.validator_value)
                        if name not in error.instance and error.message.startswith(f"{name!r} is ")
                    ),
                    None,
                )
            if missing is not None:
                yield SchemaViolation("required", missing, error.message, (missing,))
            else:
                yield SchemaViolation("required", top, error.message, path)
        else:
            yield SchemaViolation("value", top, error.message, path)


def _required_names(value: object) -> Iterator[str]:
    """The names a ``required`` (list) or ``dependentRequired`` (dict of lists) keyword asks for."""
    lists = value.values() if isinstance(value, dict) else [value]
    for names in lists:
        if isinstance(names, list):
            yield from (v for v in names if isinstance(v, str))


class Plan:
    """The merged tracking plan of one project."""

    def __init__(
        self,
        *,
        root: Path,
        files: tuple[Path, ...],
        events: dict[str, EventSpec],
        identify: EventSpec | None,
        group: EventSpec | None,
        defaults_additional_properties: bool,
        fingerprint: str,
        warnings: tuple[PlanIssue, ...] = (),
    ) -> None:
        self.root = root
        self.files = files
        self.events = events
        self.identify = identify
        self.group = group
        self.defaults_additional_properties = defaults_additional_properties
        self.fingerprint = fingerprint
        # Problems that do not stop the plan from being used: unknown keywords (errors of
        # ``plan check``, warnings of a lint run).
        self.warnings = warnings
        self._by_normal: dict[str, list[str]] = {}
        for name in sorted(events):
            self._by_normal.setdefault(normalize_name(name), []).append(name)

    def __repr__(self) -> str:
        return f"Plan({str(self.root)!r}, {len(self.events)} events)"

    @classmethod
    def empty(cls, root: Path = Path(".")) -> Plan:
        """A plan with no events and no traits, for analysing code without one (``plan init``)."""
        return cls(
            root=root,
            files=(),
            events={},
            identify=None,
            group=None,
            defaults_additional_properties=False,
            fingerprint="empty",
        )

    def event(self, name: str) -> EventSpec | None:
        return self.events.get(name)

    def case_variants(self, name: str) -> list[str]:
        """Planned names equal to ``name`` ignoring case and separators (``name`` itself excluded)."""
        return [n for n in self._by_normal.get(normalize_name(name), []) if n != name]

    def closest(self, name: str) -> str | None:
        """The planned name most like ``name`` (for "did you mean"), or ``None`` if none is close."""
        normal = normalize_name(name)
        best: tuple[float, str] | None = None
        for planned in sorted(self.events):
            for a, b in ((name, planned), (normal, normalize_name(planned))):
                matcher = difflib.SequenceMatcher(None, a, b)
                # quick bounds first (ratio <= quick_ratio <= real_quick_ratio): same answer
                if best is None:
                    if matcher.real_quick_ratio() < 0.6 or matcher.quick_ratio() < 0.6:
                        continue
                elif matcher.real_quick_ratio() <= best[0] or matcher.quick_ratio() <= best[0]:
                    continue
                ratio = matcher.ratio()
                if ratio >= 0.6 and (best is None or ratio > best[0]):
                    best = (ratio, planned)
        return best[1] if best else None

    def collisions(self) -> list[tuple[str, ...]]:
        """Groups of two or more planned names that are the same ignoring case and separators."""
        return sorted(tuple(names) for names in self._by_normal.values() if len(names) > 1)
