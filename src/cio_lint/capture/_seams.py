"""What a seam module needs from the registry: its family, its targets, the SDK's modules.

A seam module (``capture/segment.py``...) names no SDK: the family whose ``capture.installer``
points at it (``sdks/``) says which modules it patches (``Seam.targets``, ``"module:Class.attr"``)
and which ``sdk`` label its messages carry (``Module.runtime_label``).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from cio_lint import sdks


def family_of(seam_module: str) -> sdks.Family:
    """The family whose capture seam is installed by a function of ``seam_module``."""
    for family in sdks.FAMILIES:
        if family.capture is not None and family.capture.installer.split(":")[0] == seam_module:
            return family
    raise LookupError(f"no SDK family has its capture seam in {seam_module}")


def targets(family: sdks.Family) -> Iterator[tuple[str, str, str]]:
    """(module, class or "", attribute) of each of the family's seam targets."""
    assert family.capture is not None
    for target in family.capture.targets:
        module, _, path = target.partition(":")
        owner, _, attr = path.rpartition(".")
        yield module, owner, attr


def belongs_to(module_name: str, dist_name: str) -> bool:
    """Whether ``module_name`` would be imported from ``dist_name`` (not a project module)."""
    try:
        spec = importlib.util.find_spec(module_name)
        dist = importlib.metadata.distribution(dist_name)
    except (ImportError, ValueError, importlib.metadata.PackageNotFoundError):
        return False
    if spec is None or spec.origin is None:
        return False
    expected = Path(str(dist.locate_file(module_name.replace(".", "/")))).resolve()
    return Path(spec.origin).resolve().parent == expected


def load(module_name: str, dist_name: str | None = None) -> ModuleType | None:
    """The module, imported if need be; None when it is not installed (or is broken). With
    ``dist_name``, a top-level module is only imported if that distribution ships it (a bare
    ``analytics`` may be the project's own module)."""
    module = sys.modules.get(module_name)
    if module is not None:
        return module
    if dist_name is not None and "." not in module_name and not belongs_to(module_name, dist_name):
        return None
    try:
        return importlib.import_module(module_name)
    except Exception:  # noqa: BLE001 - a broken or missing install is simply not patched
        return None


def label(family: sdks.Family, module_name: str) -> str:
    """The ``sdk`` of messages captured through ``module_name`` (or a submodule of it)."""
    best = ""
    found = family.name
    for module in family.modules:
        name = module.name
        if (module_name == name or module_name.startswith(name + ".")) and len(name) > len(best):
            best, found = name, module.runtime_label or family.name
    return found
