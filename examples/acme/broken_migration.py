"""Data migration 0042: backfill ``created_at`` for people imported before 2021.

Written for the Python 2 worker and never ported: this file does not parse, so cio-lint
reports it (CIO900) and goes on checking every other file.
"""

from customerio import analytics

from acme.models import db


def run():
    migrated = 0
    for user in db.users.values():
        analytics.identify(str(user.id), {"email": user.email, "created_at": user.created_at})
        migrated += 1
    print "backfilled created_at for %d people" % migrated
