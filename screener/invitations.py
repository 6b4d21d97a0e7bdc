"""Invitations: a personal link per appointment, made by the clinic, that opens one
questionnaire with the patient's identity already stored."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from babel.dates import format_date, format_time
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from . import times
from .extensions import db
from .models import CODE_ALPHABET, Invitation, OutboxMessage, User, token_digest, utcnow
from .security import absolute_url


@dataclass(frozen=True)
class InvitationDetails:
    """What the clinic enters for an invitation."""

    full_name: str
    date_of_birth: date
    appointment_at: datetime  # UTC-aware
    clinician: str = ""
    language: str = "en"
    phone: str | None = None
    email: str | None = None
    mrn: str | None = None


# The link's secret: 16 characters of the codes' alphabet (80 bits), in groups of four, so that
# a patient can type it from the letter. Guessing is no way in: the link asks for the date of
# birth, locks after RESUME_MAX_FAILURES wrong ones, and failed tries are rate-limited.
TOKEN_LENGTH = 16


def link_token(invitation: Invitation) -> str:
    """The secret in the invitation's link, as ABCD-EFGH-JKLM-NPQR: derived from its nonce and
    SECRET_KEY, so that the letter can be printed again while the database keeps only a
    digest."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"invitation|{invitation.nonce}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:10])  # 80 bits: 16 characters of 5 bits
    raw = ""
    for _position in range(TOKEN_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        raw += CODE_ALPHABET[index]
    return "-".join(raw[i : i + 4] for i in range(0, TOKEN_LENGTH, 4))


def normalize_token(token: str) -> str:
    """A link's token as typed (any case, with or without dashes or spaces) as link_token
    writes it."""
    raw = "".join(ch for ch in token.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def link(invitation: Invitation) -> str:
    """The invitation's personal link, on PUBLIC_URL."""
    return absolute_url("patient.invitation", token=link_token(invitation))


def create(
    details: InvitationDetails, user: User | None, now: datetime | None = None
) -> Invitation:
    """Store a new invitation; it expires DRAFT_TTL_DAYS after the appointment. The caller
    commits (with its audit event)."""
    now = now or utcnow()
    invitation = Invitation(
        nonce=secrets.token_urlsafe(32),
        full_name=details.full_name,
        date_of_birth=details.date_of_birth,
        phone=details.phone,
        email=details.email,
        mrn=details.mrn,
        language=details.language,
        appointment_at=details.appointment_at,
        clinician=details.clinician,
        expires_at=details.appointment_at + timedelta(days=current_app.config["DRAFT_TTL_DAYS"]),
        created_by_id=None if user is None else user.id,
        created_at=now,
    )
    invitation.token_hash = token_digest(link_token(invitation))
    db.session.add(invitation)
    return invitation


def find(token: str | None) -> Invitation | None:
    """The invitation whose link carries this token."""
    if not token:
        return None
    digest = token_digest(normalize_token(token))
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == digest))


# An invitation email is not queued again this soon after the last one.
EMAIL_AGAIN_AFTER = timedelta(minutes=10)


def email_recently_queued(invitation: Invitation, now: datetime | None = None) -> bool:
    """Whether an email of this invitation was queued within EMAIL_AGAIN_AFTER."""
    since = (now or utcnow()) - EMAIL_AGAIN_AFTER
    queued = select(OutboxMessage.id).where(
        OutboxMessage.invitation_id == invitation.id, OutboxMessage.created_at > since
    )
    return db.session.scalar(queued.limit(1)) is not None


def is_expired(invitation: Invitation, now: datetime | None = None) -> bool:
    return invitation.expires_at <= (now or utcnow())


# --- What the clinic's pages show of an invitation, and the words sent to the patient ---
# These strings are the patient's (translated); the letter's template is in
# templates/letters/invitation.html.


class Status(StrEnum):
    """Where an invitation stands, for the clinic's list."""

    NOT_OPENED = "not_opened"
    OPENED = "opened"
    SENT = "sent"  # the questionnaire reached the clinic
    EXPIRED = "expired"


def status(invitation: Invitation, now: datetime | None = None) -> Status:
    """Sent once its questionnaire reached the clinic, whatever the date; else expired, opened
    or not."""
    submission = invitation.submission
    if submission is not None and submission.submitted_at is not None:
        return Status.SENT
    if is_expired(invitation, now):
        return Status.EXPIRED
    return Status.OPENED if invitation.opened_at is not None else Status.NOT_OPENED


@dataclass(frozen=True)
class AppointmentWords:
    """The appointment's day and time in the current language, on the clinic's clock."""

    day: str
    time: str


def appointment_words(invitation: Invitation) -> AppointmentWords:
    locale = get_locale() or "en"
    zone = times.clinic_zone()
    moment = invitation.appointment_at
    # CLDR puts a narrow no-break space before "AM": an SMS or an old mail reader may not show it.
    return AppointmentWords(
        day=format_date(moment.astimezone(zone).date(), "full", locale=locale),
        time=format_time(moment, "short", tzinfo=zone, locale=locale).replace("\u202f", " "),
    )


def _clinic_name() -> str:
    return current_app.config["CLINIC_NAME"] or _("your care team")


def sms_text(invitation: Invitation) -> str:
    """A text message with the link, in the current language (the caller forces the
    patient's)."""
    when = appointment_words(invitation)
    return _(
        "Before your appointment with %(clinic)s on %(day)s at %(time)s, please answer a short "
        "questionnaire: %(link)s You will be asked your date of birth.",
        clinic=_clinic_name(),
        day=when.day,
        time=when.time,
        link=link(invitation),
    )


def email_subject(invitation: Invitation) -> str:
    return _("Before your appointment on %(day)s", day=appointment_words(invitation).day)


def email_body(invitation: Invitation) -> str:
    """The invitation email: the link and the appointment, without the patient's name (an
    email may be read by others)."""
    when = appointment_words(invitation)
    phone = current_app.config["CLINIC_PHONE"]
    paragraphs = [
        _("Hello,"),
        _(
            "Before your appointment with %(clinic)s on %(day)s at %(time)s, please answer a "
            "short questionnaire. Your answers help your care team prepare for the visit and "
            "decide what is worth discussing.",
            clinic=_clinic_name(),
            day=when.day,
            time=when.time,
        ),
        _("Open your personal link:") + "\n" + link(invitation),
        _(
            "You will be asked your date of birth. It takes about 10 to 15 minutes, and you can "
            "stop and come back later."
        ),
        red_flags_text(),
    ]
    if phone:
        paragraphs.append(_("Questions? Call %(phone)s.", phone=phone))
    paragraphs.append(current_app.config["CLINIC_NAME"] or _("Your care team"))
    return "\n\n".join(paragraphs) + "\n"


def red_flags_text() -> str:
    """When not to wait for the appointment (the letter says it too)."""
    return _(
        "If you have sudden weakness in your legs, numbness between your legs or around your "
        "bottom, or you cannot control your bladder or bowels, call 911 now. Do not wait for "
        "your appointment."
    )
