"""Domain objects. In production these are ORM models; here, plain dataclasses and an
in-memory store are enough to show how the views and services use them."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class User:
    id: int
    email: str
    name: str
    plan: str = "free"
    role: str = "member"
    company: str | None = None
    timezone: str = "UTC"
    avatar_url: str | None = None
    mfa_enabled: bool = False
    date_joined: datetime = field(default_factory=_now)

    @property
    def created_at(self) -> int:
        """Unix seconds, as Customer.io expects."""
        return int(self.date_joined.timestamp())


@dataclass
class Account:
    id: str
    name: str
    owner: User
    plan: str = "free"
    seats: int = 1
    industry: str | None = None
    trial_ends_at: datetime | None = None


@dataclass
class Project:
    id: str
    name: str
    owner_id: int
    template: str = "blank"


@dataclass
class Note:
    id: str
    project_id: str
    title: str
    body: str = ""


@dataclass
class Invite:
    id: str
    email: str
    role: str
    account_id: str


@dataclass
class Subscription:
    plan: str
    interval: str
    seats: int
    mrr: float
    currency: str = "USD"


@dataclass
class Order:
    id: str
    total: float
    currency: str = "USD"
    coupon: str | None = None


@dataclass
class OutboxRow:
    """An analytics message that could not be sent and waits for a retry."""

    id: int
    user_id: str
    event: str
    properties: dict[str, object]


class Store:
    """Just enough persistence for the demo."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.users: dict[int, User] = {}
        self.accounts: dict[str, Account] = {}
        self.projects: dict[str, Project] = {}
        self.outbox: list[OutboxRow] = []

    def create_user(self, email: str, name: str, **fields: object) -> User:
        user = User(id=next(self._ids), email=email, name=name, **fields)  # type: ignore[arg-type]
        self.users[user.id] = user
        return user

    def get_or_create_user(self, email: str, name: str) -> tuple[User, bool]:
        for user in self.users.values():
            if user.email == email:
                return user, False
        return self.create_user(email, name), True

    def create_project(self, owner: User, name: str, template: str = "blank") -> Project:
        project = Project(f"prj_{secrets.token_hex(6)}", name, owner.id, template)
        self.projects[project.id] = project
        return project

    def delete_project(self, project: Project) -> None:
        self.projects.pop(project.id, None)

    def pending_outbox(self) -> list[OutboxRow]:
        return list(self.outbox)


db = Store()
