"""Transactional email through Customer.io's App API: receipts, password resets, magic links.

The templates live in the workspace (see `tracking_plan/customerio-workspace.json`): the code
names each by its trigger name or numeric id, and passes what its Liquid renders as
`{{trigger.x}}` in `message_data`.
"""

from __future__ import annotations

import os

from customerio import APIClient, Regions, SendEmailRequest

from acme.models import User

api = APIClient(os.environ.get("CIO_APP_API_KEY", ""), region=Regions.EU)


def send_receipt(user: User, order_id: str, total: float) -> None:
    api.send_email(
        SendEmailRequest(
            transactional_message_id="receipt",
            identifiers={"id": user.id},
            to=user.email,
            message_data={"order_id": order_id, "total": total},
        )
    )


def send_refund_receipt(user: User, order_id: str) -> None:
    """Reuses the Receipt template (id 3), which also renders the total."""
    api.send_email(
        SendEmailRequest(
            transactional_message_id=3,
            identifiers={"id": user.id},
            message_data={"order_id": order_id},
        )
    )


def send_password_reset(user: User, url: str) -> None:
    api.send_email(
        SendEmailRequest(
            transactional_message_id="password_reset",
            to=user.email,
            message_data={"reset_url": url},
        )
    )


def send_magic_link(user: User, url: str) -> None:
    api.send_email(
        SendEmailRequest(
            transactional_message_id="magic_link",
            identifiers={"id": user.id},
            message_data={"url": url},
        )
    )
