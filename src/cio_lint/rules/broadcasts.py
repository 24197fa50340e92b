"""CIO308 broadcast-trigger-in-loop: an API-triggered broadcast triggered inside a loop.

Customer.io accepts one trigger of an API-triggered broadcast every 10 seconds and answers the
others with ``429``: a broadcast triggered once per user in a loop reaches the first user only
(or, retried, one user every 10 seconds). One trigger carries every recipient (``ids``,
``emails``, ``per_user_data`` or ``data_file_url``). What a trigger is, and which functions
trigger, is ``analysis.broadcasts``; whether a call may run more than once is
``CallFact.loop`` (a ``for``/``while`` body of its function, a comprehension, a lambda made
there). Needs no workspace snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from cio_lint import sdks
from cio_lint.analysis.broadcasts import broadcasts
from cio_lint.model import CallSite, Finding, shown_path
from cio_lint.rules.base import Invalid, Rule

if TYPE_CHECKING:
    from cio_lint.analysis.facts import CallFact, FileFacts
    from cio_lint.analysis.link import Project
    from cio_lint.plan import Plan

_SETUP = sdks.BROADCAST_EXAMPLE_SETUP


class BroadcastTriggerInLoop(Rule):
    """An API-triggered broadcast is triggered inside a loop or a comprehension.

    The App API triggers a broadcast on ``POST /v1/campaigns/{id}/triggers``, at most once per
    broadcast every 10 seconds; the other requests get ``429 Too Many Requests``. Triggering it
    per user in a loop sends to the first user only. Trigger it once, with all the recipients
    in its body (``ids``, ``emails``, ``per_user_data``), or use a transactional message or an
    event-triggered journey for per-person sends. Reported at the POST when it is in the loop,
    and at each call in a loop of a project function that triggers (directly or through other
    functions).
    """

    CODE, NAME = "CIO308", "broadcast-trigger-in-loop"
    SEVERITY = "error"
    MESSAGE = (
        "{what} inside a loop: Customer.io accepts {limit} and answers 429 to the others; "
        "trigger it once with every recipient (`ids`, `emails` or `per_user_data`)"
    )
    VALID = [
        _SETUP + "def launch(ids):\n    requests.post(URL, json={'ids': ids})",
        _SETUP + "def sync(rows):\n"
        "    for row in rows:\n"
        "        requests.post('https://example.com/v1/rows', json=row)",
    ]
    INVALID = [
        Invalid(
            _SETUP + "def launch(ids):\n"
            "    for user_id in ids:\n"
            "        requests.post(URL, json={'ids': [user_id]})"
        ),
        Invalid(
            _SETUP + "def trigger(bid, user_id):\n"
            "    requests.post(\n"
            "        f'https://api.customer.io/v1/campaigns/{bid}/triggers',"
            " json={'ids': [user_id]},\n"
            "    )\n\n"
            "def launch(ids):\n"
            "    return [trigger(7, user_id) for user_id in ids]"
        ),
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        return iter(())  # runs on the project's calls: see ``check_broadcasts``


_RULE = BroadcastTriggerInLoop()


def _finding(mod: FileFacts, fact: CallFact, what: str) -> Finding:
    line, column, end_line, end_column = fact.loc
    return Finding(
        _RULE.CODE,
        _RULE.NAME,
        _RULE.SEVERITY,
        _RULE.MESSAGE.format(what=what, limit=sdks.BROADCAST_LIMIT),
        mod.path,
        line,
        column,
        end_line,
        end_column,
        snippet=fact.snippet,
    )


def check_broadcasts(project: Project, facts: Sequence[FileFacts]) -> Iterator[Finding]:
    """CIO308 at each trigger site, and each call of a trigger function, of ``facts`` (the files
    being checked) that is in a loop."""
    found = broadcasts(project)
    if not found.functions:
        return
    paths = {mod.path for mod in facts}
    for site in found.sites:
        if site.fact.loop and site.mod.path in paths:
            yield _finding(site.mod, site.fact, "An API-triggered broadcast is triggered")
    for mod, fact, site, callee in found.calls:
        if fact.loop and mod.path in paths:
            name = callee.rsplit(".", 1)[-1]
            what = (
                f"`{name}()` triggers an API-triggered broadcast "
                f"(at `{shown_path(site.mod.path)}:{site.fact.loc[0]}`)"
            )
            yield _finding(mod, fact, what)
