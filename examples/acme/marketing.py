"""The marketing site's "Start your free trial" form.

The marketing site predates the move to Customer.io Data Pipelines and still sends through
Segment, which forwards to Customer.io.
"""

from __future__ import annotations

import segment.analytics as segment_analytics

from acme import settings
from acme.events import Event
from acme.models import User, db

segment_analytics.write_key = settings.SEGMENT_WRITE_KEY


def start_trial_from_pricing_page(form: dict[str, str]) -> User:
    user = db.create_user(email=form["email"], name=form["name"], plan="pro")
    lead_id = str(user.id)
    segment_analytics.identify(
        lead_id,
        {
            "email": user.email,
            "name": user.name,
            "company": form["company"],
            "plan": "pro",
            "created_at": user.date_joined.isoformat(),
        },
    )
    segment_analytics.track(user.id, Event.TRIAL_STARTED, {"plan": "pro", "trial_days": "14"})
    return user


def subscribe_to_newsletter(user: User) -> None:
    segment_analytics.identify(str(user.id), {"email": user.email, "marketing_opt_in": True})
