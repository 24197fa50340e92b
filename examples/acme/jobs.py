"""Background jobs (run by the scheduler): retries, nightly syncs and rollups.

Jobs use their own Data Pipelines client, with a bigger queue, so that a nightly backlog never
delays the web app's messages.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

from customerio import analytics
from customerio.analytics import Client
from shipkit import Carrier

from acme import settings
from acme.models import Account, OutboxRow, User, db

log = logging.getLogger(__name__)

batch_client = Client(settings.CIO_WRITE_KEY, host=settings.CIO_HOST, max_queue_size=100_000)
carrier = Carrier(api_key="", account="acme-welcome-kits")


class Warehouse(Protocol):
    def track(self, user_id: str, event: str, properties: dict[str, object]) -> None: ...


def sync_traits(users: Iterable[User]) -> None:
    """Nightly: push profile attributes that changed outside a request (admin edits, SCIM)."""
    for user in users:
        batch_client.identify(
            str(user.id),
            {"email": user.email, "name": user.name, "plan": user.plan, "role": user.role},
        )


def drain_outbox() -> int:
    """Re-send the messages that failed while Customer.io was unreachable."""
    sent = 0
    for row in db.pending_outbox():
        analytics.track(row.user_id, row.event, row.properties)
        sent += 1
    return sent


def rollup_feature_usage() -> None:
    """Nightly: one event per feature an account used that day, for the usage-based campaigns."""
    for account in db.accounts.values():
        for feature, count in usage_by_feature(account).items():
            batch_client.track(str(account.owner.id), f"{feature} Used", {"count": count})


def mirror_to_warehouse(analytics: Warehouse, rows: list[OutboxRow]) -> None:
    """Copy sent messages to the data warehouse (the job runner injects its client)."""
    for row in rows:
        analytics.track(row.user_id, row.event, row.properties)


def poll_welcome_kit_shipments(tracking_numbers: list[str]) -> dict[str, str]:
    """Enterprise customers get a printed notebook; the CSMs want to know when it arrives."""
    statuses = {}
    for number in tracking_numbers:
        statuses[number] = carrier.track(number).status
    return statuses


def usage_by_feature(account: Account) -> dict[str, int]:
    log.debug("rolling up usage for %s", account.id)
    return {"Search": 3, "Backlinks": 1}
