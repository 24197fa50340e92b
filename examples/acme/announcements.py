"""Product announcements: API-triggered broadcasts of the Customer.io workspace.

The broadcast (its message, its audience) lives in the workspace; the App API triggers it with
a POST to `/v1/campaigns/{id}/triggers`, at most once per broadcast every 10 seconds. The
`customerio` package has no method for it, so this module POSTs with `requests`.
"""

from __future__ import annotations

import os

import requests

from acme.models import User

APP_API = "https://api-eu.customer.io/v1"
LAUNCH_BROADCAST = 7
_HEADERS = {"Authorization": f"Bearer {os.environ.get('CIO_APP_API_KEY', '')}"}


def trigger_broadcast(broadcast_id: int, body: dict[str, object]) -> None:
    response = requests.post(
        f"{APP_API}/campaigns/{broadcast_id}/triggers", json=body, headers=_HEADERS, timeout=10
    )
    response.raise_for_status()


def announce_boards(users: list[User]) -> None:
    """One trigger for everyone, each recipient with their own data."""
    per_user = [{"id": user.id, "data": {"name": user.name}} for user in users]
    trigger_broadcast(LAUNCH_BROADCAST, {"per_user_data": per_user})


def announce_boards_to_each(users: list[User]) -> None:
    """The first user gets it; the others' triggers are answered 429."""
    for user in users:
        trigger_broadcast(LAUNCH_BROADCAST, {"ids": [user.id], "data": {"name": user.name}})
