"""Admin pages: users (add, deactivate, reactivate, reset password, change role), the audit
log and the outbox."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit, outbox
from ..auth.forms import ActionForm, NewUserForm, PasswordForm, RoleForm
from ..auth.guards import recent_password_required, require_admin
from ..extensions import db
from ..models import OutboxMessage, Role, User
from . import queries

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_admin)

OUTBOX_KINDS = {OutboxMessage.ALERT: "Urgent alert", OutboxMessage.INVITATION: "Invitation"}


@bp.get("/users")
def users():
    """Every clinic user, with buttons to manage each."""
    return render_template("clinic/admin/users.html", users=queries.all_users())


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    """Add a clinician or admin with a first password the admin passes on."""
    form = NewUserForm()
    if form.validate_on_submit():
        email = User.normalize_email(form.email.data)
        if queries.user_by_email(email) is not None:
            form.email.errors.append("A user with this email already exists.")
        else:
            user = User(email=email, role=form.role.data)
            user.set_password(form.password.data)
            db.session.add(user)
            db.session.flush()
            audit.record(current_user, "user_create", detail=f"{email} ({user.role})")
            db.session.commit()
            flash(f"Added {email}. Give them their password in person or by phone.", "info")
            return redirect(url_for("clinic.admin.users"))
    return render_template("clinic/admin/new_user.html", form=form)


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


def _set_active(user_id: int, active: bool):
    user = _user_or_404(user_id)
    if ActionForm().validate_on_submit():
        if user.id == current_user.id and not active:
            flash("You cannot deactivate your own account.", "error")
        elif user.active != active:
            user.set_active(active)
            action = "user_reactivate" if active else "user_deactivate"
            audit.record(current_user, action, detail=user.email)
            db.session.commit()
            flash(f"{user.email} is {'active again' if active else 'deactivated'}.", "info")
    return redirect(url_for("clinic.admin.users"))


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
def deactivate(user_id: int):
    """Ask to confirm, then stop a user from signing in (their notes and audit trail stay)."""
    if request.method == "POST":
        return _set_active(user_id, False)
    user = _user_or_404(user_id)
    if user.id == current_user.id:
        flash("You cannot deactivate your own account.", "error")
        return redirect(url_for("clinic.admin.users"))
    if not user.active:
        return redirect(url_for("clinic.admin.users"))
    return render_template("clinic/admin/deactivate.html", user=user)


@bp.post("/users/<int:user_id>/reactivate")
def reactivate(user_id: int):
    """Let a deactivated user sign in again."""
    return _set_active(user_id, True)


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@recent_password_required
def reset_password(user_id: int):
    """Set a new password for a user (also how an admin changes their own)."""
    user = _user_or_404(user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)  # ends the user's sessions (yours: sign in again)
        audit.record(current_user, "user_password", detail=user.email)
        db.session.commit()
        flash(f"New password set for {user.email}.", "info")
        return redirect(url_for("clinic.admin.users"))
    return render_template("clinic/admin/password.html", form=form, user=user)


@bp.route("/users/<int:user_id>/role", methods=["GET", "POST"])
@recent_password_required
def change_role(user_id: int):
    """Make a user a clinician or an admin; the clinic always keeps one active admin."""
    user = _user_or_404(user_id)
    form = RoleForm(obj=user)
    if form.validate_on_submit() and form.role.data != user.role:
        if user.is_admin and user.active and queries.active_admin_count() <= 1:
            form.role.errors.append("The clinic needs an active admin: make another one first.")
        else:
            old = user.role
            user.set_role(form.role.data)  # ends the user's sessions: they sign in again
            audit.record(current_user, "user_role", detail=f"{user.email}: {old} to {user.role}")
            db.session.commit()
            flash(f"{user.email} is now {Role(user.role).value}.", "info")
            return redirect(url_for("clinic.admin.users"))
    elif form.is_submitted() and not form.errors:
        return redirect(url_for("clinic.admin.users"))
    return render_template("clinic/admin/role.html", form=form, user=user)


@bp.get("/audit")
def audit_log():
    """The audit log, newest first, a hundred events a page."""
    action = request.args.get("action") or None
    if action is not None and action not in audit.ACTIONS:
        abort(404)
    page = queries.audit_page(request.args.get("page", 1, type=int), action)
    return render_template(
        "clinic/admin/audit.html", page=page, action=action, actions=audit.ACTIONS
    )


@bp.get("/outbox")
def outbox_page():
    """The outbox's counts and messages, newest first, fifty a page."""
    counts = queries.outbox_counts()
    total = counts["pending"] + counts["sent"] + counts["failed"]
    page = queries.outbox_page(request.args.get("page", 1, type=int), total)
    return render_template(
        "clinic/admin/outbox.html",
        counts=counts,
        page=page,
        form=ActionForm(),
        recipient=outbox.shown_recipient,
        kinds=OUTBOX_KINDS,
    )


@bp.post("/outbox/<int:message_id>/retry")
def outbox_retry(message_id: int):
    """Send a message that failed for good once more, at the sender's next look."""
    message = db.get_or_404(OutboxMessage, message_id)
    if ActionForm().validate_on_submit() and outbox.retry(message):
        audit.record(current_user, "outbox_retry", detail=f"message {message.id} ({message.kind})")
        db.session.commit()
        flash(f"Message {message.id} will be sent again.", "info")
    return redirect(url_for("clinic.admin.outbox_page", page=request.args.get("page", type=int)))
