"""Sync server for the desktop app. Its events go through RudderStack, like the app's own."""

from __future__ import annotations

from dataclasses import dataclass

import rudderstack.analytics as rudder_analytics

from acme import settings
from acme.events import Event

rudder_analytics.write_key = settings.RUDDERSTACK_WRITE_KEY
rudder_analytics.dataPlaneUrl = settings.RUDDERSTACK_DATA_PLANE_URL


@dataclass
class Device:
    install_id: str
    user_id: str | None
    app_version: str
    last_note_id: str = ""


def record_export(device: Device) -> None:
    """An export made in the desktop app, reported at the next sync."""
    if device.user_id is None:
        rudder_analytics.track(
            anonymous_id=device.install_id,
            event=Event.EXPORT_DOWNLOADED,
            properties={"format": "pdf"},
        )
    else:
        rudder_analytics.track(device.user_id, Event.EXPORT_DOWNLOADED, {"format": "pdf"})


def record_offline_share(device: Device) -> None:
    """A share made offline: the link is created at the next sync."""
    props = {"note_id": device.last_note_id, "channel": "link"}
    rudder_analytics.track(event=Event.NOTE_SHARED, properties=props)
