"""Trials, subscriptions and one-off orders.

Web checkout reports through the Data Pipelines API; invoices and offline orders still go
through the classic Track API (``cio``), like the rest of the finance integrations.
"""

from __future__ import annotations

from customerio import CustomerIO, Regions, analytics

from acme import events, settings
from acme.events import Event
from acme.models import Account, Order, Subscription, User
from acme.telemetry import cio
from acme.tracker import tracker


def start_trial(user: User, account: Account, sub: Subscription) -> None:
    tracker.trial_started(user, sub)
    analytics.group(user.id, account.id, {"name": account.name, "plan": sub.plan, "seats": 1})


def start_enterprise_trial(user: User) -> None:
    """Sales-led trials: 30 days of the top plan."""
    analytics.track(user.id, Event.TRIAL_STARTED, {"plan": "platinum", "trial_days": 30})


def restart_trial(user: User, account: Account) -> None:
    """Support can give a workspace whose trial lapsed another week."""
    analytics.track(
        user.id,
        Event.TRIAL_EXTENDED if account.trial_ends_at else Event.TRIAL_STARTED,
        {"plan": account.plan, "trial_days": settings.TRIAL_EXTENSION_DAYS},
    )


def start_subscription(user: User, account: Account, sub: Subscription) -> None:
    base = {"plan": sub.plan, "seats": sub.seats}
    props = dict(billing_interval=sub.interval, **base)
    props["mrr"] = sub.mrr
    props.update(currency=sub.currency)
    analytics.track(user.id, Event.SUBSCRIPTION_STARTED, props)
    analytics.group(
        user.id,
        account.id,
        {"name": account.name, "plan": sub.plan, "seats": sub.seats, "industry": account.industry},
    )


def start_self_serve_subscription(user: User, checkout: dict[str, object]) -> None:
    analytics.track(
        user.id,
        Event.SUBSCRIPTION_STARTED,
        {
            "plan": checkout["plan"],
            "billing_interval": "year" if checkout["annual"] else "monthly",
            "seats": checkout["seats"],
        },
    )


def convert_trial(user: User, sub: Subscription) -> None:
    props = {"plan": sub.plan, "billing_interval": sub.interval, "seats": sub.seats}
    props.update(converted_from_trial=True)
    analytics.track(user.id, Event.SUBSCRIPTION_STARTED, props)


def change_plan(user: User, sub: Subscription) -> None:
    analytics.identify(user.id, {"plan": sub.plan})


def apply_sales_upgrade(user: User) -> None:
    """Sales closed the deal; the CRM webhook lands here."""
    analytics.identify(user.id, {"email": user.email, "plan": "Enterprise"})


def cancel_subscription(user: User, sub: Subscription) -> None:
    tracker.subscription_cancelled(user, sub, "too_expensive")


def complete_checkout(user: User, order: Order) -> None:
    tracker.order_completed(user, order)


def complete_checkout_with_experiments(user: User, order: Order) -> None:
    """Checkout v3 reports which experiment arms the buyer saw."""
    analytics.track(
        user.id,
        events.ORDER_COMPLETED,
        {
            "order_id": order.id,
            "total": order.total,
            "currency": order.currency,
            "experiment__checkout_v3_single_page_vs_multi_step__variant_b__cohort_2024_q3_eu_only__annual_toggle_default_on__promo_banner_hidden__seat_picker_slider_and_sticky_cta": True,
        },
    )


def issue_goodwill_credit(user: User, order: Order) -> None:
    """Support refunds part of an order as account credit."""
    analytics.track(
        user.id,
        Event.ORDER_COMPLETED,
        {"order_id": f"credit-{order.id}", "total": -25.0, "currency": order.currency},
    )


def record_invoice_paid(user: User, order: Order) -> None:
    cio.track(
        customer_id=user.id,
        name=events.ORDER_COMPLETED,
        data={"order_id": order.id, "total": order.total, "currency": order.currency},
    )


def record_offline_order(user: User, po: dict[str, str]) -> None:
    """Purchase orders paid by bank transfer, entered by finance."""
    cio.track(
        customer_id=user.id,
        name="order_completed",
        data={"order_id": po["number"], "total": float(po["amount"]), "channel": "invoice"},
    )


class StripeWebhookHandler:
    """Stripe -> Customer.io, for billing events that happen outside a web request."""

    cio = CustomerIO(settings.CIO_SITE_ID, settings.CIO_API_KEY, region=Regions.US)

    def handle(self, event: dict[str, dict[str, object]]) -> None:
        if event["type"] == "invoice.payment_failed":
            self.invoice_payment_failed(event["data"])

    def invoice_payment_failed(self, invoice: dict[str, object]) -> None:
        metadata = invoice["metadata"]
        self.cio.track(
            metadata["acme_user_id"],  # type: ignore[index]
            Event.PAYMENT_FAILED.value,
            {
                "invoice_id": invoice["id"],
                "amount_due": invoice["amount_due"] / 100,  # type: ignore[operator]
                "attempt": invoice["attempt_count"],
            },
        )
