"""CIO003 track-before-identify: a rule over a whole scope, not one call.

The extractor records, for every call, the calls of the same scope that run on *every* path
before it (``CallFact.must``). A track of user ``U`` is flagged when its scope identifies ``U``
somewhere but no identify of ``U`` is on every path before the track. Wrapper calls count with
the user id they forward, so ``signup_helper(user)`` then ``identify_user(user)`` is caught too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from cio_lint import sdks
from cio_lint.analysis.must import holds
from cio_lint.model import CallSite, Finding, Known, alternatives
from cio_lint.rules.base import Invalid, Rule, code_text

if TYPE_CHECKING:
    from cio_lint.analysis.link import Project, Resolved
    from cio_lint.plan import Plan

_CDP = sdks.example_setup("segment-family")


class TrackBeforeIdentify(Rule):
    """A track that can run before the person it names is identified.

    Customer.io attaches an event to a person only if the person exists: the first events of a
    signup flow that tracks before it identifies are lost. Within one function (or module body),
    when the scope identifies the user at all, every path to the track must pass an identify.
    """

    CODE, NAME = "CIO003", "track-before-identify"
    MESSAGE = "{event} is tracked for `{user}` before `{user}` is identified{where}"
    VALID = [
        _CDP + "def signup(user):\n"
        "    analytics.identify(user.id, {'email': user.email})\n"
        "    analytics.track(user.id, 'Signed Up', {'plan': 'pro'})",
        _CDP + "def later(user):\n    analytics.track(user.id, 'Trial Started')\n"
        "def signup(user):\n    analytics.identify(user.id, {'email': user.email})",
    ]
    INVALID = [
        Invalid(
            _CDP + "def signup(user):\n"
            "    analytics.track(user.id, 'Signed Up', {'plan': 'pro'})\n"
            "    analytics.identify(user.id, {'email': user.email})"
        ),
        Invalid(
            _CDP + "def signup(user, ok):\n"
            "    if ok:\n"
            "        analytics.identify(str(user.id), {'email': user.email})\n"
            "    analytics.track(user.id, 'Signed Up', {'plan': 'pro'})"
        ),
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        return iter(())  # runs on scopes: see ``check_flow``


_RULE = TrackBeforeIdentify()


def render_key(key: Any) -> str:
    """A user-id key shown the way it is written (``user.id``)."""
    if not isinstance(key, tuple) or not key:
        return "?"
    tag = key[0]
    if tag in ("name", "param", "imp"):
        return str(key[1]).rsplit(".", 1)[-1]
    if tag == "self":
        return "self"
    if tag == "lit":
        return repr(key[1])
    if tag == "attr":
        return f"{render_key(key[1])}.{key[2]}"
    if tag == "sub":
        return f"{render_key(key[1])}[{render_key(key[2])}]"
    if tag == "call":
        return f"{render_key(key[1])}(...)"
    return "?"


def _event_label(call: CallSite) -> str:
    names = (
        [a.value for a in alternatives(call.event) if isinstance(a, Known)] if call.event else []
    )
    if names:
        return "Event " + " / ".join(f"`{code_text(n)}`" for n in names)
    return "An event"


def check_flow(
    resolved: list[Resolved], project: Project | None = None, whole_project: bool = True
) -> Iterator[Finding]:
    """CIO003 per scope; the "never identifies" finding only when the whole project was checked
    (a pre-commit run on a few files cannot know what the others do)."""
    scopes: dict[tuple[str, str], list[Resolved]] = {}
    for item in resolved:
        scopes.setdefault((item.module.path, item.fact.scope), []).append(item)
    any_identify = any(r.call.kind == "identify" for r in resolved)
    first_track: Resolved | None = None
    for items in scopes.values():
        identifies = [r for r in items if r.call.kind == "identify" and r.user_key is not None]
        for track in items:
            if track.call.kind != "track" or track.user_key is None:
                continue
            direct = not track.emission.via  # always in a file the prefilter keeps
            persons = sdks.family(track.call.sdk).needs_identify
            if (
                direct
                and persons
                and (first_track is None or _position(track) < _position(first_track))
            ):
                first_track = track
            same_user = [i for i in identifies if i.user_key == track.user_key]
            if not same_user:
                continue
            if any(i.fact.id == track.fact.id for i in same_user) or holds(
                track.module.must_nodes, track.fact.must, (i.fact.key for i in same_user)
            ):
                continue
            after = all(i.fact.loc > track.fact.loc for i in same_user)
            where = " (the identify comes after it)" if after else " on every path"
            user = _written(track) or render_key(track.user_key)
            yield _RULE.finding(
                track.call, track.call.loc, event=_event_label(track.call), user=user, where=where
            )
    if whole_project and not any_identify and first_track is not None:
        yield _RULE.finding(
            first_track.call,
            first_track.call.loc,
            event=_event_label(first_track.call),
            user=_written(first_track) or render_key(first_track.user_key),
            where=" anywhere: the scanned code never calls identify",
        )


def _written(item: Resolved) -> str | None:
    """The user-id argument as written at the call site, when it is inside the call's text."""
    value = item.call.user_id
    loc = getattr(value, "loc", None)
    line, column, _, _ = item.fact.loc
    if loc is None or loc.path != item.call.loc.path or loc.line != loc.end_line:
        return None
    lines = item.fact.snippet.split("\n")
    index = loc.line - line
    if not 0 <= index < len(lines):
        return None
    offset = column - 1 if index == 0 else 0
    text = lines[index][loc.column - 1 - offset : loc.end_column - 1 - offset]
    return text or None


def _position(item: Resolved) -> tuple[str, tuple[int, int, int, int]]:
    return (item.module.path, item.fact.loc)
