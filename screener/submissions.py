"""The patient questionnaire's domain service: drafts, saved steps, resume codes and submission.

Views parse input and call these functions; every query and every call to the scoring module
for a patient's questionnaire happens here.
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from . import invitations, outbox
from .catalogue import ABOUT_YOU
from .extensions import db
from .models import (
    CODE_ALPHABET,
    Invitation,
    Patient,
    Status,
    StepInput,
    Submission,
    token_digest,
    utcnow,
)
from .scoring import RUBRIC_VERSION, assess, score, validate

CODE_LENGTH = 8  # a resume code, shown as ABCD-EFGH


class ResumeError(Exception):
    """A resume attempt that cannot go ahead; `reason` says why."""

    MISMATCH = "mismatch"  # unknown code, or the date of birth does not match
    LOCKED = "locked"  # too many wrong tries on this questionnaire
    EXPIRED = "expired"
    SENT = "sent"  # already submitted: read-only

    def __init__(
        self,
        reason: str,
        submission: Submission | None = None,
        tries_left: int | None = None,
    ):
        super().__init__(reason)
        self.reason = reason
        self.submission = submission
        # After a wrong date of birth for a real code: how many more wrong ones lock it.
        self.tries_left = tries_left


@dataclass(frozen=True)
class Identity:
    """Who the patient is; stored in the Patient table, never with the answers."""

    full_name: str
    date_of_birth: date
    phone: str | None = None
    email: str | None = None
    mrn: str | None = None  # the medical record number, when the clinic gave one (kept if None)


def _ttl() -> timedelta:
    return timedelta(days=current_app.config["DRAFT_TTL_DAYS"])


def _new_reference() -> str:
    while True:
        reference = Submission.new_reference()
        if (
            db.session.scalar(select(Submission.id).where(Submission.reference == reference))
            is None
        ):
            return reference


def normalize_code(code: str) -> str:
    """A resume code as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def format_code(code: str) -> str:
    """A resume code as shown: two groups of four."""
    return f"{code[:4]}-{code[4:]}"


def _store(submission: Submission, answers: dict, language: str, now: datetime) -> None:
    """Keep a set of answers that scoring.validate() returned, and recompute everything derived
    from them."""
    submission.answers = answers
    submission.language = language
    submission.apply_assessment(score(answers).to_dict(), now)
    if submission.status == Status.DRAFT:
        submission.expires_at = now + _ttl()
    # A red flag puts the draft in the clinic queue at once; the patient may still finish.
    if submission.urgency and submission.submitted_at is None:
        submission.submitted_at = now
    outbox.alert_if_escalated(submission, now)


def _new_token(submission: Submission) -> str:
    """Give the questionnaire a new bearer token (kept only as a digest; the old one stops
    working); the caller commits."""
    token = secrets.token_urlsafe(32)
    submission.token_hash = token_digest(token)
    return token


def successor_token(token: str, browser: str) -> str:
    """The token a draft gets when its identity is first saved: derived from its old token and
    a secret of the browser that saves it (kept in that browser's session). So that browser,
    and only it, finds the draft again when the answer to that save never reached it (a
    dropped connection): whoever else holds the old token derives another one."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"{token}|{browser}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _new_draft(language: str, now: datetime) -> tuple[Submission, str]:
    """An empty questionnaire and its bearer token, added to the session; the caller commits."""
    submission = Submission(
        reference=_new_reference(),
        rubric_version=RUBRIC_VERSION,
        status=Status.DRAFT,
        steps_done=[],
        created_at=now,
    )
    token = _new_token(submission)
    _store(submission, {}, language, now)
    db.session.add(submission)
    return submission, token


def create_draft(language: str, now: datetime | None = None) -> tuple[Submission, str]:
    """Start an empty questionnaire; return it and its bearer token (kept only as a digest)."""
    submission, token = _new_draft(language, now or utcnow())
    db.session.commit()
    return submission, token


def find_by_token(token: str | None) -> Submission | None:
    """The questionnaire this bearer token opens, whatever its state."""
    if not token:
        return None
    return db.session.scalar(select(Submission).where(Submission.token_hash == token_digest(token)))


def is_expired(submission: Submission, now: datetime | None = None) -> bool:
    """Whether a draft has passed its expiry time (a sent questionnaire never expires)."""
    if submission.status != Status.DRAFT or submission.expires_at is None:
        return False
    return submission.expires_at <= (now or utcnow())


def _mark_done(submission: Submission, slug: str) -> None:
    if slug not in submission.steps_done:
        submission.steps_done = [*submission.steps_done, slug]


def save_identity(
    submission: Submission,
    identity: Identity,
    language: str,
    *,
    complete: bool = True,
    now: datetime | None = None,
    new_token: str | None = None,
) -> str | None:
    """Store the patient's identity apart from the answers, and renew the draft.

    The first time, the draft gets a new bearer token (`new_token`, else a random one),
    returned (None afterwards): whoever held the token of the empty draft, such as the sender
    of its link, cannot read it.
    """
    now = now or utcnow()
    token = None
    if submission.patient is None:
        submission.patient = Patient()
        if new_token is None:
            token = _new_token(submission)
        else:
            token = new_token
            submission.token_hash = token_digest(token)
    patient = submission.patient
    patient.full_name = identity.full_name
    patient.date_of_birth = identity.date_of_birth
    patient.phone = identity.phone
    patient.email = identity.email
    if identity.mrn is not None:  # it comes only from the clinic: a patient's save keeps it
        patient.mrn = identity.mrn
    _store(submission, validate(submission.answers), language, now)
    _forget_input(submission, ABOUT_YOU)
    if complete:
        _mark_done(submission, ABOUT_YOU)
    db.session.commit()
    db.session.refresh(submission, ["identified"])
    return token


def save_contact(
    submission: Submission,
    phone: str | None,
    email: str | None,
    language: str,
    *,
    complete: bool = True,
    now: datetime | None = None,
) -> None:
    """Store the phone number and email address of a questionnaire whose name, date of birth
    and medical record number came from the clinic (an invitation): those stay as they are."""
    patient = submission.patient
    if patient is None:
        raise ValueError("only a questionnaire with a stored identity has contact details")
    identity = Identity(patient.full_name, patient.date_of_birth, phone, email)
    save_identity(submission, identity, language, complete=complete, now=now)


def save_step(
    submission: Submission,
    slug: str,
    answers: dict,
    language: str,
    *,
    complete: bool = True,
    now: datetime | None = None,
) -> None:
    """Replace one step's answers (every key of `answers`; None, "" or [] clears one), check
    the whole set, reassess it and store it.

    Raises scoring.AnswerError, leaving the stored answers as they were, when the merged
    answers break the rubric.
    """
    now = now or utcnow()
    _store(submission, check_step(submission, answers), language, now)  # raises before any change
    _forget_input(submission, slug)
    if complete:
        _mark_done(submission, slug)
    db.session.commit()


def check_step(submission: Submission, answers: dict) -> dict:
    """The whole answer set with one step's answers in place of its stored ones, as
    scoring.validate() returns it; raises scoring.AnswerError when the rubric refuses it."""
    merged = {k: v for k, v in submission.answers.items() if k not in answers}
    merged.update({k: v for k, v in answers.items() if v not in (None, [], "")})
    return validate(merged)


def keep_input(submission: Submission, slug: str, fields: dict, intent: str | None) -> None:
    """Keep what was posted on a step without saving it as answers (see StepInput)."""
    kept = db.session.get(StepInput, (submission.id, slug))
    if kept is None:
        kept = StepInput(submission_id=submission.id, slug=slug)
        db.session.add(kept)
    kept.fields = fields
    kept.intent = intent
    kept.created_at = utcnow()
    db.session.commit()


def kept_input(submission: Submission, slug: str) -> StepInput | None:
    """What was posted on this step and not saved yet, if anything."""
    return db.session.get(StepInput, (submission.id, slug))


def _forget_input(submission: Submission, slug: str | None = None) -> None:
    """Drop the kept input of one step (all of them when slug is None); the caller commits."""
    query = delete(StepInput).where(StepInput.submission_id == submission.id)
    if slug is not None:
        query = query.where(StepInput.slug == slug)
    db.session.execute(query)


def submit(
    submission: Submission, now: datetime | None = None, *, language: str | None = None
) -> Submission:
    """Send the questionnaire to the clinic; from now on it is read-only to the patient.
    `language` is the one the patient sent it in (kept as the last saved step's otherwise)."""
    now = now or utcnow()
    submission.status = Status.SUBMITTED
    if language is not None:
        submission.language = language
    submission.apply_assessment(assess(submission.answers).to_dict())
    outbox.alert_if_escalated(submission, now)
    _forget_input(submission)
    if submission.submitted_at is None:
        submission.submitted_at = now
    submission.expires_at = None
    db.session.commit()
    return submission


def issue_resume_code(submission: Submission) -> str:
    """Give the draft a new short resume code (any earlier code stops working)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        digest = token_digest(code)
        taken = select(Submission.id).where(Submission.resume_code_hash == digest)
        if db.session.scalar(taken) is None:
            break
    submission.resume_code_hash = digest
    submission.resume_failures = 0
    db.session.commit()
    return code


def resume_by_code(
    code: str, date_of_birth: date | None, now: datetime | None = None
) -> tuple[Submission, str]:
    """Open a saved draft by its code and the patient's date of birth.

    Returns the draft and a new bearer token (the old token, and so an older resume link,
    stops working). Raises ResumeError; wrong dates of birth count towards a lock.
    """
    normalized = normalize_code(code)
    submission = None
    if len(normalized) == CODE_LENGTH:
        submission = db.session.scalar(
            select(Submission).where(Submission.resume_code_hash == token_digest(normalized))
        )
    return _open_with_birth_date(submission, date_of_birth, now)


def resume_by_link(
    token: str, date_of_birth: date | None, now: datetime | None = None
) -> tuple[Submission, str]:
    """Open a saved draft by its resume link's token and the patient's date of birth, as
    resume_by_code does (the same lock, and a new token: the link stops working)."""
    return _open_with_birth_date(find_by_token(token), date_of_birth, now)


def _open_with_birth_date(
    submission: Submission | None, date_of_birth: date | None, now: datetime | None
) -> tuple[Submission, str]:
    now = now or utcnow()
    if submission is None:
        raise ResumeError(ResumeError.MISMATCH)
    limit = current_app.config["RESUME_MAX_FAILURES"]
    if submission.resume_failures >= limit:
        raise ResumeError(ResumeError.LOCKED, submission)
    patient = submission.patient
    if patient is None or patient.date_of_birth != date_of_birth:
        submission.resume_failures += 1
        db.session.commit()
        left = limit - submission.resume_failures
        if left <= 0:
            raise ResumeError(ResumeError.LOCKED, submission)
        raise ResumeError(ResumeError.MISMATCH, submission, tries_left=left)
    token = _reopened(submission, now)
    submission.resume_failures = 0
    db.session.commit()
    return submission, token


def _reopened(submission: Submission, now: datetime) -> str:
    """A new bearer token for a draft being opened again (the caller commits); raises
    ResumeError when it was sent or has expired."""
    if submission.status == Status.SUBMITTED:
        raise ResumeError(ResumeError.SENT, submission)
    if is_expired(submission, now):
        raise ResumeError(ResumeError.EXPIRED, submission)
    return _new_token(submission)


def open_invitation(
    invitation: Invitation, date_of_birth: date | None, language: str, now: datetime | None = None
) -> tuple[Submission, str]:
    """Open the one questionnaire of a clinic's invitation, once the date of birth the clinic
    entered is confirmed; return it and a new bearer token.

    The first opening makes it, with the identity from the invitation (About you still to be
    checked by the patient). Each later one gives a new token, so the browser that opened it
    before no longer can, as a resume link does. Raises ResumeError; wrong dates of birth count
    towards the invitation's lock, as they do towards a resume code's.
    """
    now = now or utcnow()
    limit = current_app.config["RESUME_MAX_FAILURES"]
    if invitation.failures >= limit:
        raise ResumeError(ResumeError.LOCKED)
    if invitation.date_of_birth != date_of_birth:
        invitation.failures = Invitation.failures + 1  # in SQL: tries at once all count
        db.session.commit()
        left = limit - invitation.failures
        if left <= 0:
            raise ResumeError(ResumeError.LOCKED)
        raise ResumeError(ResumeError.MISMATCH, tries_left=left)
    if invitations.is_expired(invitation, now):
        raise ResumeError(ResumeError.EXPIRED)
    if invitation.submission_id is None:
        opened = _first_opening(invitation, language, now)
        if opened is not None:
            return opened
        # Another tab or device opened it at the same moment: theirs is the questionnaire.
    found = invitation.submission_id
    submission = None if found is None else db.session.get(Submission, found)
    if submission is None:  # deleted (purged) in the meantime
        raise ResumeError(ResumeError.EXPIRED)
    token = _reopened(submission, now)
    invitation.failures = 0
    db.session.commit()
    return submission, token


def _first_opening(
    invitation: Invitation, language: str, now: datetime
) -> tuple[Submission, str] | None:
    """Make the invitation's questionnaire, unless another opening has claimed the invitation
    first (None then, and nothing is stored)."""
    submission, _token = _new_draft(language, now)
    submission.appointment_at = invitation.appointment_at
    db.session.flush()
    # Only one opening sets the invitation's questionnaire: the other's update matches no row.
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.submission_id.is_(None))
        .values(submission_id=submission.id, opened_at=now, failures=0)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's result has it
        db.session.rollback()  # the draft goes too; the invitation is read again
        return None
    identity = Identity(
        invitation.full_name,
        invitation.date_of_birth,
        invitation.phone,
        invitation.email,
        invitation.mrn,
    )
    token = secrets.token_urlsafe(32)
    save_identity(submission, identity, language, complete=False, now=now, new_token=token)
    return submission, token


def purge_expired_drafts(now: datetime | None = None) -> int:
    """Delete drafts past their expiry that never reached the clinic; return how many."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(Submission.id).where(
            Submission.status == Status.DRAFT,
            Submission.submitted_at.is_(None),
            Submission.expires_at <= now,
        )
    ).all()
    if ids:
        # Patients and kept input first: bulk deletes skip the ORM cascade.
        db.session.execute(delete(Patient).where(Patient.submission_id.in_(ids)))
        db.session.execute(delete(StepInput).where(StepInput.submission_id.in_(ids)))
        db.session.execute(delete(Submission).where(Submission.id.in_(ids)))
    db.session.commit()
    return len(ids)
