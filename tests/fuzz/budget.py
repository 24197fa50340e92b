"""How many examples each property runs: the hypothesis profiles of the fuzz suite.

``ci`` (the default, part of every ``pytest`` run and of ``.ci/run``): a few dozen examples per
property, derandomized (the same examples every run, so CI never turns red on a draw of luck),
no shrinking and no example database; the whole suite stays under a minute on two cores.
``deep`` (``CIO_FUZZ=deep``): random, ``CIO_FUZZ_SCALE`` times as many examples (default 25),
shrunk failures, saved in an example database and replayed first on the next run.
Hypothesis keeps its files (that database, its caches) under ``CIO_FUZZ_DB``, by default a
folder in the temp directory: never in the repository. See docs/testing.md.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

PROFILE = os.environ.get("CIO_FUZZ", "ci")
if PROFILE not in ("ci", "deep"):
    raise ValueError(f"CIO_FUZZ={PROFILE!r}: use 'ci' (the default) or 'deep'")
SCALE = float(os.environ.get("CIO_FUZZ_SCALE", "25")) if PROFILE == "deep" else 1.0
# Generated sources are slow to draw (hypothesmith) and some are large on purpose (nesting).
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
# hypothesmith.from_node filters out the trees that do not compile, most of what it builds
_FILTERED = [HealthCheck.filter_too_much]
# The analysis of one example runs in a child process (harness.Worker): a hang fails it there.
TIMEOUT = 60.0

HOME = Path(os.environ.get("CIO_FUZZ_DB") or Path(tempfile.gettempdir()) / "cio-lint-fuzz")
set_hypothesis_home_dir(HOME)

settings.register_profile(
    "ci",
    deadline=None,
    database=None,
    derandomize=True,
    # no shrinking: a failure is reported as found, in bounded time (CIO_FUZZ=deep shrinks it)
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    print_blob=True,
    suppress_health_check=_SLOW + _FILTERED,
)
settings.register_profile(
    "deep",
    deadline=None,
    database=DirectoryBasedExampleDatabase(HOME / "examples"),
    print_blob=True,
    suppress_health_check=_SLOW + _FILTERED,
)
settings.load_profile(PROFILE)


def examples(count: int) -> settings:
    """``@examples(n)``: ``n`` examples in the ``ci`` profile, ``n * SCALE`` in ``deep``."""
    return settings(max_examples=max(1, round(count * SCALE)))
