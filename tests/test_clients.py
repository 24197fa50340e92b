"""Client objects followed like values (issue 10, items 1-4): attributes (every assignment),
factories, properties, annotations, ``self`` chains, members by unique name, calls in every
callable, ``functools.partial``, and declared wrappers that always bind.

Every case sends the unplanned event ``Project Deleted``: a CIO001 on the line proves that the
call was found and checked. Each runs with and without the prefilter (both must find it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Lint, codes

from cio_lint.config import Config
from cio_lint.engine import lint_paths
from cio_lint.plan import load_plan

PREFILTER = pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "no-prefilter"])


def _lines(result: object, code: str = "CIO001") -> list[tuple[str, int]]:
    return [(p, line) for p, line, c in codes(result) if c == code]  # type: ignore[arg-type]


@PREFILTER
def test_instance_attribute_none_until_configured(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
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
        },
        prefilter=prefilter,
    )
    assert _lines(result) == [("app/service.py", 14)]


@PREFILTER
def test_module_client_none_then_set_by_global_or_branch(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
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
        },
        prefilter=prefilter,
    )
    assert _lines(result) == [("app/views.py", 5), ("app/views.py", 6)]


@PREFILTER
def test_factories_properties_and_cached_properties(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
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
        },
        prefilter=prefilter,
    )
    assert _lines(result) == [("app/views.py", n) for n in range(4, 11)]


@PREFILTER
def test_annotations_of_parameters_attributes_and_returns(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
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
        },
        prefilter=prefilter,
    )
    assert _lines(result) == [("app/sending.py", n) for n in (7, 11, 14, 17, 20, 29, 30, 36)]


@PREFILTER
def test_self_attribute_chains(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
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
        },
        prefilter=prefilter,
    )
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
    result = lint(
        {
            "tenants/__init__.py": "",
            "tenants/models.py": TENANTS,
            "web/__init__.py": "",
            "web/views.py": """\
            from django.http import JsonResponse

            def delete_project(request, pk):
                request.tenant.settings.analytics_client.track(request.user.id, "Project Deleted")
                return JsonResponse({})
            """,
        },
        prefilter=prefilter,
    )
    assert _lines(result) == [("web/views.py", 4)]
    assert list(result.by_member_name.values()) == ["tenants.models.SiteSettings.analytics_client"]


@PREFILTER
def test_member_name_with_two_candidates_is_not_resolved(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
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
        },
        prefilter=prefilter,
    )
    assert _lines(result) == []


def test_member_name_that_does_not_bind_is_another_method(lint: Lint) -> None:
    """A wrapper method found by name is used only when the call binds to it."""
    result = lint(
        {
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
        }
    )
    assert _lines(result, "CIO007") == [("app/billing.py", 5)]
    assert _lines(result, "CIO013") == []


@PREFILTER
def test_calls_in_every_callable(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
            "app/__init__.py": "",
            "app/views.py": """\
            from django.db import transaction
            import analytics
            from customerio import analytics as cdp

            def on_commit_lambda(user):
                transaction.on_commit(lambda: analytics.track(user.id, "Project Deleted", {}))

            def nested(user):
                def send():
                    cdp.track(user.id, "Project Deleted", {})
                transaction.on_commit(send)

            def comprehension(users):
                return [analytics.track(u.id, "Project Deleted", {}) for u in users]

            def default_argument(user, sent=analytics.track("u1", "Project Deleted", {})):
                return sent

            @transaction.atomic(using=analytics.track("u2", "Project Deleted", {}))
            def decorated(user):
                pass

            class Body:
                sent = analytics.track("u3", "Project Deleted", {})

            transaction.on_commit(lambda: analytics.track("u4", "Project Deleted", {}))
            handler = lambda user: analytics.track(user.id, "Project Deleted", {})

            class Handler:
                def post(self, request):
                    transaction.on_commit(lambda: (lambda: analytics.track(request.user.id, "Project Deleted"))())
            """,
        },
        prefilter=prefilter,
    )
    assert _lines(result) == [("app/views.py", n) for n in (6, 10, 14, 16, 19, 24, 26, 27, 31)]


@PREFILTER
def test_partial_binds_its_fixed_arguments(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
            "app/__init__.py": "",
            "app/helpers.py": """\
            import analytics

            def track_event(user, name, properties=None):
                analytics.track(user.id, name, properties or {})
            """,
            "app/views.py": """\
            import functools
            from functools import partial
            from django.db import transaction
            import analytics
            from app.helpers import track_event

            def direct(user):
                send = partial(analytics.track, user.id)
                send("Project Deleted", {})

            def handed_off(user):
                transaction.on_commit(functools.partial(analytics.track, user.id, "Project Deleted", {}))
                transaction.on_commit(partial(track_event, user, "Project Deleted"))

            def helper_bound(user):
                emit = partial(track_event, user)
                emit("Project Deleted")
                emit("Signed Up", {"plan": "platinum"})
            """,
        },
        prefilter=prefilter,
    )
    assert _lines(result) == [("app/views.py", n) for n in (9, 12, 13, 17)]
    assert _lines(result, "CIO013") == [] and _lines(result, "CIO007") == []
    assert ("app/views.py", 18) in _lines(result, "CIO006")


def test_a_lambda_is_its_own_scope_for_cio003(lint: Lint) -> None:
    """A lambda runs later, like a nested def: an identify before it in the enclosing function
    does not order its track, and an identify after it does not flag it."""
    result = lint(
        {
            "app/__init__.py": "",
            "app/views.py": """\
            from django.db import transaction
            import analytics

            def signup(user):
                transaction.on_commit(lambda: analytics.track(user.id, "Signed Up", {"plan": "pro"}))
                analytics.identify(user.id, {"email": user.email})
                analytics.track(user.id, "Signed Up", {"plan": "pro"})

            def login(user):
                analytics.track(user.id, "Signed Up", {"plan": "pro"})
                analytics.identify(user.id, {"email": user.email})
            """,
        }
    )
    assert _lines(result, "CIO003") == [("app/views.py", 10)]


@PREFILTER
def test_declared_wrappers_always_bind(lint: Lint, prefilter: bool) -> None:
    """Declared wrappers bind whether or not an SDK call is visible in them: a registry or a
    queue hides it."""
    result = lint(
        {
            "app/__init__.py": "",
            "app/telemetry.py": """\
            HANDLERS = {}

            def emit(user, name, **props):
                for handler in HANDLERS.values():
                    handler(user, name, props)

            class Outbox:
                @staticmethod
                def enqueue(user, name, props):
                    QUEUE.append((user, name, props))

                @classmethod
                def push(cls, user, name):
                    cls.queue.append((user, name))

                def send(self, user, name):
                    self.queue.append((user, name))
            """,
            "app/views.py": """\
            from app.telemetry import emit, Outbox

            def delete(user, outbox: Outbox):
                emit(user, "Project Deleted", plan="pro")
                Outbox.enqueue(user, "Project Deleted", {})
                Outbox.push(user, "Project Deleted")
                outbox.send(user, "Project Deleted")
            """,
        },
        prefilter=prefilter,
        wrappers={
            "app.telemetry.emit": {
                "kind": "track",
                "user_id": 0,
                "event": 1,
                "properties": "kwargs",
            },
            "app.telemetry.Outbox.enqueue": {
                "kind": "track",
                "user_id": 0,
                "event": 1,
                "properties": 2,
            },
            "app.telemetry.Outbox.push": {"kind": "track", "user_id": 0, "event": 1},
            "app.telemetry.Outbox.send": {"kind": "track", "user_id": "user", "event": "name"},
        },
    )
    assert _lines(result) == [("app/views.py", n) for n in (4, 5, 6, 7)]


def test_explain_wrappers_lists_receivers_resolved_by_member_name(project) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from cio_lint.cli import main

    project(
        {
            "tenants/__init__.py": "",
            "tenants/models.py": TENANTS,
            "web/__init__.py": "",
            "web/views.py": """\
            def delete_project(request, pk):
                request.tenant.settings.analytics_client.track(request.user.id, "Project Deleted")
            """,
        }
    )
    result = CliRunner().invoke(main, ["--explain-wrappers", "--no-cache", "."])
    assert result.exit_code == 0, result.output
    assert "web/views.py:2:5 -> tenants.models.SiteSettings.analytics_client" in result.output


@PREFILTER
def test_a_helper_whose_lambda_sends_its_parameters_is_a_wrapper(
    lint: Lint, prefilter: bool
) -> None:
    """``on_commit(lambda: ...)`` inside a helper sends the helper's own parameters: its call
    sites are checked; a parameter of the lambda itself is not the helper's."""
    result = lint(
        {
            "app/__init__.py": "",
            "app/tracking.py": """\
            from django.db import transaction
            import analytics

            def later(user, event, props):
                transaction.on_commit(lambda: analytics.track(user.id, event, props))

            def each(users, event):
                def send(event):
                    analytics.track(users[0].id, event, {})
                send("Signed Up")
            """,
            "app/views.py": """\
            from app.tracking import later, each

            def view(user):
                later(user, "Project Deleted", {})
                later(user, "Signed Up", {"plan": "platinum"})
                each([user], "Project Deleted")
            """,
        },
        prefilter=prefilter,
    )
    assert _lines(result) == [("app/views.py", 4)]
    assert ("app/views.py", 5) in _lines(result, "CIO006")


@PREFILTER
def test_module_level_lambda_and_subscript_receivers(lint: Lint, prefilter: bool) -> None:
    result = lint(
        {
            "app/__init__.py": "",
            "app/ext.py": """\
            import analytics

            class Notifier:
                def __init__(self, key):
                    self.segment_client = analytics.Client(write_key=key)
            """,
            "app/views.py": """\
            from flask import current_app

            def view(user):
                current_app.extensions["notifier"].segment_client.track(user.id, "Project Deleted", {})
            """,
        },
        prefilter=prefilter,
    )
    assert _lines(result) == [("app/views.py", 4)]


@PREFILTER
def test_a_module_attribute_assigned_from_another_module(lint: Lint, prefilter: bool) -> None:
    """An app factory configures a module that holds ``client = None``: the module, and the
    files that use its client, are followed (the holding module imports no SDK)."""
    result = lint(
        {
            "app/__init__.py": "",
            "app/tracking.py": """\
            client = None

            def deleted(user):
                client.track(user.id, "Project Deleted", {})
            """,
            "app/factory.py": """\
            import analytics
            from app import tracking

            def create_app(config):
                tracking.client = analytics.Client(write_key=config["key"])
            """,
            "app/views.py": """\
            from app import tracking

            def view(user):
                tracking.client.track(user.id, "Project Deleted", {})
            """,
        },
        prefilter=prefilter,
    )
    assert _lines(result) == [("app/tracking.py", 4), ("app/views.py", 4)]


def test_member_names_on_a_rerun_see_the_edited_file(project) -> None:  # type: ignore[no-untyped-def]
    """The attribute words of unchanged files come from the cache; an edited file's are read
    again, so a call added through a member name is found on the next run."""
    from cio_lint.config import Config
    from cio_lint.engine import lint_paths
    from cio_lint.plan import load_plan

    root = project(
        {
            "tenants/__init__.py": "",
            "tenants/models.py": TENANTS,
            "web/__init__.py": "",
            "web/views.py": "def delete_project(request, pk):\n    return pk\n",
            "web/other.py": "def nothing(request):\n    return request.tenant\n",
        }
    )
    config = Config(root=root, cache_dir=root / "cache")
    plan = load_plan(root / "tracking_plan")
    assert [f.code for f in lint_paths([root], config, plan, jobs=1).findings] == []
    (root / "web" / "views.py").write_text(
        "def delete_project(request, pk):\n"
        "    request.tenant.settings.analytics_client.track(request.user.id, 'Project Deleted')\n"
    )
    again = lint_paths([root], config, plan, jobs=1)
    assert [(f.path, f.line) for f in again.findings if f.code == "CIO001"] == [("web/views.py", 2)]


def test_member_mentions_agree_in_the_helper_process_serially_and_on_reruns(
    project: Callable[..., Path],
) -> None:
    """A first run with workers asks the helper process for just the member names; a serial
    run looks for them in the bytes; a rerun reads every file's attribute words (and stores
    them). All three select the same files: one mentions the member with spaces after the dot,
    one with a non-ASCII member name, one only a longer name that starts like the member."""
    files = {
        "tenants/__init__.py": "",
        "tenants/models.py": TENANTS,
        "tenants/ünï.py": (
            "import analytics\n"
            "class Ünï:\n"
            "    def __init__(self):\n"
            "        self.клиент = analytics.Client(write_key='k')\n"
        ),
        "web/__init__.py": "",
        "web/views.py": (
            "def delete_project(request, pk):\n"
            "    request.tenant.settings. analytics_client.track(request.user.id, 'Project X')\n"
        ),
        "web/other.py": (
            "def f(request):\n    request.site.клиент.track(request.user.id, 'Project Y')\n"
        ),
        "web/longer.py": (
            "def g(request):\n    request.analytics_client_v2.track(request.user.id, 'Project Z')\n"
        ),
        **{f"filler/m{i}.py": f"def f{i}(x):\n    return x.value + {i}\n" for i in range(30)},
        "filler/__init__.py": "",
    }
    root = project(files)
    plan = load_plan(root / "tracking_plan")

    def run(jobs: int, cache: bool) -> list[tuple[str, int, str]]:
        config = Config(root=root, sdk_versions={"customerio": "3.2"}, cache=cache)
        # no run cache or run state: every run links the whole project again
        return codes(lint_paths([root], config, plan, jobs=jobs, use_run_cache=False))

    helper = run(2, cache=True)  # a first run: the helper process scans
    assert ("web/views.py", 2, "CIO001") in helper
    assert ("web/other.py", 2, "CIO001") in helper
    assert not any(path == "web/longer.py" and code == "CIO001" for path, _, code in helper)
    assert run(1, cache=False) == helper
    assert run(2, cache=True) == helper  # a rerun: attribute words, read and stored
    assert run(2, cache=True) == helper  # the stored attribute words


def test_mentioned_is_attribute_words_restricted_to_the_names() -> None:
    from cio_lint.prefilter import attribute_words, mentioned

    data = (
        "x.analytics_client.track()\ny. \tclient_v2 = 1\nz.клиент.track()\n"
        "w.analytics_clientele\n# .tracker in a comment\nanalytics_client = 1\n"
    ).encode()
    names = frozenset({"analytics_client", "client", "клиент", "tracker", "absent"})
    assert mentioned(data, names) == attribute_words(data) & names
    assert mentioned(data, names) == {"analytics_client", "клиент", "tracker"}
