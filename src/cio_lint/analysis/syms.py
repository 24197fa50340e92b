"""Symbolic expressions: what a file says about a value, before the project is linked.

A ``Sym`` is a plain nested tuple (picklable, cheap to hash and compare) tagged by its first
element. Locations are ``(line, column, end_line, end_column)`` tuples, 1-based columns, in the
file the sym was extracted from (``None`` when not relevant).

    ("lit", value, origin, loc)      str/int/float/bool/None; origin = (prefix, quote) of a string,
                                     plus the literal's loc when ``loc`` is where a local is used
    ("name", id, loc)                a module-level, builtin or imported name
    ("imp", qualname, loc)           a name bound by an import inside a function
    ("param", name, loc)             a parameter of the enclosing function
    ("var", name, loc)               a local whose value is not known (unpacked, loop target...)
    ("self", class_qualname, loc)    ``self``/``cls`` in a method of that class
    ("attr", base, attr, loc)
    ("sub", base, key, loc)
    ("dict", items, open, loc)       items: ((key_sym, val_sym), ...) or ("**", sym)
    ("list", elements, loc)
    ("cond", options, loc)           alternatives: each branch of a conditional
    ("or", left, right, loc)         ``left or right``
    ("call", func, args, kwargs, loc)  args: (sym | ("*", sym)); kwargs: ((name | None, sym), ...)
    ("dt", loc)                      a datetime/date value (``datetime.now()``...)
    ("fstr", parts, loc)             an f-string: parts are ``lit`` text and ``fmt`` fields
    ("fmt", value, conversion, spec, loc)  ``{value!conversion:spec}``; spec an ``fstr`` or None
    ("binop", op, left, right, loc)  op ``+``, ``%``, or ``%()`` (right is a tuple display)
    ("val", value)                   an evaluated ``model.Val`` (only inside the linker)
    ("unknown", reason, loc)
"""

from __future__ import annotations

from typing import Any

Sym = tuple[Any, ...]
Loc = tuple[int, int, int, int]

UNKNOWN: Sym = ("unknown", "", None)


def loc_of(sym: Sym) -> Loc | None:
    loc = sym[-1]
    return loc if isinstance(loc, tuple) else None


def key(sym: Sym | None) -> Any:
    """A location-free form of ``sym`` for structural comparison (user-id matching)."""
    if sym is None:
        return None
    tag = sym[0]
    if tag == "lit":
        return ("lit", sym[1])
    if tag in ("name", "imp", "param", "self", "var", "unknown"):
        return (tag, sym[1])
    if tag == "attr":
        return ("attr", key(sym[1]), sym[2])
    if tag == "sub":
        return ("sub", key(sym[1]), key(sym[2]))
    if tag == "call":
        return (
            "call",
            key(sym[1]),
            tuple(key(a) if a[0] != "*" else ("*", key(a[1])) for a in sym[2]),
            tuple((k, key(v)) for k, v in sym[3]),
        )
    if tag == "cond":
        return ("cond", tuple(key(o) for o in sym[1]))
    if tag == "or":
        return ("or", key(sym[1]), key(sym[2]))
    if tag == "list":
        return ("list", tuple(key(e) for e in sym[1]))
    if tag == "dict":
        return ("dict", tuple(_item_key(i) for i in sym[1]), sym[2])
    if tag == "fstr":
        return ("fstr", tuple(key(p) for p in sym[1]))
    if tag == "fmt":
        return ("fmt", key(sym[1]), sym[2], key(sym[3]))
    if tag == "binop":
        return ("binop", sym[1], key(sym[2]), key(sym[3]))
    return (tag,)


def _item_key(item: tuple[Any, ...]) -> Any:
    if item[0] == "**":
        return ("**", key(item[1]))
    return (key(item[0]), key(item[1]))


def mentions(sym: Any, tag: str) -> bool:
    """Whether ``sym`` contains a node tagged ``tag`` anywhere."""
    if not isinstance(sym, tuple) or not sym:
        return False
    if sym[0] == tag:
        return True
    return any(mentions(part, tag) for part in sym if isinstance(part, tuple))
