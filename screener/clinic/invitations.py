"""Invitation pages: the list, a new invitation, its page (link, QR code, ready texts, email),
the QR code itself and the printable letter."""

import io

import segno
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user

from .. import audit, invitations, times
from ..auth.forms import ActionForm
from ..extensions import db
from ..models import Invitation, OutboxMessage, utcnow
from . import queries
from .forms import InvitationForm
from .labels import INVITATION_STATUS_LABELS

bp = Blueprint("invitations", __name__, url_prefix="/invitations")


@bp.context_processor
def invitation_words():
    return {"status_labels": INVITATION_STATUS_LABELS}


def _invitation_or_404(invitation_id: int) -> Invitation:
    return db.get_or_404(Invitation, invitation_id)


def _audit(action: str, invitation: Invitation) -> None:
    # The id only: the audit log never holds the patient's name.
    audit.record(current_user, action, detail=f"invitation {invitation.id}")


@bp.get("/")
def index():
    """Invitations by appointment: upcoming ones (from today on the clinic's clock) or past."""
    past = request.args.get("when") == "past"
    now = utcnow()
    start_of_today = times.start_of_day(times.today(now))
    page = queries.invitation_page(past, start_of_today, request.args.get("page", 1, type=int))
    audit.record(current_user, "invitation_list", detail="past" if past else "upcoming")
    db.session.commit()
    return render_template(
        "clinic/invitations/index.html",
        page=page,
        past=past,
        statuses={row.id: invitations.status(row, now) for row in page.items},
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    """A new invitation for one appointment."""
    form = InvitationForm()
    if form.validate_on_submit():
        invitation = invitations.create(form.details(), current_user)
        db.session.flush()
        _audit("invitation_create", invitation)
        db.session.commit()
        flash("Invitation created.", "info")
        return redirect(url_for(".show", invitation_id=invitation.id))
    return render_template("clinic/invitations/new.html", form=form), (
        400 if form.is_submitted() else 200
    )


def _texts(invitation: Invitation) -> dict[str, str]:
    """The ready text message and email, in the patient's language."""
    with force_locale(invitation.language):
        return {
            "sms": invitations.sms_text(invitation),
            "subject": invitations.email_subject(invitation),
            "body": invitations.email_body(invitation),
        }


@bp.get("/<int:invitation_id>")
def show(invitation_id: int):
    """An invitation: who and when, its link and QR code, and ready words to send it."""
    invitation = _invitation_or_404(invitation_id)
    _audit("invitation_view", invitation)
    db.session.commit()
    return render_template(
        "clinic/invitations/show.html",
        invitation=invitation,
        link=invitations.link(invitation),
        status=invitations.status(invitation),
        texts=_texts(invitation),
        form=ActionForm(),
    )


@bp.get("/<int:invitation_id>/qr.svg")
def qr(invitation_id: int):
    """The invitation's link as a QR code (SVG, black on white, its own styles only)."""
    invitation = _invitation_or_404(invitation_id)
    code = segno.make(invitations.link(invitation), error="m")
    buffer = io.BytesIO()
    code.save(
        buffer,
        kind="svg",
        scale=4,
        border=4,
        xmldecl=False,
        svgns=True,
        title="QR code",
        svgclass=None,
        lineclass=None,
    )
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@bp.get("/<int:invitation_id>/letter")
def letter(invitation_id: int):
    """One printable page for the patient, in their language."""
    invitation = _invitation_or_404(invitation_id)
    _audit("invitation_letter", invitation)
    db.session.commit()
    with force_locale(invitation.language):
        return render_template(
            "letters/invitation.html",
            invitation=invitation,
            link=invitations.link(invitation),
            when=invitations.appointment_words(invitation),
            red_flags=invitations.red_flags_text(),
        )


@bp.post("/<int:invitation_id>/email")
def send_email(invitation_id: int):
    """Queue the invitation email to the patient's address (`flask deliver` sends it)."""
    invitation = _invitation_or_404(invitation_id)
    if invitation.email and ActionForm().validate_on_submit():
        if invitations.email_recently_queued(invitation):
            # A double click, or a second person at the same moment: one email is enough.
            flash(
                "An email to this patient was queued a few minutes ago: not queued again.", "info"
            )
            return redirect(url_for(".show", invitation_id=invitation.id))
        texts = _texts(invitation)
        db.session.add(
            OutboxMessage(
                kind=OutboxMessage.INVITATION,
                recipient=invitation.email,
                subject=texts["subject"],
                body=texts["body"],
                invitation_id=invitation.id,
            )
        )
        _audit("invitation_email", invitation)
        db.session.commit()
        flash("Queued: it is sent within a minute.", "info")
    return redirect(url_for(".show", invitation_id=invitation.id))
