"""Which version of each analytics SDK a project uses, and where that was decided.

The order (SPEC §3): ``[tool.cio-lint.sdk-versions]``, else the project's own declarations
(an exact pin or lock entry before a lower bound; ``sdk_declarations`` reads them), else the
package installed where cio-lint runs, else the newest. SDKs are keyed by their PyPI
distribution name, normalised as PEP 503 says (``Segment_Analytics.Python`` is
``segment-analytics-python``). The SDKs and which of their signatures a version decides come
from the registry (``cio_lint.sdks``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cio_lint import sdks

NEWEST: tuple[int, ...] = (99,)
CONFIG_SOURCE = "[tool.cio-lint.sdk-versions]"


@dataclass(frozen=True)
class SdkSpec:
    """An SDK cio-lint knows by its distribution name; ``describe`` is set when its version
    changes the signatures that apply (the text says which one does)."""

    name: str
    describe: Callable[[tuple[int, ...]], str] | None = None


def _describer(name: str) -> Callable[[tuple[int, ...]], str] | None:
    if name not in sdks.VERSIONED:
        return None
    return lambda version: sdks.describe(name, version) or ""


KNOWN_SDKS: dict[str, SdkSpec] = {
    name: SdkSpec(name, _describer(name)) for name in sdks.DISTRIBUTIONS
}

# PEP 440, without its normalisation: what `==`, `>=` and the configuration may name.
_VERSION = re.compile(
    r"v?(?:\d+!)?(?P<release>\d+(?:\.\d+)*)"
    r"(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?\d*)?"
    r"(?:-\d+|[-_.]?(?:post|rev|r)[-_.]?\d*)?"
    r"(?:[-_.]?dev[-_.]?\d*)?"
    r"(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?",
    re.IGNORECASE,
)


def normalize(name: str) -> str:
    """PEP 503: runs of ``-``, ``_`` and ``.`` are one ``-``, case is ignored."""
    return re.sub(r"[-_.]+", "-", name).lower()


def release(text: str) -> tuple[int, ...] | None:
    """``(0, 2, 1)`` for ``"0.2.1"`` (also ``"3.0.0rc1"``, ``"1!2.0"``); None: not a version."""
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        return None
    parts = tuple(int(p) for p in match["release"].split("."))
    return parts if len(parts) <= 16 and all(p < 10**9 for p in parts) else None


def check_overrides(raw: Mapping[str, object]) -> dict[str, str]:
    """``[tool.cio-lint.sdk-versions]`` with names normalised; ValueError (one line) for an
    unknown SDK or a value that is not a version."""
    out: dict[str, str] = {}
    for name, value in raw.items():
        key = normalize(name)
        if key not in KNOWN_SDKS:
            raise ValueError(f"unknown SDK `{name}` (known: {', '.join(KNOWN_SDKS)})")
        if not isinstance(value, str) or release(value) is None:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                problem = f'`{name} = {value}` is not a version string: quote it (e.g. "2.4")'
            else:
                problem = f'`{name} = {value!r}` is not a version (e.g. "2.4")'
            raise ValueError(problem)
        out[key] = value.strip()
    return out


@dataclass(frozen=True)
class Decision:
    """The version assumed for one SDK. ``text`` is what was written (``"0.2.1"``, ``">=0.2"``),
    ``source`` where: ``requirements.txt:3``, ``poetry.lock:120``, ``installed``, ``newest``..."""

    name: str
    version: tuple[int, ...]
    text: str
    source: str

    def describe(self) -> str | None:
        """``customerio 0.2.1 (from requirements.txt:3): track(customer_id, name, **data)``;
        None for an SDK whose version changes nothing cio-lint checks."""
        spec = KNOWN_SDKS.get(self.name)
        if spec is None or spec.describe is None:
            return None
        if self.source == "newest":
            head = f"{self.name} newest (not declared by the project, not installed)"
        else:
            head = f"{self.name} {self.text} (from {self.source})"
        return f"{head}: {spec.describe(self.version)}"


@dataclass
class Versions:
    """The decisions of one run, and the declaration files (or lines) that were skipped."""

    decisions: dict[str, Decision] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # "poetry.lock: invalid TOML (...)"

    def version(self, name: str) -> tuple[int, ...]:
        found = self.decisions.get(normalize(name))
        return found.version if found is not None else NEWEST

    def key(self) -> tuple[tuple[str, tuple[int, ...]], ...]:
        """What the run cache key needs: the versions decided (not where they came from)."""
        return tuple(sorted((n, d.version) for n, d in self.decisions.items()))


def _lenient(text: str) -> tuple[int, ...]:
    return release(text) or _leading_numbers(text)


def _leading_numbers(text: str) -> tuple[int, ...]:
    """The dotted numbers a version that is not PEP 440 starts with (``"2.4-custom"``)."""
    out: list[int] = []
    for part in text.split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        if not digits:
            break
        out.append(int(digits))
    return tuple(out) or (0,)


def _installed(name: str) -> Decision | None:
    import importlib.metadata  # imported here: ``config`` imports this module, keep that cheap

    try:
        text = importlib.metadata.version(name)
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None
    if not isinstance(text, str):  # a broken distribution without a Version field
        return None
    return Decision(name, _lenient(text), text, "installed")


def decide(
    root: Path, overrides: Mapping[str, str], names: Iterable[str] | None = None
) -> Versions:
    """Each of ``names`` (default: every known SDK) decided for the project at ``root``."""
    wanted = [normalize(n) for n in (names if names is not None else KNOWN_SDKS)]
    result = Versions()
    given = {normalize(k): v for k, v in overrides.items()}
    for name in wanted:
        if name in given:
            text = given[name]
            result.decisions[name] = Decision(name, _lenient(text), text, CONFIG_SOURCE)
    rest = [n for n in wanted if n not in result.decisions]
    if not rest:
        return result
    from cio_lint.sdk_declarations import read_declarations

    declared, result.skipped = read_declarations(root, frozenset(rest))
    for name in rest:
        best = declared.get(name)
        if best is not None:
            result.decisions[name] = Decision(name, best.version, best.text, best.source)
            continue
        result.decisions[name] = _installed(name) or Decision(name, NEWEST, "newest", "newest")
    return result
