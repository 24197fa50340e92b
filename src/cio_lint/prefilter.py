"""What a file can import, read from its bytes: the prefilter that decides which files are parsed.

A file is parsed if its import lines name an SDK package, or, in later rounds, a name or a
whole module that earlier rounds found relevant (``relevant_modules``). Import lines are read
with a regex, never parsed (``import_words``); a byte test first rules out the files that
cannot import an SDK at all. See docs/architecture.md.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cio_lint import sdks
from cio_lint.analysis.syms import Sym
from cio_lint.discovery import read_source, reason
from cio_lint.source import utf8_view

if TYPE_CHECKING:  # (the linker is imported where it runs: a cached run needs none of it)
    from cio_lint.analysis.link import Project, Ref, WrapperInfo

SDK_TOP_LEVEL = sdks.TOP_LEVEL  # the seed words: a file must import one to use an SDK
# A file whose bytes hold none of these cannot import an SDK (``sdks.SEED_BYTES``).
SDK_BYTES = sdks.SEED_BYTES
# ...nor trigger a broadcast by an HTTP POST (CIO308, ``analysis.broadcasts``) without these.
BROADCAST_BYTES = sdks.BROADCAST_BYTES


@dataclass
class SourceFile:
    path: Path  # absolute
    module: str
    is_package: bool
    target: bool  # under the paths given: findings are reported for it
    _data: bytes | None = None
    _words: tuple[frozenset[str], frozenset[str], frozenset[str]] | None = None
    stamp: str = ""  # inode, ctime, mtime, size: the index's key for ``_words``
    sdk_free: bool = False  # a scan found no SDK package named in its bytes
    _attrs: frozenset[str] | None = None  # the names after a dot (``attribute_words``)
    _searched: frozenset[str] = frozenset()  # member names looked for in its bytes (``mentions``)
    _found: frozenset[str] = frozenset()  # those of them it writes after a dot
    read_error: str | None = None  # why reading failed (the file then reads as empty): CIO903

    def attributes(self) -> frozenset[str]:
        if self._attrs is None:
            self._attrs = attribute_words(self.scanned())
        return self._attrs

    def mentions(self, names: frozenset[str] | set[str]) -> bool:
        """Whether the file writes ``.name`` for one of ``names`` (it may reach a member by
        name): from its attribute words where they are known, else by looking for just these
        names in its bytes (``note_mentions`` takes what the helper process found)."""
        if self._attrs is not None:
            return not self._attrs.isdisjoint(names)
        missing = frozenset(names) - self._searched
        if missing:
            self.note_mentions(missing, mentioned(self.scanned(), missing))
        return not self._found.isdisjoint(names)

    def note_mentions(self, searched: frozenset[str], found: frozenset[str]) -> None:
        self._searched |= searched
        self._found |= found

    def imports(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """Words of ``from`` module paths, of the names they import, of bare ``import`` lines."""
        if self._words is None:
            self._words = import_words(self.scanned())
        return self._words

    def may_import_sdk(self) -> bool:
        """False when the file cannot import an SDK package (its bytes do not name one): its
        import lines need not be read yet."""
        if self._words is not None:
            return True
        if self.sdk_free:
            return False
        data = self.scanned()
        return any(word in data for word in SDK_BYTES) or BROADCAST_BYTES in data

    def may_trigger_broadcast(self) -> bool:
        """Whether the file writes the path that triggers a broadcast (it may POST to it)."""
        return BROADCAST_BYTES in self.scanned()

    def imports_sdk(self, packages: frozenset[str]) -> bool:
        modules, names, bare = self.imports()
        return not (
            modules.isdisjoint(packages)
            and names.isdisjoint(packages)
            and bare.isdisjoint(packages)
        )

    def imports_any(
        self, names: set[str] | frozenset[str], modules: set[str] | frozenset[str]
    ) -> bool:
        """Imports one of ``names`` (``from m import name``), or one of ``modules`` whole
        (``from pkg import module``, ``import pkg.module``, a star import of it)."""
        _, imported, bare = self.imports()
        return not (
            imported.isdisjoint(names) and imported.isdisjoint(modules) and bare.isdisjoint(modules)
        )

    def imports_relevant(
        self, names: set[str], modules: set[str], words: set[str] | None = None
    ) -> bool:
        """``imports_any`` for the dotted names of the relevant ``modules``, exact for ``from``
        lines: ``from . import views`` or ``from blog import views`` make the file relevant
        only if the module they resolve to is one of ``modules`` (or a package of one), not
        because some relevant module has a part named ``views``."""
        if words is None:
            words = module_words(modules)
        _, imported, bare = self.imports()
        if not imported.isdisjoint(names) or not bare.isdisjoint(words):
            return True
        if imported.isdisjoint(words):
            return False
        return any(
            _reaches(target, relative, modules)
            for target, relative in from_targets(
                self.scanned(), self.module.rpartition(":")[2], self.is_package
            )
        )

    def read(self) -> bytes:
        if self._data is None:
            try:
                self._data = read_source(self.path)
            except OSError as exc:
                self.read_error = reason(exc)
                self._data = b""
        return self._data

    def scanned(self) -> bytes:
        """What the byte scans read: the text as UTF-8 (``source.utf8_view``)."""
        return utf8_view(self.read())


def module_words(modules: set[str]) -> set[str]:
    """The parts of the dotted names of ``modules`` (for ``SourceFile.imports_relevant``)."""
    return {part for m in modules for part in m.split(".")}


def read_bytes(path: str | Path) -> bytes:
    """A file's bytes; an unreadable file reads as empty (it imports nothing; the main
    process's ``SourceFile.read`` is what reports it). The scans read them through
    ``source.utf8_view`` (a BOM, a coding cookie); the parser decodes them as CPython does."""
    try:
        return read_source(path)
    except OSError:
        return b""


_IMPORT_LINE = re.compile(
    rb"(?m)^[ \t\f]*(?:from[ \t\f]+([\w.]+)[ \t\f]+import[ \t\f]*(\([^)]*\)|(?:[^\n\\]|\\(?:.|\n))*)"
    rb"|import[ \t\f]+((?:[^\n\\]|\\(?:.|\n))*))"
)
_WORD = re.compile(rb"[A-Za-z_]\w*")


_ALIAS = re.compile(rb"\bas[ \t\f]+([A-Za-z_]\w*)")


def import_aliases(data: bytes) -> frozenset[str]:
    """Names bound with ``as`` by the file's import lines (``import pkg.mod as m``)."""
    found: set[str] = set()
    for match in _IMPORT_LINE.finditer(data):
        found.update(a.decode("ascii", "replace") for a in _ALIAS.findall(match.group(0)))
    return frozenset(found)


def import_words(data: bytes) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The words of a file's import lines: the components of ``from`` module paths, the names
    those lines import (a star import counts as importing its module whole), and the words of
    bare ``import a.b as c`` lines. A file can only call into a module through such a line (or
    a re-export, whose module is then relevant itself)."""
    modules: set[bytes] = set()
    names: set[bytes] = set()
    bare: set[bytes] = set()
    # Every import line holds the word ``import`` on its first line: try the regex only at the
    # starts of such lines (what ``finditer`` would match, without scanning every line start).
    find, rfind, match = data.find, data.rfind, _IMPORT_LINE.match
    done = 0  # end of the last match: the rest of a multi-line import is not a new one
    at = find(b"import")
    while at >= 0:
        start = rfind(b"\n", 0, at) + 1
        if start >= done:
            found = match(data, start)
            if found is None:
                done = start
            else:
                done = found.end()
                module, imported, bare_line = found.groups()
                if bare_line is not None:
                    bare.update(_WORD.findall(bare_line))
                else:
                    path = _WORD.findall(module)
                    modules.update(path)
                    names.update(_WORD.findall(imported))
                    if b"*" in imported and path:
                        names.add(path[-1])
        at = find(b"import", max(at + 6, done))
    # bytes ``\w`` is ASCII: one decode per group
    return tuple(
        frozenset(b" ".join(group).decode("ascii").split()) for group in (modules, names, bare)
    )  # type: ignore[return-value]


def from_targets(data: bytes, module: str, is_package: bool) -> list[tuple[str, bool]]:
    """The modules the ``from`` lines of a file import whole, resolved as the linker resolves
    them (``Extractor.resolve_relative``): ``from X import Y`` gives ``X.Y``, a star import
    ``X``; with whether the line was relative (its target is exact: the package layout)."""
    out: list[tuple[str, bool]] = []
    for found in _IMPORT_LINE.finditer(data):
        source, imported, bare = found.groups()
        if bare is not None:
            continue
        text = source.decode("ascii", "replace")
        dots = len(text) - len(text.lstrip("."))
        base = text[dots:]
        if dots:
            parts = module.split(".") if module else []
            if not is_package:
                parts = parts[:-1]
            if dots > 1:
                parts = parts[: len(parts) - (dots - 1)] if dots - 1 <= len(parts) else []
            if base:
                parts.append(base)
            base = ".".join(parts)
        body = re.sub(rb"#[^\n]*", b"", imported)
        for item in body.replace(b"(", b" ").replace(b")", b" ").replace(b"\\", b" ").split(b","):
            words = _WORD.findall(item)
            if b"*" in item:
                out.append((base, bool(dots)))
            elif words:
                name = words[0].decode("ascii")
                out.append((f"{base}.{name}" if base else name, bool(dots)))
    return out


def _reaches(target: str, relative: bool, modules: set[str]) -> bool:
    """Whether importing ``target`` whole reaches one of ``modules``: it is one of them or a
    package of one. An absolute target may also name one from another import root (its
    dotted path inside the module's name), as the linker may resolve it there."""
    for m in modules:
        if m == target or m.startswith(target + "."):
            return True
        if not relative and f".{target}." in f".{m}.":
            return True
    return False


def scan_imports(
    paths: Sequence[str], sdk_only: bool
) -> list[tuple[frozenset[str], frozenset[str], frozenset[str]] | None]:
    """The import words of each file (``SourceFile.imports``); with ``sdk_only``, None for a
    file whose bytes name no SDK package (``SourceFile.may_import_sdk``)."""
    out: list[tuple[frozenset[str], frozenset[str], frozenset[str]] | None] = []
    _PATHS[:] = paths
    for path in paths:
        data = _READ.pop(path, None)
        if data is None:
            data = utf8_view(read_bytes(path))
        if sdk_only and not any(word in data for word in SDK_BYTES) and BROADCAST_BYTES not in data:
            _READ[path] = data  # for the second scan, in this same helper process
            out.append(None)
        else:
            if not sdk_only and _kept[0] + len(data) <= _KEEP_BYTES:
                _READ[path] = data  # for ``scan_mentions``, which may follow
                _kept[0] += len(data)
            out.append(import_words(data))
    return out


_READ: dict[str, bytes] = {}  # bytes the first scan read, for the second and ``scan_mentions``
_PATHS: list[str] = []  # the paths of the last scan, by position (``scan_mentions``)
_KEEP_BYTES = 64 * 1024 * 1024  # what the helper keeps after its scans; beyond, it reads again
_kept = [0]


def local_names(file: SourceFile, names: set[str], modules: set[str]) -> set[str]:
    """The names by which code of ``file`` can reach newly relevant ``names`` or ``modules``:
    the names themselves (``from m import name``), the module-path words the file imports by
    name or bare import (``from pkg import mod``, ``import pkg.mod``) and its import aliases. A
    module-level name bound to one of them (``send = sender``) makes the file's own module
    relevant with that name, so it is among ``names`` already."""
    _, imported, bare = file.imports()
    return names | (modules & (imported | bare)) | import_aliases(file.scanned())


def _holds_client(ref: Ref, classes: set[tuple[str, str]]) -> bool:
    if ref.kind == "ext_instance" or (ref.kind == "ext" and ref.name in sdks.API_MODULES):
        return True
    return ref.kind == "instance" and ref.mod is not None and (ref.mod.module, ref.name) in classes


def member_names(project: Project) -> set[str]:
    """Member names that resolve by name (exactly one class holds a client or a wrapper under
    that name): a file that mentions ``.name`` can reach a client through an untyped chain."""
    return {name for name, holders in project.client_members().items() if len(holders) == 1}


# A name after a dot: ASCII words and UTF-8 encoded identifiers alike (bytes ``\w`` is ASCII).
_ATTRIBUTE = re.compile(rb"\.[ \t\f]*([A-Za-z_\x80-\xff][\w\x80-\xff]*)")


def attribute_words(data: bytes) -> frozenset[str]:
    """The names a file's bytes write after a dot (``x.analytics_client``): a file can reach a
    member by name only through one of them."""
    return frozenset(w.decode("utf-8", "replace") for w in set(_ATTRIBUTE.findall(data)))


def mentioned(data: bytes, names: frozenset[str]) -> frozenset[str]:
    """Those of ``names`` that ``data`` writes after a dot, as whole words: the same answer as
    ``attribute_words(data) & names``, found without collecting every word."""
    return _mentions_in(data, _mention_pattern(names))


@functools.lru_cache(maxsize=64)
def _mention_pattern(names: frozenset[str]) -> re.Pattern[bytes]:
    """One pattern per set of names (a round asks every file about the same new names)."""
    alternatives = b"|".join(re.escape(n.encode("utf-8")) for n in sorted(names))
    return re.compile(rb"\.[ \t\f]*(" + alternatives + rb")(?![\w\x80-\xff])")


def _mentions_in(data: bytes, pattern: re.Pattern[bytes]) -> frozenset[str]:
    return frozenset(w.decode("utf-8") for w in set(pattern.findall(data)))


def scan_mentions(wanted: Sequence[int], names: frozenset[str]) -> dict[int, frozenset[str]]:
    """``mentioned`` of the files at these positions of the helper's ``scan_imports`` paths,
    in the helper process, on the bytes its scans kept: only the files that mention one (the
    answer crosses a pipe; most files mention none)."""
    pattern = _mention_pattern(names)
    out = {}
    for i in wanted:
        path = _PATHS[i]
        data = _READ.get(path)
        found = _mentions_in(utf8_view(read_bytes(path)) if data is None else data, pattern)
        if found:
            out[i] = found
    return out


def relevant_modules(project: Project) -> dict[str, set[str]]:
    """Modules a file must import to make a relevant call, with the top-level names that make
    them relevant: functions and classes defining wrappers, and names holding an SDK module, an
    SDK client, a wrapper or an instance of a class with wrappers (``cio = CustomerIO(...)``, a
    package ``__init__`` re-exporting ``track_event``)."""
    from cio_lint.analysis.broadcasts import broadcasts
    from cio_lint.analysis.link import Ref, content_param

    def content(w: WrapperInfo) -> bool:
        return any(
            e.method in ("identify", "group") or project.content_from(e, content_param)
            for e in w.emissions
        )

    # The index of members by name first: what is classified while it is built is classified
    # again (it could not use it), so building it later would redo the wrappers' inference.
    members = project.client_members()
    # A wrapper that takes only the user matters at a call site only to CIO003, which needs
    # an identify in the same scope: such a file imports the SDK or an identifying wrapper.
    wrappers = [w for w in project.all_wrappers() if content(w)]
    relevant: dict[str, set[str]] = {}
    for w in wrappers:
        relevant.setdefault(w.module, set()).add(w.qualname.replace("declared:", "").split(".")[0])
    wrapper_classes = {
        (w.module, w.qualname.replace("declared:", "").rsplit(".", 1)[0])
        for w in wrappers
        if "." in w.qualname
    }
    wrapper_funcs = {(w.module, w.qualname.replace("declared:", "")) for w in wrappers}
    # functions and methods that trigger a broadcast (CIO308): wrappers as far as files go
    for module, qualname in broadcasts(project).functions:
        relevant.setdefault(module, set()).add(qualname.split(".")[0])
        wrapper_funcs.add((module, qualname))
        if "." in qualname and "<" not in qualname:
            wrapper_classes.add((module, qualname.rsplit(".", 1)[0]))
    # classes with a member that holds a client (``self.client = Client()``, a property
    # returning one): their instances are clients' holders wherever they go
    for holders in members.values():
        for holder in holders:
            if holder.module:
                wrapper_classes.add((holder.module, holder.cls))
                relevant.setdefault(holder.module, set()).add(holder.cls.split(".")[0])
    for (target, attr), value in project.external_attrs().items():  # ``tracking.client = ...``
        assigner = project.modules.get(value[1])
        ref = project.resolve(value, assigner) if assigner is not None else None
        if ref is not None and _holds_client(ref, wrapper_classes):
            relevant.setdefault(target, set()).add(attr)
    for mod in list(project.modules.values()):
        for qualname in mod.functions:  # factories: ``def get_client(): return Client(...)``
            if "." not in qualname and "<" not in qualname:
                ref = project.returned(Ref("func", qualname, mod))
                if ref is not None and _holds_client(ref, wrapper_classes):
                    relevant.setdefault(mod.module, set()).add(qualname)
        syms: list[tuple[str, Sym]] = [(name, ("name", name, None)) for name in mod.bindings]
        syms += [
            (c, ("attr", ("name", c, None), a, None))
            for c, cls in mod.classes.items()
            if "." not in c
            for a in (*cls.attrs, *cls.inst_attrs)
        ]
        for name, sym in syms:
            ref = project.resolve(sym, mod)
            if ref is None:
                continue
            owner = ref.mod.module if ref.mod is not None else ""
            if (
                ref.kind == "ext_instance"
                or (
                    ref.kind == "ext"
                    and (ref.name in sdks.FUNCTIONS or ref.name in sdks.API_MODULES)
                )
                or (ref.kind == "func" and (owner, ref.name) in wrapper_funcs)
                or (ref.kind in ("class", "instance") and (owner, ref.name) in wrapper_classes)
            ):
                relevant.setdefault(mod.module, set()).add(name)
    return relevant
