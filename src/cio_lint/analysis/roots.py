"""Import roots: which scanned module an absolute import names, seen from the importing file.

A file's *import root* is the folder above its top-level package (a file outside any package:
its own folder). ``import x`` in a file resolves to the module ``x`` of its own root if that root
has one (a file ``x.py`` or a package ``x/``); otherwise to the *nearest* other root that has
``x`` (the one sharing the longest run of leading folders with the file's root; a tie names no
module), except that an SDK package name (``analytics``, ``customerio``...) is then the SDK: a
project module named like an SDK shadows it only for files of its own root. See
docs/architecture.md.

Modules are keyed by their dotted name. Only a top-level name that two roots both have (two
services each with an ``app`` package) gives keys qualified by the root: ``"<root>:app.views"``,
where ``<root>`` is the root's path relative to the scan root with ``.`` and ``:`` replaced by
``_``. Relative imports keep working in such a namespace: they are resolved against the module
key, whose first dotted part carries the root.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TypeVar

from cio_lint import sdks

SDK_NAMES = frozenset(sdks.TOP_LEVEL)
_T = TypeVar("_T")


def dotted(key: str) -> str:
    """The dotted module name of a module key (``"svc/a:app.views"`` -> ``"app.views"``)."""
    return key.rpartition(":")[2]


def _label(root: str, base: str) -> str:
    try:
        rel = os.path.relpath(root, base).replace(os.sep, "/")
    except ValueError:  # another drive
        rel = root.replace(os.sep, "/")
    return rel.replace(".", "_").replace(":", "_")


def _folders(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.replace(os.sep, "/").split("/") if part)


class ImportRoots:
    """The import roots of a scan and the module key every absolute import names."""

    def __init__(self, files: Iterable[tuple[str, str]], base: str) -> None:
        """``files``: (import root, dotted module name) of every scanned file; ``base``: the
        folder labels are relative to (the scan root)."""
        self.tops: dict[str, set[str]] = {}  # top-level name -> roots that have it
        for root, name in files:
            self.tops.setdefault(name.partition(".")[0], set()).add(root)
        self.roots = sorted({r for found in self.tops.values() for r in found})
        self.shared = frozenset(top for top, found in self.tops.items() if len(found) > 1)
        self.labels: dict[str, str] = {}
        used: set[str] = set()
        for root in self.roots:
            label = _label(root, base)
            while label in used:
                label += "_"
            used.add(label)
            self.labels[root] = label
        self.root_of: dict[str, str] = {}  # module key -> import root
        self._memo: dict[tuple[str, str], str | None] = {}

    @property
    def trivial(self) -> bool:
        """Every file resolves every import as if the scan had one namespace: one root, or no
        top-level name in two roots and no project module named like an SDK."""
        return len(self.roots) <= 1 or not (self.shared or SDK_NAMES & self.tops.keys())

    def key(self, root: str, name: str) -> str:
        """The module key of the module ``name`` of ``root`` (recorded for ``qualify``)."""
        top = name.partition(".")[0]
        found = f"{self.labels[root]}:{name}" if top in self.shared else name
        self.root_of[found] = root
        return found

    def qualify(self, qualname: str, importer: str) -> str | None:
        """The key ``qualname`` (absolute, dotted, possibly a module's attribute) names when
        the module keyed ``importer`` imports it; None: not the scanned code."""
        top = qualname.partition(".")[0]
        if ":" in top:
            return qualname  # already a key: a relative import in a qualified namespace
        root = self.root_of.get(importer)
        if root is None:
            return qualname if top in self.tops else None
        memo = (root, top)
        if memo not in self._memo:
            self._memo[memo] = self._target(root, top)
        target = self._memo[memo]
        if target is None:
            return None
        return f"{self.labels[target]}:{qualname}" if top in self.shared else qualname

    def _target(self, root: str, top: str) -> str | None:
        """The root whose ``top`` a file of ``root`` imports."""
        found = self.tops.get(top)
        if not found:
            return None
        if root in found:
            return root
        if top in SDK_NAMES:
            return None
        mine = _folders(root)

        def shared_folders(other: str) -> int:
            count = 0
            for a, b in zip(mine, _folders(other)):
                if a != b:
                    break
                count += 1
            return count

        ranked = sorted(((shared_folders(r), r) for r in found), reverse=True)
        if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
            return None
        return ranked[0][1]

    def declared(self, wrappers: Mapping[str, _T]) -> dict[str, _T]:
        """Declared wrappers (``[tool.cio-lint.wrappers]``) by module key: a name under a
        top-level package that several roots have (``app.tracking.track_event``) declares the
        function in each of them that has its module; a key written out
        (``services/a/src:app.tracking.track_event``) only that one."""
        out: dict[str, _T] = {}
        for qualname, spec in wrappers.items():
            top = qualname.partition(".")[0]
            if top not in self.shared:
                out[qualname] = spec
                continue
            keys = [f"{self.labels[root]}:{qualname}" for root in sorted(self.tops[top])]
            found = [k for k in keys if self._names_module(k)]
            for k in found or [qualname]:  # none: as written, for the error message
                out[k] = spec
        return out

    def _names_module(self, qualname: str) -> bool:
        """Whether a leading dotted part of ``qualname`` is the key of a scanned module."""
        parts = qualname.split(".")
        return any(".".join(parts[:i]) in self.root_of for i in range(1, len(parts)))
