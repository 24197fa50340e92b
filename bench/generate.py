#!/usr/bin/env python3
"""Write a synthetic, instrumented Python application to benchmark cio-lint on.

    python bench/generate.py OUT_DIR --lines 1000000 --seed 1

OUT_DIR gets:

- ``shopfront/``: a package tree of ordinary application code (~200-line modules with classes,
  dataclasses, functions, dict literals, loops, docstrings and imports between modules).
  About 3% of the modules send analytics events: directly through ``customerio.analytics``,
  ``segment.analytics`` or ``rudderstack.analytics``, through the classic
  ``customerio.CustomerIO`` client (a shared instance in ``shopfront.crm`` or a module's own),
  and through the project's wrappers in ``shopfront.telemetry`` (``track_event(user, name,
  **props)``, ``identify_user(user, **traits)`` and ``ProductEvents``, one method per event).
  Event names come from ``shopfront.events`` (module constants and ``class Event(str, Enum)``)
  or literals. About 2% use ``track``/``identify`` as ordinary words (``shipment.track()``,
  ``face.identify()``, a local ``def track()``, the project's own ``shopfront.metrics.analytics``)
  and about 3% merely mention "analytics" in a docstring or a constant.
- ``tracking_plan/plan.yaml``: the plan the code is checked against.
- ``pyproject.toml``: ``[project]``, ``[tool.ruff]`` and ``[tool.cio-lint]``, so that neither tool
  picks up the configuration of a repository the corpus happens to sit in.
- ``planted.json``: the violations planted on purpose, ``[{"path", "line", "code"}]`` (paths
  relative to OUT_DIR, ``/``-separated, lines 1-based), sorted.
- ``manifest.json``: what was generated (counts, the seed, the modules that send events).

The output depends only on ``--lines`` and ``--seed`` (and this file). Nothing here is ever
imported or run: the code only has to parse, and to look like code people write.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

GENERATOR_VERSION = 2
PKG = "shopfront"
MODULES_PER_PACKAGE = 40
SENDER_SHARE = 0.03
WORD_SHARE = 0.02
MENTION_SHARE = 0.03
AVG_MODULE_LINES = 210

# --------------------------------------------------------------------------------------------
# The tracking plan
# --------------------------------------------------------------------------------------------

CURRENCIES = ["USD", "EUR", "GBP", "CAD"]
PLANS = ["free", "plus", "pro"]
TIERS = ["silver", "gold", "platinum"]


@dataclass
class Prop:
    name: str
    schema: dict
    expr: str | None = None  # an expression whose value is unknown statically
    needs: tuple[str, ...] = ()  # variables the expression uses (function parameters)
    literals: tuple[str, ...] = ()  # valid literal values (Python source)
    bad: tuple[str, ...] = ()  # invalid literal values (Python source), for CIO006


def s_(name, expr, needs, literals=(), **schema):
    return Prop(name, {"type": "string", **schema}, expr, tuple(needs), tuple(literals))


def n_(name, expr, needs, minimum=0, **schema):
    return Prop(name, {"type": "number", "minimum": minimum, **schema}, expr, tuple(needs))


def i_(name, expr, needs, lo, hi=None):
    schema = {"type": "integer", "minimum": lo}
    if hi is not None:
        schema["maximum"] = hi
    top = hi if hi is not None else lo + 20
    lits = tuple(str(v) for v in range(lo, min(top, lo + 6) + 1))
    bad = (str(lo - 1),) + ((str(hi + 1),) if hi is not None else ())
    return Prop(name, schema, expr, tuple(needs), lits, bad)


def b_(name, expr, needs):
    return Prop(name, {"type": "boolean"}, expr, tuple(needs), ("True", "False"))


def e_(name, values, expr, needs, bad, ref=None):
    schema = {"$ref": f"#/$defs/{ref}"} if ref else {"type": "string", "enum": list(values)}
    return Prop(
        name,
        schema,
        expr,
        tuple(needs),
        tuple(json.dumps(v) for v in values),
        tuple(json.dumps(v) for v in bad),
    )


def currency():
    return e_(
        "currency", CURRENCIES, "order.currency", ["order"], ["usd", "US$", "Euro"], ref="currency"
    )


@dataclass
class EventSpec:
    name: str
    const: str
    props: list[Prop]
    required: list[str]
    module_constant: bool = False  # also a module-level constant in shopfront/events.py

    def prop(self, name: str) -> Prop:
        return next(p for p in self.props if p.name == name)


EVENTS = [
    EventSpec(
        "Signed Up",
        "SIGNED_UP",
        [
            e_("plan", PLANS, None, [], ["premium", "Free", "trial"], ref="plan"),
            e_(
                "signup_method",
                ["email", "google", "apple", "sso"],
                None,
                [],
                ["facebook", "Google"],
            ),
            Prop(
                "referrer",
                {"type": ["string", "null"], "maxLength": 2048},
                "referrer",
                ("referrer",),
            ),
        ],
        ["plan", "signup_method"],
        True,
    ),
    EventSpec(
        "Logged In",
        "LOGGED_IN",
        [
            e_(
                "method",
                ["password", "google", "apple", "sso", "magic_link"],
                None,
                [],
                ["sms", "Password"],
            ),
            b_("mfa", "user.mfa_enabled", ["user"]),
        ],
        [],
        True,
    ),
    EventSpec(
        "Product Viewed",
        "PRODUCT_VIEWED",
        [
            s_("product_id", "product.id", ["product"]),
            s_("sku", "product.sku", ["product"]),
            n_("price", "product.price", ["product"]),
            s_("category", "product.category", ["product"], ['"shoes"', '"outdoor"', '"kitchen"']),
            i_("position", "position", ["position"], 0, 200),
        ],
        ["product_id"],
        True,
    ),
    EventSpec(
        "Product Added",
        "PRODUCT_ADDED",
        [
            s_("product_id", "product.id", ["product"]),
            s_("sku", "product.sku", ["product"]),
            i_("quantity", "quantity", ["quantity"], 1, 99),
            n_("price", "product.price", ["product"]),
            s_("cart_id", "cart.id", ["cart"]),
        ],
        ["product_id", "quantity", "cart_id"],
        True,
    ),
    EventSpec(
        "Product Removed",
        "PRODUCT_REMOVED",
        [
            s_("product_id", "product.id", ["product"]),
            i_("quantity", "quantity", ["quantity"], 1, 99),
            s_("cart_id", "cart.id", ["cart"]),
        ],
        ["product_id", "cart_id"],
    ),
    EventSpec(
        "Cart Viewed",
        "CART_VIEWED",
        [
            s_("cart_id", "cart.id", ["cart"]),
            i_("item_count", "len(cart.lines)", ["cart"], 0),
            n_("value", "cart.value", ["cart"]),
        ],
        ["cart_id"],
        True,
    ),
    EventSpec(
        "Checkout Started",
        "CHECKOUT_STARTED",
        [
            s_("cart_id", "cart.id", ["cart"]),
            n_("value", "cart.value", ["cart"]),
            e_("currency", CURRENCIES, "cart.currency", ["cart"], ["usd", "US$"], ref="currency"),
            e_(
                "source",
                ["web", "ios", "android", "email"],
                "cart.channel",
                ["cart"],
                ["kiosk", "Web", "desktop"],
            ),
        ],
        ["cart_id", "value"],
        True,
    ),
    EventSpec(
        "Checkout Step Completed",
        "CHECKOUT_STEP_COMPLETED",
        [
            i_("step", "step", ["step"], 1, 5),
            e_(
                "shipping_method",
                ["standard", "express", "pickup"],
                "cart.shipping_method",
                ["cart"],
                ["overnight", "Express"],
            ),
            e_(
                "payment_method",
                ["card", "paypal", "invoice", "gift_card"],
                "cart.payment_method",
                ["cart"],
                ["crypto", "credit_card", "PayPal"],
            ),
        ],
        ["step"],
    ),
    EventSpec(
        "Payment Info Entered",
        "PAYMENT_INFO_ENTERED",
        [
            e_(
                "payment_method",
                ["card", "paypal", "invoice", "gift_card"],
                "cart.payment_method",
                ["cart"],
                ["crypto", "credit_card"],
            ),
            s_("cart_id", "cart.id", ["cart"]),
        ],
        ["payment_method"],
    ),
    EventSpec(
        "Order Completed",
        "ORDER_COMPLETED",
        [
            s_("order_id", "order.id", ["order"]),
            n_("total", "order.total", ["order"]),
            n_("revenue", "order.revenue", ["order"]),
            n_("shipping", "order.shipping_cost", ["order"]),
            n_("tax", "order.tax", ["order"]),
            currency(),
            Prop("coupon", {"type": ["string", "null"]}, "order.coupon_code", ("order",)),
            i_("item_count", "len(order.lines)", ["order"], 1),
        ],
        ["order_id", "total", "currency"],
        True,
    ),
    EventSpec(
        "Order Refunded",
        "ORDER_REFUNDED",
        [
            s_("order_id", "order.id", ["order"]),
            n_("amount", "order.refunded_total", ["order"]),
            e_(
                "reason",
                ["damaged", "late", "wrong_item", "changed_mind", "other"],
                "reason",
                ["reason"],
                ["broken", "too_late", "Damaged"],
            ),
        ],
        ["order_id", "amount", "reason"],
        True,
    ),
    EventSpec(
        "Order Cancelled",
        "ORDER_CANCELLED",
        [
            s_("order_id", "order.id", ["order"]),
            e_(
                "reason",
                ["customer_request", "payment_failed", "out_of_stock", "fraud"],
                "reason",
                ["reason"],
                ["timeout", "customer"],
            ),
        ],
        ["order_id", "reason"],
    ),
    EventSpec(
        "Coupon Applied",
        "COUPON_APPLIED",
        [
            s_("coupon", "cart.coupon_code", ["cart"], ['"WELCOME10"', '"SPRING24"']),
            s_("cart_id", "cart.id", ["cart"]),
            n_("discount", "cart.discount", ["cart"]),
        ],
        ["coupon", "cart_id"],
    ),
    EventSpec(
        "Coupon Denied",
        "COUPON_DENIED",
        [
            s_("coupon", "cart.coupon_code", ["cart"]),
            s_("cart_id", "cart.id", ["cart"]),
            e_(
                "reason",
                ["expired", "invalid", "not_eligible"],
                "reason",
                ["reason"],
                ["unknown", "Expired"],
            ),
        ],
        ["coupon", "reason"],
    ),
    EventSpec(
        "Shipment Dispatched",
        "SHIPMENT_DISPATCHED",
        [
            s_("order_id", "shipment.order_id", ["shipment"]),
            e_(
                "carrier",
                ["ups", "fedex", "dhl", "usps", "postnl"],
                "shipment.carrier",
                ["shipment"],
                ["royal_mail", "UPS"],
            ),
            s_("tracking_number", "shipment.tracking_number", ["shipment"]),
            e_(
                "service",
                ["standard", "express", "pickup"],
                "shipment.service",
                ["shipment"],
                ["overnight", "same_day"],
            ),
        ],
        ["order_id", "carrier"],
        True,
    ),
    EventSpec(
        "Shipment Delivered",
        "SHIPMENT_DELIVERED",
        [
            s_("order_id", "shipment.order_id", ["shipment"]),
            e_(
                "carrier",
                ["ups", "fedex", "dhl", "usps", "postnl"],
                "shipment.carrier",
                ["shipment"],
                ["royal_mail", "DHL"],
            ),
            i_("days_in_transit", "shipment.days_in_transit", ["shipment"], 0),
        ],
        ["order_id"],
    ),
    EventSpec(
        "Return Requested",
        "RETURN_REQUESTED",
        [
            s_("order_id", "order.id", ["order"]),
            i_("item_count", "len(order.lines)", ["order"], 1),
            e_(
                "reason",
                ["damaged", "late", "wrong_item", "changed_mind", "other"],
                "reason",
                ["reason"],
                ["broken", "too_small"],
            ),
        ],
        ["order_id", "reason"],
    ),
    EventSpec(
        "Review Submitted",
        "REVIEW_SUBMITTED",
        [
            s_("product_id", "product.id", ["product"]),
            i_("rating", "rating", ["rating"], 1, 5),
            b_("has_photos", "has_photos", ["has_photos"]),
        ],
        ["product_id", "rating"],
        True,
    ),
    EventSpec(
        "Wishlist Item Added",
        "WISHLIST_ITEM_ADDED",
        [
            s_("product_id", "product.id", ["product"]),
            s_("wishlist_id", "wishlist_id", ["wishlist_id"]),
        ],
        ["product_id"],
    ),
    EventSpec(
        "Search Performed",
        "SEARCH_PERFORMED",
        [
            s_("query", "query", ["query"], maxLength=200),
            i_("result_count", "len(results)", ["results"], 0),
            i_("filters_applied", "len(filters)", ["filters"], 0),
        ],
        ["query"],
        True,
    ),
    EventSpec(
        "Newsletter Subscribed",
        "NEWSLETTER_SUBSCRIBED",
        [
            e_("list", ["weekly", "deals", "product_updates"], None, [], ["daily", "Weekly"]),
            e_("source", ["footer", "popup", "checkout"], None, [], ["banner", "modal"]),
        ],
        ["list"],
    ),
    EventSpec(
        "Membership Started",
        "MEMBERSHIP_STARTED",
        [
            e_("tier", TIERS, "membership.tier", ["membership"], ["diamond", "Gold"], ref="tier"),
            e_(
                "billing_interval",
                ["month", "year"],
                "membership.interval",
                ["membership"],
                ["monthly", "annual"],
            ),
            n_("price", "membership.price", ["membership"]),
        ],
        ["tier", "billing_interval"],
        True,
    ),
    EventSpec(
        "Membership Cancelled",
        "MEMBERSHIP_CANCELLED",
        [
            e_("tier", TIERS, "membership.tier", ["membership"], ["diamond", "bronze"], ref="tier"),
            e_(
                "reason",
                ["too_expensive", "not_using", "switched", "other"],
                "reason",
                ["reason"],
                ["expensive", "moved"],
            ),
        ],
        ["tier", "reason"],
    ),
    EventSpec(
        "Gift Card Purchased",
        "GIFT_CARD_PURCHASED",
        [
            n_("amount", "card.amount", ["card"], 5, maximum=500),
            e_("currency", CURRENCIES, "card.currency", ["card"], ["usd", "Euro"], ref="currency"),
            e_("delivery", ["email", "print"], "card.delivery", ["card"], ["post", "sms"]),
        ],
        ["amount", "currency"],
    ),
    EventSpec(
        "Gift Card Redeemed",
        "GIFT_CARD_REDEEMED",
        [
            n_("amount", "card.amount", ["card"]),
            s_("order_id", "order.id", ["order"]),
        ],
        ["amount"],
    ),
    EventSpec(
        "Support Ticket Opened",
        "SUPPORT_TICKET_OPENED",
        [
            s_("ticket_id", "ticket.id", ["ticket"]),
            e_(
                "channel", ["email", "chat", "phone"], "ticket.channel", ["ticket"], ["fax", "Chat"]
            ),
            e_(
                "priority",
                ["low", "normal", "high", "urgent"],
                "ticket.priority",
                ["ticket"],
                ["critical", "p1"],
            ),
        ],
        ["ticket_id", "channel"],
        True,
    ),
    EventSpec(
        "Support Ticket Resolved",
        "SUPPORT_TICKET_RESOLVED",
        [
            s_("ticket_id", "ticket.id", ["ticket"]),
            n_("resolution_hours", "ticket.resolution_hours", ["ticket"]),
            b_("satisfied", "ticket.satisfied", ["ticket"]),
        ],
        ["ticket_id"],
    ),
    EventSpec(
        "Password Reset",
        "PASSWORD_RESET",
        [
            e_("method", ["email", "sms"], None, [], ["phone", "Email"]),
        ],
        [],
    ),
    EventSpec(
        "Address Added",
        "ADDRESS_ADDED",
        [
            s_(
                "country",
                "address.country",
                ["address"],
                ['"US"', '"DE"', '"FR"'],
                pattern="^[A-Z]{2}$",
            ),
            b_("is_default", "address.is_default", ["address"]),
        ],
        ["country"],
    ),
    EventSpec(
        "Loyalty Points Earned",
        "LOYALTY_POINTS_EARNED",
        [
            i_("points", "points", ["points"], 1),
            s_("order_id", "order.id", ["order"]),
            i_("balance", "user.loyalty_balance", ["user"], 0),
        ],
        ["points"],
    ),
    EventSpec(
        "Price Alert Created",
        "PRICE_ALERT_CREATED",
        [
            s_("product_id", "product.id", ["product"]),
            n_("target_price", "target_price", ["target_price"]),
        ],
        ["product_id", "target_price"],
    ),
    EventSpec(
        "Back In Stock Requested",
        "BACK_IN_STOCK_REQUESTED",
        [
            s_("product_id", "product.id", ["product"]),
            s_("sku", "product.sku", ["product"]),
            e_("channel", ["email", "sms", "push"], None, [], ["fax", "whatsapp"]),
        ],
        ["product_id", "channel"],
    ),
]
EVENT_BY_NAME = {e.name: e for e in EVENTS}
# A legacy constant of shopfront/events.py that differs from the plan in case only (CIO002 at
# its definition, once, however many modules use it).
LEGACY_CONSTANTS = {"CART_VIEWED_V1": "cart viewed", "ORDER_COMPLETED_V1": "order_completed"}
# Events the plan knows that nobody may send any more (never used by the corpus).
DEPRECATED = {"Cart Abandoned": "Checkout Started"}
UNPLANNED = [
    "Wishlist Shared",
    "Store Visited",
    "Gift Wrap Added",
    "Referral Sent",
    "Size Guide Opened",
    "Chat Started",
    "Invoice Downloaded",
    "Cart Merged",
]

IDENTIFY_TRAITS = {
    "email": {"type": "string", "format": "email", "maxLength": 254},
    "name": {"type": "string", "maxLength": 120},
    "first_name": {"type": "string", "maxLength": 60},
    "plan": {"$ref": "#/$defs/plan"},
    "loyalty_tier": {"$ref": "#/$defs/tier"},
    "created_at": {"type": "integer", "minimum": 0, "description": "Unix seconds"},
    "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
    "phone": {"type": "string"},
    "marketing_opt_in": {"type": "boolean"},
}

VAR_TYPES = {
    "user": "User",
    "order": "Order",
    "cart": "Cart",
    "product": "Product",
    "shipment": "Shipment",
    "ticket": "Ticket",
    "card": "GiftCard",
    "membership": "Membership",
    "address": "Address",
    "query": "str",
    "results": "list[Product]",
    "filters": "dict[str, str]",
    "quantity": "int",
    "reason": "str",
    "rating": "int",
    "points": "int",
    "step": "int",
    "position": "int",
    "referrer": "str | None",
    "wishlist_id": "str",
    "target_price": "float",
    "has_photos": "bool",
}
MODEL_CLASSES = [
    "User",
    "Order",
    "Cart",
    "Product",
    "Shipment",
    "Ticket",
    "GiftCard",
    "Membership",
    "Address",
]

# ProductEvents (shopfront/telemetry.py): one method per event. (method, event, object params,
# [(enum param, prop)], fixed props: prop -> expression)
METHODS = [
    (
        "checkout_started",
        "Checkout Started",
        ["cart"],
        [("source", "source")],
        {"cart_id": "cart.id", "value": "cart.value"},
    ),
    (
        "order_completed",
        "Order Completed",
        ["order"],
        [],
        {"order_id": "order.id", "total": "order.total", "currency": "order.currency"},
    ),
    (
        "order_refunded",
        "Order Refunded",
        ["order"],
        [("reason", "reason")],
        {"order_id": "order.id", "amount": "order.refunded_total"},
    ),
    (
        "shipment_dispatched",
        "Shipment Dispatched",
        ["shipment"],
        [("carrier", "carrier")],
        {"order_id": "shipment.order_id", "tracking_number": "shipment.tracking_number"},
    ),
    (
        "review_submitted",
        "Review Submitted",
        ["product"],
        [("rating", "rating")],
        {"product_id": "product.id"},
    ),
    (
        "ticket_opened",
        "Support Ticket Opened",
        ["ticket"],
        [("channel", "channel")],
        {"ticket_id": "ticket.id", "priority": "ticket.priority"},
    ),
    (
        "membership_started",
        "Membership Started",
        ["membership"],
        [("tier", "tier"), ("interval", "billing_interval")],
        {"price": "membership.price"},
    ),
    (
        "product_viewed",
        "Product Viewed",
        ["product"],
        [],
        {"product_id": "product.id", "price": "product.price"},
    ),
]

# --------------------------------------------------------------------------------------------
# Vocabulary for ordinary code
# --------------------------------------------------------------------------------------------

DOMAINS = [
    "catalog",
    "pricing",
    "inventory",
    "checkout",
    "orders",
    "payments",
    "shipping",
    "returns",
    "customers",
    "loyalty",
    "marketing",
    "search",
    "reviews",
    "support",
    "fulfillment",
    "warehouse",
    "suppliers",
    "merchandising",
    "promotions",
    "notifications",
    "reporting",
    "accounts",
    "giftcards",
    "subscriptions",
    "storefront",
    "integrations",
    "compliance",
    "fraud",
    "taxes",
    "media",
]
SUBPACKAGES = ["domain", "services", "api", "utils", "adapters", "tasks", "views", "jobs"]
# Imports only go down: views/api/tasks/jobs -> services/adapters -> domain/utils.
LAYERS = {
    "domain": 0,
    "utils": 0,
    "services": 1,
    "adapters": 1,
    "api": 2,
    "views": 2,
    "tasks": 2,
    "jobs": 2,
}
NOUNS = [
    "invoice",
    "shipment",
    "carrier",
    "parcel",
    "coupon",
    "ledger",
    "tenant",
    "pallet",
    "sku",
    "basket",
    "refund",
    "payout",
    "listing",
    "review",
    "ticket",
    "schedule",
    "quota",
    "route",
    "region",
    "discount",
    "batch",
    "report",
    "widget",
    "feed",
    "banner",
    "voucher",
    "supplier",
    "bundle",
    "category",
    "variant",
    "price",
    "stock",
    "customer",
    "address",
    "payment",
    "receipt",
    "label",
    "manifest",
    "slot",
    "promo",
    "campaign",
    "locale",
    "margin",
    "fee",
    "rebate",
    "storefront",
    "vendor_order",
    "warranty",
    "claim",
    "bin",
    "zone",
    "lane",
    "dock",
    "cutoff",
    "rate_card",
    "tariff",
    "duty",
    "hold",
    "dispute",
    "chargeback",
    "allocation",
    "reservation",
    "backorder",
    "substitution",
    "markdown",
    "assortment",
    "planogram",
    "rollout",
    "channel",
    "feedback",
    "survey",
    "audit",
    "document",
    "image",
    "thumbnail",
    "attribute",
    "facet",
    "synonym",
    "redirect",
    "sitemap",
    "session",
    "token",
]
MOD_SUFFIXES = [
    "service",
    "rules",
    "models",
    "handlers",
    "client",
    "tasks",
    "views",
    "utils",
    "validators",
    "serializers",
    "repository",
    "queries",
    "forms",
    "schemas",
    "helpers",
    "mappers",
    "policies",
    "builders",
    "importer",
    "exporter",
    "cache",
    "scheduler",
    "pipeline",
    "reports",
    "filters",
    "adapters",
    "signals",
    "commands",
    "workflows",
    "calculator",
    "resolver",
    "matcher",
    "store",
    "registry",
    "loader",
    "formatter",
]
VERBS = [
    "load",
    "build",
    "compute",
    "normalize",
    "validate",
    "render",
    "merge",
    "resolve",
    "apply",
    "sync",
    "fetch",
    "export",
    "split",
    "format",
    "parse",
    "score",
    "rank",
    "filter",
    "group",
    "summarize",
    "reconcile",
    "allocate",
    "plan",
    "estimate",
    "refresh",
    "prune",
    "collect",
    "dispatch",
    "serialize",
    "enrich",
    "expire",
    "archive",
    "rebuild",
    "check",
    "select",
]
ADJECTIVES = [
    "pending",
    "active",
    "archived",
    "draft",
    "expired",
    "blocked",
    "settled",
    "partial",
    "queued",
    "failed",
    "complete",
    "stale",
]
FIELDS = [
    ("name", "str", '""'),
    ("amount", "Decimal", 'Decimal("0")'),
    ("quantity", "int", "0"),
    ("active", "bool", "True"),
    ("tags", "list[str]", "field(default_factory=list)"),
    ("created", "datetime", "field(default_factory=_utcnow)"),
    ("notes", "str | None", "None"),
    ("weight_kg", "float", "0.0"),
    ("priority", "int", "1"),
    ("currency", "str", '"USD"'),
    ("region", "str", '"eu-west-1"'),
    ("metadata", "dict[str, str]", "field(default_factory=dict)"),
    ("status", "str", '"pending"'),
    ("owner_id", "int | None", "None"),
    ("version", "int", "1"),
]
DOC_SUBJECTS = [
    "Rules for",
    "Helpers around",
    "Persistence for",
    "Background jobs for",
    "HTTP handlers for",
    "Validation of",
    "Import and export of",
    "Caching layer for",
    "Domain logic of",
    "Adapters between the storefront and",
]

STDLIB = {
    "json": "import json",
    "logging": "import logging",
    "re": "import re",
    "itertools": "import itertools",
    "hashlib": "import hashlib",
    "asyncio": "import asyncio",
    "csv": "import csv",
    "time": "import time",
    "dataclass": "from dataclasses import dataclass, field",
    "datetime": "from datetime import datetime, timedelta, timezone",
    "Decimal": "from decimal import Decimal, ROUND_HALF_UP",
    "defaultdict": "from collections import Counter, defaultdict",
    "Enum": "from enum import Enum",
    "typing": "from typing import Any",
    "abc": "from collections.abc import Iterable, Iterator",
    "lru_cache": "from functools import lru_cache",
    "Path": "from pathlib import Path",
}


class Namer:
    """Unique identifiers within one module."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def take(self, name: str) -> str:
        base, n = name, 2
        while name in self.used:
            name = f"{base}_{n}"
            n += 1
        self.used.add(name)
        return name

    def func(self, noun: str | None = None) -> str:
        return self.take(f"{self.rng.choice(VERBS)}_{noun or self.rng.choice(NOUNS)}")

    def cls(self, noun: str, suffix: str) -> str:
        return self.take("".join(w.capitalize() for w in noun.split("_")) + suffix)


@dataclass
class Chunk:
    lines: list[str]
    imports: set[str] = field(default_factory=set)  # keys of STDLIB, or raw import lines
    exports: list[str] = field(
        default_factory=list
    )  # functions f(payload) other modules may import
    planted: list[tuple[int, str]] = field(default_factory=list)  # (0-based line in chunk, code)


def title(noun: str) -> str:
    return noun.replace("_", " ")


def camel(noun: str) -> str:
    return "".join(w.capitalize() for w in noun.split("_"))


# --------------------------------------------------------------------------------------------
# Ordinary code blocks
# --------------------------------------------------------------------------------------------


def block_constants(rng: random.Random, nm: Namer, noun: str) -> Chunk:
    up = noun.upper()
    lines = [
        f"{nm.take(f'DEFAULT_{up}_TIMEOUT')} = {rng.choice([5, 10, 30, 60, 120])}",
        f"{nm.take(f'MAX_{up}_RETRIES')} = {rng.randint(2, 8)}",
        f"{nm.take(f'{up}_STATUSES')} = ({', '.join(json.dumps(a) for a in rng.sample(ADJECTIVES, 4))})",
    ]
    if rng.random() < 0.5:
        lines.append(f"{nm.take(f'{up}_PAGE_SIZE')} = {rng.choice([25, 50, 100, 250, 500])}")
    return Chunk(lines)


def block_table(rng: random.Random, nm: Namer, noun: str) -> Chunk:
    name = nm.take(
        f"{noun.upper()}_{rng.choice(['RATES', 'LIMITS', 'DEFAULTS', 'THRESHOLDS', 'WEIGHTS'])}"
    )
    keys = rng.sample(
        [
            "standard",
            "express",
            "economy",
            "priority",
            "bulk",
            "international",
            "domestic",
            "oversize",
            "fragile",
            "digital",
            "pickup",
            "freight",
        ],
        rng.randint(4, 9),
    )
    lines = [f"{name} = {{"]
    for k in keys:
        lines.append(
            f'    "{k}": {{"base": {rng.randint(1, 40)}.{rng.randint(0, 99):02d}, '
            f'"per_unit": {rng.randint(0, 9)}.{rng.randint(0, 99):02d}, "max_days": {rng.randint(1, 21)}}},'
        )
    lines.append("}")
    return Chunk(lines)


def block_dataclass(rng: random.Random, nm: Namer, noun: str) -> Chunk:
    cls = nm.cls(noun, rng.choice(["", "Record", "Row", "Snapshot", "Entry", "Line"]))
    fields = rng.sample(FIELDS, rng.randint(3, 7))
    imports = {"dataclass"}
    lines = [
        "@dataclass",
        f"class {cls}:",
        f'    """One {title(noun)} as stored by this module."""',
        "",
        "    id: str",
    ]
    for fname, ftype, default in fields:
        lines.append(f"    {fname}: {ftype} = {default}")
        if "Decimal" in ftype:
            imports.add("Decimal")
        if "datetime" in ftype:
            imports.add("datetime")
            imports.add("_utcnow")
    lines += ["", "    @property", "    def is_empty(self) -> bool:"]
    simple = [
        f for f in fields if f[1] in ("int", "float", "Decimal", "list[str]", "dict[str, str]")
    ]
    if simple:
        lines.append("        return " + " and ".join(f"not self.{f[0]}" for f in simple[:2]))
    else:
        lines.append("        return not self.id")
    lines += [
        "",
        "    def to_dict(self) -> dict[str, object]:",
        "        return {",
        '            "id": self.id,',
    ]
    for fname, ftype, _ in fields:
        if ftype == "datetime":
            value = f"self.{fname}.isoformat()"
        elif ftype == "Decimal":
            value = f"str(self.{fname})"
        elif ftype.startswith(("list", "dict")):
            value = f"{ftype.split('[')[0]}(self.{fname})"
        else:
            value = f"self.{fname}"
        lines.append(f'            "{fname}": {value},')
    lines += ["        }"]
    if rng.random() < 0.5:
        lines += [
            "",
            "    @classmethod",
            f"    def from_dict(cls, data: dict[str, Any]) -> {cls}:",
            "        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}",
            "        return cls(**known)",
        ]
        imports.add("typing")
    return Chunk(lines, imports)


def block_service(rng: random.Random, nm: Namer, noun: str) -> Chunk:
    cls = nm.cls(noun, rng.choice(["Service", "Manager", "Repository", "Gateway", "Registry"]))
    lines = [
        f"class {cls}:",
        f'    """Loads, caches and refreshes {title(noun)}s."""',
        "",
        "    def __init__(self, backend: Any, cache: dict[str, Any] | None = None) -> None:",
        "        self.backend = backend",
        "        self.cache = cache if cache is not None else {}",
        "        self._hits = 0",
        "        self._misses = 0",
        "",
        "    def get(self, key: str) -> Any:",
        "        if key in self.cache:",
        "            self._hits += 1",
        "            return self.cache[key]",
        "        self._misses += 1",
        "        value = self.backend.load(key)",
        "        self.cache[key] = value",
        "        return value",
        "",
        "    def refresh(self, keys: Iterable[str]) -> int:",
        '        """Reload ``keys`` from the backend; return how many changed."""',
        "        changed = 0",
        "        for key in keys:",
        "            try:",
        "                fresh = self.backend.load(key)",
        "            except KeyError:",
        f'                log.warning("{title(noun)} %s disappeared", key)',
        "                self.cache.pop(key, None)",
        "                continue",
        "            if self.cache.get(key) != fresh:",
        "                self.cache[key] = fresh",
        "                changed += 1",
        "        return changed",
    ]
    if rng.random() < 0.6:
        lines += [
            "",
            "    @property",
            "    def hit_ratio(self) -> float:",
            "        total = self._hits + self._misses",
            "        return self._hits / total if total else 0.0",
        ]
    if rng.random() < 0.5:
        lines += [
            "",
            f"    def {rng.choice(['evict', 'drop', 'forget'])}_{rng.choice(ADJECTIVES)}(self, predicate: Any) -> list[str]:",
            "        stale = [key for key, value in self.cache.items() if predicate(value)]",
            "        for key in stale:",
            "            del self.cache[key]",
            "        return stale",
        ]
    return Chunk(lines, {"typing", "abc"})


def block_aggregate(rng: random.Random, nm: Namer, noun: str) -> Chunk:
    fn = nm.func(noun + "s")
    key = rng.choice(["region", "status", "currency", "category", "channel", "owner"])
    lines = [
        f"def {fn}(items: list[dict[str, Any]], threshold: float = {rng.randint(0, 5)}.{rng.randint(0, 9)}) -> dict[str, float]:",
        f'    """Total amount per {key}, largest first, ignoring {title(noun)}s under ``threshold``."""',
        "    totals: dict[str, float] = defaultdict(float)",
        "    skipped = 0",
        "    for item in items:",
        f'        key = str(item.get("{key}", "unknown"))',
        '        value = float(item.get("amount", 0) or 0)',
        "        if value < threshold:",
        "            skipped += 1",
        "            continue",
        "        totals[key] += value",
        "    if skipped:",
        f'        log.debug("skipped %d small {title(noun)}s", skipped)',
        "    return dict(sorted(totals.items(), key=lambda kv: kv[1], reverse=True))",
    ]
    return Chunk(lines, {"defaultdict", "typing", "abc"})


def block_classify(rng: random.Random, nm: Namer, noun: str) -> Chunk:
    fn = nm.take(f"classify_{noun}")
    bounds = sorted(rng.sample(range(1, 1000), rng.randint(3, 6)))
    labels = ["tiny", "small", "medium", "large", "huge", "extreme", "bulk"]
    lines = [f"def {fn}(value: float) -> str:"]
    for i, b in enumerate(bounds):
        lines.append(f"    {'if' if i == 0 else 'elif'} value < {b}:")
        lines.append(f'        return "{labels[i]}"')
    lines.append(f'    return "{labels[len(bounds)]}"')
    return Chunk(lines)


def block_parse(rng: random.Random, nm: Namer, noun: str) -> Chunk:
    pat = nm.take(f"_{noun.upper()}_PATTERN")
    fn = nm.take(f"parse_{noun}_codes")
    lines = [
        f'{pat} = re.compile(r"^[A-Z]{{{rng.randint(2, 3)}}}-\\d{{{rng.randint(3, 5)},{rng.randint(6, 9)}}}$")',
        "",
        "",
        f"def {fn}(raw: str) -> list[str]:",
        f'    """Split a comma-separated list of {title(noun)} codes, dropping the malformed ones."""',
        '    codes = [part.strip().upper() for part in raw.split(",") if part.strip()]',
        f"    valid = [code for code in codes if {pat}.match(code)]",
        "    if len(valid) != len(codes):",
        '        log.info("dropped %d invalid codes", len(codes) - len(valid))',
        "    return valid",
    ]
    return Chunk(lines, {"re"})


def block_load(rng: random.Random, nm: Namer, noun: str) -> Chunk:
    fn = nm.take(f"load_{noun}_snapshot")
    lines = [
        f"def {fn}(path: str | Path) -> list[dict[str, Any]]:",
        f'    """Rows of a {title(noun)} snapshot written by the nightly export."""',
        '    with open(path, encoding="utf-8") as handle:',
        "        data = json.load(handle)",
        '    rows = data.get("rows", [])',
        f'    if data.get("version", 1) > {rng.randint(2, 4)}:',
        '        raise ValueError(f"unsupported snapshot version in {path}")',
        '    return [row for row in rows if row.get("active", True)]',
    ]
    if rng.random() < 0.5:
        fn2 = nm.take(f"write_{noun}_csv")
        lines += [
            "",
            "",
            f"def {fn2}(rows: list[dict[str, Any]], path: str | Path) -> int:",
            "    if not rows:",
            "        return 0",
            '    with open(path, "w", newline="", encoding="utf-8") as handle:',
            "        writer = csv.DictWriter(handle, fieldnames=sorted(rows[0]))",
            "        writer.writeheader()",
            "        for row in rows:",
            "            writer.writerow(row)",
            "    return len(rows)",
        ]
        return Chunk(lines, {"json", "Path", "typing", "csv"})
    return Chunk(lines, {"json", "Path", "typing"})


def block_export(rng: random.Random, nm: Namer, noun: str) -> Chunk:
    """A function other modules import: ``f(payload) -> dict``."""
    fn = nm.take(
        f"{rng.choice(['summarize', 'describe', 'score', 'price', 'check', 'digest'])}_{noun}"
    )
    style = rng.randrange(3)
    lines = [
        f"def {fn}(payload: dict[str, Any]) -> dict[str, Any]:",
        f'    """{rng.choice(DOC_SUBJECTS)} {title(noun)} payloads coming from the API."""',
    ]
    if style == 0:
        lines += [
            '    items = payload.get("items", [])',
            '    total = sum(float(item.get("amount", 0)) for item in items)',
            f'    return {{"count": len(items), "total": round(total, 2), "kind": "{noun}"}}',
        ]
    elif style == 1:
        lines += [
            f"    digest = hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:{rng.randint(8, 16)}]",
            '    return {"digest": digest, "keys": sorted(payload)}',
        ]
    else:
        lines += [
            "    score = 0.0",
            '    for key, weight in (("recent", 3.0), ("frequent", 2.0), ("large", 1.5)):',
            "        if payload.get(key):",
            "            score += weight",
            f'    return {{"score": min(score / {rng.randint(5, 9)}.0, 1.0), "kind": "{noun}"}}',
        ]
    imports = {"typing", "abc"} | ({"hashlib", "json"} if style == 1 else set())
    return Chunk(lines, imports, exports=[fn])


def block_pipeline(rng: random.Random, nm: Namer, noun: str, imported: list[str]) -> Chunk:
    fn = nm.take(f"run_{noun}_pipeline")
    lines = [
        f"def {fn}(payload: dict[str, Any]) -> dict[str, Any]:",
        f'    """Every {title(noun)} check, in order; the first failure wins."""',
        "    result = dict(payload)",
    ]
    for name in imported:
        lines.append(f'    result["{name}"] = {name}(payload)')
    lines += ['    result["checked_at"] = time.time()', "    return result"]
    return Chunk(lines, {"typing", "time"})


def block_enum(rng: random.Random, nm: Namer, noun: str) -> Chunk:
    cls = nm.cls(noun, "Status")
    values = rng.sample(ADJECTIVES, rng.randint(3, 6))
    lines = [f"class {cls}(str, Enum):"]
    lines += [f'    {v.upper()} = "{v}"' for v in values]
    lines += [
        "",
        "    @property",
        "    def is_final(self) -> bool:",
        f"        return self in ({', '.join(f'{cls}.{v.upper()}' for v in values[:2])})",
    ]
    return Chunk(lines, {"Enum"})


def block_batches(rng: random.Random, nm: Namer, noun: str) -> Chunk:
    fn = nm.take(f"iter_{noun}_batches")
    lines = [
        f"def {fn}(items: Iterable[Any], size: int = {rng.choice([50, 100, 200, 500])}) -> Iterator[list[Any]]:",
        '    """Yield lists of at most ``size`` items, in order."""',
        "    iterator = iter(items)",
        "    while True:",
        "        batch = list(itertools.islice(iterator, size))",
        "        if not batch:",
        "            return",
        "        yield batch",
    ]
    return Chunk(lines, {"typing", "abc", "itertools"})


def block_money(rng: random.Random, nm: Namer, noun: str) -> Chunk:
    fn = nm.take(f"{noun}_total")
    lines = [
        f'def {fn}(lines: list[dict[str, Any]], tax_rate: Decimal = Decimal("0.{rng.randint(5, 25):02d}")) -> Decimal:',
        '    subtotal = Decimal("0")',
        "    for line in lines:",
        '        price = Decimal(str(line.get("price", "0")))',
        '        quantity = int(line.get("quantity", 1))',
        '        if line.get("discount"):',
        '            price -= price * Decimal(str(line["discount"]))',
        "        subtotal += price * quantity",
        "    total = subtotal * (1 + tax_rate)",
        '    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)',
    ]
    return Chunk(lines, {"Decimal", "typing"})


def block_dates(rng: random.Random, nm: Namer, noun: str) -> Chunk:
    fn = nm.take(f"{noun}_due_dates")
    lines = [
        f"def {fn}(start: datetime, count: int, every_days: int = {rng.randint(1, 30)}) -> list[datetime]:",
        "    if start.tzinfo is None:",
        "        start = start.replace(tzinfo=timezone.utc)",
        "    return [start + timedelta(days=every_days * i) for i in range(count)]",
    ]
    return Chunk(lines, {"datetime"})


def block_async(rng: random.Random, nm: Namer, noun: str) -> Chunk:
    fn = nm.take(f"fetch_{noun}s_concurrently")
    lines = [
        f"async def {fn}(client: Any, ids: list[str], limit: int = {rng.randint(2, 16)}) -> dict[str, Any]:",
        f'    """Fetch many {title(noun)}s, at most ``limit`` requests at a time."""',
        "    semaphore = asyncio.Semaphore(limit)",
        "",
        "    async def one(item_id: str) -> tuple[str, Any]:",
        "        async with semaphore:",
        f'            return item_id, await client.get(f"/{noun}s/{{item_id}}")',
        "",
        "    pairs = await asyncio.gather(*(one(i) for i in ids))",
        "    return dict(pairs)",
    ]
    return Chunk(lines, {"asyncio", "typing"})


def block_counter(rng: random.Random, nm: Namer, noun: str) -> Chunk:
    fn = nm.take(f"top_{noun}_{rng.choice(['reasons', 'sources', 'errors', 'owners'])}")
    lines = [
        f"def {fn}(events: Iterable[dict[str, Any]], n: int = {rng.randint(3, 20)}) -> list[tuple[str, int]]:",
        '    counts = Counter(str(e.get("reason") or "other") for e in events)',
        "    return counts.most_common(n)",
    ]
    return Chunk(lines, {"defaultdict", "typing", "abc"})


def block_cached(rng: random.Random, nm: Namer, noun: str) -> Chunk:
    fn = nm.take(f"{noun}_lookup_table")
    keys = rng.sample(
        [
            "AT",
            "BE",
            "CH",
            "DE",
            "DK",
            "ES",
            "FI",
            "FR",
            "GB",
            "IE",
            "IT",
            "NL",
            "NO",
            "PL",
            "PT",
            "SE",
            "US",
            "CA",
        ],
        6,
    )
    lines = [
        f"@lru_cache(maxsize={rng.choice([32, 128, 1024])})",
        f"def {fn}(country: str) -> dict[str, float]:",
        "    table = {",
    ]
    lines += [f'        "{k}": {rng.randint(0, 30)}.{rng.randint(0, 9)},' for k in keys]
    lines += ["    }", "    return {k: v for k, v in table.items() if k != country}"]
    return Chunk(lines, {"lru_cache"})


ORDINARY_BLOCKS = [
    block_constants,
    block_table,
    block_dataclass,
    block_service,
    block_aggregate,
    block_classify,
    block_parse,
    block_load,
    block_export,
    block_enum,
    block_batches,
    block_money,
    block_dates,
    block_async,
    block_counter,
    block_cached,
]
ORDINARY_WEIGHTS = [4, 4, 8, 7, 6, 4, 4, 4, 8, 3, 3, 4, 3, 2, 3, 3]


# --------------------------------------------------------------------------------------------
# Modules that use "track" and "identify" as ordinary words
# --------------------------------------------------------------------------------------------


def word_chunks(rng: random.Random, nm: Namer, kind: str) -> list[Chunk]:
    if kind == "shipkit":
        fn = nm.take("refresh_parcel_status")
        return [
            Chunk(
                [
                    'carrier_api = Carrier(api_key=settings.SHIPKIT_API_KEY, account="shopfront-eu")',
                ],
                {"from shipkit import Carrier", "from shopfront import settings"},
            ),
            Chunk(
                [
                    f"def {fn}(shipment_ids: list[str]) -> dict[str, str]:",
                    '    """Poll the carrier for every open shipment; the webhook misses about 1%."""',
                    "    statuses = {}",
                    "    for shipment_id in shipment_ids:",
                    "        shipment = carrier_api.shipment(shipment_id)",
                    "        status = shipment.track(include_events=True)",
                    "        statuses[shipment_id] = status.code",
                    "    return statuses",
                ]
            ),
        ]
    if kind == "facekit":
        fn = nm.take("check_badge_photo")
        return [
            Chunk(
                [
                    'face = FaceRecognizer.load("models/faces-v4.onnx")',
                ],
                {"from facekit import FaceRecognizer"},
            ),
            Chunk(
                [
                    f"def {fn}(employee_id: str, image: bytes) -> bool:",
                    '    """Warehouse badges: the photo must show the employee it is issued to."""',
                    "    match = face.identify(image)",
                    "    if match is None:",
                    "        return False",
                    "    return match.person_id == employee_id",
                ]
            ),
        ]
    if kind == "local_track":
        fn = nm.take("recalculate_basket")
        return [
            Chunk(
                [
                    "_counters: dict[str, float] = defaultdict(float)",
                ],
                {"defaultdict"},
            ),
            Chunk(
                [
                    "def track(metric: str, value: float = 1.0, **tags: str) -> None:",
                    '    """Count ``metric`` locally; the exporter flushes the counters every minute."""',
                    '    suffix = "".join(f".{k}_{v}" for k, v in sorted(tags.items()))',
                    "    _counters[metric + suffix] += value",
                ]
            ),
            Chunk(
                [
                    f"def {fn}(lines: list[dict[str, Any]], region: str) -> float:",
                    '    total = sum(float(line.get("price", 0)) * int(line.get("quantity", 1)) for line in lines)',
                    '    track("basket.recalculated", len(lines), region=region)',
                    "    return round(total, 2)",
                ],
                {"typing", "abc"},
            ),
        ]
    if kind == "method_track":
        cls = nm.take("ParcelWatcher")
        return [
            Chunk(
                [
                    f"class {cls}:",
                    '    """Watches parcels until they are delivered."""',
                    "",
                    "    def __init__(self, parcels: list[Any]) -> None:",
                    "        self.parcels = parcels",
                    "        self.delivered: set[str] = set()",
                    "",
                    "    def track(self, parcel_id: str) -> None:",
                    "        self.parcels.append(parcel_id)",
                    "",
                    "    def identify(self, barcode: str) -> str | None:",
                    "        for parcel in self.parcels:",
                    "            if str(parcel).endswith(barcode):",
                    "                return str(parcel)",
                    "        return None",
                    "",
                    "    def poll(self) -> int:",
                    "        for parcel_id in list(self.parcels):",
                    "            self.track(parcel_id)",
                    "        return len(self.parcels)",
                ],
                {"typing", "abc"},
            )
        ]
    if kind == "metrics":
        fn = nm.take("render_dashboard")
        return [
            Chunk(
                [
                    f"def {fn}(widgets: list[dict[str, Any]], host: str) -> list[str]:",
                    '    """Render the ops dashboard; counts go to StatsD through shopfront.metrics."""',
                    "    prefix = analytics.identify(host)",
                    "    rendered = []",
                    "    for widget in widgets:",
                    "        rendered.append(f\"{prefix}.{widget['name']}\")",
                    '        analytics.track("dashboard.widget_rendered", 1, kind=str(widget.get("kind")))',
                    "    return rendered",
                ],
                {"typing", "from shopfront.metrics import analytics"},
            )
        ]
    raise ValueError(kind)


WORD_KINDS = ["shipkit", "facekit", "local_track", "method_track", "metrics"]


def mention_chunk(rng: random.Random, nm: Namer) -> tuple[Chunk, str]:
    """A module that only mentions analytics (prefilter hit, nothing to check)."""
    if rng.random() < 0.5:
        name = nm.take("ANALYTICS_EXPORT_BUCKET")
        return Chunk([f'{name} = "s3://shopfront-analytics-exports/{rng.choice(NOUNS)}"']), ""
    return Chunk([]), " Rows also feed the analytics warehouse (nightly)."


# --------------------------------------------------------------------------------------------
# Modules that send events
# --------------------------------------------------------------------------------------------

VIOLATION_KINDS = [
    ("CIO001", "direct"),
    ("CIO002", "direct"),
    ("CIO004", "direct"),
    ("CIO005", "direct"),
    ("CIO006", "direct"),
    ("CIO003", "direct"),
    ("CIO001", "wrapper"),
    ("CIO002", "wrapper"),
    ("CIO004", "wrapper"),
    ("CIO005", "wrapper"),
    ("CIO006", "wrapper"),
    ("CIO003", "wrapper"),
    ("CIO006", "method"),
    ("CIO003", "method"),
    ("CIO004", "classic"),
    ("CIO005", "classic"),
    ("CIO001", "classic"),
    ("CIO002", "const"),
    ("CIO004", "local_dict"),
]
STYLES = ["cdp", "segment", "rudder", "classic_shared", "classic_local", "wrapper", "method"]
STYLE_WEIGHTS = [5, 2, 1, 2, 1, 5, 3]
CHANNEL_STYLE = {
    "direct": "cdp",
    "wrapper": "wrapper",
    "method": "method",
    "classic": "classic_shared",
    "const": "cdp",
    "local_dict": "cdp",
}


class SendModule:
    """Builds the event-sending functions of one module and remembers what they import."""

    def __init__(self, rng: random.Random, nm: Namer, styles: set[str]) -> None:
        self.rng = rng
        self.nm = nm
        self.styles = styles
        self.imports: set[str] = set()
        self.models: set[str] = set()
        self.module_chunks: list[Chunk] = []
        self.sdk = None
        if "cdp" in styles:
            self.sdk = "analytics"
            self.imports.add("from customerio import analytics")
        elif "segment" in styles:
            self.sdk = "analytics"
            self.imports.add("import segment.analytics as analytics")
        elif "rudder" in styles:
            self.sdk = "rudder_analytics"
            self.imports.add("import rudderstack.analytics as rudder_analytics")
        self.client = None
        if "classic_shared" in styles:
            self.client = "cio"
            self.imports.add("from shopfront.crm import cio")
        elif "classic_local" in styles:
            self.client = "customer_io"
            self.imports.add("import customerio")
            self.imports.add("from shopfront import settings")
            self.module_chunks.append(
                Chunk(
                    [
                        "customer_io = customerio.CustomerIO(",
                        "    settings.CIO_SITE_ID, settings.CIO_API_KEY, region=customerio.Regions.EU",
                        ")",
                    ]
                )
            )

    # --- pieces -----------------------------------------------------------------------------
    def event_expr(self, ev: EventSpec) -> str:
        forms = ["enum", "enum", "enum_value", "literal"] + (
            ["module_const", "name_const"] if ev.module_constant else []
        )
        form = self.rng.choice(forms)
        if form in ("enum", "enum_value"):
            self.imports.add("from shopfront.events import Event")
            return f"Event.{ev.const}" + (".value" if form == "enum_value" else "")
        if form == "module_const":
            self.imports.add("from shopfront import events")
            return f"events.{ev.const}"
        if form == "name_const":
            self.imports.add(f"from shopfront.events import {ev.const}")
            return ev.const
        return json.dumps(ev.name)

    def value(self, prop: Prop, needs: list[str]) -> str:
        use_literal = prop.expr is None or (prop.literals and self.rng.random() < 0.35)
        if use_literal and prop.literals:
            return self.rng.choice(prop.literals)
        for v in prop.needs:
            if v not in needs:
                needs.append(v)
        return prop.expr  # type: ignore[return-value]

    def valid_props(
        self, ev: EventSpec, needs: list[str], drop: str | None = None
    ) -> list[tuple[str, str]]:
        chosen = [p for p in ev.props if p.name in ev.required or self.rng.random() < 0.5]
        return [(p.name, self.value(p, needs)) for p in chosen if p.name != drop]

    def signature(self, fn: str, needs: list[str], extra_first: tuple[str, ...] = ()) -> str:
        params = ["user"] + [v for v in needs if v != "user"]
        parts = []
        for v in params:
            t = VAR_TYPES[v]
            for m in MODEL_CLASSES:
                if re.search(rf"\b{m}\b", t):
                    self.models.add(m)
            parts.append(f"{v}: {t}")
        return f"def {fn}({', '.join(parts)}) -> None:"

    def preamble(self, ev: EventSpec, needs: list[str]) -> list[str]:
        """Some ordinary work before the event, using the parameters."""
        options = [
            [f'    log.info("{ev.name.lower()} for user %s", user.id)'],
            ["    if user.is_staff:", "        return"],
            [
                "    started = time.monotonic()",
                '    log.debug("took %.3fs", time.monotonic() - started)',
            ],
        ]
        if "order" in needs:
            options.append(
                [
                    "    if order.total is None:",
                    '        raise ValueError(f"order {order.id} has no total")',
                ]
            )
        if "cart" in needs:
            options.append(["    cart.touch()"])
        pick = self.rng.choice(options)
        if "time.monotonic" in pick[0]:
            self.imports.add("time")
        return pick

    def uid(self) -> str:
        return self.rng.choice(["user.id", "user.id", "str(user.id)"])

    # --- call shapes; each returns (lines, planted: [(line index, code)]) --------------------
    def direct_track(
        self,
        ev_src: str,
        props: list[tuple[str, str]],
        bad_key: dict[str, str],
        event_code: str | None = None,
        call_code: str | None = None,
        force_single: bool = False,
        uid: str | None = None,
    ) -> tuple[list[str], list[tuple[int, str]]]:
        """``bad_key``: prop name -> code reported at that key's line."""
        sdk, uid = self.sdk, uid or self.uid()
        planted: list[tuple[int, str]] = []
        shape = (
            "single"
            if force_single or not props
            else self.rng.choice(["single", "multi", "multi", "local"])
        )
        if shape == "single":
            body = ", ".join(f'"{k}": {v}' for k, v in props)
            line = f"    {sdk}.track({uid}, {ev_src}, {{{body}}})"
            for code in [event_code, call_code, *bad_key.values()]:
                if code:
                    planted.append((0, code))
            return [line], planted
        if shape == "local":
            lines = []
            first = [p for p in props if p[0] not in bad_key] or props[:1]
            rest = [p for p in props if p not in first]
            lines.append("    props = {" + ", ".join(f'"{k}": {v}' for k, v in first) + "}")
            for k, v in first:
                if k in bad_key:
                    planted.append((0, bad_key[k]))
            for k, v in rest:
                lines.append(f'    props["{k}"] = {v}')
                if k in bad_key:
                    planted.append((len(lines) - 1, bad_key[k]))
            lines.append(f"    {sdk}.track({uid}, {ev_src}, props)")
            if event_code:
                planted.append((len(lines) - 1, event_code))
            if call_code:
                planted.append((len(lines) - 1, call_code))
            return lines, planted
        head = [f"    {sdk}.track(", f"        {uid},", f"        {ev_src},", "        {"]
        return _multiline_call(head, props, bad_key, event_code, call_code)

    def classic_track(
        self,
        ev_src: str,
        props: list[tuple[str, str]],
        bad_key: dict[str, str],
        event_code: str | None = None,
        call_code: str | None = None,
    ) -> tuple[list[str], list[tuple[int, str]]]:
        cl = self.client
        planted: list[tuple[int, str]] = []
        if not props or self.rng.random() < 0.5:
            body = ", ".join(f'"{k}": {v}' for k, v in props)
            line = f"    {cl}.track(customer_id=user.id, name={ev_src}, data={{{body}}})"
            planted += [(0, c) for c in [event_code, call_code, *bad_key.values()] if c]
            return [line], planted
        head = [
            f"    {cl}.track(",
            "        customer_id=user.id,",
            f"        name={ev_src},",
            "        data={",
        ]
        return _multiline_call(head, props, bad_key, event_code, call_code)

    def wrapper_track(
        self,
        ev_src: str,
        props: list[tuple[str, str]],
        bad_key: dict[str, str],
        event_code: str | None = None,
        call_code: str | None = None,
        force_single: bool = False,
    ) -> tuple[list[str], list[tuple[int, str]]]:
        self.imports.add("from shopfront.telemetry import track_event")
        planted: list[tuple[int, str]] = []
        if force_single or self.rng.random() < 0.5:
            kws = "".join(f", {k}={v}" for k, v in props)
            planted += [(0, c) for c in [event_code, call_code, *bad_key.values()] if c]
            return [f"    track_event(user, {ev_src}{kws})"], planted
        lines = ["    track_event(", "        user,", f"        {ev_src},"]
        if event_code:
            planted.append((2, event_code))
        if call_code:
            planted.append((0, call_code))
        for k, v in props:
            lines.append(f"        {k}={v},")
            if k in bad_key:
                planted.append((len(lines) - 1, bad_key[k]))
        lines.append("    )")
        return lines, planted

    def method_call(self, method: tuple, needs: list[str], bad: str | None = None) -> str:
        self.imports.add("from shopfront.telemetry import product_events")
        name, event, objs, enum_params, _fixed = method
        ev = EVENT_BY_NAME[event]
        for o in objs:
            if o not in needs:
                needs.append(o)
        args = ["user", *objs]
        for i, (_param, prop) in enumerate(enum_params):
            p = ev.prop(prop)
            args.append(self.rng.choice(p.bad if (bad and i == 0) else p.literals))
        return f"    product_events.{name}({', '.join(args)})"

    def identify(self, style: str) -> str:
        traits = [("email", "user.email")]
        for k, v in self.rng.sample(
            [
                ("name", "user.full_name"),
                ("plan", json.dumps(self.rng.choice(PLANS))),
                ("created_at", "user.created_at"),
                ("country", '"US"'),
                ("loyalty_tier", "user.loyalty_tier"),
                ("marketing_opt_in", "user.opted_in"),
            ],
            self.rng.randint(1, 3),
        ):
            traits.append((k, v))
        if style == "wrapper":
            self.imports.add("from shopfront.telemetry import identify_user")
            return "    identify_user(user, " + ", ".join(f"{k}={v}" for k, v in traits) + ")"
        if style == "classic":
            return (
                f"    {self.client}.identify(id=user.id, "
                + ", ".join(f"{k}={v}" for k, v in traits)
                + ")"
            )
        return (
            f"    {self.sdk}.identify(user.id, {{"
            + ", ".join(f'"{k}": {v}' for k, v in traits)
            + "})"
        )

    # --- whole functions ------------------------------------------------------------------------
    def function(
        self,
        ev: EventSpec,
        body: list[str],
        planted: list[tuple[int, str]],
        needs: list[str],
        doc: str | None = None,
    ) -> Chunk:
        verb = self.rng.choice(["record", "on", "handle", "after", "report", "notify"])
        fn = self.nm.take(f"{verb}_{ev.const.lower()}")
        head = [self.signature(fn, needs)]
        if doc or self.rng.random() < 0.6:
            head.append(
                f'    """{doc or "Called once the " + ev.name.lower() + " step has been saved."}"""'
            )
        pre = self.preamble(ev, needs) if self.rng.random() < 0.7 else []
        lines = head + pre + body
        shift = len(head) + len(pre)
        return Chunk(lines, planted=[(i + shift, c) for i, c in planted])

    def valid_send(self) -> Chunk:
        styles = sorted(self.styles)
        style = self.rng.choice(styles)
        needs: list[str] = []
        if style == "method":
            method = self.rng.choice(METHODS)
            line = self.method_call(method, needs)
            return self.function(EVENT_BY_NAME[method[1]], [line], [], needs)
        ev = self.rng.choice(EVENTS)
        props = self.valid_props(ev, needs)
        if style == "wrapper":
            lines, _ = self.wrapper_track(self.event_expr(ev), props, {})
        elif style in ("classic_shared", "classic_local"):
            lines, _ = self.classic_track(self.event_expr(ev), props, {})
        else:
            lines, _ = self.direct_track(self.event_expr(ev), props, {})
        return self.function(ev, lines, [], needs)

    def valid_signup(self) -> Chunk:
        """identify, then track: the order Customer.io wants."""
        needs: list[str] = []
        ev = EVENT_BY_NAME["Signed Up"]
        style = self.rng.choice(sorted(self.styles))
        if style in ("wrapper", "method"):
            ident = self.identify("wrapper")
            track, _ = self.wrapper_track(
                self.event_expr(ev), self.valid_props(ev, needs), {}, force_single=True
            )
        elif style in ("classic_shared", "classic_local"):
            ident = self.identify("classic")
            track, _ = self.classic_track(self.event_expr(ev), self.valid_props(ev, needs), {})
        else:
            ident = self.identify("direct")
            track, _ = self.direct_track(
                self.event_expr(ev), self.valid_props(ev, needs), {}, force_single=True
            )
        return self.function(
            ev,
            [ident, *track],
            [],
            needs,
            doc="The profile exists (with its email) before the event.",
        )

    def violation(self, code: str, channel: str) -> Chunk:
        rng = self.rng
        needs: list[str] = []
        if channel == "method":
            if code == "CIO006":
                method = rng.choice([m for m in METHODS if m[3]])
                line = self.method_call(method, needs, bad="yes")
                return self.function(EVENT_BY_NAME[method[1]], [line], [(0, "CIO006")], needs)
            method = rng.choice(METHODS)  # CIO003: tracked, then identified
            line = self.method_call(method, needs)
            return self.function(
                EVENT_BY_NAME[method[1]], [line, self.identify("wrapper")], [(0, "CIO003")], needs
            )
        if channel == "const":
            const, _ = rng.choice(sorted(LEGACY_CONSTANTS.items()))
            ev = EVENT_BY_NAME["Cart Viewed" if const.startswith("CART") else "Order Completed"]
            if rng.random() < 0.5:
                self.imports.add("from shopfront import events")
                src = f"events.{const}"
            else:
                self.imports.add(f"from shopfront.events import {const}")
                src = const
            # reported once, at the constant's definition (SPEC §2): marked here, moved there
            lines, planted = self.direct_track(
                src, self.valid_props(ev, needs), {}, event_code=f"CIO002@{const}"
            )
            return self.function(ev, lines, planted, needs)
        if channel == "local_dict":
            ev = rng.choice([e for e in EVENTS if e.required])
            props = self.valid_props(ev, needs) + [
                (rng.choice(["utm_source", "experiment", "ab_bucket"]), '"spring"')
            ]
            lines = [
                "    props = {" + ", ".join(f'"{k}": {v}' for k, v in props[:-1]) + "}",
                f'    props["{props[-1][0]}"] = {props[-1][1]}',
                f"    {self.sdk}.track({self.uid()}, {self.event_expr(ev)}, props)",
            ]
            return self.function(ev, lines, [(1, "CIO004")], needs)

        # direct, wrapper, classic
        def send(ev_src, props, bad_key, event_code=None, call_code=None, single=False):
            if channel == "wrapper":
                return self.wrapper_track(
                    ev_src, props, bad_key, event_code, call_code, force_single=single
                )
            if channel == "classic":
                return self.classic_track(ev_src, props, bad_key, event_code, call_code)
            return self.direct_track(
                ev_src, props, bad_key, event_code, call_code, force_single=single
            )

        if code == "CIO001":
            ev = rng.choice(EVENTS)
            name = rng.choice(UNPLANNED) if rng.random() < 0.5 else typo(rng, ev.name)
            lines, planted = send(
                json.dumps(name), self.valid_props(ev, needs), {}, event_code="CIO001"
            )
        elif code == "CIO002":
            ev = rng.choice(EVENTS)
            lines, planted = send(
                json.dumps(case_variant(rng, ev.name)),
                self.valid_props(ev, needs),
                {},
                event_code="CIO002",
            )
        elif code == "CIO004":
            ev = rng.choice(EVENTS)
            extra = rng.choice(
                ["source_page", "campaign", "utm_medium", "experiment_id", "locale", "device"]
            )
            props = self.valid_props(ev, needs)
            props.insert(
                rng.randint(0, len(props)),
                (extra, json.dumps(rng.choice(["home", "spring", "b", "de-DE"]))),
            )
            lines, planted = send(self.event_expr(ev), props, {extra: "CIO004"})
        elif code == "CIO005":
            ev = rng.choice([e for e in EVENTS if e.required])
            missing = rng.choice(ev.required)
            lines, planted = send(
                self.event_expr(ev),
                self.valid_props(ev, needs, drop=missing),
                {},
                call_code="CIO005",
            )
        elif code == "CIO006":
            ev = rng.choice([e for e in EVENTS if any(p.bad for p in e.props)])
            target = rng.choice([p for p in ev.props if p.bad])
            props = [(k, v) for k, v in self.valid_props(ev, needs) if k != target.name]
            props.insert(rng.randint(0, len(props)), (target.name, rng.choice(target.bad)))
            lines, planted = send(self.event_expr(ev), props, {target.name: "CIO006"})
        elif code == "CIO003":
            ev = rng.choice([e for e in EVENTS if e.name != "Signed Up"])
            lines, planted = send(
                self.event_expr(ev),
                self.valid_props(ev, needs),
                {},
                call_code="CIO003",
                single=True,
            )
            lines = lines + [self.identify("wrapper" if channel == "wrapper" else "direct")]
        else:
            raise ValueError(code)
        return self.function(ev, lines, planted, needs)


def _multiline_call(
    head: list[str],
    props: list[tuple[str, str]],
    bad_key: dict[str, str],
    event_code: str | None,
    call_code: str | None,
) -> tuple[list[str], list[tuple[int, str]]]:
    """A call over several lines: the callee (0), user (1), event name (2), properties from 3 on."""
    lines = list(head)
    planted: list[tuple[int, str]] = []
    if event_code:
        planted.append((2, event_code))
    if call_code:
        # CIO005 is about the properties argument (line 3); CIO003 about the call
        planted.append((3 if call_code == "CIO005" else 0, call_code))
    for k, v in props:
        lines.append(f'            "{k}": {v},')
        if k in bad_key:
            planted.append((len(lines) - 1, bad_key[k]))
    lines += ["        },", "    )"]
    return lines, planted


def typo(rng: random.Random, name: str) -> str:
    """A misspelling that is not a case/separator variant of any planned name."""
    planned = {normal(e.name) for e in EVENTS}
    for _ in range(100):
        chars = list(name)
        i = rng.randrange(1, len(chars))
        if chars[i] == " ":
            continue
        op = rng.randrange(3)
        if op == 0:
            del chars[i]
        elif op == 1 and i + 1 < len(chars) and chars[i + 1] != " ":
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars.insert(i, chars[i])
        out = "".join(chars)
        if normal(out) not in planned:
            return out
    return name + " Legacy"


def normal(name: str) -> str:
    return re.sub(r"[ _\-.]", "", name.lower())


def case_variant(rng: random.Random, name: str) -> str:
    options = [
        name.lower(),
        name.lower().replace(" ", "_"),
        name.replace(" ", ""),
        name.upper(),
        name.lower().replace(" ", "-"),
    ]
    return rng.choice([o for o in options if o != name])


# --------------------------------------------------------------------------------------------
# Fixed modules
# --------------------------------------------------------------------------------------------


def fixed_modules() -> dict[str, str]:
    files: dict[str, str] = {}
    files[f"{PKG}/__init__.py"] = (
        '"""Shopfront: the storefront, checkout and fulfilment backend."""\n\n__version__ = "7.3.1"\n'
    )
    files[f"{PKG}/settings.py"] = '''"""Settings from the environment (twelve-factor)."""

import os

CIO_SITE_ID = os.environ.get("CIO_SITE_ID", "")
CIO_API_KEY = os.environ.get("CIO_API_KEY", "")
CIO_WRITE_KEY = os.environ.get("CIO_WRITE_KEY", "")
CIO_HOST = os.environ.get("CIO_HOST", "https://cdp-eu.customer.io")
SEGMENT_WRITE_KEY = os.environ.get("SEGMENT_WRITE_KEY", "")
RUDDERSTACK_WRITE_KEY = os.environ.get("RUDDERSTACK_WRITE_KEY", "")
RUDDERSTACK_DATA_PLANE_URL = os.environ.get("RUDDERSTACK_DATA_PLANE_URL", "")
SHIPKIT_API_KEY = os.environ.get("SHIPKIT_API_KEY", "")
STATSD_HOST = os.environ.get("STATSD_HOST", "localhost")
DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://localhost/shopfront")
'''
    ev_lines = [
        '"""Event names, in one place, so that a typo is an import error rather than a new event.',
        "",
        "The module constants predate ``Event``; new code uses the enum.",
        '"""',
        "",
        "from enum import Enum",
        "",
    ]
    for e in EVENTS:
        if e.module_constant:
            ev_lines.append(f"{e.const} = {json.dumps(e.name)}")
    ev_lines += ["", "# Names the mobile app v3 still sends; kept until it is retired."]
    for const, value in sorted(LEGACY_CONSTANTS.items()):
        ev_lines.append(f"{const} = {json.dumps(value)}")
    ev_lines += ["", "", "class Event(str, Enum):"]
    for e in EVENTS:
        ev_lines.append(f"    {e.const} = {json.dumps(e.name)}")
    files[f"{PKG}/events.py"] = "\n".join(ev_lines) + "\n"

    model_lines = [
        '"""Domain objects (ORM models in production; plain dataclasses are enough here)."""',
        "",
        "from __future__ import annotations",
        "",
        "from dataclasses import dataclass, field",
        "from decimal import Decimal",
        "",
    ]
    model_fields = {
        "User": [
            "id: int",
            "email: str",
            'full_name: str = ""',
            "is_staff: bool = False",
            "mfa_enabled: bool = False",
            "created_at: int = 0",
            'loyalty_tier: str = "silver"',
            "loyalty_balance: int = 0",
            "opted_in: bool = False",
        ],
        "Order": [
            "id: str",
            "total: Decimal | None = None",
            'revenue: Decimal = Decimal("0")',
            'shipping_cost: Decimal = Decimal("0")',
            'tax: Decimal = Decimal("0")',
            'currency: str = "USD"',
            "coupon_code: str | None = None",
            'refunded_total: Decimal = Decimal("0")',
            "lines: list[dict[str, object]] = field(default_factory=list)",
        ],
        "Cart": [
            "id: str",
            'value: Decimal = Decimal("0")',
            'currency: str = "USD"',
            'channel: str = "web"',
            "coupon_code: str | None = None",
            'discount: Decimal = Decimal("0")',
            'shipping_method: str = "standard"',
            'payment_method: str = "card"',
            "lines: list[dict[str, object]] = field(default_factory=list)",
        ],
        "Product": ["id: str", "sku: str", 'price: Decimal = Decimal("0")', 'category: str = ""'],
        "Shipment": [
            "id: str",
            "order_id: str",
            'carrier: str = "ups"',
            'service: str = "standard"',
            'tracking_number: str = ""',
            "days_in_transit: int = 0",
        ],
        "Ticket": [
            "id: str",
            'channel: str = "email"',
            'priority: str = "normal"',
            "resolution_hours: float = 0.0",
            "satisfied: bool = True",
        ],
        "GiftCard": [
            "id: str",
            'amount: Decimal = Decimal("25")',
            'currency: str = "USD"',
            'delivery: str = "email"',
        ],
        "Membership": [
            "id: str",
            'tier: str = "silver"',
            'interval: str = "month"',
            'price: Decimal = Decimal("0")',
        ],
        "Address": ["id: str", 'country: str = "US"', "is_default: bool = False"],
    }
    for cls, fl in model_fields.items():
        model_lines += ["", "@dataclass", f"class {cls}:"] + [f"    {f}" for f in fl]
        if cls == "Cart":
            model_lines += [
                "",
                "    def touch(self) -> None:",
                '        self.value = sum((Decimal(str(line.get("price", 0))) for line in self.lines), Decimal("0"))',
            ]
        model_lines.append("")
    files[f"{PKG}/models.py"] = "\n".join(model_lines).rstrip() + "\n"

    files[
        f"{PKG}/crm.py"
    ] = '''"""The classic Customer.io Track API client, shared by the finance and CRM integrations."""

from customerio import CustomerIO, Regions

from shopfront import settings

cio = CustomerIO(settings.CIO_SITE_ID, settings.CIO_API_KEY, region=Regions.EU)
'''

    t = [
        '"""Product analytics: the one place web code sends events through.',
        "",
        "``track_event`` adds the app context and turns the user into the id Customer.io knows, so call",
        "sites only say *what* happened; ``ProductEvents`` has one method per event whose properties",
        "are easy to get wrong.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "import logging",
        "from typing import Any",
        "",
        "from customerio import analytics",
        "",
        "from shopfront import settings",
        "from shopfront.events import Event",
        f"from shopfront.models import {', '.join(sorted({VAR_TYPES[o] for m in METHODS for o in m[2]} | {'User'}))}",
        "",
        "log = logging.getLogger(__name__)",
        "",
        "analytics.write_key = settings.CIO_WRITE_KEY",
        "analytics.host = settings.CIO_HOST",
        "",
        'APP_CONTEXT = {"app": {"name": "shopfront", "version": "7.3.1"}}',
        "",
        "",
        "def track_event(user: User, name: str, **props: Any) -> None:",
        '    """Track ``name`` for ``user``; the keyword arguments are the event\'s properties."""',
        '    log.debug("track %s for user %s", name, user.id)',
        "    analytics.track(str(user.id), name, props, context=APP_CONTEXT)",
        "",
        "",
        "def identify_user(user: User, **traits: Any) -> None:",
        '    """Create or update the person in Customer.io; ``traits`` are their attributes."""',
        "    analytics.identify(str(user.id), traits, context=APP_CONTEXT)",
        "",
        "",
        "class ProductEvents:",
        '    """One method per event, so that call sites cannot get the properties wrong."""',
    ]
    for name, event, objs, enum_params, fixed in METHODS:
        ev = EVENT_BY_NAME[event]
        params = ["self", "user: User"] + [f"{o}: {VAR_TYPES[o]}" for o in objs]
        for param, prop in enum_params:
            params.append(
                f"{param}: {'int' if ev.prop(prop).schema.get('type') == 'integer' else 'str'}"
            )
        props = [f'"{k}": {v}' for k, v in fixed.items()] + [
            f'"{prop}": {param}' for param, prop in enum_params
        ]
        t += [
            "",
            f"    def {name}({', '.join(params)}) -> None:",
            f"        analytics.track(user.id, Event.{ev.const}, {{{', '.join(props)}}})",
        ]
    t += ["", "", "product_events = ProductEvents()"]
    files[f"{PKG}/telemetry.py"] = "\n".join(t) + "\n"

    files[f"{PKG}/metrics/__init__.py"] = (
        '"""Operational metrics (StatsD): latencies and counters for the ops dashboards."""\n'
    )
    files[f"{PKG}/metrics/analytics.py"] = '''"""Internal operational metrics (StatsD).

Not the Customer.io SDK: this is ``shopfront.metrics.analytics``, and its ``track`` sends a
counter to StatsD, never a message to Customer.io.
"""

from __future__ import annotations

from statsd import StatsClient

from shopfront import settings

_statsd = StatsClient(settings.STATSD_HOST, 8125, prefix="shopfront")


def track(metric: str, value: int = 1, **tags: str) -> None:
    """Increment ``metric`` (tags are folded into the name: StatsD has none)."""
    suffix = "".join(f".{k}_{v}" for k, v in sorted(tags.items()))
    _statsd.incr(metric + suffix, value)


def identify(host: str) -> str:
    """The metric prefix for one worker host."""
    return f"shopfront.hosts.{host.replace('.', '_')}"
'''
    return files


# --------------------------------------------------------------------------------------------
# Plan and project files
# --------------------------------------------------------------------------------------------

_YAML_SPECIAL = {"null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"}


def yflow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {yflow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(yflow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ ]*", value) and value.lower() not in _YAML_SPECIAL:
        return value
    return json.dumps(value)


def plan_yaml() -> str:
    out = [
        "# Shopfront tracking plan. Each event's value is a JSON Schema (draft 2020-12) for its",
        "# `properties`; `identify` is the schema for a person's traits.",
        "version: 1",
        "",
        "defaults:",
        "  additionalProperties: false",
        "",
        "identify:",
        "  description: Person attributes in Customer.io.",
        "  properties:",
    ]
    for k, v in IDENTIFY_TRAITS.items():
        out.append(f"    {k}: {yflow(v)}")
    out += ["  required: [email]", "", "events:"]
    for e in EVENTS:
        out += [
            f"  {e.name}:",
            f"    description: {e.name} ({len(e.props)} properties).",
            "    properties:",
        ]
        for p in e.props:
            out.append(f"      {p.name}: {yflow(p.schema)}")
        if e.required:
            out.append(f"    required: {yflow(e.required)}")
        out.append("")
    for name, repl in DEPRECATED.items():
        out += [
            f"  {name}:",
            "    description: Replaced by the checkout funnel events.",
            "    deprecated: true",
            f"    x-replaced-by: {repl}",
            "    properties:",
            "      cart_id: {type: string}",
            "",
        ]
    out += [
        "$defs:",
        f"  plan: {yflow({'type': 'string', 'enum': PLANS})}",
        f"  tier: {yflow({'type': 'string', 'enum': TIERS})}",
        f"  currency: {yflow({'type': 'string', 'enum': CURRENCIES})}",
    ]
    return "\n".join(out) + "\n"


PYPROJECT = """[project]
name = "shopfront"
version = "7.3.1"
requires-python = ">=3.10"

[tool.ruff]
target-version = "py310"

[tool.cio-lint]
plan = "tracking_plan"
"""


# --------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------


def _used_only(line: str, body: str) -> str | None:
    """``from m import a, b`` keeping the names ``body`` uses (None if none is)."""
    m = re.match(r"from (\S+) import (.+)$", line)
    if not m:
        return line
    names = [n.strip() for n in m.group(2).split(",") if re.search(rf"\b{n.strip()}\b", body)]
    return f"from {m.group(1)} import {', '.join(names)}" if names else None


def header(
    rng: random.Random, doc: str, imports: set[str], first_party: list[tuple[str, str]], body: str
) -> list[str]:
    if "_utcnow" in imports:
        body += "\ndatetime.now(timezone.utc)"
    lines = [
        f'"""{doc}',
        "",
        f"Owned by the {rng.choice(['storefront', 'fulfilment', 'payments', 'growth', 'platform'])} team.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
    ]
    std = sorted({STDLIB[k] for k in imports if k in STDLIB} | {"import logging"})
    std = [u for u in (_used_only(line, body) for line in std) if u]
    std_imports = [s for s in std if s.startswith("import ")] + [
        s for s in std if s.startswith("from ")
    ]
    third = sorted(
        i
        for i in imports
        if i.startswith(("from ", "import ")) and not i.split()[1].startswith(PKG)
    )
    first = sorted(
        i for i in imports if i.startswith(("from ", "import ")) and i.split()[1].startswith(PKG)
    )
    # merge "from X import a" lines
    by_mod: dict[str, list[str]] = {}
    for mod, name in first_party:
        by_mod.setdefault(mod, []).append(name)
    merged_first: dict[str, set[str]] = {}
    plain_first = []
    for line in first:
        m = re.match(r"from (\S+) import (.+)$", line)
        if m:
            merged_first.setdefault(m.group(1), set()).update(
                n.strip() for n in m.group(2).split(",")
            )
        else:
            plain_first.append(line)
    for mod, names in by_mod.items():
        merged_first.setdefault(mod, set()).update(names)
    first_lines = plain_first + [
        f"from {mod} import {', '.join(sorted(names))}"
        for mod, names in sorted(merged_first.items())
    ]
    merged_third: dict[str, set[str]] = {}
    plain_third = []
    for line in third:
        m = re.match(r"from (\S+) import (.+)$", line)
        if m:
            merged_third.setdefault(m.group(1), set()).update(
                n.strip() for n in m.group(2).split(",")
            )
        else:
            plain_third.append(line)
    third_lines = plain_third + [
        f"from {mod} import {', '.join(sorted(names))}"
        for mod, names in sorted(merged_third.items())
    ]
    for group in (std_imports, third_lines, first_lines):
        if group:
            lines += group + [""]
    lines += ["log = logging.getLogger(__name__)", ""]
    if "_utcnow" in imports:
        lines += ["", "def _utcnow() -> datetime:", "    return datetime.now(timezone.utc)", ""]
    lines.append("")
    return lines


def assemble(
    rng: random.Random, doc: str, chunks: list[Chunk], first_party: list[tuple[str, str]]
) -> tuple[str, list[tuple[int, str]]]:
    imports: set[str] = set()
    for c in chunks:
        imports |= c.imports
    body: list[str] = []
    planted: list[tuple[int, str]] = []
    for c in chunks:
        if not c.lines:
            continue
        if body:
            body += ["", ""]
        start = len(body)
        body += c.lines
        planted += [(start + i, code) for i, code in c.planted]
    head = header(rng, doc, imports, first_party, "\n".join(body))
    return "\n".join(head + body) + "\n", [(len(head) + i + 1, code) for i, code in planted]


def ordinary_chunks(
    rng: random.Random,
    nm: Namer,
    target: int,
    pool: list[tuple[str, str]],
    first_party: list[tuple[str, str]],
    exports: list[str],
) -> list[Chunk]:
    chunks: list[Chunk] = []
    size = 12  # header
    nouns = rng.sample(NOUNS, 6)
    while size < target:
        noun = rng.choice(nouns)
        if pool and rng.random() < 0.12:
            picks = []
            for mod, name in rng.sample(pool, min(len(pool), rng.randint(1, 3))):
                if name in nm.used:
                    continue
                nm.used.add(name)
                picks.append(name)
                first_party.append((mod, name))
            if picks:
                chunk = block_pipeline(rng, nm, noun, picks)
            else:
                continue
        else:
            block = rng.choices(ORDINARY_BLOCKS, ORDINARY_WEIGHTS)[0]
            chunk = block(rng, nm, noun)
        exports += chunk.exports
        chunks.append(chunk)
        size += len(chunk.lines) + 2
    return chunks


def leaf_for(k: int) -> tuple[str, str, int]:
    """The k-th leaf package: (domain, subpackage, layer). Subpackages cycle fastest, so even a
    small corpus has every layer."""
    sub = SUBPACKAGES[k % len(SUBPACKAGES)]
    domain_no = k // len(SUBPACKAGES)
    domain = DOMAINS[domain_no % len(DOMAINS)]
    gen = domain_no // len(DOMAINS)
    return domain, (sub if gen == 0 else f"{sub}{gen + 1}"), LAYERS[sub]


def generate(out: Path, lines: int, seed: int) -> dict:
    rng = random.Random(seed)
    files: dict[str, str] = {}
    planted: list[dict] = []
    files.update(fixed_modules())
    total_lines = sum(text.count("\n") for text in files.values())

    # ---- plan the modules: (leaf, role) -------------------------------------------------------
    n_modules = max(60, round((lines - total_lines) / AVG_MODULE_LINES))
    n_senders = max(len(VIOLATION_KINDS), round(n_modules * SENDER_SHARE))
    n_words = max(len(WORD_KINDS), round(n_modules * WORD_SHARE))
    n_mentions = max(3, round(n_modules * MENTION_SHARE))
    leaves = [leaf_for(j // MODULES_PER_PACKAGE) for j in range(n_modules)]
    roles = ["word"] * n_words + ["mention"] * n_mentions
    roles += ["plain"] * (n_modules - len(roles) - n_senders)
    rng.shuffle(roles)
    # Events are sent from the upper layers (services, handlers, jobs), like in real code.
    upper = [j for j in range(n_modules) if leaves[j][2] > 0]
    sender_slots = set(rng.sample(upper, min(n_senders, len(upper))))
    it = iter(roles)
    roles = ["sender" if j in sender_slots else next(it) for j in range(n_modules)]
    # Lower layers first, so that a module can import from the ones below it.
    order = sorted(range(n_modules), key=lambda j: (leaves[j][2], j))

    # violations: every kind at least once (one per module first), then round robin, <= 3 a module
    n_violations = max(len(VIOLATION_KINDS), round(len(sender_slots) * 0.8))
    kinds = [VIOLATION_KINDS[i % len(VIOLATION_KINDS)] for i in range(n_violations)]
    n_send = len(sender_slots)
    per_sender: dict[int, list[tuple[str, str]]] = {i: [] for i in range(n_send)}
    for i, kind in enumerate(kinds):
        target = (
            i if i < n_send else rng.choice([s for s in range(n_send) if len(per_sender[s]) < 3])
        )
        per_sender[target].append(kind)

    pools: dict[int, list[tuple[str, str, str]]] = {
        0: [],
        1: [],
        2: [],
    }  # layer -> (module, function, domain)
    manifest_senders: list[str] = []
    counts = {"sender": 0, "word": 0, "mention": 0, "plain": 0}
    leaf_names: dict[tuple[str, str], set[str]] = {}
    sender_no = 0
    word_no = 0

    def write_module(domain: str, sub: str, layer: int, role: str) -> None:
        nonlocal total_lines, sender_no, word_no
        leaf_dir = f"{PKG}/{domain}/{sub}"
        if f"{PKG}/{domain}/__init__.py" not in files:
            files[f"{PKG}/{domain}/__init__.py"] = f'"""{domain.capitalize()}."""\n'
            total_lines += 1
        if f"{leaf_dir}/__init__.py" not in files:
            files[f"{leaf_dir}/__init__.py"] = f'"""{domain.capitalize()}: {sub}."""\n'
            total_lines += 1
        names = leaf_names.setdefault((domain, sub), set())
        while True:
            mod_name = f"{rng.choice(NOUNS)}_{rng.choice(MOD_SUFFIXES)}"
            if mod_name not in names:
                names.add(mod_name)
                break
        rel = f"{leaf_dir}/{mod_name}.py"
        dotted = rel[:-3].replace("/", ".")
        nm = Namer(rng)
        target = rng.randint(120, 250)
        doc = f"{rng.choice(DOC_SUBJECTS)} {title(mod_name)}."
        first_party: list[tuple[str, str]] = []
        exports: list[str] = []
        # what this module may import: lower layers, mostly its own domain
        below = [e for lay in range(layer) for e in pools[lay]]
        same = [e for e in below if e[2] == domain]
        pool = [(m, f) for m, f, _ in (same + rng.sample(below, min(len(below), 40)))][-200:]
        if role == "sender":
            vio = per_sender.get(sender_no, [])
            sender_no += 1
            styles = set(rng.choices(STYLES, STYLE_WEIGHTS, k=rng.choice([1, 1, 2])))
            for _code, channel in vio:
                styles.add(CHANNEL_STYLE[channel])
                if channel in ("direct", "const", "local_dict") and not (
                    {"cdp", "segment", "rudder"} & styles
                ):
                    styles.add("cdp")
            if any(c == "CIO003" and ch == "method" for c, ch in vio):
                styles.add("wrapper")
            sm = SendModule(rng, nm, styles)
            sends = [sm.valid_send() for _ in range(rng.randint(2, 5))]
            if rng.random() < 0.4:
                sends.append(sm.valid_signup())
            sends += [sm.violation(code, channel) for code, channel in vio]
            rng.shuffle(sends)
            budget = target - sum(len(c.lines) + 2 for c in sends)
            chunks = list(sm.module_chunks) + ordinary_chunks(
                rng, nm, budget, pool, first_party, exports
            )
            for c in sends:  # event functions sit between ordinary code
                chunks.insert(rng.randint(len(sm.module_chunks), len(chunks)), c)
            imports = set(sm.imports)
            if sm.models:
                imports.add(f"from shopfront.models import {', '.join(sorted(sm.models))}")
            chunks[0].imports = chunks[0].imports | imports
            manifest_senders.append(rel)
        elif role == "word":
            kind = WORD_KINDS[word_no % len(WORD_KINDS)]
            word_no += 1
            wchunks = word_chunks(rng, nm, kind)
            budget = target - sum(len(c.lines) + 2 for c in wchunks)
            ordinary = ordinary_chunks(rng, nm, budget, pool, first_party, exports)
            cut = rng.randint(0, len(ordinary))
            chunks = wchunks[:1] + ordinary[:cut] + wchunks[1:] + ordinary[cut:]
        elif role == "mention":
            mchunk, extra_doc = mention_chunk(rng, nm)
            doc += extra_doc
            chunks = [mchunk] + ordinary_chunks(rng, nm, target, pool, first_party, exports)
        else:
            chunks = ordinary_chunks(rng, nm, target, pool, first_party, exports)
        counts[role] += 1
        text, plants = assemble(rng, doc, chunks, first_party)
        files[rel] = text
        total_lines += text.count("\n")
        for line, code in plants:
            planted.append({"path": rel, "line": line, "code": code})
        pools[layer] += [(dotted, e, domain) for e in exports]

    for j in order:
        write_module(*leaves[j], roles[j])
    # top up to the line budget with ordinary modules in new leaves
    k = (n_modules - 1) // MODULES_PER_PACKAGE + 1
    in_leaf = 0
    while total_lines < lines:
        if in_leaf == MODULES_PER_PACKAGE:
            k, in_leaf = k + 1, 0
        write_module(*leaf_for(k), "plain")
        in_leaf += 1

    files["tracking_plan/plan.yaml"] = plan_yaml()
    files["pyproject.toml"] = PYPROJECT
    files["README.md"] = (
        "# shopfront (synthetic)\n\nGenerated by cio-lint's `bench/generate.py` "
        f"(--lines {lines} --seed {seed}); see `planted.json` and `manifest.json`.\n"
    )

    out.mkdir(parents=True, exist_ok=True)
    for rel in sorted(files):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[rel], encoding="utf-8")
    events_lines = files[f"{PKG}/events.py"].split("\n")
    at_definition: dict[tuple[str, int, str], dict[str, object]] = {}
    for p in [p for p in planted if "@" in p["code"]]:
        planted.remove(p)
        code, const = p["code"].split("@")
        line = next(i for i, text in enumerate(events_lines, 1) if text.startswith(f"{const} = "))
        key = (f"{PKG}/events.py", line, code)
        at_definition[key] = {"path": key[0], "line": line, "code": code}
    planted += at_definition.values()
    planted.sort(key=lambda p: (p["path"], p["line"], p["code"]))
    (out / "planted.json").write_text(json.dumps(planted, indent=1) + "\n", encoding="utf-8")
    py = {rel: text for rel, text in files.items() if rel.endswith(".py")}
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "generator_sha": generator_sha(),
        "seed": seed,
        "lines_requested": lines,
        "py_files": len(py),
        "py_lines": sum(text.count("\n") for text in py.values()),
        "modules": counts,
        "planted": len(planted),
        "planted_by_code": {
            c: sum(1 for p in planted if p["code"] == c)
            for c in sorted({p["code"] for p in planted})
        },
        "sender_modules": sorted(manifest_senders),
        "content_sha": corpus_digest(out),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def corpus_digest(out: Path) -> str:
    """A digest of every .py file and the plan, to notice a corpus edited since it was written."""
    h = hashlib.sha256()
    for path in sorted([*out.rglob("*.py"), *out.rglob("*.yaml")]):
        h.update(path.relative_to(out).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def generator_sha() -> str:
    """A digest of this file: a corpus written by another version of it is regenerated."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "out", type=Path, help="output folder (created; must be empty or a previous corpus)"
    )
    parser.add_argument(
        "--lines", type=int, default=1_000_000, help="approximate physical lines of Python"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--force", action="store_true", help="replace OUT if it holds a previous corpus"
    )
    parser.add_argument(
        "--check", action="store_true", help="parse every generated file with ast (slow)"
    )
    args = parser.parse_args(argv)
    out: Path = args.out
    if out.exists() and any(out.iterdir()):
        if not (args.force and (out / "manifest.json").is_file()):
            print(
                f"{out}: exists and is not empty (use --force to replace a previous corpus)",
                file=sys.stderr,
            )
            return 2
        shutil.rmtree(out)
    manifest = generate(out, args.lines, args.seed)
    if args.check:
        bad = 0
        for path in sorted(out.rglob("*.py")):
            try:
                ast.parse(path.read_text(encoding="utf-8"), str(path))
            except SyntaxError as exc:
                bad += 1
                print(f"{path}:{exc.lineno}: {exc.msg}", file=sys.stderr)
        if bad:
            return 1
    print(
        f"{out}: {manifest['py_files']} .py files, {manifest['py_lines']} lines, "
        f"{manifest['modules']['sender']} sending events, {manifest['planted']} planted violations"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
