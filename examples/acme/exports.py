"""Exports: PDF, Markdown, HTML and Word downloads of one note or a whole project."""

from __future__ import annotations

import io
import zipfile

from acme.analytics_helpers import track_event
from acme.events import Event
from acme.models import Note, User
from acme.util import analytics

RENDERERS = {"pdf", "markdown", "html", "docx"}


@analytics.timed("exports.render")
def render(notes: list[Note], fmt: str) -> bytes:
    if fmt not in RENDERERS:
        raise ValueError(f"unknown export format {fmt!r}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for note in notes:
            archive.writestr(f"{note.title}.{fmt}", note.body)
    analytics.track("exports.rendered", len(notes), format=fmt)
    return buffer.getvalue()


def download_markdown(user: User, notes: list[Note]) -> bytes:
    data = render(notes, "markdown")
    track_event(user, Event.EXPORT_DOWNLOADED, format="markdown", note_count=len(notes))
    return data


def download_pdf(user: User, notes: list[Note], with_attachments: bool = False) -> bytes:
    data = render(notes, "pdf")
    track_event(
        user,
        Event.EXPORT_DOWNLOADED,
        format="pdf",
        note_count=len(notes),
        include_attachments=with_attachments,
    )
    return data


def email_export(user: User, notes: list[Note]) -> None:
    """The weekly "your notes as a zip" email: the user downloads it from the link."""
    render(notes, "html")
    track_event(user, Event.EXPORT_DOWNLOADED, note_count=len(notes))
