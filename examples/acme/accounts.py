"""Sign-up and log-in endpoints.

Customer.io must know a person (identify, with their email) before an event about them
arrives: otherwise the event lands on a profile without an email, and the welcome campaign
it triggers has nobody to write to.
"""

from __future__ import annotations

from customerio import analytics

from acme.events import LOGGED_IN, SIGNED_UP, Event
from acme.models import User, db


def signup(form: dict[str, str], referrer: str | None = None) -> User:
    """Email and password sign-up."""
    user = db.create_user(email=form["email"], name=form["name"])
    analytics.identify(
        user.id,
        {
            "email": user.email,
            "name": user.name,
            "plan": "free",
            "created_at": user.created_at,
            "marketing_opt_in": form.get("newsletter") == "on",
        },
    )
    props = {"plan": "free", "signup_method": "email"}
    props["referrer"] = referrer
    analytics.track(user.id, Event.SIGNED_UP, props)
    return user


def login(user: User, used_mfa: bool) -> None:
    analytics.track(user.id, LOGGED_IN, {"method": "password", "mfa": used_mfa})


def login_with_magic_link(user: User) -> None:
    analytics.track(str(user.id), Event.LOGGED_IN.value, dict(method="magic_link", mfa=False))  # noqa: C408


def signup_with_google(claims: dict[str, str]) -> User:
    """Google One Tap: the account is created from the ID token's claims."""
    user, _ = db.get_or_create_user(email=claims["email"], name=claims["name"])
    analytics.track(user.id, Event.SIGNED_UP, {"plan": "free", "signup_method": "google"})
    analytics.identify(user.id, {"email": user.email, "name": user.name, "plan": "free"})
    return user


def saml_callback(assertion: dict[str, str]) -> User:
    """SAML SSO: the first log-in through the IdP creates the user."""
    user, created = db.get_or_create_user(email=assertion["email"], name=assertion["name"])
    if created:
        analytics.identify(
            user.id,
            {"email": user.email, "name": user.name, "company": assertion["organization"]},
        )
    analytics.track(user.id, Event.LOGGED_IN, {"method": "saml", "mfa": False})
    return user


def _announce_signup(user_id: int) -> None:
    analytics.track(user_id, SIGNED_UP, {"plan": "free", "signup_method": "github"})


def signup_with_github(profile: dict[str, str]) -> User:
    user = db.create_user(email=profile["email"], name=profile["name"] or profile["login"])
    _announce_signup(user.id)
    analytics.identify(user.id, {"email": user.email, "name": user.name, "plan": "free"})
    return user


def signup_from_invite(form: dict[str, str]) -> User:
    """An invited person sets a password; they join the inviter's (paid) workspace."""
    user = db.create_user(email=form["email"], name=form["name"], role=form["role"])
    uid = str(user.id)
    analytics.identify(uid, {"email": user.email, "name": user.name, "role": user.role})
    analytics.track(user.id, "signed up", {"plan": "pro", "signup_method": "email"})
    return user
