"""The Customer.io workspace, pulled into a snapshot file (``cio-lint workspace pull``).

``client`` talks to the App API (httpx, bounded and paced), ``liquid`` finds the variable paths
of a template (python-liquid), ``pull`` turns the responses into the snapshot dict and ``write``
writes it atomically. Both libraries come with the ``workspace`` extra; the checks that read a
committed snapshot need neither. docs/workspace.md.
"""
