"""A small, careful client of Customer.io's App API (read-only ``GET``s, Bearer key, httpx).

Every response is untrusted: bodies are read in chunks up to ``MAX_BODY`` bytes and within the
request's time, decoded as JSON nested at most ``MAX_DEPTH`` levels, and must be a JSON object.
Requests start at most ``1 / MIN_INTERVAL`` per second (Customer.io allows about 10/s); ``429``
waits for ``Retry-After`` (at most ``MAX_RETRY_AFTER`` seconds, at most ``RETRIES_429`` times),
``5xx`` and broken connections are retried with back-off, ``401`` is explained, redirects are
not followed. The key goes into the ``Authorization`` header and nowhere else: no message of
this module contains it.
"""

from __future__ import annotations

import ipaddress
import json
import math
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

HOSTS = {"us": "https://api.customer.io", "eu": "https://api-eu.customer.io"}

MAX_BODY = 20 * 1024 * 1024
MAX_DEPTH = 64
MIN_INTERVAL = 0.12  # seconds between request starts: under 10 requests per second
MAX_RETRY_AFTER = 30.0
RETRIES_429 = 5
BACKOFF_5XX = (0.5, 1.0, 2.0)  # waits before the 2nd, 3rd and 4th attempt
BACKOFF_TRANSPORT = (1.0, 2.0)


class PullError(Exception):
    """A one-line reason the pull cannot produce a trustworthy snapshot."""


class KeyRefused(PullError):
    """``401``: nothing else can succeed with this key, so the pull stops at once."""


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def base_url(region: str, override: str | None) -> str:
    """The App API root for ``region``, or ``override`` (tests) when it is https or loopback."""
    if not override:
        return HOSTS[region]
    parts = urlsplit(override)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return override.rstrip("/")
    if parts.scheme == "http" and is_loopback(host):
        return override.rstrip("/")
    raise PullError(
        "CIO_LINT_APP_API_URL must be an https:// URL, or http:// to a loopback host "
        "(127.0.0.1, ::1, localhost): the key is not sent in clear over a network"
    )


def check_key(key: str) -> str:
    """The key, stripped; an error (not naming it) when a header cannot carry it."""
    key = key.strip()
    if not key or any(not (33 <= ord(c) <= 126) for c in key):
        raise PullError(
            "CUSTOMERIO_APP_API_KEY must be the App API key as Customer.io shows it "
            "(printable ASCII, no spaces)"
        )
    return key


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait for a ``Retry-After`` header (delay-seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def depth_exceeds(value: object, limit: int) -> bool:
    """Whether ``value`` nests lists/objects more than ``limit`` levels (iterative walk)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: list[object]
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class AppApiClient:
    """``get(path, params)`` -> the JSON object the App API answered, or ``PullError``."""

    def __init__(
        self,
        root: str,
        key: str,
        timeout: float,
        *,
        region: str = "us",
        user_agent: str = "cio-lint",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.root = root
        self.host = urlsplit(root).hostname or root
        self.timeout = timeout
        self.region = region
        self.requests = 0
        self._sleep = sleep
        self._last_start: float | None = None
        self._client = httpx.Client(
            base_url=root,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            # a proxy from the environment is for real hosts; the loopback test server is direct
            trust_env=not is_loopback(self.host),
            headers={
                "Authorization": f"Bearer {key}",
                "Accept": "application/json",
                "User-Agent": user_agent,
            },
        )

    def close(self) -> None:
        self._client.close()

    def _pace(self) -> None:
        now = time.monotonic()
        if self._last_start is not None:
            wait = self._last_start + MIN_INTERVAL - now
            if wait > 0:
                self._sleep(wait)
        self._last_start = time.monotonic()
        self.requests += 1

    def _read(self, response: httpx.Response, started: float) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            raise PullError(f"the response is larger than {MAX_BODY // (1024 * 1024)} MiB")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_BODY:
                raise PullError(f"the response is larger than {MAX_BODY // (1024 * 1024)} MiB")
            if time.monotonic() - started > self.timeout:
                raise PullError(f"the response took longer than {self.timeout:g} s")
            chunks.append(chunk)
        return b"".join(chunks)

    def _attempt(
        self, path: str, params: Mapping[str, str] | None
    ) -> tuple[int, bytes, str | None]:
        self._pace()
        started = time.monotonic()
        with self._client.stream("GET", path, params=params) as response:
            status = response.status_code
            if status != 200:
                return status, b"", response.headers.get("retry-after")
            return status, self._read(response, started), None

    def get(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, object]:
        where = f"GET {path}"
        attempts_429 = attempts_5xx = attempts_transport = 0
        while True:
            try:
                status, body, after = self._attempt(path, params)
            except httpx.TimeoutException:
                reason = f"no answer within {self.timeout:g} s"
                if attempts_transport < len(BACKOFF_TRANSPORT):
                    self._sleep(BACKOFF_TRANSPORT[attempts_transport])
                    attempts_transport += 1
                    continue
                raise PullError(f"{where}: {reason}") from None
            except httpx.HTTPError as exc:
                if attempts_transport < len(BACKOFF_TRANSPORT):
                    self._sleep(BACKOFF_TRANSPORT[attempts_transport])
                    attempts_transport += 1
                    continue
                raise PullError(
                    f"{where}: cannot reach {self.host} ({type(exc).__name__})"
                ) from None
            except PullError as exc:
                raise PullError(f"{where}: {exc}") from None
            if status == 200:
                return self._decode(where, body)
            if status == 401:
                other = "us" if self.region == "eu" else "eu"
                raise KeyRefused(
                    f"the App API key was refused by {self.host}: wrong region (try --region "
                    f"{other}) or a Track API key instead of an App API key"
                )
            if status == 429 and attempts_429 < RETRIES_429:
                wait = retry_after(after, time.time())
                self._sleep(wait if wait is not None else 2.0**attempts_429)
                attempts_429 += 1
                continue
            if 500 <= status <= 599 and attempts_5xx < len(BACKOFF_5XX):
                self._sleep(BACKOFF_5XX[attempts_5xx])
                attempts_5xx += 1
                continue
            raise PullError(f"{where}: {_status_reason(status, attempts_429, attempts_5xx)}")

    def _decode(self, where: str, body: bytes) -> dict[str, object]:
        try:
            value = json.loads(body.decode("utf-8"))
        except RecursionError:
            raise PullError(f"{where}: the response nests deeper than {MAX_DEPTH} levels") from None
        except (UnicodeDecodeError, ValueError):
            raise PullError(f"{where}: the response is not JSON") from None
        if depth_exceeds(value, MAX_DEPTH):
            raise PullError(f"{where}: the response nests deeper than {MAX_DEPTH} levels")
        if not isinstance(value, dict):
            raise PullError(f"{where}: the response is not a JSON object")
        return value


def _status_reason(status: int, attempts_429: int, attempts_5xx: int) -> str:
    if status == 429:
        return f"HTTP 429 (rate limited) after {attempts_429 + 1} attempts"
    if 500 <= status <= 599:
        return f"HTTP {status} after {attempts_5xx + 1} attempts"
    if 300 <= status <= 399:
        return f"HTTP {status}: a redirect, not followed"
    if status == 403:
        return "HTTP 403: the key may not read this (check the App API key's scope)"
    if status == 404:
        return "HTTP 404: not found"
    return f"HTTP {status}"
