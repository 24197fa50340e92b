"""Billing events, one method each, so that call sites cannot get the properties wrong."""

from __future__ import annotations

from customerio import analytics

from acme.events import Event
from acme.models import Order, Subscription, User

from .settings import TRIAL_DAYS


class Tracker:
    def trial_started(self, user: User, sub: Subscription) -> None:
        analytics.track(user.id, Event.TRIAL_STARTED, {"plan": sub.plan, "trial_days": TRIAL_DAYS})

    def subscription_cancelled(self, user: User, sub: Subscription, reason: str) -> None:
        analytics.track(
            user.id,
            Event.SUBSCRIPTION_CANCELLED.value,
            {"plan": sub.plan, "reason": reason},
        )

    def order_completed(self, user: User, order: Order) -> None:
        analytics.track(
            user.id,
            "Order Completed",
            {
                "order_id": order.id,
                "total": order.total,
                "currency": order.currency,
                "coupon": order.coupon,
            },
        )


tracker = Tracker()
