"""Whether a loop's calls run more than once (``CallFact.loop``, CIO308)."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

_BLOCKS = (cst.IndentedBlock, cst.SimpleStatementSuite)
_CLAUSES = (cst.Else, cst.ExceptHandler, cst.Finally, cst.MatchCase)


def exits(body: Sequence[cst.CSTNode]) -> bool:
    """Whether a loop body can ``break`` or ``return`` (in its own blocks, not in a nested loop
    or function): a retry loop (``for attempt in range(3): try: post(); break``) or a search,
    whose calls are not counted as repeated (CIO308)."""
    for stmt in body:
        if isinstance(stmt, (cst.Break, cst.Return)):
            return True
        if isinstance(stmt, cst.SimpleStatementLine):
            if any(isinstance(small, (cst.Break, cst.Return)) for small in stmt.body):
                return True
            continue
        if isinstance(stmt, (cst.For, cst.While, cst.FunctionDef, cst.ClassDef)):
            continue
        for child in stmt.children:
            if isinstance(child, _BLOCKS):
                found = exits(child.body)
            elif isinstance(child, cst.If):  # ``elif``
                found = exits([child])
            elif isinstance(child, _CLAUSES) or type(child).__name__ == "ExceptStarHandler":
                found = exits(child.body.body)  # type: ignore[attr-defined]
            else:
                continue
            if found:
                return True
    return False
