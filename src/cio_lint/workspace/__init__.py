"""The Customer.io workspace: the snapshot `workspace pull` writes and the CIO3xx rules read."""
