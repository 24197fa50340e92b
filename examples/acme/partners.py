"""Partner workspaces: agencies that resell Acme Notes get a Customer.io workspace of their own.

Each partner's Data Pipelines client is built by the integration registry at run time, from the
partner's stored write key, and reached through the workspace object the registry hands in.
"""

from __future__ import annotations

from customerio import analytics

from acme.models import User


def mirror_signup(workspace, user: User, method: str) -> None:
    """Our own workspace gets the sign-up; the partner's gets a copy."""
    props = {"plan": user.plan, "signup_method": method}
    analytics.track(user.id, "Signed Up", props)
    workspace.pipelines_client.track(user.id, "Signed Up", props)
