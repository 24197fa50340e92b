"""Rules about the call itself: identity and the SDK's signature."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from cio_lint import sdks
from cio_lint.model import CallSite, Finding, Known, Val, alternatives
from cio_lint.rules.base import Invalid, Rule

if TYPE_CHECKING:
    from cio_lint.plan import Plan

_CDP = sdks.example_setup("segment-family")
_CLASSIC = sdks.example_setup("customerio-classic")
_MP = sdks.example_setup("mixpanel-client")
_POSTHOG = sdks.example_setup("posthog-python")
_AMP = sdks.example_setup("amplitude-python")


def _absent(value: Val | None) -> bool:
    """True when the id is statically missing: not passed, ``None`` or ``""`` on every branch."""
    if value is None:
        return True
    return all(isinstance(a, Known) and a.value in (None, "") for a in alternatives(value))


class MissingIdentity(Rule):
    """A call with neither a user id nor an anonymous id.

    The SDK raises (or Customer.io drops the message): the event attaches to nobody.
    """

    CODE, NAME = "CIO011", "missing-identity"
    MESSAGE = "`{kind}` call has neither a user id nor an anonymous id"
    VALID = [
        _CDP + 'analytics.track(anonymous_id="a1", event="Trial Started")',
        _CDP + 'def f(user):\n    analytics.track(user.id, "Trial Started")',
        # posthog 6+ takes the context's id, or makes one up
        _POSTHOG + 'posthog.capture("Trial Started")',
    ]
    INVALID = [
        Invalid(_CDP + 'analytics.track(event="Trial Started", properties={})'),
        Invalid(_CDP + 'analytics.identify(None, {"email": "a@b.co"})'),
        # Amplitude logs and drops an event without `user_id` and `device_id`
        Invalid(_AMP + 'amp.track(BaseEvent("Trial Started", event_properties={"plan": "pro"}))'),
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        if call.kind in ("alias", "send") or call.identity_optional:
            return  # a transactional send without `identifiers`: CIO307
        if _absent(call.user_id) and _absent(call.anonymous_id):
            yield self.finding(call, call.loc, kind=call.kind)


class SdkCallSignature(Rule):
    """The call does not bind to the installed SDK's signature.

    For example keyword properties to ``customerio`` 3.x ``track``, which raises ``TypeError``
    at run time: the event is never sent.
    """

    CODE, NAME = "CIO013", "sdk-call-signature"
    MESSAGE = "{error}"
    VALID = [
        _CLASSIC + 'cio.track("u1", "Order Completed", data={"order_id": "1", "total": 3})',
        _MP + 'mp.track("u1", "Order Completed", {"order_id": "1", "total": 3})',
        _POSTHOG + 'posthog.capture("Trial Started", distinct_id="u1")',
        _AMP + 'amp.track(BaseEvent("Trial Started", device_id="d1"))',
    ]
    INVALID = [
        Invalid(_AMP + 'amp.track(BaseEvent(user_id="u1"))'),  # no event_type
        Invalid(_AMP + 'amp.track("Trial Started", user_id="u1")'),  # Segment's habit
        Invalid(_POSTHOG + 'posthog.capture("u1", "Trial Started")'),
        Invalid(_POSTHOG + "def f(user):\n    posthog.capture(user.id)"),
        Invalid(_POSTHOG + 'posthog.identify("u1", {"email": "a@b.co"})'),
        Invalid(_CLASSIC + 'cio.track("u1", "Order Completed", order_id="1", total=3)'),
        Invalid(_CDP + 'analytics.track("u1", "Trial Started", {}, {}, None, None, {}, None, 1)'),
        Invalid(_MP + 'mp.track(user_id="u1", event="Trial Started")'),  # Segment's keywords
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        if call.signature_error:
            yield self.finding(call, call.loc, error=call.signature_error)


class SyntaxErrorRule(Rule):
    """The file could not be parsed (or decoded); nothing in it was checked."""

    CODE, NAME = "CIO900", "syntax-error"
    MESSAGE = "{message}"


class FileTooLarge(Rule):
    """The file is over the size limit (``max-file-size``, 512 KiB by default), or its analysis
    would take more memory than that size allows, and it was not checked.

    Very large files are almost always generated code or vendored bundles; parsing them with
    libcst could take gigabytes of memory (and deep nesting multiplies it). Raise the limit in
    ``[tool.cio-lint]`` if the file is really yours.
    """

    CODE, NAME = "CIO901", "file-too-large"
    SEVERITY = "warning"
    MESSAGE = "{message}"


class UnresolvedSdkReceiver(Rule):
    """A call that looks like an SDK call, but whose receiver could not be resolved.

    ``X.track(user.id, "Signed Up", {...})`` (or ``identify``, ``page``, ``screen``, ``group``,
    ``alias``, ``track_anonymous``) whose arguments bind to the SDK's signature, in a file that
    imports an SDK or a module holding a client, where cio-lint cannot tell what ``X`` is (a
    parameter, an attribute chain of unknown type, an attribute set elsewhere): the call is
    not checked. Declare the helper or the client's path in ``[tool.cio-lint.wrappers]``, or
    annotate the client (``client: analytics.Client``), so that it is.
    """

    CODE, NAME = "CIO902", "unresolved-sdk-receiver"
    SEVERITY = "warning"
    MESSAGE = (
        "Call `{receiver}.{method}()` looks like an SDK call but its receiver could not be "
        "resolved; declare it in [tool.cio-lint.wrappers] or annotate the client"
    )
    VALID = [
        _CDP + 'def signup(user):\n    analytics.track(user.id, "Signed Up", {"plan": "pro"})',
        _CDP + "class Tracker:\n    def track(self, name, value):\n        pass\n"
        'def f(tracker: Tracker):\n    Tracker().track("Signed Up", 1)',
        _CDP + "import logging\nlog = logging.getLogger(__name__)\n"
        'def f(user):\n    log.track(user.id, "Signed Up")',
    ]
    INVALID = [
        Invalid(
            _CDP + "def signup(request, user):\n"
            '    request.tenant.analytics_client.track(user.id, "Signed Up", {"plan": "pro"})'
        ),
        Invalid(
            _CLASSIC + "class Service:\n    def __init__(self):\n        self.client = None\n"
            '    def signed_up(self, user):\n        self.client.track(user.id, "Signed Up", data={})'
        ),
    ]


class UnreadableFile(Rule):
    """A file or folder among the paths checked could not be read: nothing in it was checked.

    A file it may not read, a folder it may not list, a broken link or a link loop named
    ``*.py``, a read that fails (an I/O error). An error, not a warning: a gate must not pass
    on code it could not see. Give the linter read access, or exclude the path
    (``extend-exclude``) if it is not code to check.
    """

    CODE, NAME = "CIO903", "unreadable-file"
    MESSAGE = "Cannot read this {what} ({reason}): {consequence}"


class UnusedSuppression(Rule):
    """A suppression comment that hides nothing (ruff's RUF100).

    ``# cio-lint: ignore[CIO004]`` or ``# noqa: CIO004`` on a line with no CIO004 finding, a
    bare ``# cio-lint: ignore`` on a line with no finding at all, or a code that is no rule
    (``CIO04``): the comment outlived the problem it hid, or never hid one, and would hide the
    next problem on that line unseen. Reported only where the run can tell: files cio-lint read,
    codes it checked there, and, for rules over the whole project (CIO003, CIO2xx, CIO3xx), a
    run over the whole project. Other tools' codes (``# noqa: E501``) and a bare ``# noqa`` are
    never reported. The fix removes the unused codes, or the comment.
    """

    CODE, NAME = "CIO904", "unused-suppression"
    SEVERITY = "warning"
    FIXABLE = True
    MESSAGE = "{message}"  # written by ``cio_lint.suppressions``
    VALID = [
        _CDP
        + "analytics.track('u1', 'Signed Up', {'plan': 'pro', 'x': 1})  # cio-lint: ignore[CIO004]",
        _CDP + "analytics.identify('u1', {'email': 'a@b.c'})  # noqa: E501",
    ]
    INVALID = [
        Invalid(
            _CDP + "analytics.identify('u1', {'email': 'a@b.c'})  # cio-lint: ignore[CIO008]",
            _CDP + "analytics.identify('u1', {'email': 'a@b.c'})",
        ),
        Invalid(
            _CDP + "analytics.identify('u1', {'email': 'a@b.c', 'x': 1})  # noqa: CIO008, CIO010",
            _CDP + "analytics.identify('u1', {'email': 'a@b.c', 'x': 1})  # noqa: CIO008",
        ),
    ]
