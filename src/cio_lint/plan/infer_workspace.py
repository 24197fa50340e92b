"""The workspace snapshot's part of ``cio-lint plan init --from-workspace``.

``seed`` adds to what ``infer.py`` collected from the code:

- every journey trigger (``trigger.event`` of an event-triggered journey, whatever its state)
  as an event, with ``x-journeys`` naming its journeys, their ids and states;
- as its properties, the ``{{event.x}}`` Liquid variables of those journeys' actions (``x``, the
  first segment after ``event``), in any sending state. A property the code sends keeps the
  schema inferred from the code; one that only Liquid uses has no constraint (``{}``) and a
  comment saying where it is rendered. ``required`` stays what every code site sends;
- as ``identify`` traits, the ``{{customer.y}}`` variables of every journey, broadcast and
  transactional message, except ``id`` and ``cio_id`` (Customer.io sets them on every profile).

``{{trigger.x}}`` variables are a transactional send's ``message_data`` (or an API-triggered
broadcast's data), not event properties: they are left out. A code event equal to a trigger
ignoring case and separators is that trigger: its sites are written under the trigger's spelling
(Customer.io matches the exact name), with a ``conflict:`` comment naming the code's spelling.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from cio_lint.plan.infer import _Key, _one_line, _site_order, _Target
from cio_lint.plan.model import normalize_name
from cio_lint.rules.workspace_sends import segment

if TYPE_CHECKING:
    from cio_lint.workspace.snapshot import Action, Journey, Snapshot

# Customer.io sets these on every profile itself (as CIO304 does, never asked of identify)
BUILT_IN_ATTRIBUTES = frozenset({"id", "cio_id"})
_SHOWN_PLACES = 3  # where a Liquid-only key is used: this many places, then "and N more"


def seed(
    snapshot: Snapshot, events: dict[str, _Target], identify: _Target, notes: list[str]
) -> int:
    """Add the snapshot's triggers, event properties and customer attributes to ``events`` and
    ``identify`` (the code's, changed in place); return how many events are journey triggers."""
    triggers = _triggers(snapshot)
    _merge_spellings(triggers, events, notes)
    for event, journeys in triggers.items():
        target = events.setdefault(event, _Target())
        target.journeys = [_journey_label(j) for j in journeys]
        owned = [(f"journey `{_short(j.name)}`", j.actions) for j in journeys]
        _add_keys(target, _liquid_keys(owned, "event"), "no code that sends the event sends it")
    owners = (
        *((f"journey `{_short(j.name)}`", j.actions) for j in snapshot.journeys),
        *((f"broadcast `{_short(b.name)}`", b.actions) for b in snapshot.broadcasts),
        *(
            (f"transactional message `{_short(t.name)}`", t.contents)
            for t in snapshot.transactional
        ),
    )
    attributes = _liquid_keys(owners, "customer")
    for name in BUILT_IN_ATTRIBUTES:
        attributes.pop(name, None)
    _add_keys(identify, attributes, "no identify of the code sets it")
    return len(triggers)


def _triggers(snapshot: Snapshot) -> dict[str, list[Journey]]:
    """Trigger event -> its journeys (by id), for every event-triggered journey."""
    found: dict[str, list[Journey]] = {}
    for journey in snapshot.journeys:
        if journey.trigger_event:  # None: not triggered by an event; "" names nothing
            found.setdefault(journey.trigger_event, []).append(journey)
    return found


def _merge_spellings(
    triggers: dict[str, list[Journey]], events: dict[str, _Target], notes: list[str]
) -> None:
    """Move each code event that is a trigger in another case or with other separators under
    the trigger's name, with a conflict. A spelling close to several triggers (which differ
    only in case themselves) is left where it is: the collision comments say which are alike."""
    by_normal: dict[str, list[str]] = {}
    for trigger in triggers:
        by_normal.setdefault(normalize_name(trigger), []).append(trigger)
    for sent in sorted(events):
        if sent in triggers:
            continue
        close = by_normal.get(normalize_name(sent), [])
        if len(close) != 1:
            continue
        trigger = close[0]
        moved = events.pop(sent)
        target = events.setdefault(trigger, _Target())
        target.sites |= moved.sites
        target.hidden |= moved.hidden
        target.shapes.extend(moved.shapes)
        for name, key in moved.keys.items():
            target.keys.setdefault(name, _Key()).values.extend(key.values)
        journeys = ", ".join(f"`{_short(j.name)}`" for j in triggers[trigger])
        sites = _places(sorted(moved.sites, key=_site_order))
        target.conflicts.append(
            f"the code sends `{_one_line(sent)}` at {sites}; the journey trigger is "
            f"`{_one_line(trigger)}` ({journeys}), and Customer.io matches names exactly: "
            f"written as `{_one_line(trigger)}`; rename the event at those sites"
        )
        notes.append(
            f"conflict: the code sends `{_one_line(sent)}` and journey {journeys} is triggered "
            f"by `{_one_line(trigger)}`: written as `{_one_line(trigger)}`; rename the event at "
            f"{sites}"
        )


def _liquid_keys(
    owners: Iterable[tuple[str, tuple[Action, ...]]], root: str
) -> dict[str, list[str]]:
    """Key -> where it is rendered, for every ``{{root.key...}}`` of the owners' actions."""
    found: dict[str, list[str]] = {}
    for owner, actions in owners:
        for action in actions:
            where = f"`{_short(action.name or action.type)}` of {owner}"
            for path in action.variables:
                name = segment(path, root)
                if name is not None and where not in found.setdefault(name, []):
                    found[name].append(where)
    return found


def _add_keys(target: _Target, keys: dict[str, list[str]], unsent: str) -> None:
    """List ``keys`` on ``target``; one the code does not send gets a comment naming where
    the workspace renders it (one the code sends keeps its inferred schema, and no comment)."""
    for name, places in keys.items():
        key = target.keys.setdefault(name, _Key())
        if not key.values:
            key.comment = f"from the workspace: {_places(places)}; {unsent}"


def _places(places: list[str]) -> str:
    shown = ", ".join(places[:_SHOWN_PLACES])
    more = len(places) - _SHOWN_PLACES
    return f"{shown} and {more} more" if more > 0 else shown


def _journey_label(journey: Journey) -> str:
    active = "active" if journey.active else "not active"
    return f"{_short(journey.name)} (id {journey.id}, {_short(journey.state)}, {active})"


def _short(text: str, limit: int = 60) -> str:
    """A name from the snapshot, on one line and at most ``limit`` characters."""
    text = _one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
