"""Product analytics in Mixpanel, next to Customer.io: the same plan, the Mixpanel client.

Mixpanel has no identify: a profile update (`people_set`) carries the traits. The user id is
always the first argument, the event name the second.
"""

from mixpanel import Mixpanel

from acme import settings
from acme.events import SIGNED_UP

mp = Mixpanel(settings.MIXPANEL_TOKEN)


class ProductAnalytics:
    """One method per event, over the module's client."""

    def __init__(self, client: Mixpanel = mp) -> None:
        self.client = client

    def signed_up(self, user, method):
        self.client.people_set(str(user.id), {"email": user.email, "plan": user.plan})
        self.client.track(str(user.id), SIGNED_UP, {"plan": user.plan, "signup_method": method})

    def project_created(self, user, project):
        self.client.track(
            str(user.id), "Project Creatd", {"project_id": project.id, "name": project.name}
        )

    def note_shared(self, user, note, channel):
        self.client.track(
            str(user.id), "Note Shared", {"note_id": note.id, "channel": channel}
        )


def link_anonymous_session(user, session_id):
    mp.alias(str(user.id), session_id)


def logged_in(user):
    # written from the Segment docs: Mixpanel's `track` takes no `user_id=`/`event=`
    mp.track(user_id=str(user.id), event="Logged In", properties={"method": "password"})
