"""What the code sends, collected once from the resolved calls for the CIO3xx rules, and the
helpers that read the snapshot's Liquid paths (``event.items.0.name`` -> ``items``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cio_lint.model import DictVal, Known, Unknown, alternatives
from cio_lint.rules.base import code_text
from cio_lint.rules.events import event_names

if TYPE_CHECKING:
    from cio_lint.analysis.link import Resolved
    from cio_lint.workspace.snapshot import Action


@dataclass
class Sends:
    """What the code sends, collected once from the resolved calls."""

    tracks: dict[str, list[tuple[Resolved, Known]]] = field(default_factory=dict)  # name ->
    # name -> the calls whose properties tell what is sent with it (a wrapper's body that
    # forwards a parameter is represented by its call sites)
    payloads: dict[str, list[Resolved]] = field(default_factory=dict)
    unresolved_names: bool = False  # a track whose name is not known: it may send anything
    traits: set[str] = field(default_factory=set)
    traits_known: bool = True  # every identify's traits are statically known


def keys_of(value: Any) -> tuple[set[str], bool]:
    """The statically known keys of a properties/traits value, and whether they are all."""
    if value is None:
        return set(), True
    keys: set[str] = set()
    complete = True
    for alt in alternatives(value):
        if isinstance(alt, DictVal):
            keys.update(alt.keys())
            complete = complete and not alt.open
        elif isinstance(alt, Known) and isinstance(alt.value, dict):
            keys.update(k for k in alt.value if isinstance(k, str))
        elif isinstance(alt, Known) and alt.value is None:
            continue
        else:
            complete = False
    return keys, complete


def collect(resolved: list[Resolved]) -> Sends:
    sends = Sends()
    for item in resolved:
        call = item.call
        if item.flow_only:
            continue
        if call.kind == "track":
            # a call of a wrapper whose own body already names the event: the body's call is
            # the one reported (as the per-call rules do, ``Resolved.inner``)
            inner = {n.value for n in event_names(item.inner)} if item.inner is not None else ()
            # ...and whose properties the body knows in full: the call site adds nothing
            inner_known = item.inner is not None and keys_of(item.inner.properties)[1]
            for name in event_names(call):
                repeated = name.value in inner
                if not repeated:
                    sends.tracks.setdefault(name.value, []).append((item, name))
                if not (repeated and inner_known) and not _is_parameter(call.properties):
                    sends.payloads.setdefault(name.value, []).append(item)
            if call.event is not None and any(
                isinstance(a, Unknown) and a.reason != "param" for a in alternatives(call.event)
            ):
                sends.unresolved_names = True
            for traits in call.person_traits:
                sends.traits.update(keys_of(traits)[0])
        elif call.kind == "identify":
            keys, complete = keys_of(call.properties)
            sends.traits.update(keys)
            if not complete and not _is_parameter(call.properties):
                sends.traits_known = False
    return sends


def _is_parameter(value: Any) -> bool:
    """Traits that are a wrapper's parameter: its call sites are checked instead."""
    alts = alternatives(value) if value is not None else []
    return bool(alts) and all(isinstance(a, Unknown) and a.reason == "param" for a in alts)


def live_paths(actions: tuple[Action, ...]) -> Iterator[tuple[Action, str]]:
    """(action, Liquid path) of every live action (sending state ``automatic``)."""
    for action in actions:
        if action.live:
            for path in action.variables:
                yield action, path


def segment(path: str, root: str) -> str | None:
    """``event.items.0.name`` -> ``items`` for root ``event``."""
    parts = path.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == root and parts[1] else None


def uses(places: list[str]) -> str:
    shown = ", ".join(places[:2])
    more = f" and {len(places) - 2} more" if len(places) > 2 else ""
    return f"{shown}{more} {'use' if len(places) > 1 else 'uses'}"


def place(action: Action, owner: str, name: str) -> str:
    return f"`{code_text(action.name or action.type, 40)}` of {owner} `{code_text(name, 40)}`"
