"""Session rules shared by the clinic blueprints: idle expiry, sign-in and admin checks."""

import time

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from .. import audit
from ..extensions import db, login_manager

LAST_SEEN = "clinic_seen"


def mark_active() -> None:
    """Note the time of this request (seconds since the epoch) in the session."""
    session[LAST_SEEN] = int(time.time())


def expire_idle_session():
    """Sign a clinician out after CLINIC_IDLE_MINUTES without a request; else note activity."""
    if not current_user.is_authenticated:
        return None
    minutes = current_app.config["CLINIC_IDLE_MINUTES"]
    last_seen = session.get(LAST_SEEN)
    if last_seen is not None and time.time() - last_seen > minutes * 60:
        audit.record(current_user, "session_expired")
        db.session.commit()
        logout_user()
        session.clear()
        flash(f"You were signed out after {minutes} minutes of inactivity.", "info")
        # Only a page can be returned to: a form posted after expiry must be sent again.
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=target))
    mark_active()
    return None


def require_login():
    """Send anonymous visitors to the sign-in page (with next)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def require_admin():
    """Refuse anyone but a signed-in admin."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403)
    return None
