"""Product analytics in Amplitude, next to Customer.io: the same plan, Amplitude's event objects.

Amplitude takes the event as an object: `track(BaseEvent(event_type, user_id=...,
event_properties=...))`. The typed events below fix their name in `super().__init__`, so the
views pass only what varies; `identify` takes an `Identify()` builder and `EventOptions`.
"""

from amplitude import Amplitude, BaseEvent, EventOptions, Identify

from acme import settings
from acme.events import Event

amplitude_client = Amplitude(settings.AMPLITUDE_API_KEY)


class NoteShared(BaseEvent):
    def __init__(self, user, note, channel: str):
        super().__init__(
            event_type=Event.NOTE_SHARED.value,
            user_id=str(user.id),
            event_properties={"note_id": note.id, "channel": channel},
        )


class ExportDownloaded(BaseEvent):
    def __init__(self, user, export_format: str, note_count: int):
        super().__init__(
            event_type="Export Downloded",
            user_id=str(user.id),
            event_properties={"format": export_format, "note_count": note_count},
        )


def profile_updated(user):
    traits = Identify()
    traits.set("email", user.email)
    traits.set("plan", user.plan)
    amplitude_client.identify(traits, EventOptions(user_id=str(user.id)))


def note_shared_in_slack(user, note):
    amplitude_client.track(NoteShared(user, note, "slack"))
    amplitude_client.track(NoteShared(user, note, "teams"))


def export_downloaded(user, note_count):
    amplitude_client.track(ExportDownloaded(user, "pdf", note_count))
