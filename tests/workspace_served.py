"""The small workspace ``FakeAppApi`` serves in tests/test_workspace_pull.py, in the App API's
documented shapes, and the snapshot it must give, built from the same declarations (each
template declares the variable paths it uses), not copied from an output."""

from __future__ import annotations

from dataclasses import dataclass, field

from workspace_server import FakeAppApi


@dataclass
class Workspace:
    """What the fake App API serves, and the snapshot it must give."""

    expected: dict[str, object] = field(
        default_factory=lambda: {
            "format": "cio-lint-workspace/1",
            "region": "us",
            "complete": True,
            "journeys": [],
            "broadcasts": [],
            "transactional": [],
        }
    )

    def action(
        self, served: dict[str, object], paths: list[str], *, error: bool = False
    ) -> tuple[dict[str, object], dict[str, object]]:
        """An action as served, and as the snapshot keeps it (``paths``: what its templates use)."""
        kept: dict[str, object] = {
            "id": served["id"],
            "name": served.get("name", ""),
            "type": served.get("type", "unknown"),
            "sending_state": served.get("sending_state", "unknown"),
            "variables": sorted(paths),
        }
        return served, kept


def serve_workspace(api: FakeAppApi) -> dict[str, object]:
    """Route a small workspace (campaigns with 2 pages of actions, broadcasts, transactional
    messages with contents) into ``api``; return the snapshot it must give."""
    ws = Workspace()
    welcome = ws.action(
        {
            "id": 101,
            "campaign_id": 12,
            "name": "Welcome email",
            "type": "email",
            "sending_state": "automatic",
            "subject": 'Welcome, {{ customer.first_name | default: "there" }}',
            "from": "team@acme.test",
            "recipient": "{{customer.email}}",
            "preheader_text": "Your {{ event.plan | upcase }} trial",
            "body": (
                "<p>{% cio_link url: 'https://acme.test/start' %}Start{% endcio_link %} with "
                "{{ event.items[0].name }}.</p>{% assign seats = event.seats %}{{ seats }}"
            ),
            "headers": [{"name": "X-Plan", "value": "{{ event.plan_id }}"}],
        },
        [
            "customer.first_name",
            "customer.email",
            "event.plan",
            "event.items.0.name",
            "event.seats",
            "event.plan_id",
        ],
    )
    hook = ws.action(
        {
            "id": 102,
            "name": "Notify CRM",
            "type": "webhook",
            "sending_state": "off",
            "method": "POST",
            "url": "https://hooks.acme.test/{{ customer.id }}",
            "body": '{"plan": "{{ event.plan }}"}',
        },
        ["customer.id", "event.plan"],
    )
    sms = ws.action(
        {
            "id": 103,
            "name": "Code",
            "type": "twilio",
            "sending_state": "draft",
            "body": "{% if customer.phone %}Code{% endif %}: {{ event.code | prepend: '#' }}",
        },
        ["customer.phone", "event.code"],
    )
    broken_served, broken = ws.action(
        {
            "id": 104,
            "name": "Broken push",
            "type": "push",
            "sending_state": "automatic",
            "body": "{{ customer.name }} and {{ event.title ",
        },
        ["customer.name"],
    )
    broken["liquid_error"] = "expected '}}', found end of file"
    bare = ws.action({"id": 105, "body": "No Liquid here"}, [])
    steps = [
        ws.action(
            {
                "id": i,
                "name": f"Step {i}",
                "type": "email",
                "sending_state": "automatic",
                "body": f"{{{{ event.step_{i} }}}}",
            },
            [f"event.step_{i}"],
        )
        for i in range(106, 111)
    ]
    cart = ws.action(
        {
            "id": 111,
            "name": "Cart",
            "type": "in_app",
            "sending_state": "automatic",
            "body": "{% for item in event.cart %}{{ item.sku }}{% endfor %}",
        },
        ["event.cart"],
    )
    custom = ws.action(
        {
            "id": 112,
            "name": "Unsubscribe footer",
            "type": "email",
            "sending_state": "automatic",
            "body": "{{ customer.company }} {% cio_unsubscribe_url %}",
        },
        ["customer.company"],
    )
    page_1 = [welcome, hook, sms, (broken_served, broken), bare, *steps]
    page_2 = [cart, custom]
    # served newest first, as an API may: the snapshot sorts by id
    api.route(
        "/v1/campaigns/12/actions",
        {"actions": [a for a, _ in reversed(page_1)], "next": "MTEx"},
    )
    api.route(
        "/v1/campaigns/12/actions?start=MTEx", {"actions": [a for a, _ in page_2], "next": ""}
    )
    trial_served, trial = ws.action(
        {
            "id": 201,
            "name": "Trial ends",
            "type": "email",
            "sending_state": "automatic",
            "body": "Hi {{customer.first_name}}, ends {{ customer.trial_ends_at | date: '%b %d' }}",
        },
        ["customer.first_name", "customer.trial_ends_at"],
    )
    api.route("/v1/campaigns/20/actions", {"actions": [trial_served]})
    api.route("/v1/campaigns/3/actions", {"actions": [], "next": None})
    api.route(
        "/v1/campaigns",
        {
            "campaigns": [
                {
                    "id": 12,
                    "name": "Onboarding",
                    "state": "running",
                    "active": True,
                    "type": "event",
                    "event_name": "Signed Up",
                    "created": 1700000000,
                    "tags": [],
                },
                {
                    "id": 3,
                    "name": "Win-back",
                    "state": "Draft",
                    "type": "segment",
                    "trigger_segment_ids": [4],
                },
                {
                    "id": 20,
                    "name": "Trial reminder",
                    "type": "date",
                    "date_attribute": "trial_ends_at",
                },
            ]
        },
    )
    ws.expected["journeys"] = [
        {
            "id": 3,
            "name": "Win-back",
            "state": "draft",
            "active": False,
            "trigger": {"type": "segment"},
            "actions": [],
        },
        {
            "id": 12,
            "name": "Onboarding",
            "state": "running",
            "active": True,
            "trigger": {"type": "event", "event": "Signed Up"},
            "actions": [kept for _, kept in sorted(page_1 + page_2, key=lambda a: a[1]["id"])],
        },
        {
            "id": 20,
            "name": "Trial reminder",
            "state": "unknown",
            "active": False,
            "trigger": {"type": "date"},
            "actions": [trial],
        },
    ]
    headline_served, headline = ws.action(
        {
            "id": 71,
            "name": "Launch email",
            "type": "email",
            "sending_state": "automatic",
            "subject": "{{ trigger.headline }}",
            "body": "{{ trigger.items[2].title | escape }}",
        },
        ["trigger.headline", "trigger.items.2.title"],
    )
    api.route(
        "/v1/broadcasts",
        {
            "broadcasts": [
                {"id": 7, "name": "Launch", "state": "draft", "active": False},
                {"id": 2, "name": "Flash sale", "state": "running"},
            ]
        },
    )
    api.route("/v1/broadcasts/7/actions", {"actions": [headline_served]})
    api.route("/v1/broadcasts/2/actions", {"actions": []})
    ws.expected["broadcasts"] = [
        {
            "id": 2,
            "name": "Flash sale",
            "state": "running",
            "active": True,
            "api_triggered": True,
            "actions": [],
        },
        {
            "id": 7,
            "name": "Launch",
            "state": "draft",
            "active": False,
            "api_triggered": True,
            "actions": [headline],
        },
    ]
    api.route(
        "/v1/transactional",
        {
            "messages": [
                {
                    "id": 3,
                    "name": "Receipt",
                    "trigger_name": "receipt",
                    "description": "",
                    "send_to_unsubscribed": True,
                    "link_tracking": True,
                },
                {"id": 1, "name": "Password reset"},
            ]
        },
    )
    api.route(
        "/v1/transactional/3/contents",
        {
            "contents": [
                {
                    "id": 32,
                    "type": "email",
                    "language": "fr",
                    "subject": "Reçu {{ trigger.order_number }}",
                    "body": "{{ trigger.total }} €",
                },
                {
                    "id": 31,
                    "type": "email",
                    "language": "",
                    "subject": "Receipt {{ trigger.order_number }}",
                    "body": "{% for line in trigger.lines %}{{ line.sku }}{% endfor %}",
                },
            ]
        },
    )
    api.route(
        "/v1/transactional/1/contents",
        {
            "contents": [
                {
                    "id": 11,
                    "type": "push",
                    "title": "{{ trigger.code }}",
                    "message": "Reset for {{ customer.email }}",
                }
            ]
        },
    )
    ws.expected["transactional"] = [
        {
            "id": 1,
            "name": "Password reset",
            "trigger_name": None,
            "contents": [
                {"id": 11, "type": "push", "variables": ["customer.email", "trigger.code"]}
            ],
        },
        {
            "id": 3,
            "name": "Receipt",
            "trigger_name": "receipt",
            "contents": [
                {"id": 31, "type": "email", "variables": ["trigger.lines", "trigger.order_number"]},
                {"id": 32, "type": "email", "variables": ["trigger.order_number", "trigger.total"]},
            ],
        },
    ]
    return ws.expected
