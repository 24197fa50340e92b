"""Keeps Customer.io profiles in step with the CRM, through the classic Track API.

Also serves the v1 mobile API, which predates Data Pipelines.
"""

from __future__ import annotations

from datetime import datetime, timezone

from acme.events import LOGGED_IN
from acme.models import Account, User
from acme.telemetry import cio


def sync_customer(user: User, account: Account) -> None:
    cio.identify(
        id=user.id,
        email=user.email,
        name=user.name,
        plan=account.plan,
        company=account.name,
        created_at=user.created_at,
    )


def sync_new_customer(user: User) -> None:
    """First sync of a customer the CRM created (sales-led deals)."""
    cio.identify(
        id=user.id, email=user.email, name=user.name, created_at=datetime.now(timezone.utc)
    )


def mobile_v1_login(user: User) -> None:
    """POST /api/v1/session from the v1 mobile app."""
    cio.track(user.id, LOGGED_IN, method="password", mfa=user.mfa_enabled)


def mobile_v1_login_with_google(user: User) -> None:
    cio.track(customer_id=user.id, name=LOGGED_IN, data={"method": "google"})
