"""The real-world tracking plans vendored in ``tests/data/realworld-plans`` (from
``../shared/realworld-plans``), one source per format's example, for the plan tools' tests."""

from __future__ import annotations

from pathlib import Path

REALWORLD = Path(__file__).resolve().parent / "data" / "realworld-plans"


def realworld_sources() -> list[Path]:
    """Every plan file or folder a plan tool must read: Typewriter and RudderTyper files, a
    Rudder CLI project, Iglu schema folders, an OpenTrackPlan folder."""
    found = sorted(REALWORLD.glob("segment-typewriter/*.json"))
    found += sorted(REALWORLD.glob("rudderstack-ruddertyper/*.json"))
    found += [
        REALWORLD / "rudderstack-rudder-cli-project",
        REALWORLD / "snowplow-iglu-central",
        REALWORLD / "snowplow-micro-examples",
        REALWORLD / "opentrackplan-opentp" / "coverage-valid",
    ]
    return found
