"""When two event names are near-duplicates (CIO202), and the JSON type of a known value (CIO203)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

from cio_lint.model import DictVal, Known, Val
from cio_lint.naming import segments, words

MIN_TYPO_LENGTH = 8  # normalised names shorter than this are compared for case and plural only
MAX_EDITS = 2
# a word and the same word with one of these in front are opposites, not typos
_OPPOSITE_PREFIXES = ("un", "re", "de", "dis", "in", "im", "non", "pre")


@functools.lru_cache(maxsize=4096)
def _normal(name: str) -> str:
    from cio_lint.plan import normalize_name

    return normalize_name(name)


@functools.lru_cache(maxsize=4096)
def _token_tuple(name: str) -> tuple[str, ...]:
    return tuple(w.casefold() for part in segments(name) for w in words(part))


def tokens(name: str) -> list[str]:
    return list(_token_tuple(name))


_MAX_INDEXED = 64  # longer names are compared for case and plural only (their variants add up)
_MAX_GROUP = 50
# more distinct names than this (generated ones): typos are not looked for, the index would
# take too much memory; case, plural and key sets still are
MAX_TYPO_NAMES = 2000


@functools.lru_cache(maxsize=4096)
def _deletions(text: str, count: int) -> frozenset[str]:
    found = {text}
    for _ in range(count):
        found |= {v[:i] + v[i + 1 :] for v in found for i in range(len(v))}
    return frozenset(found)


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 3:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and len(word) > 1 else word


def candidate_pairs(names: Iterable[str]) -> Iterator[tuple[str, str]]:
    """The pairs of ``names`` that ``near_duplicate`` may accept, each once (in the order of
    ``names``), without comparing every pair: two names within two edits share a string left
    by deleting at most two characters from each (the deletion neighbourhood), and a singular
    and its plural share their singular form."""
    order = {n: i for i, n in enumerate(dict.fromkeys(names))}
    index: dict[tuple[int, str], list[str]] = {}
    typos = len(order) <= MAX_TYPO_NAMES
    for name in order:
        normal = _normal(name)
        edits = MAX_EDITS if typos and MIN_TYPO_LENGTH <= len(normal) <= _MAX_INDEXED else 0
        # digits left out: names that differ only in a number are no typo (`near_duplicate`),
        # and numbered names (`Step 1 Completed`...) then share one variant, too common to pair
        keys = {(1, v) for v in _deletions(re.sub(r"\d+", "", normal), edits)}
        keys.add((0, normal))
        keys.add((0, " ".join(_singular(w) for w in _token_tuple(name))))
        for key in keys:
            index.setdefault(key, []).append(name)
    seen: set[tuple[str, str]] = set()
    for (kind, _), group in index.items():
        if kind == 1 and len(group) > _MAX_GROUP:
            continue  # a variant shared by that many names is no typo (generated names)
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                pair = (a, b) if order[a] < order[b] else (b, a)
                if pair not in seen:
                    seen.add(pair)
                    yield pair


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
