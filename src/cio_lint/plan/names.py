"""Plan names -> Python identifiers, for ``plan generate`` (docs/plan.md, "Name mangling").

The mapping is a pure function of the names in plan order: the same plan always gives the same
identifiers. ``snake_case`` and ``camel_case`` make one name an identifier; ``Namespace`` hands
out unique ones, numbering a later name that collides with an earlier one (``_2``, ``_3``...).
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Iterable

_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_UNDERSCORES = re.compile(r"_+")
FALLBACK = "unnamed"


def _identifier_chars(text: str) -> str:
    """``text`` with every character that cannot be part of an identifier replaced by ``_``."""
    return "".join(ch if ("a" + ch).isidentifier() else "_" for ch in text)


def _words(name: str) -> list[str]:
    # NFKC first: Python reads identifiers in that form, so two names that differ only before
    # it (``ﬁle`` and ``file``) are one identifier and must collide here, not in the compiler
    text = unicodedata.normalize("NFKC", name)
    text = _BOUNDARY.sub("_", text)
    text = _identifier_chars(text)
    return [w for w in _UNDERSCORES.split(text) if w]


def snake_case(name: str) -> str:
    """``Signed Up`` -> ``signed_up``, ``orderID`` -> ``order_id``, ``2fa`` -> ``_2fa``,
    ``class`` -> ``class_``: case folded, every other character an ``_``."""
    words = _words(name)
    text = unicodedata.normalize("NFKC", "_".join(words).casefold()) or FALLBACK
    return _fix(_identifier_chars(text))


def camel_case(name: str) -> str:
    """``order items`` -> ``OrderItems``: each word capitalised, for class names."""
    words = _words(name)
    text = unicodedata.normalize("NFKC", "".join(w[:1].upper() + w[1:] for w in words))
    return _fix(_identifier_chars(text) or FALLBACK.capitalize())


def _fix(text: str) -> str:
    if not text[:1].isidentifier():  # a leading digit
        text = "_" + text
    if keyword.iskeyword(text):
        text += "_"
    return text


class Namespace:
    """Unique identifiers in one scope: the first name to want an identifier gets it, later ones
    get it with the first free ``_2``, ``_3``... suffix."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken: set[str] = set(reserved)

    def claim(self, wanted: str) -> str:
        name, n = wanted, 1
        while name in self._taken:
            n += 1
            name = f"{wanted}_{n}"
        self._taken.add(name)
        return name
