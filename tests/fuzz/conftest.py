"""The fuzz suite's profile (``budget``) and the child process that runs the analysis."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fuzz.budget import TIMEOUT
from fuzz.harness import Worker


@pytest.fixture(scope="session")
def worker() -> Iterator[Worker]:
    """One child process for the whole session (hypothesis runs examples in one test call, so
    the fixture must outlive them: a function-scoped one would be shared anyway)."""
    child = Worker(TIMEOUT)
    yield child
    child.close()
