"""Classic ``customerio`` (the Track API client, ``CustomerIO``).

Not the Segment-shaped ``customerio.analytics`` (``segment``), though both live under the
top-level package ``customerio``: the CDP wheel even ships an empty ``customerio/__init__.py``
(research/sdk-apis.md §2). ``track`` and ``track_anonymous`` changed in 3.0: properties were
keyword arguments (``track(customer_id, name, **data)``), they are now ``data={...}``; calling
one the other's way raises ``TypeError``. ``identify(id, **attributes)`` did not change.

The same package has the App API client, ``APIClient(key, region=...)``, whose ``send_email``,
``send_push``, ``send_sms`` and ``send_inbox_message`` each take one request object
(``SendEmailRequest(transactional_message_id=..., identifiers=..., message_data=...)``): a
transactional message (kind ``send``), whose "event" is the template's numeric id or trigger
name, whose "properties" are the ``message_data`` its Liquid reads as ``{{trigger.x}}``, and
whose "user id" is the ``identifiers`` dict.
"""

from __future__ import annotations

import re

from cio_lint.sdks._model import (
    CUSTOMERIO,
    EventObject,
    Family,
    Method,
    Module,
    Seam,
    Signature,
    Variant,
)

# ``[tool.cio-lint.sdk-versions]`` as error messages show it
VERSION_EXAMPLE = 'customerio = "2.4"'


def _track(name: str, who: str, role: str) -> Method:
    return Method(
        name,
        "track",
        {role: who, "event": "name", "properties": "data"},  # type: ignore[dict-item]
        (
            Variant(
                Signature((who, "name"), (who, "name"), varkw="data"),
                until=(3,),
                hint="customerio before 3.0 takes properties as keyword arguments",
            ),
            Variant(
                Signature((who, "name", "data", "id", "timestamp"), (who, "name")),
                since=(3,),
                hint="customerio 3.x takes properties as `data={...}`",
            ),
        ),
        module_level=False,
    )


def _send(name: str, request: str, first: tuple[str, ...]) -> Method:
    """``APIClient.send_*(request)``: the roles are in the request object's constructor, whose
    other options (they differ by channel and version) are taken as they come."""
    obj = EventObject(
        "request",
        (f"customerio.{request}", f"customerio.api.{request}"),
        Signature(first, (), varkw="options", kwonly=("message_data",)),
        {
            "event": "transactional_message_id",
            "properties": "message_data",
            "user_id": "identifiers",
        },
    )
    return Method(
        name,
        "send",
        {},
        (Variant(Signature(("request",), ("request",))),),
        module_level=False,
        objects=(obj,),
    )


_FIRST = ("transactional_message_id", "to", "identifiers")
# the App API client's transactional sends (``customerio.api``)
APP_CLIENTS = ("customerio.APIClient", "customerio.api.APIClient")
SEND_METHODS = ("send_email", "send_push", "send_sms", "send_inbox_message")
# the import and client lines of the transactional rules' VALID/INVALID examples
APP_EXAMPLE_SETUP = "from customerio import APIClient, SendEmailRequest\napi = APIClient('key')\n"

# CIO309: the clients whose configuration picks a Customer.io region, by qualified name ->
# (the API they call: "track", "cdp" or "app"; the parameter that picks the region; its
# position, ``self`` not counted). Left out, the region is the US one (each SDK's default).
REGION_CLIENTS: dict[str, tuple[str, str, int]] = {
    "customerio.CustomerIO": ("track", "region", 3),
    "customerio.track.CustomerIO": ("track", "region", 3),
    "customerio.APIClient": ("app", "region", 2),
    "customerio.api.APIClient": ("app", "region", 2),
    "customerio.analytics.Client": ("cdp", "host", 1),
    "customerio.analytics.client.Client": ("cdp", "host", 1),
}
_REGION_MEMBERS = {
    f"{module}.Regions.{member}": member.lower()
    for module in ("customerio", "customerio.regions")
    for member in ("US", "EU")
}
REGION_EXAMPLE_SETUP = "from customerio import APIClient, CustomerIO, Regions\n"

# CIO308: the App API triggers an API-triggered broadcast on ``POST /v1/campaigns/{id}/triggers``
# (older docs: ``/v1/api/campaigns/{id}/triggers``), limited to one request every 10 seconds;
# the ``customerio`` package has no method for it, so code POSTs with an HTTP library. The path
# as a URL ends (any host or base URL before it: ``httpx.Client(base_url=...)``), the bytes that
# make the prefilter read a file for it, the HTTP functions that POST a URL (their first
# argument, or ``url=``), and the method name that does on any receiver (a session, a client).
BROADCAST_TRIGGER_PATH = re.compile(
    r"(?:^/?|\{\}/?|(?:^|/)v1/(?:api/)?)campaigns/[^/?#]+/triggers/?(?:[?#].*)?$"
)
_KNOWN_HOST = re.compile(r"^[a-z]+://([^/{}?#]+)(?:[/?#]|$)", re.IGNORECASE)
BROADCAST_BYTES = b"/triggers"
BROADCAST_WORD = "triggers"  # what trimming keeps a function for (``analysis.trim``)
HTTP_POST_FUNCTIONS = frozenset({"requests.post", "requests.api.post", "httpx.post"})
HTTP_REQUEST_FUNCTIONS = frozenset({"requests.request", "requests.api.request", "httpx.request"})
HTTP_POST_METHOD = "post"
HTTP_REQUEST_METHOD = "request"
BROADCAST_LIMIT = "one broadcast trigger every 10 seconds"


def broadcast_trigger_url(shape: str) -> bool:
    """Whether a URL, each part not known statically written ``{}``, is the App API's trigger
    of a broadcast: the path (after ``/v1/``, ``/v1/api/``, a part not known, or at the start of
    a path relative to a client's ``base_url``) and, where the host is known, a Customer.io
    host."""
    if BROADCAST_TRIGGER_PATH.search(shape) is None:
        return False
    host = _KNOWN_HOST.match(shape)
    if host is None:
        return True  # a relative path (a client's ``base_url``) or a host not known
    name = host.group(1).rsplit("@", 1)[-1].split(":", 1)[0].lower()
    return any(name == d or name.endswith("." + d) for d in ("customer.io", "customerio.com"))


BROADCAST_EXAMPLE_SETUP = (
    "import requests\nURL = 'https://api.customer.io/v1/campaigns/7/triggers'\n"
)


def region_named(value: str, is_host: bool) -> str | None:
    """``"eu"`` or ``"us"`` for a ``Regions`` member's qualified name, or for a host
    (``https://cdp-eu.customer.io``, ``track-eu.customer.io``); None for anything else."""
    if not is_host:
        return _REGION_MEMBERS.get(value)
    host = value.lower().split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    if not (host == "customer.io" or host.endswith(".customer.io")):
        return None
    return "eu" if host.split(".", 1)[0].endswith("-eu") else "us"


FAMILY = Family(
    name="customerio-classic",
    label="CustomerIO",
    distributions=("customerio",),
    modules=(
        Module("customerio", "customerio", functions=False, runtime_label="customerio-classic"),
        Module(
            "customerio.track", "customerio", functions=False, runtime_label="customerio-classic"
        ),
    ),
    clients=("customerio.CustomerIO", "customerio.track.CustomerIO", *APP_CLIENTS),
    methods=(
        Method(
            "identify",
            "identify",
            {"user_id": "id", "traits": "attributes"},
            (Variant(Signature(("id",), ("id",), varkw="attributes")),),
            module_level=False,
        ),
        _track("track", "customer_id", "user_id"),
        _track("track_anonymous", "anonymous_id", "anonymous_id"),
        _send("send_email", "SendEmailRequest", _FIRST),
        _send("send_push", "SendPushRequest", _FIRST),
        _send("send_sms", "SendSMSRequest", _FIRST),
        _send("send_inbox_message", "SendInboxMessageRequest", _FIRST[::2]),
    ),
    capture=Seam(
        "cio_lint.capture.classic:install",
        (
            "customerio.client_base:ClientBase.send_request",  # 3.x; older: on the clients
            "customerio:CustomerIO.send_request",
            "customerio:APIClient.send_request",
        ),
    ),
    example_setup="from customerio import CustomerIO\ncio = CustomerIO('site', 'key')\n",
    version_from="customerio",
    described=("track",),
    default_destinations=(CUSTOMERIO,),
    domains=("customer.io", "customerio.com"),
)
