"""Sharing notes and inviting people to a workspace."""

from __future__ import annotations

import secrets

from customerio import analytics

from acme.analytics_helpers import track_event
from acme.events import Event
from acme.models import Account, Invite, Note, User

APP_URL = "https://app.acmenotes.com"


def share_note_link(user: User, note: Note) -> str:
    url = f"{APP_URL}/s/{secrets.token_urlsafe(16)}"
    props = {"note_id": note.id, "channel": "link"}
    props["share_url"] = url
    analytics.track(user.id, Event.NOTE_SHARED, props)
    return url


def share_note_by_email(user: User, note: Note, recipients: list[str]) -> None:
    base_props = {"note_id": note.id, "recipient_count": len(recipients)}
    analytics.track(
        user.id,
        Event.NOTE_SHARED,
        {**base_props, "channel": "email" if recipients else "link"},
    )


def send_invite(inviter: User, account: Account, email: str, role: str = "member") -> Invite:
    invite = Invite(secrets.token_hex(8), email, role, account.id)
    track_event(
        inviter,
        Event.INVITE_SENT,
        invitee_email=invite.email,
        role=invite.role,
        workspace_id=account.id,
    )
    return invite


def resend_invite(inviter: User, invite: Invite) -> None:
    analytics.track(inviter.id, "Invte Sent", {"invitee_email": invite.email, "role": invite.role})


def bulk_invite(inviter: User, account: Account, emails: list[str]) -> list[Invite]:
    """The "invite your team" step of onboarding: everyone joins as a member."""
    invites = []
    for email in emails:
        invites.append(Invite(secrets.token_hex(8), email, "member", account.id))
        analytics.track(inviter.id, Event.INVITE_SENT, {"invitee_email": email})
    return invites
