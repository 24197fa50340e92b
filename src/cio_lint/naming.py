"""Naming conventions of event and property names, and the project's dominant one.

A name is split into its *namespace* (the segments before the last `.` or `:`, kept as written)
and its *words*. A convention is a test of the words; a name conforms to several conventions at
once (`signup` is snake_case, kebab-case, camelCase and lower case), so detection counts, for
each convention, the distinct names that conform and the multi-word ones among them (only those
tell conventions apart). The dominant convention is the one with the most conforming names,
when it is unique, at least ``MIN_EVIDENCE`` multi-word names conform and at least
``MAJORITY`` of all names do. Names with a namespace and names without are judged apart (a
project may send `backend:billing:charged` beside `Order Completed`), and a namespace or prefix
shared by ``MAJORITY`` of the names is itself a convention.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

MAJORITY = 0.75  # share of the distinct names that must conform
MIN_EVIDENCE = 3  # multi-word names that must conform (they are what tells conventions apart)
MIN_PREFIX_NAMES = 6  # a shared prefix is a convention only among this many names or more


# Letters of any script: a letter without case (CJK) fits both a lower and an upper position.
def _low(c: str) -> bool:
    return c.isalnum() and not c.isupper()


def _up(c: str) -> bool:
    return c.isalnum() and not c.islower()


def _word(w: str, apostrophe: bool = False) -> bool:
    return bool(w) and all(c.isalnum() or (apostrophe and c == "'") for c in w)


def _spaced(
    first: Callable[[str], bool],
    rest: Callable[[str], bool],
    middle: Callable[[str], bool] | None = None,
) -> Callable[[str], bool]:
    """Words separated by single spaces: ``first`` for the first word, ``rest`` for the others,
    ``middle`` (if given) also allowed for the words between the first and the last."""

    def test(part: str) -> bool:
        ws = part.split(" ")
        if not all(_word(w, True) for w in ws) or not first(ws[0]):
            return False
        inner = ws[1:-1]
        return all(rest(w) or (middle is not None and middle(w)) for w in inner) and (
            len(ws) == 1 or rest(ws[-1])
        )

    return test


# Title Case leaves these lowercase between the first and the last word (`Add to Cart`); the
# last word is capitalised like the first (`Logged In`, not `Logged in`)
_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "in",
        "into",
        "nor",
        "of",
        "on",
        "or",
        "per",
        "the",
        "to",
        "via",
        "vs",
        "with",
    ]
)


def _joined(sep: str) -> Callable[[str], bool]:
    def test(part: str) -> bool:
        ws = part.split(sep)
        return all(_word(w) and all(_low(c) for c in w) for w in ws) and not ws[0][0].isdigit()

    return test


def _lower_word(w: str) -> bool:
    return all(_low(c) or c == "'" for c in w)


def _title_word(w: str) -> bool:
    return _up(w[0]) or w[0].isdigit()


def _sentence_word(w: str) -> bool:
    return _lower_word(w) or (len(w) > 1 and all(_up(c) for c in w))  # an acronym: `CSV`


# In the order that breaks a tie: names of single lowercase words fit several conventions
# equally, and "lower case" says what they share.
CONVENTIONS: dict[str, Callable[[str], bool]] = {
    "lower case": _spaced(lambda w: _lower_word(w) and not w[0].isdigit(), _lower_word),
    "Title Case": _spaced(_title_word, _title_word, lambda w: w in _SMALL_WORDS),
    "Sentence case": _spaced(lambda w: _up(w[0]) and _lower_word(w[1:]), _sentence_word),
    "snake_case": _joined("_"),
    "kebab-case": _joined("-"),
    "camelCase": lambda part: _word(part) and _low(part[0]) and not part[0].isdigit(),
    "PascalCase": lambda part: _word(part) and _up(part[0]) and not part[0].isdigit(),
}
_NAMESPACE = re.compile(r"[.:]")
_SPLIT = re.compile(r"[ _\-]+|(?<=[a-z0-9])(?=[A-Z])")


def namespace_separator(name: str) -> str | None:
    """`.` or `:` when ``name`` is namespaced (`app.signed_up`, `backend:billing:charged`)."""
    found = _NAMESPACE.search(name)
    return found.group() if found else None


def segments(name: str) -> list[str]:
    return [part for part in _NAMESPACE.split(name) if part]


def words(segment: str) -> list[str]:
    """The words of one segment, whatever its convention (`signedUp` -> `signed`, `Up`)."""
    return [w for w in _SPLIT.split(segment) if w]


def conforms(name: str, convention: str) -> bool:
    """Whether every segment of ``name`` is written in ``convention``."""
    test = CONVENTIONS.get(convention)
    if test is None:
        return False
    parts = segments(name)
    return bool(parts) and all(test(part) for part in parts)


def multi_word(name: str) -> bool:
    """More than one word, the segments of a namespaced name included."""
    return sum(len(words(part)) for part in segments(name)) > 1


def convert(name: str, convention: str) -> str | None:
    """``name`` rewritten in ``convention`` (namespace separators kept), or None when the
    conversion is not lossless: it must keep the words (ignoring case) and conform."""
    out = []
    for sep_part in re.split(r"([.:])", name):
        if sep_part in (".", ":") or not sep_part:
            out.append(sep_part)
            continue
        ws = words(sep_part)
        if not ws:
            return None
        out.append(_join(ws, convention))
    result = "".join(out)
    if not conforms(result, convention):
        return None
    same = [w.casefold() for p in segments(name) for w in words(p)]
    if same != [w.casefold() for p in segments(result) for w in words(p)]:
        return None
    return result


def _join(ws: Sequence[str], convention: str) -> str:
    def keep(w: str) -> bool:  # an acronym (`CSV`) keeps its case where the convention allows
        return len(w) > 1 and w.isupper()

    lower = [w.lower() for w in ws]
    joins: dict[str, Callable[[], str]] = {
        "Title Case": lambda: " ".join(w if keep(w) else w[:1].upper() + w[1:].lower() for w in ws),
        "Sentence case": lambda: " ".join(
            [ws[0][:1].upper() + ws[0][1:].lower()] + [w if keep(w) else w.lower() for w in ws[1:]]
        ),
        "lower case": lambda: " ".join(lower),
        "snake_case": lambda: "_".join(lower),
        "kebab-case": lambda: "-".join(lower),
        "camelCase": lambda: lower[0] + "".join(w[:1].upper() + w[1:] for w in lower[1:]),
        "PascalCase": lambda: "".join(w[:1].upper() + w[1:] for w in lower),
    }
    return joins[convention]()


@dataclass(frozen=True)
class Convention:
    """A convention names follow: ``kind`` is "case" (``name`` is a key of ``CONVENTIONS``),
    "namespace" (``name`` is `.` or `:`) or "prefix" (``name`` is the prefix, e.g. `fix_`).
    ``count`` of ``total`` names decided it (0 of 0: configured, not detected)."""

    kind: str
    name: str
    count: int = 0
    total: int = 0

    def label(self) -> str:
        if self.kind == "case":
            return f"{self.name} convention"
        if self.kind == "namespace":
            return f"`a{self.name}b` namespace convention"
        return f"`{self.name}` prefix convention"

    def evidence(self, what: str) -> str:
        return f" ({self.count} of {self.total} {what})" if self.total else " (configured)"

    def holds(self, name: str) -> bool:
        if self.kind == "case":
            return conforms(name, self.name)
        if self.kind == "namespace":
            return namespace_separator(name) == self.name
        return name.startswith(self.name)


def detect_case(names: Iterable[str]) -> Convention | None:
    """The dominant case convention of ``names`` (distinct), or None when there is no clear one."""
    distinct = sorted(set(names))
    if not distinct:
        return None
    scores: list[tuple[int, int, int, str]] = []
    outliers: dict[str, frozenset[str]] = {}
    for order, convention in enumerate(CONVENTIONS):
        fitting = [n for n in distinct if conforms(n, convention)]
        outliers[convention] = frozenset(distinct) - frozenset(fitting)
        scores.append((len(fitting), sum(1 for n in fitting if multi_word(n)), -order, convention))
    scores.sort(reverse=True)
    best = scores[0]
    tied = [s[3] for s in scores if s[:2] == best[:2]]
    if any(outliers[c] != outliers[best[3]] for c in tied):
        return None  # they disagree on which names break the convention: none is clear
    count, evidence, _, convention = best
    if evidence < MIN_EVIDENCE or count < MAJORITY * len(distinct):
        return None
    return Convention("case", convention, count, len(distinct))


def detect_structure(names: Iterable[str]) -> Convention | None:
    """A namespace separator, or a prefix, shared by a clear majority of ``names``."""
    distinct = sorted(set(names))
    total = len(distinct)
    if total < MIN_EVIDENCE + 1:
        return None
    for sep in (".", ":"):
        count = sum(1 for n in distinct if namespace_separator(n) == sep)
        if count < total and count >= MAJORITY * total:
            return Convention("namespace", sep, count, total)
    prefixes: dict[str, int] = {}
    for n in distinct:
        found = re.match(r"[A-Za-z0-9]+[._:\-]", n)
        if found:
            prefixes[found.group()] = prefixes.get(found.group(), 0) + 1
    if total >= MIN_PREFIX_NAMES and prefixes:
        prefix, count = max(sorted(prefixes.items()), key=lambda item: item[1])
        if count < total and count >= MAJORITY * total:
            return Convention("prefix", prefix, count, total)
    return None


def groups(names: Iterable[str]) -> dict[str | None, list[str]]:
    """Distinct names by namespace separator (None: not namespaced), judged apart for case."""
    out: dict[str | None, list[str]] = {}
    for n in sorted(set(names)):
        out.setdefault(namespace_separator(n), []).append(n)
    return out


def name_conventions(
    names: list[str], configured: str | None
) -> list[tuple[Convention, list[str]]]:
    """The conventions ``names`` are judged by, each with the names that break it."""
    if configured is not None:
        convention = Convention("case", configured)
        return [(convention, [n for n in names if not convention.holds(n)])]
    out: list[tuple[Convention, list[str]]] = []
    structure = detect_structure(names)
    if structure is not None:
        out.append((structure, [n for n in names if not structure.holds(n)]))
    for members in groups(names).values():
        case = detect_case(members)
        if case is not None:
            out.append((case, [n for n in members if not case.holds(n)]))
    return out


CASE_NAMES = tuple(CONVENTIONS)
