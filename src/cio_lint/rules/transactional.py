"""CIO305-CIO307: transactional sends of the App API (``kind == "send"``) against the snapshot.

A send names its template by numeric id or by trigger name (``transactional_message_id``);
the template's Liquid reads ``{{trigger.x}}`` from the send's ``message_data``. CIO305 and
CIO306 need the workspace snapshot; CIO307 is about the call alone and runs on every call.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from cio_lint import sdks
from cio_lint.model import CallSite, Finding, Known, alternatives, loc_of
from cio_lint.rules.base import Invalid, Rule, code_text
from cio_lint.rules.workspace import Located, WorkspaceRule
from cio_lint.rules.workspace_sends import keys_of, live_paths, segment, uses

if TYPE_CHECKING:
    from cio_lint.analysis.link import Resolved
    from cio_lint.plan import Plan
    from cio_lint.workspace.snapshot import Snapshot, Transactional

_APP = sdks.APP_EXAMPLE_SETUP
_RECEIPT = {
    "id": 3,
    "name": "Receipt",
    "trigger_name": "receipt",
    "contents": [
        {"id": 31, "type": "email", "variables": ["trigger.order_number", "trigger.total"]}
    ],
}
_WORKSPACE = {
    "format": "cio-lint-workspace/1",
    "region": "us",
    "complete": True,
    "journeys": [],
    "broadcasts": [],
    "transactional": [_RECEIPT],
}
_SEND = (
    _APP + "api.send_email(SendEmailRequest(\n"
    "    transactional_message_id={id},\n"
    "    identifiers={{'id': 'u1'}},\n"
    "    message_data={data},\n"
    "))"
)


class TransactionalDataMissing(WorkspaceRule):
    """A transactional send lacks a ``message_data`` key its template renders.

    The template (found in the snapshot by the send's numeric id or trigger name) uses
    ``{{trigger.x}}`` and the send's ``message_data`` is statically known and has no ``x``:
    the customer gets the message with a blank where ``x`` goes.
    """

    CODE, NAME = "CIO305", "transactional-data-missing"
    MESSAGE = "{uses} {variables}, but `message_data` has no {keys}"
    EXAMPLE_WORKSPACE = _WORKSPACE
    VALID = [
        _SEND.format(id="'receipt'", data="{'order_number': 'A1', 'total': 9.5}"),
        _SEND.format(id="3", data="{'order_number': 'A1', 'total': 9.5, 'extra': 1}"),
    ]
    INVALID = [
        Invalid(_SEND.format(id="'receipt'", data="{'order_number': 'A1'}")),
        Invalid(_SEND.format(id="3", data="{}")),
    ]


class UnknownTransactionalMessage(WorkspaceRule):
    """A transactional send names a template that is not in the workspace.

    Its ``transactional_message_id`` is neither the id nor the trigger name of any transactional
    message of the snapshot: the App API refuses the send. A typo, a template of another
    workspace or region, or a snapshot to refresh (``cio-lint workspace pull``).
    """

    CODE, NAME = "CIO306", "unknown-transactional-message"
    MESSAGE = "Transactional message `{name}` is not in the workspace snapshot{hint}"
    EXAMPLE_WORKSPACE = _WORKSPACE
    VALID = [_SEND.format(id="'receipt'", data="{'order_number': 'A1', 'total': 9.5}")]
    INVALID = [
        Invalid(_SEND.format(id="'reciept'", data="{'order_number': 'A1', 'total': 9.5}")),
        Invalid(_SEND.format(id="4", data="{'order_number': 'A1', 'total': 9.5}")),
    ]


class TransactionalWithoutIdentifiers(Rule):
    """A transactional send without ``identifiers``.

    A message sent only ``to=`` an address is delivered, but Customer.io does not attribute it
    to the person's profile: it is missing from their activity, and ``{{customer.x}}`` in the
    template renders blank. Pass ``identifiers={"id": ...}`` (or ``email`` / ``cio_id``).
    """

    CODE, NAME = "CIO307", "transactional-without-identifiers"
    SEVERITY = "warning"
    MESSAGE = "Transactional send without `identifiers`: the delivery is not attributed to a person"
    VALID = [_SEND.format(id="'receipt'", data="{'order_number': 'A1', 'total': 9.5}")]
    INVALID = [
        Invalid(
            _APP + "api.send_email(SendEmailRequest(transactional_message_id='receipt', "
            "to='a@example.com', message_data={'order_number': 'A1', 'total': 9.5}))"
        )
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        if call.kind == "send" and call.user_id is None:
            yield self.finding(call, call.loc)


_305, _306 = TransactionalDataMissing(), UnknownTransactionalMessage()


def _template(snapshot: Snapshot, value: object) -> Transactional | None:
    """The template a send names: its numeric id (an int, or a string of digits) or its
    trigger name."""
    for message in snapshot.transactional:
        if type(value) is int and value == message.id:
            return message
        if isinstance(value, str) and (
            value == message.trigger_name or (value.isdigit() and int(value) == message.id)
        ):
            return message
    return None


def check_transactional(resolved: list[Resolved], snapshot: Snapshot) -> Iterator[Located]:
    """CIO305 and CIO306 on every transactional send whose template id is known."""
    for item in resolved:
        call = item.call
        if call.kind != "send" or call.event is None or item.flow_only:
            continue
        # a call of a wrapper whose own body names the template (and knows the data in
        # full): reported at the body's call, as the per-call rules do (``Resolved.inner``)
        inner = item.inner
        named = inner is not None and inner.event is not None and _known(inner.event)
        data_known = inner is not None and keys_of(inner.properties)[1]
        for alt in alternatives(call.event):
            if not isinstance(alt, Known) or type(alt.value) not in (int, str):
                continue
            message = _template(snapshot, alt.value)
            if named and (message is None or data_known):
                continue
            for finding in _send_findings(call, alt, message, snapshot):
                yield finding, item


def check_send(call: CallSite, snapshot: Snapshot) -> Iterator[Finding]:
    """CIO305 and CIO306 on one send alone (a send the pytest plugin captured)."""
    for alt in alternatives(call.event) if call.event is not None else ():
        if isinstance(alt, Known) and type(alt.value) in (int, str):
            yield from _send_findings(call, alt, _template(snapshot, alt.value), snapshot)


def _send_findings(
    call: CallSite, alt: Known, message: Transactional | None, snapshot: Snapshot
) -> Iterator[Finding]:
    if message is None:
        names = sorted(m.trigger_name for m in snapshot.transactional if m.trigger_name)
        hint = _hint(str(alt.value), names)
        yield _306.finding(call, loc_of(alt, call.loc), name=code_text(alt.value), hint=hint)
        return
    yield from _missing(call, message)


def _known(value: object) -> bool:
    return any(isinstance(a, Known) for a in alternatives(value))  # type: ignore[arg-type]


def _hint(name: str, names: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f" (did you mean `{code_text(close[0])}`?)" if close else ""


def _missing(call: CallSite, message: Transactional) -> Iterator[Finding]:
    sent, complete = keys_of(call.properties)
    if not complete:
        return
    places: dict[str, list[str]] = {}
    for content, path in live_paths(message.contents):
        key = segment(path, "trigger")
        if key is not None and key not in sent:
            place = f"`{content.type}` of transactional message `{code_text(message.name, 40)}`"
            places.setdefault(key, [])
            if place not in places[key]:
                places[key].append(place)
    if not places:
        return
    where = sorted({p for found in places.values() for p in found})
    variables = ", ".join(f"`{{{{trigger.{code_text(k)}}}}}`" for k in sorted(places))
    keys = ", ".join(f"`{code_text(k)}`" for k in sorted(places))
    at = call.properties if call.properties is not None else call.loc
    yield _305.finding(call, at, uses=uses(where), variables=variables, keys=keys)
