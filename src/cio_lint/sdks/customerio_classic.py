"""Classic ``customerio`` (the Track API client, ``CustomerIO``).

Not the Segment-shaped ``customerio.analytics`` (``segment``), though both live under the
top-level package ``customerio``: the CDP wheel even ships an empty ``customerio/__init__.py``
(research/sdk-apis.md §2). ``track`` and ``track_anonymous`` changed in 3.0: properties were
keyword arguments (``track(customer_id, name, **data)``), they are now ``data={...}``; calling
one the other's way raises ``TypeError``. ``identify(id, **attributes)`` did not change.
"""

from __future__ import annotations

from cio_lint.sdks._model import CUSTOMERIO, Family, Method, Module, Seam, Signature, Variant

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
    clients=("customerio.CustomerIO", "customerio.track.CustomerIO"),
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
)
