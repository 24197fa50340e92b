"""Projects: create, import, delete; and the onboarding checklist that ends with a first project."""

from __future__ import annotations

from customerio import analytics

from acme.analytics_helpers import track_event
from acme.events import Event
from acme.models import Project, User, db


def create_project(user: User, name: str, template: str = "blank") -> Project:
    project = db.create_project(user, name, template)
    track_event(user, Event.PROJECT_CREATED, project_id=project.id, template=project.template)
    return project


def duplicate_project(user: User, original: Project) -> Project:
    copy = db.create_project(user, f"{original.name} (copy)", original.template)
    track_event(user, Event.PROJECT_CREATED, project_id=copy.id, name=copy.name)
    return copy


def create_meeting_notes(user: User) -> Project:
    """The "Start with meeting notes" button of the empty state."""
    project = db.create_project(user, "Meeting notes", "meeting-notes")
    track_event(user, Event.PROJECT_CREATED, project_id=project.id, template="meeting-notes")  # cio-lint: ignore[CIO006]
    return project


def import_trello_board(user: User, board: dict[str, str]) -> Project:
    project = db.create_project(user, board["name"])
    track_event(user, Event.PROJECT_CREATED, project_id=project.id, template="kanban")
    return project


def delete_project(user: User, project: Project) -> None:
    db.delete_project(project)
    track_event(user, "Project Deleted", project_id=project.id)


def complete_onboarding(user: User) -> None:
    """The last step of the onboarding checklist was ticked."""
    analytics.track(
        user.id,
        "Onboarding Checklist Completed After Importing An Existing Workspace From Notion With Recommended Templates",
        {"checklist_version": 3},
    )
