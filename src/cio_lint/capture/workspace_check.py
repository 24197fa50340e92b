"""Captured transactional sends against the workspace snapshot: CIO305 and CIO306 at run time.

A captured ``transactional`` message (``APIClient.send_email``... of classic ``customerio``)
becomes the ``CallSite`` of a send whose values are all known: the template's id or trigger
name as its event, ``message_data`` as its properties. It is checked by the static rules' own
function (``rules.transactional.check_send``), so a code means the same in both.

``Snapshots`` finds a test's snapshot the way the command does (an explicit path, else
``workspace`` in ``[tool.cio-lint]``, else ``customerio-workspace.json`` beside the plan) and
loads each file once per session. No pytest here: errors are ``SnapshotError``/``ConfigError``
for the plugin to report.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cio_lint.capture.validate import _dict_val, describe, family_of
from cio_lint.model import CallSite, Finding, Known, Location

if TYPE_CHECKING:
    from cio_lint.plan import Plan
    from cio_lint.workspace.snapshot import Snapshot

KIND = "transactional"  # the ``type`` of a captured App API send (``capture/classic.py``)


def is_send(msg: Mapping[str, Any]) -> bool:
    return msg.get("type") == KIND


def send_callsite(msg: Mapping[str, Any], path: str) -> CallSite | None:
    """The ``CallSite`` a captured transactional send stands for (``None`` when the send names
    no template: a send with its own body, which the snapshot cannot say anything about)."""
    template = msg.get("transactionalMessageId")
    if not is_send(msg) or type(template) not in (int, str):
        return None
    loc = Location(path, 0, 0, 0, 0)
    payload = msg.get("properties")
    data = payload.get("message_data") if isinstance(payload, Mapping) else None
    user = msg.get("userId")
    return CallSite(
        kind="send",
        sdk=family_of(msg).name,
        loc=loc,
        user_id=Known(user, loc=loc) if user is not None else None,
        event=Known(template, loc=loc),
        # no ``message_data`` at all: the template gets none of its ``trigger.x``
        properties=_dict_val(data if data is not None else {}, loc),
        snippet=describe(msg),
        runtime=True,
    )


def send_findings(msg: Mapping[str, Any], snapshot: Snapshot, path: str) -> list[Finding]:
    """CIO305/CIO306 of one captured message (none for messages that are not sends)."""
    call = send_callsite(msg, path)
    if call is None:
        return []
    from cio_lint.rules.transactional import check_send

    return list(check_send(call, snapshot))


class Snapshots:
    """The snapshot of each test's project, found and loaded once per session (errors too)."""

    def __init__(self, explicit: Path | None) -> None:
        from cio_lint.workspace.snapshot import SnapshotError

        if explicit is not None and not explicit.is_file():
            raise SnapshotError(f"{explicit}: workspace snapshot not found")
        self.explicit = explicit
        self._configured: dict[Path, Path | None] = {}
        self._loaded: dict[Path, Snapshot | Exception] = {}

    def path_for(self, start: Path, plan: Plan) -> Path | None:
        """The snapshot file of the project of ``start`` (a folder), or ``None``."""
        from cio_lint.workspace.snapshot import find_snapshot

        explicit = self.explicit or self._configured_path(start)
        files = getattr(plan, "files", ())
        root = getattr(plan, "root", None) if files else None
        return find_snapshot(explicit, root if isinstance(root, Path) else None)

    def _configured_path(self, start: Path) -> Path | None:
        if start not in self._configured:
            from cio_lint.config import load_config

            self._configured[start] = load_config(start).workspace  # ConfigError propagates
        return self._configured[start]

    def load(self, path: Path) -> Snapshot:
        from cio_lint.workspace.snapshot import SnapshotError, load_snapshot

        if path not in self._loaded:
            try:
                self._loaded[path] = load_snapshot(path)
            except SnapshotError as exc:
                self._loaded[path] = exc
        result = self._loaded[path]
        if isinstance(result, Exception):
            raise result
        return result
