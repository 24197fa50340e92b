"""Analytics SDKs, configured once at import time.

- Customer.io Data Pipelines (``customerio-cdp-analytics``): the module-level API, used by
  the web app.
- The classic Customer.io Track API (``customerio``): still used by billing and the CRM sync,
  through the shared ``cio`` instance below.
"""

import logging

from customerio import CustomerIO, Regions, analytics

from acme import settings

log = logging.getLogger(__name__)


def _on_error(error: Exception, batch: list[dict[str, object]]) -> None:
    log.warning("Customer.io rejected a batch of %d messages: %s", len(batch), error)


analytics.write_key = settings.CIO_WRITE_KEY
analytics.host = settings.CIO_HOST
analytics.on_error = _on_error

cio = CustomerIO(settings.CIO_SITE_ID, settings.CIO_API_KEY, region=Regions.US)
