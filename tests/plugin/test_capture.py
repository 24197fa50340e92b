"""``cio_events`` captures the real SDKs: module API and clients, every family, any thread."""

from __future__ import annotations

import pytest


def test_segment_family_module_api_and_clients(sdk_project: pytest.Pytester) -> None:
    sdk_project.makepyfile(
        """
        import pytest

        FAMILIES = [
            ("customerio.analytics", "customerio-cdp"),
            ("segment.analytics", "segment"),
            ("rudderstack.analytics", "rudderstack"),
            ("analytics", "analytics-python"),
        ]

        @pytest.mark.parametrize("module_name,sdk", FAMILIES)
        def test_module_api(cio_events, module_name, sdk):
            sdk_module = pytest.importorskip(module_name)
            sdk_module.identify("u1", {"email": "a@b.c"})
            sdk_module.track("u1", "Signed Up", {"plan": "pro"})
            identify, track = cio_events.messages
            assert identify["type"] == "identify"
            assert identify["userId"] == "u1"
            assert identify["traits"] == {"email": "a@b.c"}
            assert identify["sdk"] == sdk
            assert track["type"] == "track"
            assert track["event"] == "Signed Up"
            assert track["properties"] == {"plan": "pro"}
            assert track["anonymousId"] is None
            assert track["timestamp"]
            assert track["sdk"] == sdk

        @pytest.mark.parametrize("module_name,sdk", FAMILIES)
        def test_client_instances(cio_events, module_name, sdk):
            sdk_module = pytest.importorskip(module_name)
            client = sdk_module.Client("another-key", send=True)
            client.identify(user_id=42, traits={"plan": "free"})
            client.track(user_id=42, event="Order Completed",
                         properties={"order_id": "o1", "total": 9.5})
            client.track(anonymous_id="anon-1", event="Report Exported",
                         properties={"format": "csv"})
            client.page("42", "Docs", "Intro", {"path": "/docs"})
            assert [m["type"] for m in cio_events.messages] == [
                "identify", "track", "track", "page"]
            assert cio_events.identifies("42")[0]["traits"] == {"plan": "free"}
            assert cio_events.identifies(42)[0]["userId"] == "42"
            order, export = cio_events.tracks()
            assert order["userId"] == "42" and order["properties"]["total"] == 9.5
            assert export["userId"] is None and export["anonymousId"] == "anon-1"
            assert {m["sdk"] for m in cio_events.messages} == {sdk}

        def test_sdk_argument_checks_still_run(cio_events):
            import segment.analytics
            with pytest.raises(AssertionError, match="event must have"):
                segment.analytics.track("u1", None)
            with pytest.raises(AssertionError, match="user_id or anonymous_id"):
                segment.analytics.track(event="Signed Up")
            assert cio_events.messages == []
        """
    )
    result = sdk_project.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=9)


def test_rudderstack_identify_traits_are_normalised(sdk_project: pytest.Pytester) -> None:
    sdk_project.makepyfile(
        """
        import rudderstack.analytics as rudder

        def test_traits(cio_events):
            rudder.identify("u1", {"email": "a@b.c"})
            (message,) = cio_events.messages
            assert message["traits"] == {"email": "a@b.c"}
            assert message["context"]["traits"] == {"email": "a@b.c"}
            assert message["sdk"] == "rudderstack"
        """
    )
    sdk_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_classic_customerio(sdk_project: pytest.Pytester) -> None:
    sdk_project.makepyfile(
        """
        from datetime import datetime, timezone

        from customerio import APIClient, CustomerIO, SendEmailRequest

        def test_track_api(cio_events):
            cio = CustomerIO(site_id="site", api_key="key")
            cio.identify(id="u 1", email="a@b.c", created_at=datetime(2024, 1, 1, tzinfo=timezone.utc))
            cio.track(customer_id="u 1", name="Order Completed",
                      data={"order_id": "o1", "total": 3})
            cio.track_anonymous(anonymous_id="anon-7", name="Report Exported",
                                data={"format": "pdf"})
            cio.pageview("u 1", "/pricing", referrer="ad")
            identify, track, anonymous, page = cio_events.messages
            assert identify["type"] == "identify" and identify["userId"] == "u 1"
            assert identify["traits"] == {"email": "a@b.c", "created_at": 1704067200}
            assert track["event"] == "Order Completed"
            assert track["properties"] == {"order_id": "o1", "total": 3}
            assert anonymous["type"] == "track"
            assert anonymous["userId"] is None and anonymous["anonymousId"] == "anon-7"
            assert page["type"] == "page" and page["name"] == "/pricing"
            assert {m["sdk"] for m in cio_events.messages} == {"customerio-classic"}
            cio_events.assert_tracked("Order Completed", user_id="u 1", properties={"total": 3})

        def test_transactional(cio_events):
            api = APIClient("app-key")
            response = api.send_email(SendEmailRequest(
                transactional_message_id="welcome", to="a@b.c", identifiers={"id": "u1"},
                message_data={"name": "Ada"}))
            assert response["delivery_id"]
            (message,) = cio_events.messages
            assert message["type"] == "transactional"
            assert message["channel"] == "email"
            assert message["userId"] == "u1"
            assert message["properties"]["message_data"] == {"name": "Ada"}
            assert cio_events.tracks() == []
        """
    )
    sdk_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_calls_from_other_threads_are_captured(sdk_project: pytest.Pytester) -> None:
    sdk_project.makepyfile(
        """
        import threading
        from concurrent.futures import ThreadPoolExecutor

        import customerio.analytics as cdp
        from customerio import CustomerIO

        def test_threads(cio_events):
            client = cdp.Client("key")
            cio = CustomerIO("site", "key")

            def work(n):
                cdp.track(f"u{n}", "Signed Up", {"plan": "pro"})
                client.track(f"u{n}", "Order Completed", {"order_id": str(n), "total": n})
                cio.track(f"u{n}", "Report Exported", {"format": "csv"})

            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(work, range(40)))
            thread = threading.Thread(target=cdp.identify, args=("late", {}))
            thread.start()
            thread.join()
            assert len(cio_events.messages) == 121
            cio_events.assert_tracked("Order Completed", times=40)
            cio_events.assert_tracked("Report Exported", user_id="u39")
            cio_events.assert_identified("late")
        """
    )
    sdk_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_recorder_works_without_pytest() -> None:
    import segment.analytics

    from cio_lint.capture import EventRecorder

    client = segment.analytics.Client("key", send=False)
    with EventRecorder() as events:
        client.track("u1", "Signed Up", {"plan": "pro"})
    client.track("u1", "Not Captured", {})
    assert [m["event"] for m in events.messages] == ["Signed Up"]
    assert repr(events) == "<EventRecorder 1 message>"


def test_classic_batch_and_other_endpoints_are_mapped() -> None:
    from cio_lint.capture.classic import to_messages

    base = "https://track.customer.io/api/v1"
    batch = to_messages(
        "POST",
        "https://track.customer.io/api/v2/batch",
        {
            "batch": [
                {
                    "type": "person",
                    "action": "identify",
                    "identifiers": {"id": "u1"},
                    "attributes": {"email": "a@b.c"},
                },
                {
                    "type": "person",
                    "action": "event",
                    "identifiers": {"id": "u1"},
                    "name": "Signed Up",
                    "attributes": {"plan": "pro"},
                },
                {"type": "person", "action": "delete", "identifiers": {"id": "u1"}},
            ]
        },
    )
    assert [(m["type"], m["userId"]) for m in batch] == [
        ("identify", "u1"),
        ("track", "u1"),
        ("batch:person:delete", "u1"),
    ]
    assert batch[1]["event"] == "Signed Up" and batch[1]["properties"] == {"plan": "pro"}
    assert to_messages("DELETE", f"{base}/customers/u%2F1", {})[0] == {
        "type": "delete",
        "userId": "u/1",
        "anonymousId": None,
        "event": None,
        "properties": None,
        "traits": None,
        "timestamp": None,
        "sdk": "customerio-classic",
    }
    device = to_messages("PUT", f"{base}/customers/u1/devices", {"device": {"id": "d1"}})[0]
    assert device["type"] == "add_device" and device["properties"] == {"id": "d1"}
    assert to_messages("POST", f"{base}/customers/u1/suppress", {})[0]["type"] == "suppress"
