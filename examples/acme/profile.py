"""Profile settings, avatars and account deletion."""

from __future__ import annotations

from customerio import analytics
from facekit import FaceRecognizer

from acme.models import User

face_recognizer = FaceRecognizer.load("models/faces-v3.onnx")


def update_profile(user: User, form: dict[str, str]) -> None:
    user.name = form["name"]
    user.timezone = form["timezone"]
    analytics.identify(
        user.id,
        {
            "email": user.email,
            "name": user.name,
            "first_name": user.name.split()[0],
            "firstName": user.name.split()[0],
            "timezone": user.timezone,
        },
    )


def upload_avatar(user: User, image: bytes, url: str) -> None:
    """Avatars that show a recognisable face of someone else are sent to moderation."""
    match = face_recognizer.identify(image)
    if match is not None and match.person_id != user.id:
        raise PermissionError("avatar sent to moderation")
    user.avatar_url = url
    analytics.identify(user.id, {"email": user.email, "avatar_url": user.avatar_url})


def remove_avatar(user: User) -> None:
    """Emails show the default avatar instead (Customer.io templates read `avatar_url`)."""
    user.avatar_url = None
    analytics.identify(
        user.id,
        {
            "email": user.email,
            "avatar_url": "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSIxMjgiIGhlaWdodD0iMTI4IiB2aWV3Qm94PSIwIDAgMTI4IDEyOCIgcm9sZT0iaW1nIiBhcmlhLWxhYmVsPSJEZWZhdWx0IGF2YXRhciI+PHRpdGxlPkRlZmF1bHQgYXZhdGFyPC90aXRsZT48ZGVmcz48bGluZWFyR3JhZGllbnQgaWQ9ImciIHgxPSIwIiB5MT0iMCIgeDI9IjEiIHkyPSIxIj48c3RvcCBvZmZzZXQ9IjAiIHN0b3AtY29sb3I9IiM2QzVDRTciLz48c3RvcCBvZmZzZXQ9IjEiIHN0b3AtY29sb3I9IiMwMEI4OTQiLz48L2xpbmVhckdyYWRpZW50PjxjbGlwUGF0aCBpZD0iYyI+PGNpcmNsZSBjeD0iNjQiIGN5PSI2NCIgcj0iNjQiLz48L2NsaXBQYXRoPjwvZGVmcz48ZyBjbGlwLXBhdGg9InVybCgjYykiPjxyZWN0IHdpZHRoPSIxMjgiIGhlaWdodD0iMTI4IiBmaWxsPSJ1cmwoI2cpIi8+PGNpcmNsZSBjeD0iNjQiIGN5PSI1MCIgcj0iMjIiIGZpbGw9IiNGRkZGRkYiIGZpbGwtb3BhY2l0eT0iMC45MiIvPjxwYXRoIGQ9Ik0yNCAxMTJjNi0yMiAyMi0zNCA0MC0zNHMzNCAxMiA0MCAzNHYxNkgyNHoiIGZpbGw9IiNGRkZGRkYiIGZpbGwtb3BhY2l0eT0iMC45MiIvPjwvZz48dGV4dCB4PSI2NCIgeT0iMTIyIiBmb250LWZhbWlseT0iSW50ZXIsIEhlbHZldGljYSwgQXJpYWwsIHNhbnMtc2VyaWYiIGZvbnQtc2l6ZT0iOSIgdGV4dC1hbmNob3I9Im1pZGRsZSIgZmlsbD0iI0ZGRkZGRiIgZmlsbC1vcGFjaXR5PSIwLjYiPmFjbWUgbm90ZXM8L3RleHQ+PC9zdmc+",
        },
    )


def delete_account(user: User) -> None:
    """GDPR erasure: the profile stays (for billing history) but loses personal data."""
    analytics.identify(user.id, {"email": "redacted", "name": "Deleted user"})
