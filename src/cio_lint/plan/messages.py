"""Messages a plan author can act on, in place of jsonschema's generic ones.

jsonschema reports ``type: strng`` as "'strng' is not valid under any of the given schemas";
``humanize`` says which value is wrong, lists the valid ones and suggests the closest. Keywords
that JSON Schema 2020-12 does not define (``propertes:``) are ignored by validators, so a typo
silently drops a constraint: ``unknown_keywords`` finds them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from jsonschema import (
    Draft4Validator,
    Draft6Validator,
    Draft7Validator,
    Draft201909Validator,
    Draft202012Validator,
)
from jsonschema.exceptions import ValidationError
from jsonschema.validators import SPECIFICATIONS  # type: ignore[attr-defined]

from cio_lint.plan import refs

JSON_TYPES = ("array", "boolean", "integer", "null", "number", "object", "string")
_DRAFT = "https://json-schema.org/draft/2020-12/"
# The plan format's own keywords (SPEC §5; ``deprecated`` and ``description`` are 2020-12's).
PLAN_KEYWORDS = frozenset({"x-replaced-by"})


def _code(value: object) -> str:
    return f"`{value}`" if isinstance(value, str) else f"`{value!r}`"


def _one_of(values: Iterable[object]) -> str:
    shown = [_code(v) for v in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def did_you_mean(value: object, known: Iterable[str]) -> str:
    """``"; did you mean `string`?"`` when one of ``known`` is close to ``value``, else ``""``."""
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.75)
    if not close and value.casefold() != value:
        close = [k for k in known if k.casefold() == value.casefold()][:1]
    return f"; did you mean `{close[0]}`?" if close else ""


def _type_message(value: object) -> str | None:
    valid = f"use {_one_of(JSON_TYPES)}"
    if isinstance(value, list):
        bad = [v for v in value if v not in JSON_TYPES]
        if bad:
            first = bad[0]
            what = f"{_code(first)} is not a JSON Schema type" + (
                f" (nor is {_one_of(bad[1:])})" if bad[1:] else ""
            )
            return f"{what}: {valid}{did_you_mean(first, JSON_TYPES)}"
        if not value:
            return f"an empty list of types allows nothing: list at least one ({valid})"
        twice = sorted({v for v in value if value.count(v) > 1})
        if twice:
            return f"{_one_of(twice)} is listed more than once"
        return None
    if value not in JSON_TYPES:
        return f"{_code(value)} is not a JSON Schema type: {valid}{did_you_mean(value, JSON_TYPES)}"
    return None


def humanize(error: ValidationError) -> str:
    """The message of a meta-schema error, rewritten where jsonschema's is not actionable."""
    schema_path = list(error.schema_path)
    if schema_path[-2:] == ["type", "anyOf"] and "type" in schema_path[-3:-1]:
        message = _type_message(error.instance)
        if message is not None:
            return message
    if error.validator == "const" and list(error.absolute_path)[-1:] == ["type"]:
        # the plan meta-schema: an event / identify / group schema describes an object
        return (
            f"`type` is {_code(error.instance)}, but an event, `identify` or `group` schema "
            "describes the properties (or traits) object: leave `type` out (or write `object`) "
            "and put the schema of each property under `properties`"
        )
    if error.validator == "const" and list(error.absolute_path) == ["version"]:
        return f"plan format version {_code(error.instance)} is not supported: use `version: 1`"
    return error.message


@lru_cache(maxsize=1)
def schema_keywords() -> frozenset[str]:
    """Every keyword of JSON Schema draft 2020-12 (all its vocabularies, and the keywords its
    meta-schema keeps from earlier drafts: ``definitions``, ``dependencies``...), and those of
    drafts 4 to 2019-09 (``id``, ``additionalItems``...): SPEC §5 has schemas copied straight
    from Segment, Typewriter and Iglu, which are written in those drafts."""
    found: set[str] = set()
    metas: list[dict[str, Any]] = [
        Draft4Validator.META_SCHEMA,
        Draft6Validator.META_SCHEMA,
        Draft7Validator.META_SCHEMA,
    ]
    for meta in metas:
        found.update(meta.get("properties", {}))
    vocabularies: list[tuple[dict[str, Any], str]] = [
        (Draft201909Validator.META_SCHEMA, "https://json-schema.org/draft/2019-09/"),
        (Draft202012Validator.META_SCHEMA, _DRAFT),
    ]
    for meta, base in vocabularies:
        found.update(meta.get("properties", {}))
        for part in meta.get("allOf", []):
            vocabulary = SPECIFICATIONS.contents(base + part["$ref"])
            if isinstance(vocabulary, dict):
                found.update(vocabulary.get("properties", {}))
    return frozenset(found)


def known_keywords() -> frozenset[str]:
    return schema_keywords() | PLAN_KEYWORDS


def unknown_keywords(
    schemas: Iterable[tuple[tuple[str | int, ...], Any]],
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """``(path, message)`` for each key of a schema (at any depth) that is neither a JSON Schema
    2020-12 keyword, nor one of the plan format's, nor an ``x-`` extension."""
    known = known_keywords()
    for prefix, schema in schemas:
        for path, node in refs.walk(schema, prefix):
            if not isinstance(node, dict):
                continue
            for key in node:
                if not isinstance(key, str) or key in known or key.startswith("x-"):
                    continue
                hint = did_you_mean(key, sorted(known)) or f"; an extension is spelt `x-{key}`"
                yield (
                    (*path, key),
                    (
                        f"unknown keyword `{key}`: JSON Schema ignores it, so it constrains "
                        f"nothing{hint}"
                    ),
                )
