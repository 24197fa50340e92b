"""The helper web code sends product events through.

``track_event`` adds the app context and turns the user into the id Customer.io knows, so
call sites only say *what* happened.
"""

from __future__ import annotations

import logging
from typing import Any

from customerio import analytics

from acme.models import User

log = logging.getLogger(__name__)

APP_CONTEXT = {"app": {"name": "acme-notes", "version": "4.2.0"}}


def track_event(user: User, name: str, **props: Any) -> None:
    """Track ``name`` for ``user``; the keyword arguments are the event's properties."""
    log.debug("track %s for user %s", name, user.id)
    analytics.track(str(user.id), name, props, context=APP_CONTEXT)
