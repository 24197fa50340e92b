"""The plan's regular expressions, matched with a time bound.

``pattern`` and ``patternProperties`` come from the plan; the strings they are matched against
come from the scanned code, or from the messages a test sends. Python's ``re`` backtracks
without limit and cannot be stopped (``^(a|a)*$`` against 40 characters runs for hours), so
plan patterns are matched with the ``regex`` package instead, in its ``re``-compatible mode
(``VERSION0``: a pattern means what it meant with ``re``, so what passed before still passes),
and each match may take at most ``MATCH_TIMEOUT`` seconds. A match that times out is never
taken as a pass: it is a violation of the value that names the pattern (CIO006 / CIO010 in a
run, a failed test in the plugin). Like jsonschema, we match with Python's regular expression
syntax, not ECMA-262's, which JSON Schema names: ``\\d`` also matches non-ASCII digits, ``$`` also
matches before a final newline.

``PlanValidator`` is Draft 2020-12 with the four keywords that match plan patterns in jsonschema
(``pattern``, ``patternProperties``, and the property names ``additionalProperties`` and
``unevaluatedProperties`` treat as matched) implemented on ``search``, with jsonschema's messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import regex
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

MATCH_TIMEOUT = 0.1  # seconds, per match

__all__ = ["MATCH_TIMEOUT", "PatternTimeout", "PlanValidator", "search", "unsupported"]


class PatternTimeout(Exception):
    """A match took longer than ``MATCH_TIMEOUT``."""

    def __init__(self, pattern: str, text: str) -> None:
        self.pattern, self.text = pattern, text
        shown = text if len(text) <= 60 else text[:57] + "..."
        self.message = (
            f"{shown!r} could not be checked against pattern {pattern!r} within "
            f"{round(MATCH_TIMEOUT * 1000)} ms: the pattern backtracks too much; simplify it"
        )
        super().__init__(self.message)

    def error(self, key: str | None = None) -> ValidationError:
        """The violation: of the value, or of the value of property ``key`` (whose name timed
        out); a ``pattern`` error wherever it is found, so that it is never taken for an
        unknown property."""
        return ValidationError(
            self.message,
            validator="pattern",
            validator_value=self.pattern,
            instance=self.text,
            path=() if key is None else [key],
        )


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern, regex.VERSION0)


def search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches somewhere in ``text`` (JSON Schema patterns are not anchored);
    ``PatternTimeout`` if that takes longer than ``MATCH_TIMEOUT``."""
    try:
        return _compiled(pattern).search(text, timeout=MATCH_TIMEOUT) is not None
    except TimeoutError:
        raise PatternTimeout(pattern, text) from None


def unsupported(pattern: str) -> str | None:
    """Why a pattern that ``re`` compiles cannot be used (``regex`` does not compile it)."""
    try:
        re.compile(pattern)
    except re.error:
        return None  # not a regex at all: the meta-schema check says so
    try:
        _compiled(pattern)
    except regex.error as exc:
        return f"pattern {pattern!r} is not supported: {exc}"
    return None


# --------------------------------------------------------------------------- keywords


def _keys_matched(
    patterns: Iterator[str] | Mapping[str, Any], key: str, errors: list[ValidationError]
) -> bool:
    """Whether ``key`` matches one of ``patterns``; a timed-out match is recorded in ``errors``
    and counts as matched, so that it is reported once, as a timeout."""
    for pattern in patterns:
        try:
            if search(pattern, key):
                return True
        except PatternTimeout as exc:
            errors.append(exc.error(key))
            return True
    return False


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "string"):
        return
    try:
        matched = search(pattern, instance)
    except PatternTimeout as exc:
        yield exc.error()
        return
    if not matched:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, patterns: dict[str, Any], instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            try:
                matched = search(pattern, key)
            except PatternTimeout as exc:
                yield exc.error(key)
                continue
            if matched:
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _extras_message(extras: list[str]) -> tuple[str, str]:
    return ", ".join(repr(e) for e in extras), "was" if len(extras) == 1 else "were"


def _additional_properties(
    validator: Any, additional: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    declared = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    errors: list[ValidationError] = []
    extras = [
        key for key in instance if key not in declared and not _keys_matched(patterns, key, errors)
    ]
    yield from errors
    if validator.is_type(additional, "object"):
        for key in extras:
            yield from validator.descend(instance[key], additional, path=key)
    elif not additional and extras:
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            listed = ", ".join(repr(p) for p in sorted(patterns))
            names = ", ".join(repr(e) for e in sorted(extras))
            yield ValidationError(f"{names} {verb} not match any of the regexes: {listed}")
        else:
            names, verb = _extras_message(sorted(extras, key=str))
            yield ValidationError(
                f"Additional properties are not allowed ({names} {verb} unexpected)"
            )


def _valid(errors: Iterator[ValidationError]) -> bool:
    return next(errors, None) is None


def _evaluated(
    validator: Any, instance: dict[str, Any], schema: Any, errors: list[ValidationError]
) -> set[str]:
    """The keys of ``instance`` that ``schema`` evaluates, for ``unevaluatedProperties``: those
    its ``properties``, ``patternProperties``, ``additionalProperties`` and
    ``unevaluatedProperties`` reach, here and in the subschemas it applies successfully."""
    if not isinstance(schema, dict):
        return set()
    keys: set[str] = set()
    for keyword in ("$ref", "$dynamicRef"):
        ref = schema.get(keyword)
        if isinstance(ref, str):
            resolved = validator._resolver.lookup(ref)
            inner = validator.evolve(schema=resolved.contents, _resolver=resolved.resolver)
            keys |= _evaluated(inner, instance, resolved.contents, errors)
    declared = schema.get("properties")
    if isinstance(declared, dict):
        keys |= declared.keys() & instance.keys()
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        sub = schema.get(keyword)
        if sub is not None:
            keys |= {k for k, v in instance.items() if _valid(validator.descend(v, sub))}
    patterns = schema.get("patternProperties")
    if isinstance(patterns, dict):
        keys |= {k for k in instance if _keys_matched(patterns, k, errors)}
    dependent = schema.get("dependentSchemas")
    if isinstance(dependent, dict):
        for name, sub in dependent.items():
            if name in instance:
                keys |= _evaluated(validator, instance, sub, errors)
    for keyword in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(keyword, []):
            if _valid(validator.descend(instance, sub)):
                keys |= _evaluated(validator, instance, sub, errors)
    if "if" in schema:
        if validator.evolve(schema=schema["if"]).is_valid(instance):
            keys |= _evaluated(validator, instance, schema["if"], errors)
            if "then" in schema:
                keys |= _evaluated(validator, instance, schema["then"], errors)
        elif "else" in schema:
            keys |= _evaluated(validator, instance, schema["else"], errors)
    return keys


def _unevaluated_properties(
    validator: Any, unevaluated: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    errors: list[ValidationError] = []
    evaluated = _evaluated(validator, instance, schema, errors)
    shown: set[str] = set()
    for error in errors:
        if error.message not in shown:
            shown.add(error.message)
            yield error
    failed = [
        key
        for key in instance
        if key not in evaluated
        for _ in validator.descend(instance[key], unevaluated, path=key, schema_path=key)
    ]
    if not failed:
        return
    if unevaluated is False:
        names, verb = _extras_message(sorted(failed, key=str))
        yield ValidationError(f"Unevaluated properties are not allowed ({names} {verb} unexpected)")
    else:
        names, verb = _extras_message(failed)
        yield ValidationError(
            "Unevaluated properties are not valid under the given schema "
            f"({names} {verb} unevaluated and invalid)"
        )


PlanValidator: Any = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator,
    {
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
        "unevaluatedProperties": _unevaluated_properties,
    },
)
