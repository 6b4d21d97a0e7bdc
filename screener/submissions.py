"""The patient questionnaire's domain service: drafts, saved steps, resume codes and submission.

Views parse input and call these functions; every query and every call to the scoring module
for a patient's questionnaire happens here.
"""

import json
import secrets
import weakref
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, exists, select, update

from .extensions import db
from .models import Patient, Status, Submission, token_digest, utcnow
from .scoring import RUBRIC_VERSION, assess, validate

# Resume codes are read and typed by people: no 0/O or 1/I, shown as ABCD-EFGH.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class ResumeError(Exception):
    """A resume attempt that cannot go ahead; `reason` says why."""

    MISMATCH = "mismatch"  # unknown code, or the date of birth does not match
    LOCKED = "locked"  # too many wrong tries on this questionnaire
    EXPIRED = "expired"
    SENT = "sent"  # already submitted: read-only

    def __init__(self, reason: str, submission: Submission | None = None):
        super().__init__(reason)
        self.reason = reason
        self.submission = submission


@dataclass
class Draft:
    """A questionnaire as its step pages read and write it: one row, without the ORM.

    Steps are the busiest pages, and on them the ORM session cost more than the rest of the
    request (bench/bench_http.py). So `find_draft` and `save_step` run one statement each on a
    pooled connection of their own (see `_run`); every other page works with the Submission
    model.
    """

    id: int
    status: str
    answers: dict
    steps_done: list
    urgency: str | None
    flagged_at: datetime | None
    submitted_at: datetime | None
    expires_at: datetime | None
    identified: bool


_DRAFT_FIELDS = tuple(field.name for field in fields(Draft))
_SUBMISSIONS = Submission.__table__
_PATIENTS = Patient.__table__
_DRAFT_BY_TOKEN = select(
    *(_SUBMISSIONS.c[name] for name in _DRAFT_FIELDS if name != "identified"),
    exists().where(_PATIENTS.c.submission_id == _SUBMISSIONS.c.id).label("identified"),
).where(_SUBMISSIONS.c.token_hash == bindparam("digest"))
_SAVE_DRAFT = update(_SUBMISSIONS).where(_SUBMISSIONS.c.id == bindparam("draft_id"))


@dataclass(frozen=True)
class Identity:
    """Who the patient is; stored in the Patient table, never with the answers."""

    full_name: str
    date_of_birth: date
    phone: str | None = None
    email: str | None = None


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


def _stored_values(
    current: Submission | Draft, answers: dict, language: str, now: datetime
) -> dict:
    """The column values that keep a checked set of answers, and everything derived from them."""
    values = {
        "answers": answers,
        "language": language,
        **Submission.assessment_values(assess(answers).to_dict(), current.flagged_at),
    }
    if current.status == Status.DRAFT:
        values["expires_at"] = now + _ttl()
    # A red flag puts the draft in the clinic queue at once; the patient may still finish.
    if values["urgency"] and current.submitted_at is None:
        values["submitted_at"] = now
    return values


def _store(submission: Submission, answers: dict, language: str, now: datetime) -> None:
    """Keep checked answers and recompute everything derived from them."""
    for key, value in _stored_values(submission, validate(answers), language, now).items():
        setattr(submission, key, value)


def create_draft(language: str, now: datetime | None = None) -> tuple[Submission, str]:
    """Start an empty questionnaire; return it and its bearer token (kept only as a digest)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    submission = Submission(
        reference=_new_reference(),
        token_hash=token_digest(token),
        rubric_version=RUBRIC_VERSION,
        status=Status.DRAFT,
        steps_done=[],
        created_at=now,
    )
    _store(submission, {}, language, now)
    db.session.add(submission)
    db.session.commit()
    return submission, token


# Built once: every patient request runs it, and building it cost a third of running it.
_BY_TOKEN = select(Submission).where(Submission.token_hash == bindparam("digest"))


def find_by_token(token: str | None) -> Submission | None:
    """The questionnaire this bearer token opens, whatever its state."""
    if not token:
        return None
    return db.session.scalar(_BY_TOKEN, {"digest": token_digest(token)})


# --- The step pages' statements, run on the driver -----------------------------------------
# Every step request reads its draft, and every saved step writes it back. SQLAlchemy builds
# these two statements and compiles each once per database (and per set of columns written);
# the driver runs them, because SQLAlchemy's execution layer cost twice the query itself (117
# against 38 us for a similar read, in process). Values go in through each column type's bind
# processor, and come back normalised as the types would: JSON as text (SQLite) or objects
# (psycopg), timestamps as text (SQLite) or aware, booleans as 0/1 (SQLite) or bool.
_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # its parameters, in order
    positional: bool  # whether the driver takes them by position (else by name)
    processors: dict  # parameter name -> the bind processor of its column's type, if any


def _compiled(dialect, statement, columns: tuple[str, ...] = ()) -> _Compiled:
    """The statement compiled for this dialect (setting `columns`), made once."""
    per_dialect = _COMPILED.setdefault(dialect, {})
    key = (statement, columns)
    if key not in per_dialect:
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
        processors = {}
        for name in columns:
            column_type = _SUBMISSIONS.c[name].type
            processors[name] = column_type.dialect_impl(dialect).bind_processor(dialect)
        names = tuple(compiled.positiontup if compiled.positional else compiled.params)
        per_dialect[key] = _Compiled(str(compiled), names, compiled.positional, processors)
    return per_dialect[key]


def _run(statement, values: dict, columns: tuple[str, ...] = (), *, write: bool = False):
    """Run a statement (setting `columns`) on a pooled connection; return a read's first row."""
    engine = db.engine
    compiled = _compiled(engine.dialect, statement, columns)
    values = {
        name: process(values[name]) if (process := compiled.processors.get(name)) else values[name]
        for name in compiled.names
    }
    params = tuple(values.values()) if compiled.positional else values
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(compiled.sql, params)
            row = None if write else cursor.fetchone()
        finally:
            cursor.close()
        if write:
            connection.commit()
        return row
    finally:
        connection.close()  # back to the pool, which rolls back whatever is left open


def _from_json(value):
    return json.loads(value) if isinstance(value, str) else value


def _utc(value: str | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def find_draft(token: str | None) -> Draft | None:
    """The questionnaire this bearer token opens, whatever its state, as a step page needs it."""
    if not token:
        return None
    row = _run(_DRAFT_BY_TOKEN, {"digest": token_digest(token)})
    if row is None:
        return None
    values = dict(zip(_DRAFT_FIELDS, row, strict=True))
    for name in ("answers", "steps_done"):
        values[name] = _from_json(values[name])
    for name in ("flagged_at", "submitted_at", "expires_at"):
        values[name] = _utc(values[name])
    values["identified"] = bool(values["identified"])
    return Draft(**values)


def identity_of(draft: Draft) -> Patient | None:
    """The identity stored for a draft, if any."""
    return db.session.scalar(select(Patient).where(Patient.submission_id == draft.id))


def is_expired(submission: Submission | Draft, now: datetime | None = None) -> bool:
    """Whether a draft has passed its expiry time (a sent questionnaire never expires)."""
    if submission.status != Status.DRAFT or submission.expires_at is None:
        return False
    return submission.expires_at <= (now or utcnow())


def _steps_done(current: Submission | Draft, slug: str) -> list:
    return current.steps_done if slug in current.steps_done else [*current.steps_done, slug]


def save_identity(
    record: Submission | Draft,
    identity: Identity,
    language: str,
    *,
    complete: bool = True,
    now: datetime | None = None,
) -> Submission:
    """Store the patient's identity apart from the answers, and renew the draft.

    `record` is the Submission, or the Draft a step page read (which is brought up to date).
    """
    now = now or utcnow()
    submission = db.session.get(Submission, record.id)  # the same object, when given one
    if submission.patient is None:
        submission.patient = Patient()
    patient = submission.patient
    patient.full_name = identity.full_name
    patient.date_of_birth = identity.date_of_birth
    patient.phone = identity.phone
    patient.email = identity.email
    patient.name_search = identity.full_name.casefold()
    _store(submission, submission.answers, language, now)
    if complete:
        submission.steps_done = _steps_done(submission, "about-you")
    db.session.commit()
    if isinstance(record, Draft):
        for name in _DRAFT_FIELDS:
            setattr(record, name, getattr(submission, name))
    return submission


def save_step(
    draft: Draft,
    slug: str,
    answers: dict,
    language: str,
    *,
    complete: bool = True,
    now: datetime | None = None,
) -> Draft:
    """Replace one step's answers (every key of `answers`; None, "" or [] clears one), check
    the whole set, reassess it and store it; `draft` is brought up to date.

    Raises scoring.AnswerError, leaving the stored answers as they were, when the merged
    answers break the rubric.
    """
    now = now or utcnow()
    merged = {k: v for k, v in draft.answers.items() if k not in answers}
    merged.update({k: v for k, v in answers.items() if v not in (None, [], "")})
    if merged.get("si_injection") != "yes":
        # The relief question is only asked, and only kept, after a "yes".
        merged.pop("si_injection_relief", None)
    values = _stored_values(draft, validate(merged), language, now)  # raises before any change
    if complete:
        values["steps_done"] = _steps_done(draft, slug)
    values["updated_at"] = utcnow()  # as the column's onupdate would
    _run(_SAVE_DRAFT, {"draft_id": draft.id, **values}, tuple(values), write=True)
    for name in _DRAFT_FIELDS:
        if name in values:
            setattr(draft, name, values[name])
    return draft


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
    if submission.submitted_at is None:
        submission.submitted_at = now
    submission.expires_at = None
    db.session.commit()
    return submission


def issue_resume_code(submission: Submission | Draft) -> str:
    """Give the draft a new short resume code (any earlier code stops working)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        digest = token_digest(code)
        taken = select(Submission.id).where(Submission.resume_code_hash == digest)
        if db.session.scalar(taken) is None:
            break
    db.session.execute(
        update(Submission)
        .where(Submission.id == submission.id)
        .values(resume_code_hash=digest, resume_failures=0)
    )
    db.session.commit()
    return code


def resume_by_code(
    code: str, date_of_birth: date | None, now: datetime | None = None
) -> tuple[Submission, str]:
    """Open a saved draft by its code and the patient's date of birth.

    Returns the draft and a new bearer token (the old token, and so an older resume link,
    stops working). Raises ResumeError; wrong dates of birth count towards a lock.
    """
    now = now or utcnow()
    normalized = normalize_code(code)
    submission = None
    if len(normalized) == CODE_LENGTH:
        submission = db.session.scalar(
            select(Submission).where(Submission.resume_code_hash == token_digest(normalized))
        )
    if submission is None:
        raise ResumeError(ResumeError.MISMATCH)
    limit = current_app.config["RESUME_MAX_FAILURES"]
    if submission.resume_failures >= limit:
        raise ResumeError(ResumeError.LOCKED, submission)
    patient = submission.patient
    if patient is None or patient.date_of_birth != date_of_birth:
        submission.resume_failures += 1
        db.session.commit()
        locked = submission.resume_failures >= limit
        raise ResumeError(ResumeError.LOCKED if locked else ResumeError.MISMATCH, submission)
    if submission.status == Status.SUBMITTED:
        raise ResumeError(ResumeError.SENT, submission)
    if is_expired(submission, now):
        raise ResumeError(ResumeError.EXPIRED, submission)
    token = secrets.token_urlsafe(32)
    submission.token_hash = token_digest(token)
    submission.resume_failures = 0
    db.session.commit()
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
        # Patients first: bulk deletes skip the ORM cascade.
        db.session.execute(delete(Patient).where(Patient.submission_id.in_(ids)))
        db.session.execute(delete(Submission).where(Submission.id.in_(ids)))
    db.session.commit()
    return len(ids)
