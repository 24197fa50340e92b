"""Client objects followed like values (issue 10, items 1-4): attributes (every assignment),
factories, properties, annotations, ``self`` chains, members by unique name, calls in every
callable, ``functools.partial``, and declared wrappers that always bind.

Every case sends the unplanned event ``Project Deleted``: a CIO001 on the line proves that the
call was found and checked. Each runs with and without the prefilter (both must find it).
"""

from __future__ import annotations

import pytest
from conftest import Lint, codes

PREFILTER = pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "no-prefilter"])


def _lines(result: object, code: str = "CIO001") -> list[tuple[str, int]]:
    return [(p, line) for p, line, c in codes(result) if c == code]  # type: ignore[arg-type]


@PREFILTER
def test_instance_attribute_none_until_configured(lint: Lint, prefilter: bool) -> None:
    result = lint({
        "app/__init__.py": "",
        "app/settings.py": "CIO_SITE_ID = ''\n",
        "app/service.py": """\
            from customerio import CustomerIO
            from app import settings

            class Notifier:
                def __init__(self):
                    self.client = None
                    if not settings.CIO_SITE_ID:
                        return
                    self.client = CustomerIO(settings.CIO_SITE_ID, "key")

                def deleted(self, user):
                    if self.client is None:
                        return
                    self.client.track(user.id, "Project Deleted")
            """,
    }, prefilter=prefilter)
    assert _lines(result) == [("app/service.py", 14)]


@PREFILTER
def test_module_client_none_then_set_by_global_or_branch(lint: Lint, prefilter: bool) -> None:
    result = lint({
        "app/__init__.py": "",
        "app/tracking.py": """\
            import customerio
            from customerio import analytics

            cio = None
            segment = None
            if analytics.write_key:
                segment = analytics.Client("key")

            def init_app(config):
                global cio
                cio = customerio.CustomerIO(config["site"], config["key"])
            """,
        "app/views.py": """\
            from app import tracking
            from app.tracking import segment

            def delete(user):
                tracking.cio.track(user.id, "Project Deleted")
                segment.track(user.id, "Project Deleted")
            """,
    }, prefilter=prefilter)
    assert _lines(result) == [("app/views.py", 5), ("app/views.py", 6)]


@PREFILTER
def test_factories_properties_and_cached_properties(lint: Lint, prefilter: bool) -> None:
    result = lint({
        "app/__init__.py": "",
        "app/clients.py": """\
            import functools
            from functools import lru_cache, cached_property
            from django.utils.functional import cached_property as django_cached_property
            from customerio import analytics

            @lru_cache(maxsize=None)
            def get_client():
                return analytics.Client(write_key="k")

            def make_client(key):
                client = analytics.Client(write_key=key)
                return client

            class Site:
                @property
                def client(self):
                    return get_client()

                @cached_property
                def cached(self):
                    return make_client("x")

                @django_cached_property
                def tenant_client(self):
                    return analytics.Client(write_key="t")

                @functools.cache
                def factory(self):
                    return analytics.Client(write_key="f")
            """,
        "app/views.py": """\
            from app.clients import get_client, make_client, Site

            def delete(user, site: Site):
                get_client().track(user.id, "Project Deleted")
                make_client("k").track(user.id, "Project Deleted")
                site.client.track(user.id, "Project Deleted")
                site.cached.track(user.id, "Project Deleted")
                site.tenant_client.track(user.id, "Project Deleted")
                site.factory().track(user.id, "Project Deleted")
                Site().client.track(user.id, "Project Deleted")
            """,
    }, prefilter=prefilter)
    assert _lines(result) == [("app/views.py", n) for n in range(4, 11)]


@PREFILTER
def test_annotations_of_parameters_attributes_and_returns(lint: Lint, prefilter: bool) -> None:
    result = lint({
        "app/__init__.py": "",
        "app/sending.py": """\
            from __future__ import annotations
            from typing import Optional, Union
            import analytics
            from customerio import CustomerIO

            def with_param(client: analytics.Client, user):
                client.track(user.id, "Project Deleted", {})

            def with_optional(cio: Optional[CustomerIO], user):
                if cio:
                    cio.track(user.id, "Project Deleted")

            def with_union(cio: CustomerIO | None, user):
                cio.track(user.id, "Project Deleted")

            def with_string(cio: "CustomerIO", user):
                cio.track(user.id, "Project Deleted")

            def with_typing_union(cio: Union[None, "CustomerIO"], user):
                cio.track(user.id, "Project Deleted")

            class Holder:
                client: Optional[analytics.Client] = None

                def __init__(self, client):
                    self.other: CustomerIO | None = client

                def send(self, user):
                    self.client.track(user.id, "Project Deleted", {})
                    self.other.track(user.id, "Project Deleted")

            def registry_client(name) -> CustomerIO:
                return REGISTRY[name]

            def from_registry(user):
                registry_client("x").track(user.id, "Project Deleted")
                lookup = lambda c: c
                for c in [1]:
                    c.track(user.id, "Project Deleted")
            """,
    }, prefilter=prefilter)
    assert _lines(result) == [("app/sending.py", n) for n in (7, 11, 14, 17, 20, 29, 30, 36)]


@PREFILTER
def test_self_attribute_chains(lint: Lint, prefilter: bool) -> None:
    result = lint({
        "app/__init__.py": "",
        "app/config.py": """\
            from customerio import analytics

            class Configuration:
                def __init__(self):
                    self.client = analytics.Client(write_key="k")
            """,
        "app/service.py": """\
            from app.config import Configuration

            class Service:
                def __init__(self):
                    self.configuration = Configuration()

                def deleted(self, user):
                    self.configuration.client.track(user.id, "Project Deleted")
            """,
    }, prefilter=prefilter)
    assert _lines(result) == [("app/service.py", 8)]


TENANTS = """\
    from django.db import models
    from django.utils.functional import cached_property
    from customerio import analytics

    class SiteSettings(models.Model):
        write_key = models.CharField(max_length=64)

        @cached_property
        def analytics_client(self):
            return analytics.Client(write_key=self.write_key)
    """


@PREFILTER
def test_member_resolved_by_unique_name(lint: Lint, prefilter: bool) -> None:
    """``request.tenant.settings`` is a Django reverse accessor: no import shows its type. The
    view imports nothing of the SDK or of the tenants module."""
    result = lint({
        "tenants/__init__.py": "",
        "tenants/models.py": TENANTS,
        "web/__init__.py": "",
        "web/views.py": """\
            from django.http import JsonResponse

            def delete_project(request, pk):
                request.tenant.settings.analytics_client.track(request.user.id, "Project Deleted")
                return JsonResponse({})
            """,
    }, prefilter=prefilter)
    assert _lines(result) == [("web/views.py", 4)]
    assert list(result.by_member_name.values()) == ["tenants.models.SiteSettings.analytics_client"]


@PREFILTER
def test_member_name_with_two_candidates_is_not_resolved(lint: Lint, prefilter: bool) -> None:
    result = lint({
        "tenants/__init__.py": "",
        "tenants/models.py": TENANTS,
        "tenants/other.py": """\
            import analytics

            class Partner:
                def __init__(self):
                    self.analytics_client = analytics.Client(write_key="p")
            """,
        "web/__init__.py": "",
        "web/views.py": """\
            def delete_project(request, pk):
                request.tenant.settings.analytics_client.track(request.user.id, "Project Deleted")
            """,
    }, prefilter=prefilter)
    assert _lines(result) == []


def test_member_name_that_does_not_bind_is_another_method(lint: Lint) -> None:
    """A wrapper method found by name is used only when the call binds to it."""
    result = lint({
        "app/__init__.py": "",
        "app/billing.py": """\
            from customerio import analytics

            class Checkout:
                def refund(self, user, order):
                    analytics.track(user.id, order.event_name, {})
            """,
        "app/admin.py": """\
            def refund_order(agent, order, amount):
                order.refund(amount, by=agent)
            """,
    })
    assert _lines(result, "CIO007") == [("app/billing.py", 5)]
    assert _lines(result, "CIO013") == []
