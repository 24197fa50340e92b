"""The breaking edits of the base plan of `plan diff`'s tests (``plan_diff_cases.py``), one per
class, each with the changes it must give."""

from __future__ import annotations

from typing import Any

import pytest
from plan_diff_cases import OC, PV, SU, P, delete_at, rename, set_at

# (edit, expected changes as (kind, breaking, event, property, message)); one case per class
BREAKING: list[Any] = [
    pytest.param(
        delete_at(f"events/{SU}"),
        [("event-removed", True, SU, None, "Event `Signed Up` removed")],
        id="event-removed",
    ),
    pytest.param(
        rename(SU, "signed_up"),
        [
            (
                "event-renamed",
                True,
                "signed_up",
                None,
                (
                    "Event `Signed Up` renamed to `signed_up`: code that sends `Signed Up` is now "
                    "unplanned"
                ),
            )
        ],
        id="event-renamed-normalised-name",
    ),
    pytest.param(
        rename(OC, "Purchase Made"),
        [
            (
                "event-renamed",
                True,
                "Purchase Made",
                None,
                (
                    "Event `Order Completed` renamed to `Purchase Made`: code that sends "
                    "`Order Completed` is now unplanned"
                ),
            )
        ],
        id="event-renamed-same-properties",
    ),
    pytest.param(
        delete_at(f"{P}/note"),
        [("property-removed", True, OC, "note", "Property `note` of `Order Completed`: removed")],
        id="property-removed",
    ),
    pytest.param(
        set_at(f"{P}/coupon/type", "string"),
        [
            (
                "type-narrowed",
                True,
                OC,
                "coupon",
                (
                    "Property `coupon` of `Order Completed`: type changed from null or string to "
                    "string"
                ),
            )
        ],
        id="type-narrowed",
    ),
    pytest.param(
        set_at(f"{P}/note/type", "integer"),
        [
            (
                "type-narrowed",
                True,
                OC,
                "note",
                "Property `note` of `Order Completed`: type changed from string to integer",
            )
        ],
        id="type-changed",
    ),
    pytest.param(
        set_at(f"{P}/currency/enum", ["USD"]),
        [
            (
                "enum-narrowed",
                True,
                OC,
                "currency",
                'Property `currency` of `Order Completed`: enum lost ["EUR"]',
            )
        ],
        id="enum-lost-values",
    ),
    pytest.param(
        set_at("$defs/plan/enum", ["free"]),
        [
            (
                "enum-narrowed",
                True,
                SU,
                "plan",
                'Property `plan` of `Signed Up`: enum lost ["pro"]',
            ),
            (
                "enum-narrowed",
                True,
                "identify",
                "plan",
                'Trait `plan` of identify: enum lost ["pro"]',
            ),
        ],
        id="enum-lost-values-through-ref",
    ),
    pytest.param(
        set_at(f"{P}/note/const", "x"),
        [
            (
                "const-added",
                True,
                OC,
                "note",
                'Property `note` of `Order Completed`: `const` "x" added',
            )
        ],
        id="const-added",
    ),
    pytest.param(
        set_at(f"{P}/channel/const", "app"),
        [
            (
                "const-changed",
                True,
                OC,
                "channel",
                'Property `channel` of `Order Completed`: `const` changed from "web" to "app"',
            )
        ],
        id="const-changed",
    ),
    pytest.param(
        set_at(f"{P}/note/pattern", "^n"),
        [
            (
                "pattern-added",
                True,
                OC,
                "note",
                'Property `note` of `Order Completed`: `pattern` "^n" added',
            )
        ],
        id="pattern-added",
    ),
    pytest.param(
        set_at(f"{P}/order_id/pattern", "^ord_"),
        [
            (
                "pattern-changed",
                True,
                OC,
                "order_id",
                'Property `order_id` of `Order Completed`: `pattern` changed from "^o_" to "^ord_"',
            )
        ],
        id="pattern-changed",
    ),
    pytest.param(
        set_at(f"{P}/total/minimum", 1),
        [
            (
                "range-narrowed",
                True,
                OC,
                "total",
                "Property `total` of `Order Completed`: `minimum` changed from 0 to 1",
            )
        ],
        id="minimum-raised",
    ),
    pytest.param(
        set_at(f"{P}/total/maximum", 100),
        [
            (
                "range-narrowed",
                True,
                OC,
                "total",
                "Property `total` of `Order Completed`: `maximum` changed from 10000 to 100",
            )
        ],
        id="maximum-lowered",
    ),
    pytest.param(
        set_at(f"{P}/coupon/maxLength", 10),
        [
            (
                "range-narrowed",
                True,
                OC,
                "coupon",
                "Property `coupon` of `Order Completed`: `maxLength` changed from 20 to 10",
            )
        ],
        id="maxLength-reduced",
    ),
    pytest.param(
        set_at(f"{P}/note/format", "date-time"),
        [
            (
                "format-added",
                True,
                OC,
                "note",
                'Property `note` of `Order Completed`: `format` "date-time" added',
            )
        ],
        id="format-added",
    ),
    pytest.param(
        set_at("identify/properties/email/format", "idn-email"),
        [
            (
                "format-changed",
                True,
                "identify",
                "email",
                'Trait `email` of identify: `format` changed from "email" to "idn-email"',
            )
        ],
        id="format-changed",
    ),
    pytest.param(
        set_at(f"events/{OC}/required", ["order_id", "currency"]),
        [
            (
                "property-required",
                True,
                OC,
                "currency",
                "Property `currency` of `Order Completed`: now required",
            )
        ],
        id="property-newly-required",
    ),
    pytest.param(
        lambda d: (
            set_at(f"{P}/tax", {"type": "number"})(d),
            d["events"][OC]["required"].append("tax"),
        ),
        [
            (
                "property-required",
                True,
                OC,
                "tax",
                "Property `tax` of `Order Completed`: added as a required property",
            )
        ],
        id="required-property-added",
    ),
    pytest.param(
        set_at(f"events/{PV}/properties/ref", {"type": "string"}),
        [
            ("property-added", False, PV, "ref", "Property `ref` of `Page Viewed`: added"),
            (
                "type-narrowed",
                True,
                PV,
                "ref",
                "Property `ref` of `Page Viewed`: type changed from any type to string",
            ),
        ],
        id="constrained-property-added-to-an-open-event",
    ),
    pytest.param(
        set_at(f"events/{PV}/additionalProperties", False),
        [
            (
                "properties-closed",
                True,
                PV,
                None,
                (
                    "Event `Page Viewed`: `additionalProperties` turned to false (unknown properties "
                    "are now rejected)"
                ),
            )
        ],
        id="event-additionalProperties-false",
    ),
    pytest.param(
        set_at(f"{P}/items/items/additionalProperties", False),
        [
            (
                "properties-closed",
                True,
                OC,
                "items.[]",
                (
                    "Property `items.[]` of `Order Completed`: `additionalProperties` turned to false "
                    "(unknown properties are now rejected)"
                ),
            )
        ],
        id="nested-additionalProperties-false",
    ),
    pytest.param(
        delete_at("identify/properties/age"),
        [("property-removed", True, "identify", "age", "Trait `age` of identify: removed")],
        id="identify-trait-removed",
    ),
    pytest.param(
        set_at("identify/required", ["email", "age"]),
        [("property-required", True, "identify", "age", "Trait `age` of identify: now required")],
        id="identify-trait-required",
    ),
    pytest.param(
        set_at("group/additionalProperties", False),
        [
            (
                "properties-closed",
                True,
                "group",
                None,
                (
                    "The group traits: `additionalProperties` turned to false (unknown properties are "
                    "now rejected)"
                ),
            )
        ],
        id="group-additionalProperties-false",
    ),
    pytest.param(
        set_at(f"{P}/note/anyOf", [{"minLength": 2}, {"maxLength": 0}]),
        [
            (
                "schema-changed",
                True,
                OC,
                "note",
                (
                    'Property `note` of `Order Completed`: `anyOf` changed from null to [{"minLength": '
                    '2}, {"maxLength": 0}] (not classified: review it)'
                ),
            )
        ],
        id="unclassified-change",
    ),
    pytest.param(
        delete_at("group"),
        [
            (
                "traits-removed",
                False,
                "group",
                None,
                "The group traits schema removed (traits are no longer checked)",
            )
        ],
        id="traits-removed",
    ),
]
