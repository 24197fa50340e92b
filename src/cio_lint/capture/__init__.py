"""Runtime capture of analytics SDK calls, with no pytest dependency.

One module per SDK seam, each installed from the registry's ``Family.capture``
(``segment``: the Segment-family ``Client._enqueue``; ``classic``: ``ClientBase.send_request``;
``posthog``: ``Client._submit_event``, or ``Client._enqueue`` before posthog 7; ``mixpanel``: the consumers' ``send``; ``amplitude``:
``AmplitudeDestinationPlugin.execute``), with
``_seams`` for what they read of the registry; a network guard (``_network``, deciding with
``_addresses`` what is local), the hub that installs and removes them (``_hub``), the
``EventRecorder`` users assert on (``recorder``) and the bridge to the static rules
(``validate``). ``cio_lint.pytest_plugin`` is thin glue over it.
"""

from cio_lint.capture._network import ANALYTICS_DOMAINS, NetworkBlockedError
from cio_lint.capture.recorder import ANY, EventRecorder

__all__ = ["ANALYTICS_DOMAINS", "ANY", "EventRecorder", "NetworkBlockedError"]
