"""Internal operational metrics (StatsD): latencies and counters for our dashboards.

Not to be confused with the Customer.io SDK: this module is ``acme.util.analytics``, and its
``track`` sends a counter to StatsD, never a message to Customer.io.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

from statsd import StatsClient

from acme import settings

F = TypeVar("F", bound=Callable[..., Any])

_statsd = StatsClient(settings.STATSD_HOST, 8125, prefix="acme")


def track(metric: str, value: int = 1, **tags: str) -> None:
    """Increment ``metric`` (tags are folded into the name, StatsD has none)."""
    suffix = "".join(f".{k}_{v}" for k, v in sorted(tags.items()))
    _statsd.incr(metric + suffix, value)


def identify(host: str) -> str:
    """The metric prefix for one worker host."""
    return f"acme.hosts.{host.replace('.', '_')}"


def timed(metric: str) -> Callable[[F], F]:
    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                _statsd.timing(metric, (time.perf_counter() - start) * 1000)

        return wrapper  # type: ignore[return-value]

    return decorate
