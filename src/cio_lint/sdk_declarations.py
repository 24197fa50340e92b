"""The SDK versions a project declares: pins, lock entries and lower bounds in its own files.

Read at the project root: ``uv.lock``, ``poetry.lock``, ``Pipfile.lock`` (what is installed),
``requirements*.txt``, ``requirements/*.txt``, ``*.in`` (``-r``/``-c`` includes followed inside
the project), ``pyproject.toml`` (``[project]`` dependencies and optional dependencies,
``[dependency-groups]``, Poetry's dependencies and groups, uv's and PDM's dev dependencies),
``Pipfile`` and ``setup.cfg``. An exact pin or lock entry wins over a lower bound; of two pins
the first in that order wins, of two lower bounds the higher.

Every file is untrusted: only regular files are opened (a FIFO would block), sizes are capped,
a lock file is parsed only in the entries that name an SDK, and a file (or line) that cannot be
read is skipped with its reason in ``skipped``, never an error: only ``[tool.cio-lint]`` is
configuration.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cio_lint.sdk_versions import normalize, release

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_MIB = 1024 * 1024
_TEXT_LIMIT = 2 * _MIB  # requirements files, pyproject.toml, Pipfile, setup.cfg
_LOCK_LIMIT = 32 * _MIB  # uv.lock, poetry.lock, Pipfile.lock
_ENTRY_LIMIT = 1 * _MIB  # one [[package]] entry of a lock file
_MAX_INCLUDE_DEPTH = 16
_MAX_FILES = 64

_LOCKS = ("uv.lock", "poetry.lock")
_OPERATORS = r"===|==|~=|>=|<=|!=|>|<"
_SPEC = re.compile(rf"\s*({_OPERATORS})\s*([^\s,;]+)\s*")
_NAME = re.compile(
    r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)", re.DOTALL
)
_INCLUDE = re.compile(r"(--requirement|--constraint|-r|-c)(?:\s*=\s*|\s*)(\S+)")
_COMMENT = re.compile(r"(?:^|\s)#.*")
_LOCK_END = re.compile(r"^\[(?!\[?package\.)", re.MULTILINE)  # a table header after a package entry


@dataclass(frozen=True)
class Declared:
    """``customerio==0.2.1`` at ``requirements.txt:3``: exact; ``>=0.2``: a lower bound."""

    name: str
    version: tuple[int, ...]
    text: str
    exact: bool
    source: str


def read_declarations(root: Path, names: frozenset[str]) -> tuple[dict[str, Declared], list[str]]:
    """The best declaration of each of ``names`` at ``root``, and what was skipped and why."""
    reader = _Reader(root, names)
    reader.run()
    return reader.found, reader.skipped


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, max(offset, 0)) + 1


class _Reader:
    def __init__(self, root: Path, names: frozenset[str]) -> None:
        self.root = root
        try:
            self.real_root = root.resolve()
        except (OSError, RuntimeError):
            self.real_root = root.absolute()
        self.names = names
        self.found: dict[str, Declared] = {}
        self.skipped: list[str] = []
        self.visited: set[Path] = set()
        self.files_read = 0
        spelled = [r"[-_.]+".join(map(re.escape, n.split("-"))) for n in sorted(names)]
        self.mentions = re.compile(
            rf"(?<![A-Za-z0-9])(?:{'|'.join(spelled) or '(?!)'})(?![A-Za-z0-9])", re.IGNORECASE
        )

    # ------------------------------------------------------------------ bookkeeping
    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def skip(self, where: str, reason: str) -> None:
        if len(self.skipped) < 100:
            self.skipped.append(f"{where}: {reason}")

    def offer(self, item: Declared) -> None:
        current = self.found.get(item.name)
        if (
            current is None
            or (item.exact and not current.exact)
            or (not item.exact and not current.exact and item.version > current.version)
        ):
            self.found[item.name] = item

    def read(self, path: Path, limit: int) -> str | None:
        """The text of ``path`` if it is a regular file under ``limit`` bytes, in UTF-8."""
        where = self.rel(path)
        if self.files_read >= _MAX_FILES:
            self.skip(where, f"not read (over {_MAX_FILES} declaration files)")
            return None
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                self.skip(where, "not a regular file")
                return None
            flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
            fd = os.open(path, flags)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            self.skip(where, f"cannot be read ({getattr(exc, 'strerror', None) or exc})")
            return None
        self.files_read += 1
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):  # replaced since the stat
                self.skip(where, "not a regular file")
                return None
            if info.st_size > limit:
                self.skip(where, f"over the {limit // _MIB} MiB limit, not read")
                return None
            chunks: list[bytes] = []
            size = 0
            while size <= limit:
                chunk = os.read(fd, min(limit + 1 - size, _MIB))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        except OSError as exc:
            self.skip(where, f"cannot be read ({exc.strerror or exc})")
            return None
        finally:
            os.close(fd)
        if size > limit:
            self.skip(where, f"over the {limit // _MIB} MiB limit, not read")
            return None
        try:
            return b"".join(chunks).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.skip(where, f"not UTF-8 (byte {exc.start})")
            return None

    def parse_toml(self, text: str, where: str) -> dict[str, Any] | None:
        try:
            return tomllib.loads(text)
        except (ValueError, RecursionError, MemoryError) as exc:
            self.skip(where, f"invalid TOML ({str(exc)[:120]})")
            return None

    # ------------------------------------------------------------------ the files
    def run(self) -> None:
        try:
            entries = sorted(e.name for e in os.scandir(self.root))
        except OSError:
            return
        requirements = [n for n in entries if _is_requirements(n)]
        nested: list[str] = []
        if "requirements" in entries:
            try:
                folder = self.root / "requirements"
                nested = sorted(
                    f"requirements/{e.name}"
                    for e in os.scandir(folder)
                    if e.name.endswith((".txt", ".in"))
                )
            except OSError:
                nested = []
        for name in _LOCKS:
            if name in entries:
                self.lock(self.root / name)
        if "Pipfile.lock" in entries:
            self.pipfile_lock(self.root / "Pipfile.lock")
        for name in (*requirements, *nested):
            self.requirements(self.root / name, ())
        if "pyproject.toml" in entries:
            self.pyproject(self.root / "pyproject.toml")
        if "Pipfile" in entries:
            self.pipfile(self.root / "Pipfile")
        if "setup.cfg" in entries:
            self.setup_cfg(self.root / "setup.cfg")

    def lock(self, path: Path) -> None:
        """``[[package]] name = "customerio" version = "0.2.1"`` (uv.lock, poetry.lock): only
        the entries that mention an SDK are parsed (a lock file can be megabytes)."""
        text = self.read(path, _LOCK_LIMIT)
        if text is None:
            return
        where = self.rel(path)
        done: set[int] = set()
        for match in self.mentions.finditer(text):
            start = text.rfind("\n[[package]]", 0, match.start()) + 1
            if start == 0 and not text.startswith("[[package]]"):
                continue
            if start in done:
                continue
            done.add(start)
            end_match = _LOCK_END.search(text, start + 1)
            end = end_match.start() if end_match else len(text)
            if end < match.start():
                continue
            line = _line_of(text, start)
            if end - start > _ENTRY_LIMIT:
                self.skip(f"{where}:{line}", "package entry over 1 MiB, not read")
                continue
            data = self.parse_toml(text[start:end], f"{where}:{line}")
            packages = data.get("package") if data else None
            if not isinstance(packages, list) or not packages or not isinstance(packages[0], dict):
                continue
            name, version = packages[0].get("name"), packages[0].get("version")
            if isinstance(name, str) and normalize(name) in self.names:
                self.exact(normalize(name), version, f"{where}:{line}")

    def exact(self, name: str, version: object, where: str) -> None:
        parsed = release(version) if isinstance(version, str) else None
        if parsed is None or not isinstance(version, str):
            self.skip(where, f"`{name}` has no readable version ({version!r:.60})")
            return
        self.offer(Declared(name, parsed, version.strip(), True, where))

    def pipfile_lock(self, path: Path) -> None:
        text = self.read(path, _LOCK_LIMIT)
        if text is None or not self.mentions.search(text):
            return
        import json

        where = self.rel(path)
        try:
            data = json.loads(text)
        except (ValueError, RecursionError, MemoryError) as exc:
            self.skip(where, f"invalid JSON ({str(exc)[:120]})")
            return
        if not isinstance(data, dict):
            self.skip(where, "not a Pipfile.lock (no sections)")
            return
        for section, packages in data.items():
            if section == "_meta" or not isinstance(packages, dict):
                continue
            for key, entry in packages.items():
                name = normalize(key)
                if name not in self.names or not isinstance(entry, dict):
                    continue
                line = _line_of(text, text.find(f'"{key}"'))
                version = entry.get("version")
                if isinstance(version, str):
                    self.constraint(name, version, f"{where}:{line}")

    def requirements(self, path: Path, stack: tuple[Path, ...]) -> None:
        try:
            real = path.resolve()
        except (OSError, RuntimeError):
            real = path.absolute()
        if real in self.visited:
            return
        self.visited.add(real)
        text = self.read(path, _TEXT_LIMIT)
        if text is None:
            return
        where = self.rel(path)
        for number, line in _logical_lines(text):
            line = _COMMENT.sub("", line).strip()
            include = _INCLUDE.fullmatch(line)
            if include is not None:
                self.include(path, include.group(2), f"{where}:{number}", (*stack, real))
            elif line and not line.startswith("-"):
                self.requirement(line, f"{where}:{number}")

    def include(self, path: Path, target: str, where: str, stack: tuple[Path, ...]) -> None:
        if "://" in target:
            self.skip(where, f"`{target}` not followed (a URL)")
            return
        included = path.parent / target
        try:
            resolved = included.resolve()
        except (OSError, RuntimeError):
            self.skip(where, f"`{target}` cannot be resolved")
            return
        if not resolved.is_relative_to(self.real_root):
            self.skip(where, f"`{target}` not followed (outside the project)")
        elif resolved in stack:
            self.skip(where, f"`{target}` not followed (an include cycle)")
        elif len(stack) > _MAX_INCLUDE_DEPTH:
            self.skip(where, f"`{target}` not followed (nested over {_MAX_INCLUDE_DEPTH} deep)")
        elif not os.path.lexists(resolved):
            self.skip(where, f"`{target}` not found")
        else:
            self.requirements(included, stack)

    def requirement(self, text: str, where: str) -> None:
        """A PEP 508 requirement: ``customerio[extra] >=0.2, <1 ; python_version >= "3.8"``."""
        match = _NAME.fullmatch(text)
        if match is None or normalize(match.group(1)) not in self.names:
            return
        name = normalize(match.group(1))
        rest = re.split(r"\s+-", match.group(3).split(";", 1)[0], maxsplit=1)[0].strip()
        if rest.startswith("@"):
            return  # a URL or path: no version
        self.constraint(name, rest.strip("()"), where)

    def constraint(self, name: str, text: str, where: str) -> None:
        """``==0.2.1``, ``>=0.2,<1`` (means 0.2), ``~=1.2``, ``===1.0``, ``==1.2.*``."""
        text = text.strip()
        if not text or text == "*":
            return
        pos, specs = 0, []
        while pos < len(text):
            spec = _SPEC.match(text, pos)
            if spec is None:
                self.skip(where, f"cannot read the version constraint of `{name}` ({text:.60})")
                return
            specs.append((spec.group(1), spec.group(2)))
            pos = spec.end()
            if pos < len(text) and text[pos] == ",":
                pos += 1
        self.specs(name, specs, where)

    def specs(self, name: str, specs: list[tuple[str, str]], where: str) -> None:
        lower: Declared | None = None
        for op, value in specs:
            if op in ("<", "<=", "!="):
                continue
            bare = value[:-2] if op == "==" and value.endswith(".*") else value
            parsed = release(bare)
            if parsed is None:
                self.skip(where, f"`{name}{op}{value}`: not a version")
                return
            if op in ("==", "==="):
                self.offer(Declared(name, parsed, bare, True, where))
                return
            if lower is None or parsed > lower.version:
                lower = Declared(name, parsed, f"{op}{value}", False, where)
        if lower is not None:
            self.offer(lower)

    def poetry(self, name: str, value: object, where: str) -> None:
        """Poetry's ``"^0.2"``, ``"~0.2.1"`` (lower bounds), ``"0.2.1"`` (exact), a table with
        ``version``, or a list of them (the first)."""
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, dict) and "version" in v), None)
        if isinstance(value, dict):
            value = value.get("version")
        if not isinstance(value, str):
            return
        text = value.split("||")[0].strip()
        if text[:1] == "^" or (text[:1] == "~" and text[:2] != "~="):
            parsed = release(text[1:])
            if parsed is None:
                self.skip(where, f"`{name} = {value!r:.60}`: not a version")
            else:
                self.offer(Declared(name, parsed, text, False, where))
        elif text[:1].isdigit():
            self.specs(name, [("==", text)], where)
        else:
            self.constraint(name, ",".join(text.replace(",", " ").split()), where)

    def pyproject(self, path: Path) -> None:
        text = self.read(path, _TEXT_LIMIT)
        if text is None or not self.mentions.search(text):
            return
        where = self.rel(path)
        data = self.parse_toml(text, where)
        if data is None:
            return
        project = _table(data.get("project"))
        tool = _table(data.get("tool"))
        lists: list[object] = [
            project.get("dependencies"),
            _table(tool.get("uv")).get("dev-dependencies"),
        ]
        for group in ("optional-dependencies",):
            lists.extend(_table(project.get(group)).values())
        lists.extend(_table(data.get("dependency-groups")).values())
        lists.extend(_table(_table(tool.get("pdm")).get("dev-dependencies")).values())
        for items in lists:
            for item in items if isinstance(items, list) else ():
                if isinstance(item, str) and len(item) < 1000:
                    self.requirement(item, f"{where}:{_line_of(text, text.find(item))}")
        poetry = _table(tool.get("poetry"))
        tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
        tables.extend(_table(g).get("dependencies") for g in _table(poetry.get("group")).values())
        for table in tables:
            for key, value in _table(table).items():
                if normalize(key) in self.names:
                    found = re.search(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", text, re.MULTILINE)
                    line = _line_of(text, found.start()) if found else 1
                    self.poetry(normalize(key), value, f"{where}:{line}")

    def pipfile(self, path: Path) -> None:
        text = self.read(path, _TEXT_LIMIT)
        if text is None or not self.mentions.search(text):
            return
        where = self.rel(path)
        data = self.parse_toml(text, where)
        for section, packages in (data or {}).items():
            if section in ("source", "requires", "pipenv", "scripts"):
                continue
            for key, value in _table(packages).items():
                name = normalize(key)
                if name not in self.names:
                    continue
                if isinstance(value, dict):
                    value = value.get("version")
                if isinstance(value, str):
                    line = _line_of(text, text.find(key))
                    if value.strip()[:1].isdigit():
                        self.specs(name, [("==", value.strip())], f"{where}:{line}")
                    else:
                        self.constraint(name, value, f"{where}:{line}")

    def setup_cfg(self, path: Path) -> None:
        text = self.read(path, _TEXT_LIMIT)
        if text is None or not self.mentions.search(text):
            return
        import configparser

        where = self.rel(path)
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(text)
        except (configparser.Error, ValueError, RecursionError) as exc:
            self.skip(where, f"invalid setup.cfg ({str(exc).splitlines()[0][:120]})")
            return
        values: list[str] = []
        if parser.has_option("options", "install_requires"):
            values.append(parser.get("options", "install_requires"))
        if parser.has_section("options.extras_require"):
            values.extend(v for _, v in parser.items("options.extras_require"))
        for value in values:
            items = value.splitlines() if "\n" in value.strip() else value.split(";")
            for item in items:
                item = _COMMENT.sub("", item).strip()
                if item:
                    self.requirement(item, f"{where}:{_line_of(text, text.find(item))}")


def _table(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _is_requirements(name: str) -> bool:
    if name.startswith("requirements") and name.endswith(".txt"):
        return True
    return name.endswith(".in") and name != "MANIFEST.in"


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines joined where one ends with a backslash, each with the number it starts at."""
    out: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        out.append((start, " ".join(pending)))
        pending = []
    if pending:
        out.append((start, " ".join(pending)))
    return out
