"""The base plan and the edits of `plan diff`'s tests: one edit per breaking or compatible class,
each with the changes it must give (kind, breaking, event, property, message)."""

from __future__ import annotations

import copy
import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from cio_lint.cli import main

BASE: dict[str, Any] = yaml.safe_load(
    textwrap.dedent(
        """\
        version: 1
        defaults: {additionalProperties: false}
        identify:
          properties:
            email: {type: string, format: email}
            plan: {$ref: "#/$defs/plan"}
            age: {type: integer}
          required: [email]
        group:
          additionalProperties: true
          properties:
            name: {type: string}
        events:
          Order Completed:
            description: An order was paid
            properties:
              order_id: {type: string, pattern: "^o_"}
              total: {type: number, minimum: 0, maximum: 10000}
              currency: {type: string, enum: [USD, EUR]}
              coupon: {type: [string, "null"], maxLength: 20}
              channel: {const: web}
              note: {type: string}
              items:
                type: array
                items:
                  type: object
                  properties:
                    sku: {type: string}
            required: [order_id]
          Signed Up:
            properties:
              plan: {$ref: "#/$defs/plan"}
          Page Viewed:
            additionalProperties: true
            properties:
              path: {type: string}
        $defs:
          plan: {type: string, enum: [free, pro]}
        """
    )
)

Edit = Callable[[dict[str, Any]], None]
OC, SU, PV = "Order Completed", "Signed Up", "Page Viewed"


def set_at(path: str, value: Any) -> Edit:
    """An edit that sets ``value`` at the ``/``-separated ``path`` of the plan data."""

    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node = data
        for part in parents:
            node = node[part]
        node[last] = value

    return edit


def delete_at(path: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node = data
        for part in parents:
            node = node[part]
        del node[last]

    return edit


def rename(old: str, new: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data["events"][new] = data["events"].pop(old)

    return edit


P = f"events/{OC}/properties"
COMPATIBLE: list[Any] = [
    pytest.param(
        set_at("events/Cart Viewed", {"properties": {"cart_id": {"type": "string"}}}),
        [("event-added", False, "Cart Viewed", None, "Event `Cart Viewed` added")],
        id="event-added",
    ),
    pytest.param(
        set_at(f"{P}/tax", {"type": "number"}),
        [("property-added", False, OC, "tax", "Property `tax` of `Order Completed`: added")],
        id="optional-property-added",
    ),
    pytest.param(
        set_at(f"{P}/note/type", ["string", "null"]),
        [
            (
                "type-widened",
                False,
                OC,
                "note",
                "Property `note` of `Order Completed`: type changed from string to null or string",
            )
        ],
        id="type-widened",
    ),
    pytest.param(
        set_at(f"{P}/currency/enum", ["USD", "EUR", "GBP"]),
        [
            (
                "enum-widened",
                False,
                OC,
                "currency",
                'Property `currency` of `Order Completed`: enum gained ["GBP"]',
            )
        ],
        id="enum-values-added",
    ),
    pytest.param(
        set_at(f"events/{OC}/required", []),
        [
            (
                "required-dropped",
                False,
                OC,
                "order_id",
                "Property `order_id` of `Order Completed`: no longer required",
            )
        ],
        id="required-dropped",
    ),
    pytest.param(
        set_at(f"events/{OC}/description", "A paid order"),
        [("description-changed", False, OC, None, "Event `Order Completed`: description changed")],
        id="description-changed",
    ),
    pytest.param(
        lambda d: d["events"][SU].update({"deprecated": True, "x-replaced-by": "Account Created"}),
        [
            (
                "deprecated",
                False,
                SU,
                None,
                "Event `Signed Up`: deprecated, replaced by `Account Created`",
            )
        ],
        id="deprecated",
    ),
    pytest.param(
        delete_at(f"{P}/channel/const"),
        [
            (
                "const-removed",
                False,
                OC,
                "channel",
                'Property `channel` of `Order Completed`: `const` "web" removed',
            )
        ],
        id="const-removed",
    ),
    pytest.param(
        delete_at(f"{P}/order_id/pattern"),
        [
            (
                "pattern-removed",
                False,
                OC,
                "order_id",
                'Property `order_id` of `Order Completed`: `pattern` "^o_" removed',
            )
        ],
        id="pattern-removed",
    ),
    pytest.param(
        set_at(f"{P}/total/maximum", 20000),
        [
            (
                "range-widened",
                False,
                OC,
                "total",
                "Property `total` of `Order Completed`: `maximum` changed from 10000 to 20000",
            )
        ],
        id="range-widened",
    ),
    pytest.param(
        delete_at("identify/properties/email/format"),
        [
            (
                "format-removed",
                False,
                "identify",
                "email",
                'Trait `email` of identify: `format` "email" removed',
            )
        ],
        id="format-removed",
    ),
    pytest.param(
        set_at(f"events/{OC}/additionalProperties", True),
        [
            (
                "properties-opened",
                False,
                OC,
                None,
                "Event `Order Completed`: unknown properties are now allowed",
            )
        ],
        id="additionalProperties-true",
    ),
    pytest.param(
        set_at("identify/properties/nickname", {"type": "string"}),
        [("property-added", False, "identify", "nickname", "Trait `nickname` of identify: added")],
        id="identify-trait-added",
    ),
]


def write_plan(root: Path, data: dict[str, Any]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "plan.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return root


APP = textwrap.dedent(
    """\
    from customerio import analytics

    def signup(user):
        analytics.track(user.id, "Signed Up", {"plan": "free"})

    def upgrade(user):
        analytics.track(user.id, "Signed Up", {"plan": "pro"})

    def order(user, total):
        analytics.track(user.id, "Order Completed", {"order_id": "o_1", "total": total})

    def page(user):
        analytics.track(user.id, "Page Viewed", {"path": "/", "ref": "x"})

    def profile(user):
        analytics.identify(user.id, {"email": "a@b.co", "age": 3})
    """
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def make_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small project (``app/shop.py``) with the base plan in ``tracking_plan/``, as cwd."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "shop.py").write_text(APP)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cio-lint]\nsdk-versions = {customerio = "3.2"}\n'
    )
    write_plan(tmp_path / "tracking_plan", BASE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def edited(root: Path, edit: Edit) -> Path:
    data = copy.deepcopy(BASE)
    edit(data)
    return write_plan(root / "new_plan", data)


def as_json(out: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(out)
    return data
