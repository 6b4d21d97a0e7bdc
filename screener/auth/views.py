"""Clinician sign-in and sign-out, the password prompt and changing one's own password."""

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_login import confirm_login, current_user, login_required, login_user, logout_user

from .. import audit, ratelimit
from ..extensions import db
from ..models import User, token_digest, utcnow
from ..security import safe_next
from .forms import ConfirmPasswordForm, LoginForm, OwnPasswordForm
from .guards import expire_idle_session, mark_password_entered, mark_signed_in

bp = Blueprint("auth", __name__, url_prefix="/clinic")
bp.before_request(expire_idle_session)

SIGN_IN_FAILED = "The email or password is not right."
THROTTLED = (
    "Too many sign-in attempts from here. Try again in {minutes}, or ask an admin to reset "
    "your password."
)
# Failed sign-ins for one account from one address; each limit used up makes the wait longer.
ACCOUNT_LIMITS = "5 per 15 minutes; 10 per 2 hours; 20 per day"
# The counter shared by the pages where a signed-in user types their password again.
PASSWORD_SCOPE = "auth.signed_in_password"
WRONG_PASSWORD = "wrong_password"  # on g: this request's password was not the user's


def _account_key() -> str:
    """Throttle key for one account from one address: the posted email, as it is looked up,
    and the client's address. Tries from elsewhere have their own count, so that nobody can
    keep a clinician out by failing to sign in as them."""
    email = User.normalize_email(request.form.get("email", ""))[:254]
    return f"account:{email}|{ratelimit.remote_address()}"


def _sign_in_failed(response) -> bool:
    return response.status_code != 302


def _unknown_email(email: str) -> str:
    """What the audit log keeps of an email no account has: a short hash, since what was typed
    may be a password."""
    return "unknown:" + token_digest(email)[:16]


def _landing() -> str:
    return safe_next(request.args.get("next"), url_for("clinic.queue"))


@bp.route("/login", methods=["GET", "POST"])
@ratelimit.limit("10 per minute", methods=["POST"])
@ratelimit.limit(ACCOUNT_LIMITS, key=_account_key, methods=["POST"], counts=_sign_in_failed)
def login():
    """Sign in with email and password; go on to a same-site `next` page or the queue."""
    if current_user.is_authenticated:
        return redirect(_landing())
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    email = User.normalize_email(form.email.data)
    user = User.by_email(email)
    if not User.may_sign_in(user, form.password.data):
        audit.record(user, "login_failed", detail=email if user else _unknown_email(email))
        db.session.commit()
        form.form_errors.append(SIGN_IN_FAILED)
        return render_template("auth/login.html", form=form)
    session.clear()  # a fresh session: nothing from before sign-in is carried over
    login_user(user)
    mark_signed_in()
    user.last_login_at = utcnow()
    audit.record(user, "login")
    db.session.commit()
    return redirect(_landing())


@bp.post("/logout")
@login_required
def logout():
    """Sign out and forget the session."""
    audit.record(current_user, "logout")
    current_user.end_sessions()  # a copy of this session's cookie stops working too
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


def _signed_in_account() -> str:
    """Throttle key for password re-prompts: the signed-in user (a taken session must not
    become a way to guess the password)."""
    return f"confirm:{current_user.get_id()}"


@bp.route("/confirm", methods=["GET", "POST"])
@login_required
@ratelimit.limit(
    ACCOUNT_LIMITS,
    key=_signed_in_account,
    methods=["POST"],
    counts=_sign_in_failed,
    scope=PASSWORD_SCOPE,
)
def confirm():
    """Ask for the password again before a sensitive page; then go on to it (`next`)."""
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        if current_user.check_password(form.password.data):
            confirm_login()
            mark_password_entered()
            audit.record(current_user, "login_confirmed")
            db.session.commit()
            return redirect(_landing())
        audit.record(current_user, "login_confirm_failed")
        db.session.commit()
        form.password.errors.append("This is not your password.")
    return render_template("auth/confirm.html", form=form)


def _wrong_password(_response) -> bool:
    return bool(g.get(WRONG_PASSWORD))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@ratelimit.limit(
    ACCOUNT_LIMITS,
    key=_signed_in_account,
    methods=["POST"],
    counts=_wrong_password,
    scope=PASSWORD_SCOPE,
)
def change_password():
    """Change your own password: your other sessions end, this one goes on signed in."""
    form = OwnPasswordForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)  # the user itself, not the proxy
        if user.check_password(form.current.data):
            user.set_password(form.password.data)  # ends every session of the user...
            audit.record(user, "password_change")
            db.session.commit()
            login_user(user)  # ...but this one, which carries the new session version
            mark_signed_in()
            flash("Your password is changed. You were signed out everywhere else.", "info")
            return redirect(url_for("clinic.queue"))
        setattr(g, WRONG_PASSWORD, True)
        audit.record(user, "login_confirm_failed")
        db.session.commit()
        form.current.errors.append("This is not your current password.")
    return render_template("auth/password.html", form=form, min_password=User.MIN_PASSWORD)


@bp.errorhandler(429)
def too_many_attempts(error):
    """Say plainly that sign-in is paused, and for how long, on the sign-in page itself."""
    seconds = getattr(error, "retry_after", None) or 15 * 60
    minutes = max(1, -(-int(seconds) // 60))
    form = LoginForm()
    form.form_errors.append(
        THROTTLED.format(minutes="1 minute" if minutes == 1 else f"{minutes} minutes")
    )
    page = render_template("auth/login.html", form=form)
    return page, 429, {"Retry-After": str(int(seconds))}
