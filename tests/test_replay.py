"""``analysis.replay``: the language server replays the facts of the top-level functions an edit
did not touch, and they are the facts a full extraction gives (random edits of real files are
compared the same way in tests/test_reparse.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cio_lint.analysis import reparse
from cio_lint.analysis.extract import extract_file
from cio_lint.analysis.facts import FileFacts

FLOW = '''

def flow_{i}(uid, email):
    """Flow {i}."""
    analytics.identify(uid, {{"email": email}})
    if email.endswith("@example.com"):
        analytics.track(uid, "Signed Up", {{"plan": "{plan}"}})
    for item in range(3):
        analytics.track(uid, "Logged In", {{"n": item}})
    on_commit(lambda: analytics.track(uid, "Trial Started", {{}}))
'''


def module(count: int, plan_at: int = -1, plan: str = "free", head: str = "") -> str:
    parts = ["from customerio import analytics\n", head]
    parts += [FLOW.format(i=i, plan=plan if i == plan_at else "free") for i in range(count)]
    return "".join(parts)


def facts_of(path: str, text: str) -> FileFacts:
    return extract_file(path, "app.sending", False, text.encode("utf-8"))


def checked(tmp_path: Path, texts: list[str]) -> tuple[reparse.Reparser, list[FileFacts]]:
    """Each text in turn as the open document (the replayed facts), each compared with a full
    extraction of it."""
    path = str(tmp_path / "sending.py")
    reparser = reparse.Reparser()
    out = []
    for number, text in enumerate(texts):
        with reparse.active(reparser, [path]):
            got = facts_of(path, text)
        assert got == facts_of(path, text), f"text {number}"
        out.append(got)
    return reparser, out


def counts(reparser: reparse.Reparser) -> tuple[int, int]:
    (replays,) = reparser.replays.values()
    return replays.replayed, replays.walked


def test_an_edit_in_one_function_walks_only_that_one(tmp_path: Path) -> None:
    reparser, facts = checked(tmp_path, [module(20), module(20, 7, "pro")])
    assert counts(reparser) == (19, 21)  # 20 walked at first; then 19 replayed and 1 walked
    assert [c.snippet for c in facts[1].calls] != [c.snippet for c in facts[0].calls]


def test_calls_and_must_nodes_after_a_grown_function_are_shifted(tmp_path: Path) -> None:
    text = module(12)
    grown = text.replace(
        "def flow_3(uid, email):\n",
        'def flow_3(uid, email):\n    analytics.track(uid, "A", {}); analytics.track(uid, "B", {})\n',
    )
    shrunk = text.replace('    analytics.identify(uid, {"email": email})\n', "    pass\n", 1)
    same_lines = text.replace(
        'def flow_2(uid, email):\n    """Flow 2."""',
        'def flow_2(uid, email):\n    analytics.track(uid, "C", {})',
    )
    reparser, facts = checked(tmp_path, [text, grown, text, shrunk, text, same_lines])
    assert counts(reparser)[0] > 12  # functions were replayed, at other ids and nodes
    assert len(facts[5].calls) == len(facts[0].calls) + 1
    assert facts[5].calls[-1].id == len(facts[5].calls) - 1


def test_a_changed_import_above_is_walked_again(tmp_path: Path) -> None:
    """Whether ``partial`` is functools' decides what a call of it is: a function below an
    import line that changed (in place: its position is the same) is not replayed."""
    body = (
        "\n\ndef send_all(uid):\n    send = partial(analytics.track, uid)\n"
        '    send("Signed Up", {"plan": "free"})\n'
    )
    ours = "from customerio import analytics\nfrom mytools import partial\n" + body
    functools = "from customerio import analytics\nfrom functools import partial\n" + body
    _, facts = checked(tmp_path, [ours, functools, ours])
    assert facts[0].calls != facts[1].calls


@pytest.mark.parametrize(
    "before",
    ["def flow_1(uid, email):\n    pass\n", "class flow_1:\n    def m(self):\n        pass\n"],
    ids=["a function", "a class"],
)
def test_a_name_defined_before_is_walked_again(tmp_path: Path, before: str) -> None:
    """A function or class of the same name above: the facts it overwrites or the qualnames
    it changes are a walk's."""
    text = module(4, head=before)
    edited = text.replace('"Trial Started"', '"Trial Ended"', 1)  # in flow_0
    reparser, _ = checked(tmp_path, [text, edited, text])
    replayed, walked = counts(reparser)
    assert replayed > 0 and walked >= 4 + 2 * 2  # flow_1 and the edited function, each time


def test_nothing_is_replayed_on_the_command_line(tmp_path: Path) -> None:
    path = str(tmp_path / "sending.py")
    reparser = reparse.Reparser()
    with reparse.active(reparser, []):  # the document is not open
        facts_of(path, module(5))
        facts_of(path, module(5))
    assert reparser.replays == {}
    assert reparse.replays_of(path, "app.sending", False) is None


STEP = '''

def step_{i}(uid, plan="free", *, client: "Client | None" = None) -> "Client":
    """Step {i}: a default, annotations, a global, a class, an attribute of another module."""
    global LAST
    LAST = {{"uid": uid, "step": {i}}}

    class Holder(helper.Base):
        def __init__(self):
            self.client = analytics

    helper.client = analytics
    props = {{"plan": plan, "step": {i}}}
    analytics.track(uid, "Signed Up", props)
    return client
'''


def test_functions_below_added_lines_are_replayed_where_they_are_now(tmp_path: Path) -> None:
    """A line added or removed above moves every function below: their facts are replayed
    with their locations moved (calls, defaults, annotations, returns, classes, assignments),
    except for a function that makes a lambda (its name says where it is): walked."""
    head = "from customerio import analytics\nimport helper\n"
    text = head + "".join(STEP.format(i=i) for i in range(6)) + FLOW.format(i=9, plan="free")
    below = text.replace(head, head + "\n# a new comment\n")
    reparser, facts = checked(tmp_path, [text, below, text])
    replayed, walked = counts(reparser)
    # at first all 7 are walked; then, each time, step_0 (next to the edit: re-parsed) and
    # flow_9 (a lambda) are walked and the other 5 are replayed
    assert (replayed, walked) == (2 * 5, 7 + 2 * 2)
    assert facts[1].calls[0].loc[0] == facts[0].calls[0].loc[0] + 2
