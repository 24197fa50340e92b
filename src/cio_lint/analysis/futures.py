"""What the compiler checks across top-level statements, for a verdict on one slice.

``Reparser._accepted`` decides whether CPython accepts an edited text by compiling only the
statements an edit touched. That holds except for what the compiler checks across statements:
``global`` and ``nonlocal`` (a name used before them in the function) and ``from __future__``
(only at the top, and its features change what compiles). This module says which texts need a
whole compile for those reasons and which compiler flags a slice is compiled with.
"""

from __future__ import annotations
import __future__

import re
from collections.abc import Sequence

import libcst as cst

# A text naming one is compiled whole
SCOPED = re.compile(r"\b(?:global|nonlocal)\b")
# The features of ``from __future__`` a slice may be compiled with (its flags): the others
# change what parses (``barry_as_FLUFL``)
FUTURES = frozenset(
    ("annotations", "generator_stop", "nested_scopes", "generators", "division")
    + ("absolute_import", "with_statement", "print_function", "unicode_literals")
)


def future_flags(body: Sequence[cst.BaseStatement], starts: Sequence[int], lo: int) -> int | None:
    """The compiler flags of the features a module (its top-level ``body``, where each
    statement starts in its text, then the footer's start) imports from ``__future__``, all of
    them before ``lo``; None if one is not in ``FUTURES`` or is not before ``lo``."""
    flags = 0
    for index, stmt in enumerate(body):
        if not isinstance(stmt, cst.SimpleStatementLine):
            break
        future = False
        for small in stmt.body:
            if (
                isinstance(small, cst.ImportFrom)
                and isinstance(small.module, cst.Name)
                and small.module.value == "__future__"
            ):
                if isinstance(small.names, cst.ImportStar):
                    return None
                for alias in small.names:
                    name = alias.name.value if isinstance(alias.name, cst.Name) else ""
                    if name not in FUTURES:
                        return None
                    flags |= getattr(__future__, name).compiler_flag
                future = True
        if future and starts[index + 1] > lo:
            return None
        if not future and index > 0:
            break  # (a docstring may come first)
    return flags
