"""Liquid variable paths of Customer.io templates (``cio_lint.workspace.liquid``), and the small
pure helpers of the App API client."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest

from cio_lint.workspace.client import (
    MAX_RETRY_AFTER,
    PullError,
    base_url,
    check_key,
    depth_exceeds,
    retry_after,
)
from cio_lint.workspace.liquid import MAX_SOURCE, extract, extract_all


@pytest.mark.parametrize(
    ("template", "paths"),
    [
        ('{{ customer.first_name | default: "x" }}', {"customer.first_name"}),
        ("{{ event.items[0].name }}", {"event.items.0.name"}),
        ('{{ event["plan name"] }}', {"event.plan name"}),
        ("{{ trigger.order.total | times: 100 | round }}", {"trigger.order.total"}),
        (
            "{{ event.price | money_with_currency: customer.currency }}",
            {"event.price", "customer.currency"},
        ),
        (
            "{% if customer.vip and event.total > 100 %}VIP{% endif %}",
            {"customer.vip", "event.total"},
        ),
        ("{% assign n = event.count %}{{ n }} {{ n.x }}", {"event.count"}),
        ("{% for line in trigger.lines %}{{ line.sku }}{% endfor %}", {"trigger.lines"}),
        ("{% capture c %}{{ customer.a }}{% endcapture %}{{ c }}", {"customer.a"}),
        ("{{ event[customer.key].x }}", {"event", "customer.key"}),
        ("no liquid at all", set()),
        ("{{ 'literal' | upcase }}", set()),
    ],
)
def test_global_variable_paths_are_dotted(template: str, paths: set[str]) -> None:
    found = extract(template)
    assert found.error is None
    assert found.paths == paths


def test_customer_io_tags_are_tolerated() -> None:
    template = (
        "{% cio_link url: 'https://acme.test' %}Go, {{ customer.name }}{% endcio_link %}"
        "{% if event.plan %}{% cio_unsubscribe_url %}{% endif %}{% some_future_tag a b c %}"
        "{{ event.plan }}"
    )
    found = extract(template)
    assert found.error is None
    assert found.paths == {"customer.name", "event.plan"}


@pytest.mark.parametrize(
    ("template", "paths", "error"),
    [
        ("{{ customer.a }} {{ event.b", {"customer.a"}, "expected '}}', found end of file"),
        ("{{ customer.a }} {% if x %} {{ event.b }}", {"customer.a", "event.b"}, "endif"),
        ("{% if a %}" * 40 + "{{ customer.z }}", {"customer.z"}, "nesting"),
        ("{{ customer.a | }} {{ event.b }}", {"event.b"}, ""),
    ],
)
def test_a_broken_template_keeps_what_was_found_and_one_line(
    template: str, paths: set[str], error: str
) -> None:
    found = extract(template)
    assert found.error is not None and "\n" not in found.error and error in found.error
    assert paths <= found.paths
    assert "{{" not in found.error  # the template's text is not copied into the error


def test_hostile_templates_end_quickly() -> None:
    started = time.monotonic()
    deep = extract("{{ " + "[" * 5000 + " }}")
    assert deep.error is not None and deep.paths == frozenset()
    big = extract("{{ customer.a }}" + " " * MAX_SOURCE)
    assert big.error is not None and "not analysed" in big.error
    many = extract("{{ event.x }} " * 50_000 + "{% if")
    assert many.error is not None and "event.x" in many.paths
    assert time.monotonic() - started < 30


def test_extract_all_unites_fields_and_keeps_the_first_error() -> None:
    found = extract_all(["{{ customer.a }}", "{{ event.b", "{% if %}", "{{ trigger.c }}"])
    assert found.paths == {"customer.a", "trigger.c"}
    assert found.error == "expected '}}', found end of file"


def test_retry_after_reads_seconds_and_dates_and_is_capped() -> None:
    now = time.time()
    assert retry_after("1", now) == 1.0
    assert retry_after(" 2.5 ", now) == 2.5
    assert retry_after("3600", now) == MAX_RETRY_AFTER
    assert retry_after("-4", now) == 0.0
    date = retry_after(formatdate(now + 10, usegmt=True), now)
    assert date is not None and 8.0 <= date <= 10.0
    for bad in (None, "", "soon", "nan", "inf", "Mon, 99 Foo 2026"):
        assert retry_after(bad, now) is None


def test_base_url_refuses_clear_text_to_a_network_host() -> None:
    assert base_url("us", None) == "https://api.customer.io"
    assert base_url("eu", None) == "https://api-eu.customer.io"
    assert base_url("us", "http://127.0.0.1:8080/") == "http://127.0.0.1:8080"
    assert base_url("us", "http://[::1]:9") == "http://[::1]:9"
    assert base_url("us", "http://localhost:9") == "http://localhost:9"
    assert base_url("eu", "https://proxy.internal") == "https://proxy.internal"
    for bad in ("http://10.0.0.1", "http://api.customer.io", "ftp://127.0.0.1", "file:///etc"):
        with pytest.raises(PullError):
            base_url("us", bad)


def test_check_key_strips_and_refuses_what_a_header_cannot_carry() -> None:
    assert check_key("  abc123\n") == "abc123"
    for bad in ("", "two words", "caf\u00e9", "a\x00b"):
        with pytest.raises(PullError) as info:
            check_key(bad)
        assert "words" not in str(info.value) and "caf" not in str(info.value)


def test_depth_is_measured_without_recursion() -> None:
    value: object = []
    for _ in range(10_000):
        value = [value]
    assert depth_exceeds(value, 64)
    assert not depth_exceeds({"a": [{"b": [1, 2]}]}, 64)
    assert depth_exceeds({"a": [[[[]]]]}, 3)
