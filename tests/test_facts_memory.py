"""``cache.FactsMemory``: the language server keeps facts in memory between checks, and the
facts of an open document's unsaved text are not written to the disk cache."""

from __future__ import annotations

import shutil
from pathlib import Path

from cio_lint.analysis.facts import FileFacts
from cio_lint.cache import FactsMemory
from cio_lint.server.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
SENDING = """from customerio import analytics


def signed_up(uid: str) -> None:
    analytics.identify(uid, {"email": "a@example.com"})
    analytics.track(uid, "signed up", {"plan": "free", "signup_method": "email"})
"""


def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "tracking_plan", tmp_path / "tracking_plan")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "sending.py").write_text(SENDING)
    return tmp_path / "app" / "sending.py"


def facts_on_disk(root: Path) -> set[Path]:
    return set((root / ".cio-lint-cache" / "facts").rglob("*/*"))


def test_the_least_recently_used_facts_go_first() -> None:
    memory = FactsMemory(size=2)
    a, b, c = (FileFacts(path=p, module=p, is_package=False) for p in "abc")
    memory.put("a", a)
    memory.put("b", b)
    assert memory.get("a") is a  # now the most recent
    memory.put("c", c)
    assert ("a" in memory, "b" in memory, "c" in memory, len(memory)) == (True, False, True, 2)


def test_an_open_documents_facts_stay_in_memory(tmp_path: Path) -> None:
    path = project(tmp_path)
    workspace = Workspace(tmp_path)
    workspace.docs[str(path)] = SENDING
    first = workspace.check()[str(path)]
    on_disk = facts_on_disk(tmp_path)
    edited = SENDING.replace('"free"', '"pro"')
    workspace.docs[str(path)] = edited
    second = workspace.check()[str(path)]
    assert facts_on_disk(tmp_path) == on_disk  # the edited text's facts were not written
    assert len(workspace.memory) >= 2  # the facts of both texts are held
    assert [f.code for f in first.findings] == [f.code for f in second.findings]
    # A comment: the early cutoff compares the facts with the last text's, which only the
    # memory has; its answer comes from the run's findings (the calls are not known again).
    workspace.docs[str(path)] = edited + "# a comment\n"
    third = workspace.check()[str(path)]
    assert workspace.needs_calls(str(path))
    assert [(f.code, f.line) for f in third.findings] == [(f.code, f.line) for f in second.findings]
