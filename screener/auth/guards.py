"""Session rules shared by the clinic blueprints: idle and overall expiry, recent sign-in,
sign-in and admin checks."""

import functools
import time

from flask import abort, current_app, flash, jsonify, redirect, request, session, url_for
from flask_login import current_user, logout_user

from .. import audit
from ..extensions import db, login_manager

LAST_SEEN = "clinic_seen"
SIGNED_IN = "clinic_signed_in"  # when this session began (seconds since the epoch)
PASSWORD_AT = "clinic_password_at"  # when the password was last typed in this session


def mark_active() -> None:
    """Note the time of this request (seconds since the epoch) in the session."""
    session[LAST_SEEN] = int(time.time())


def mark_signed_in() -> None:
    """Note that the session begins now, with the password just typed."""
    now = int(time.time())
    session[SIGNED_IN] = session[PASSWORD_AT] = session[LAST_SEEN] = now


def mark_password_entered() -> None:
    """Note that the password was typed again just now."""
    session[PASSWORD_AT] = int(time.time())


def passive(view):
    """Mark a view that a page calls by itself (a poll), not the clinician: it does not count
    as activity for the idle sign-out, and a signed-out caller gets 401 JSON, not a redirect."""
    view.counts_as_activity = False
    return view


def _is_passive() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, "counts_as_activity", True)


def _signed_out():
    return jsonify(signed_in=False), 401


def _end_session(reason: str, message: str):
    audit.record(current_user, reason)
    db.session.commit()
    logout_user()
    session.clear()
    flash(message, "info")
    if _is_passive():
        return _signed_out()
    # Only a page can be returned to: a form posted after expiry must be sent again.
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


def expire_idle_session():
    """Sign a clinician out after CLINIC_IDLE_MINUTES without a request, or CLINIC_SESSION_HOURS
    after signing in; else note activity (unless the view is `passive`)."""
    if not current_user.is_authenticated:
        return None
    now = time.time()
    hours = current_app.config["CLINIC_SESSION_HOURS"]
    # A session without its start noted began before sessions had one: it is ended too.
    if now - session.get(SIGNED_IN, 0) > hours * 3600:
        return _end_session(
            "session_ended",
            f"You were signed out: a session lasts at most {hours} hours. Sign in again.",
        )
    minutes = current_app.config["CLINIC_IDLE_MINUTES"]
    last_seen = session.get(LAST_SEEN)
    if last_seen is not None and now - last_seen > minutes * 60:
        return _end_session(
            "session_expired", f"You were signed out after {minutes} minutes of inactivity."
        )
    if not _is_passive():
        mark_active()
    return None


def password_is_recent() -> bool:
    """Whether the password was typed in this session within CLINIC_FRESH_MINUTES."""
    minutes = current_app.config["CLINIC_FRESH_MINUTES"]
    return time.time() - session.get(PASSWORD_AT, 0) <= minutes * 60


def recent_password_required(view):
    """Ask for the password again (login_manager.refresh_view) unless it was typed recently."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not password_is_recent():
            return login_manager.needs_refresh()
        return view(*args, **kwargs)

    return checked


def require_login():
    """Send anonymous visitors to the sign-in page (with next); a poll gets 401 JSON."""
    if not current_user.is_authenticated:
        return _signed_out() if _is_passive() else login_manager.unauthorized()
    return None


def require_admin():
    """Refuse anyone but a signed-in admin."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403)
    return None
