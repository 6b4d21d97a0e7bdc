"""Invitations: a personal link per appointment, made by the clinic, that opens one
questionnaire with the patient's identity already stored."""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from .extensions import db
from .models import Invitation, User, token_digest, utcnow
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


def link_token(invitation: Invitation) -> str:
    """The secret in the invitation's link: derived from its nonce and SECRET_KEY, so that the
    letter can be printed again while the database keeps only a digest."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"invitation|{invitation.nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


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
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == token_digest(token)))


def is_expired(invitation: Invitation, now: datetime | None = None) -> bool:
    return invitation.expires_at <= (now or utcnow())
