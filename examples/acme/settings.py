"""Configuration, read from the environment (12-factor style)."""

import os

CIO_SITE_ID = os.environ.get("CIO_SITE_ID", "")
CIO_API_KEY = os.environ.get("CIO_API_KEY", "")
CIO_WRITE_KEY = os.environ.get("CIO_WRITE_KEY", "")
POSTHOG_KEY = os.environ.get("POSTHOG_KEY", "")
CIO_HOST = os.environ.get("CIO_HOST", "https://cdp.customer.io")

MIXPANEL_TOKEN = os.environ.get("MIXPANEL_TOKEN", "")
SEGMENT_WRITE_KEY = os.environ.get("SEGMENT_WRITE_KEY", "")
RUDDERSTACK_WRITE_KEY = os.environ.get("RUDDERSTACK_WRITE_KEY", "")
RUDDERSTACK_DATA_PLANE_URL = os.environ.get("RUDDERSTACK_DATA_PLANE_URL", "")

STATSD_HOST = os.environ.get("STATSD_HOST", "localhost")

TRIAL_DAYS = 14
TRIAL_EXTENSION_DAYS = 7
AMPLITUDE_API_KEY = os.environ.get("AMPLITUDE_API_KEY", "")
