"""The audit trail: who viewed, reviewed, annotated or exported what, and when."""

from flask import has_request_context, request

from .extensions import db
from .models import AuditEvent, Submission, User

# Every action the audit log records, with the words the admin page shows for it.
ACTIONS: dict[str, str] = {
    "login": "Signed in",
    "login_failed": "Sign-in failed",
    "logout": "Signed out",
    "session_expired": "Signed out after inactivity",
    "session_ended": "Signed out at the session's time limit",
    "login_confirmed": "Entered the password again",
    "login_confirm_failed": "Entered a wrong password again",
    "queue_view": "Viewed the queue",
    "view": "Viewed a summary",
    "review": "Marked reviewed",
    "note": "Added a note",
    "export_csv": "Exported de-identified CSV",
    "export_csv_identified": "Exported CSV with names and comments",
    "export_failed": "CSV export stopped before the end",
    "export_fhir": "Exported FHIR",
    "export_fhir_bundle": "Exported FHIR responses in a Bundle",
    "user_create": "Added a user",
    "user_deactivate": "Deactivated a user",
    "user_reactivate": "Reactivated a user",
    "user_password": "Reset a password",
    "user_role": "Changed a user's role",
    "password_change": "Changed their own password",
    "invitation_list": "Viewed the invitations",
    "invitation_create": "Created an invitation",
    "invitation_view": "Viewed an invitation",
    "invitation_letter": "Opened an invitation's letter",
    "invitation_email": "Queued an invitation email",
    "outbox_retry": "Queued a failed email again",
    "contacted": "Marked as contacted",
    "patients_view": "Viewed the patient list",
    "patient_view": "Viewed a patient's questionnaires",
}


def record(
    user: User | None, action: str, submission: Submission | None = None, detail: str = ""
) -> AuditEvent | None:
    """Add an audit event to the session; the caller commits with its own change. A HEAD
    request sends no page or file, so it records nothing."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if has_request_context() and request.method == "HEAD":
        return None
    event = AuditEvent(
        user_id=None if user is None else user.id,
        action=action,
        submission_id=None if submission is None else submission.id,
        detail=detail[:500],
    )
    db.session.add(event)
    return event
