"""Event names, in one place, so that a typo is an import error rather than a new event.

The module constants predate ``Event``; new code uses the enum.
"""

from enum import Enum

SIGNED_UP = "Signed Up"
LOGGED_IN = "Logged In"
ORDER_COMPLETED = "Order Completed"


class Event(str, Enum):
    SIGNED_UP = "Signed Up"
    LOGGED_IN = "Logged In"
    INVITE_SENT = "Invite Sent"
    PROJECT_CREATED = "Project Created"
    NOTE_SHARED = "Note Shared"
    EXPORT_DOWNLOADED = "Export Downloaded"
    TRIAL_STARTED = "Trial Started"
    TRIAL_EXTENDED = "Trial Extended"  # deprecated in the plan: send TRIAL_STARTED
    SUBSCRIPTION_STARTED = "Subscription Started"
    SUBSCRIPTION_CANCELLED = "Subscription Cancelled"
    ORDER_COMPLETED = "Order Completed"
    PAYMENT_FAILED = "Payment Failed"
