"""Shared helpers: small projects on disk that use the real SDKs through the plugin."""

from __future__ import annotations

import textwrap

import pytest

# pytester's in-process runs drop the modules first imported during a run; PyYAML's C
# extension cannot be imported twice, so the plan loader and its dependencies are imported
# here, once, by the outer session.
import cio_lint.plan
import cio_lint.rules

_PRELOADED = (cio_lint.plan, cio_lint.rules)

#: conftest for the projects under test: the module-level SDK APIs need a write key to build
#: their default client (``require('write_key', write_key, str)``), exactly as in an app.
SDK_CONFTEST = textwrap.dedent(
    """
    import customerio.analytics
    import rudderstack.analytics
    import segment.analytics

    for _module in (customerio.analytics, segment.analytics, rudderstack.analytics):
        _module.write_key = "test-write-key"

    try:
        import analytics as legacy_analytics
    except ImportError:
        legacy_analytics = None
    else:
        legacy_analytics.write_key = "test-write-key"
    """
)

PLAN_YAML = textwrap.dedent(
    """
    version: 1
    defaults:
      additionalProperties: false
    identify:
      properties:
        email: {type: string}
        plan: {$ref: "#/$defs/plan"}
    events:
      Signed Up:
        properties:
          plan: {$ref: "#/$defs/plan"}
          referrer: {type: [string, "null"]}
        required: [plan]
      Order Completed:
        properties:
          order_id: {type: string}
          total: {type: number, minimum: 0}
        required: [order_id, total]
      Trial Extended:
        deprecated: true
        properties: {}
      Report Exported:
        properties:
          format: {enum: [csv, pdf]}
    $defs:
      plan: {enum: [free, pro, enterprise]}
    """
)


@pytest.fixture
def sdk_project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project whose SDKs are configured (write keys set) but that has no tracking plan."""
    pytester.makeconftest(SDK_CONFTEST)
    return pytester


@pytest.fixture
def planned_project(sdk_project: pytest.Pytester) -> pytest.Pytester:
    """``sdk_project`` plus a ``tracking_plan/`` at its root."""
    plan_dir = sdk_project.mkdir("tracking_plan")
    (plan_dir / "plan.yaml").write_text(PLAN_YAML, encoding="utf-8")
    return sdk_project
