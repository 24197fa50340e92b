"""When two event names are near-duplicates (CIO202), and the JSON type of a known value (CIO203)."""

from __future__ import annotations

import re

from cio_lint.model import DictVal, Known, Val
from cio_lint.rules.naming import segments, words

MIN_TYPO_LENGTH = 8  # normalised names shorter than this are compared for case and plural only
MAX_EDITS = 2
# a word and the same word with one of these in front are opposites, not typos
_OPPOSITE_PREFIXES = ("un", "re", "de", "dis", "in", "im", "non", "pre")


def _normal(name: str) -> str:
    from cio_lint.plan import normalize_name

    return normalize_name(name)


def tokens(name: str) -> list[str]:
    return [w.casefold() for part in segments(name) for w in words(part)]


def edit_distance(a: str, b: str, limit: int = MAX_EDITS) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` once it is over ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _plural(a: str, b: str) -> bool:
    short, long_ = sorted((a, b), key=len)
    return long_ in (short + "s", short + "es") or (
        short.endswith("y") and long_ == short[:-1] + "ies"
    )


def _opposites(a: str, b: str) -> bool:
    short, long_ = sorted((a, b), key=len)
    return any(long_ == p + short for p in _OPPOSITE_PREFIXES)


def near_duplicate(a: str, b: str) -> str | None:
    """Why ``a`` and ``b`` look like one event spelled two ways, or None."""
    na, nb = _normal(a), _normal(b)
    if na == nb:
        return "equal ignoring case and separators"
    ta, tb = tokens(a), tokens(b)
    differing = [(x, y) for x, y in zip(ta, tb) if x != y] if len(ta) == len(tb) else None
    if differing is not None and len(differing) == 1:
        x, y = differing[0]
        if _plural(x, y):
            return "singular and plural"
        if _opposites(x, y):
            return None
    if min(len(na), len(nb)) < MIN_TYPO_LENGTH:
        return None
    if re.sub(r"\d+", "", na) == re.sub(r"\d+", "", nb):
        return None  # `Step 1 Completed`, `Step 2 Completed`: numbered, not misspelled
    distance = edit_distance(na, nb)
    if distance > MAX_EDITS:
        return None
    if differing is not None and len(differing) == 1:
        x, y = differing[0]
        # a typo changes a small part of a word, after its first letter: `Sent`/`Seen`,
        # `Exported`/`Imported` are two words
        if x[:1] != y[:1] or edit_distance(x, y) > max(1, max(len(x), len(y)) // 4):
            return None
    return f"{distance} edit{'s' if distance > 1 else ''} apart"


def value_type(value: Val) -> str | None:
    """The JSON type of a statically known value (None and unknown values: None)."""
    if isinstance(value, DictVal):
        return "an object"
    if not isinstance(value, Known) or value.value is None:
        return None
    v = value.value
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, (list, tuple)):
        return "an array"
    if isinstance(v, dict):
        return "an object"
    return None
