"""Rules about the call itself: identity and the SDK's signature."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from cio_lint.model import CallSite, Finding, Known, Val, alternatives
from cio_lint.rules.base import Invalid, Rule

if TYPE_CHECKING:
    from cio_lint.plan import Plan

_CDP = "from customerio import analytics\n"
_CLASSIC = "from customerio import CustomerIO\ncio = CustomerIO('site', 'key')\n"


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
    ]
    INVALID = [
        Invalid(_CDP + 'analytics.track(event="Trial Started", properties={})'),
        Invalid(_CDP + 'analytics.identify(None, {"email": "a@b.co"})'),
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        if call.kind == "alias":
            return
        if _absent(call.user_id) and _absent(call.anonymous_id):
            yield self.finding(call, call.loc, kind=call.kind)


class SdkCallSignature(Rule):
    """The call does not bind to the installed SDK's signature.

    For example keyword properties to ``customerio`` 3.x ``track``, which raises ``TypeError``
    at run time: the event is never sent.
    """

    CODE, NAME = "CIO013", "sdk-call-signature"
    MESSAGE = "{error}"
    VALID = [_CLASSIC + 'cio.track("u1", "Order Completed", data={"order_id": "1", "total": 3})']
    INVALID = [
        Invalid(_CLASSIC + 'cio.track("u1", "Order Completed", order_id="1", total=3)'),
        Invalid(_CDP + 'analytics.track("u1", "Trial Started", {}, {}, None, None, {}, None, 1)'),
    ]

    def check(self, call: CallSite, plan: Plan) -> Iterator[Finding]:
        if call.signature_error:
            yield self.finding(call, call.loc, error=call.signature_error)


class SyntaxErrorRule(Rule):
    """The file could not be parsed (or decoded); nothing in it was checked."""

    CODE, NAME = "CIO900", "syntax-error"
    MESSAGE = "{message}"


class FileTooLarge(Rule):
    """The file is over the size limit (``max-file-size``, 512 KiB by default) and was not checked.

    Very large files are almost always generated code or vendored bundles; parsing them with
    libcst could take gigabytes of memory. Raise the limit in ``[tool.cio-lint]`` if the file
    is really yours.
    """

    CODE, NAME = "CIO901", "file-too-large"
    SEVERITY = "warning"
    MESSAGE = "{message}"
