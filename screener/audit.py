"""The audit trail: who viewed, reviewed, annotated or exported what, and when."""

from .extensions import db
from .models import AuditEvent, Submission, User

# Every action the audit log records, with the words the admin page shows for it.
ACTIONS: dict[str, str] = {
    "login": "Signed in",
    "login_failed": "Sign-in failed",
    "logout": "Signed out",
    "session_expired": "Signed out after inactivity",
    "view": "Viewed a summary",
    "review": "Marked reviewed",
    "note": "Added a note",
    "export_csv": "Exported CSV",
    "export_fhir": "Exported FHIR",
    "user_create": "Added a user",
    "user_deactivate": "Deactivated a user",
    "user_reactivate": "Reactivated a user",
    "user_password": "Reset a password",
}


def record(
    user: User | None, action: str, submission: Submission | None = None, detail: str = ""
) -> AuditEvent:
    """Add an audit event to the session; the caller commits with its own change."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(
        user_id=None if user is None else user.id,
        action=action,
        submission_id=None if submission is None else submission.id,
        detail=detail[:500],
    )
    db.session.add(event)
    return event
