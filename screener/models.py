"""Database models: identity kept apart from clinical answers."""

import enum
import functools
import hashlib
import secrets
import unicodedata
from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    TypeDecorator,
    exists,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .scoring import URGENCY_RANK, Urgency


def utcnow() -> datetime:
    """The current time, UTC-aware."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back UTC-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def token_digest(token: str) -> str:
    """The stored form of a secret token: only its SHA-256 is kept."""
    return hashlib.sha256(token.encode()).hexdigest()


class Role(enum.StrEnum):
    CLINICIAN = "clinician"
    ADMIN = "admin"


class Status(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


# Reference and resume codes are read and typed by people: no 0/O or 1/I.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
NOT_URGENT_RANK = 9  # the queue's sort key for a submission without urgency, after every level


def urgency_rank(urgency: str | None) -> int:
    """The queue's sort key: emergency first, then same day, then soon, then the rest."""
    return NOT_URGENT_RANK if urgency is None else URGENCY_RANK[Urgency(urgency)]


def name_key(name: str) -> str:
    """A name as the clinic's search compares it: Unicode forms, case, accents and spacing
    folded (María = maria, Straße = STRASSE, Nguyễn = nguyen)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFKC", bare).casefold().split())


def person_key(mrn: str | None, name: str, date_of_birth: date) -> str:
    """Which person a questionnaire belongs to, for the clinic's Patients view: the medical
    record number when there is one, else the folded name and the date of birth."""
    if mrn:
        return "mrn:" + mrn.strip().upper()
    return f"name:{name_key(name)}|{date_of_birth.isoformat()}"


def _hash_password(password: str, method: str | None) -> str:
    if method is None:
        return generate_password_hash(password)
    return generate_password_hash(password, method)


@functools.cache
def _dummy_hash(method: str | None) -> str:
    return _hash_password("not a real password", method)


class User(db.Model):  # type: ignore[name-defined]  # mypy cannot follow db.Model
    """A clinician or admin who signs in to the clinic side."""

    __tablename__ = "users"
    MIN_PASSWORD = 12  # characters, wherever a password is set

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.CLINICIAN)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session's id: raising it ends all of this user's sessions (end_sessions).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    @staticmethod
    def normalize_email(email: str) -> str:
        """An email as it is stored and looked up: trimmed and lower-cased."""
        return email.strip().lower()

    @classmethod
    def by_email(cls, email: str) -> "User | None":
        """The user with this email, whatever its case."""
        email = cls.normalize_email(email)
        return db.session.scalar(select(cls).where(func.lower(cls.email) == email))

    def set_password(self, password: str) -> None:
        """Store a hash of password, made with PASSWORD_HASH_METHOD (None: werkzeug's default)."""
        self.password_hash = _hash_password(password, current_app.config["PASSWORD_HASH_METHOD"])
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @staticmethod
    def may_sign_in(user: "User | None", password: str) -> bool:
        """Whether user is active and password is theirs; no user takes as long as a wrong one."""
        if user is None:
            # Check a hash all the same, so that timing does not tell which emails have accounts.
            check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
            return False
        return user.check_password(password) and user.active

    def end_sessions(self) -> None:
        """Make every session of this user's stop working (at its next request)."""
        self.session_version = (self.session_version or 1) + 1

    def set_role(self, role: str) -> None:
        """Change the role; the user signs in again under it."""
        self.role = role
        self.end_sessions()

    def set_active(self, active: bool) -> None:
        """Deactivate or reactivate; either way, sessions from before stay ended."""
        self.active = active
        self.end_sessions()

    @classmethod
    def from_session_id(cls, session_id: str) -> "User | None":
        """The active user whose current session id (see get_id) this is, else None."""
        user_id, dot, version = session_id.partition(".")
        if not (dot and user_id.isdigit() and version.isdigit()):
            return None
        user = db.session.get(cls, int(user_id))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return user

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    # Flask-Login's user interface.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """The id kept in the session: the user's and their session version's."""
        return f"{self.id}.{self.session_version}"


class Submission(db.Model):  # type: ignore[name-defined]  # mypy cannot follow db.Model
    """One patient's questionnaire: clinical answers as rubric codes, and their assessment."""

    __tablename__ = "submissions"
    __table_args__ = (
        # The queue's per-outcome counts, read from the index alone (its orders' indexes follow
        # the class).
        Index("ix_submissions_counts", "status", "category", "submitted_at"),
        Index("ix_submissions_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    resume_code_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    resume_failures: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default=Status.DRAFT)
    language: Mapped[str] = mapped_column(String(8), default="en")
    rubric_version: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    steps_done: Mapped[list] = mapped_column(JSON, default=list)
    assessment: Mapped[dict | None] = mapped_column(JSON)
    category: Mapped[str | None] = mapped_column(String(24), index=True)
    urgency: Mapped[str | None] = mapped_column(String(16), index=True)
    urgency_rank: Mapped[int] = mapped_column(default=NOT_URGENT_RANK)
    # Indexed for the queue's count of new urgent ones (screener.clinic.queries.new_urgent_count).
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When someone on the care team reached the patient (for an urgent row: called them).
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contacted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The appointment this questionnaire is for (copied from its invitation, for the queue's
    # order), and the most urgent level staff were alerted to (NOT_URGENT_RANK: none yet).
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alerted_rank: Mapped[int] = mapped_column(default=NOT_URGENT_RANK, server_default="9")

    patient: Mapped["Patient | None"] = relationship(
        back_populates="submission", cascade="all, delete-orphan", uselist=False
    )
    # Read-only: set reviewed_by_id, and add notes as ReviewNote rows (the database deletes
    # them with their submission), so that saving a step has no relationships to work through.
    reviewed_by: Mapped[User | None] = relationship(viewonly=True, foreign_keys=[reviewed_by_id])
    contacted_by: Mapped[User | None] = relationship(viewonly=True, foreign_keys=[contacted_by_id])
    invitation: Mapped["Invitation | None"] = relationship(viewonly=True, uselist=False)
    notes: Mapped[list["ReviewNote"]] = relationship(viewonly=True, order_by="ReviewNote.id")

    @staticmethod
    def new_reference() -> str:
        """A short code a patient can read out on the phone, as ABCD-EFGH."""
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        return f"{raw[:4]}-{raw[4:]}"

    def apply_assessment(self, result: dict, now: datetime | None = None) -> None:
        """Store an assessment (the rubric's result JSON) and its indexed columns."""
        self.assessment = result
        self.rubric_version = result["rubric_version"]
        self.category = result["category"]
        self.urgency = result["urgency"]
        self.urgency_rank = urgency_rank(result["urgency"])
        if self.urgency and self.flagged_at is None:
            self.flagged_at = now or utcnow()

    def mark_reviewed(self, user: User, now: datetime | None = None) -> bool:
        """Record the first review (later ones change nothing); whether this was it."""
        if self.reviewed_at is not None:
            return False
        self.reviewed_at = now or utcnow()
        self.reviewed_by_id = user.id
        return True

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None

    def mark_contacted(self, user: User, now: datetime | None = None) -> bool:
        """Record that the care team reached the patient (the first time is kept); whether
        this was it."""
        if self.contacted_at is not None:
            return False
        self.contacted_at = now or utcnow()
        self.contacted_by_id = user.id
        return True


# The exports' order: urgent first, then newest, read straight off the index.
Index(
    "ix_submissions_order",
    Submission.urgency_rank,
    Submission.submitted_at.desc(),
    Submission.id.desc(),
)
# The queue's orders (screener.clinic.queries._segments), so that a page is read straight off
# an index: sent and still answering apart, urgent first, then newest or by appointment.
# Each also holds the other's sort column, so that a segment is counted from the index alone.
Index(
    "ix_submissions_queue",
    Submission.status,
    Submission.urgency_rank,
    Submission.submitted_at.desc(),
    Submission.id.desc(),
    Submission.appointment_at,
)
Index(
    "ix_submissions_upcoming",
    Submission.status,
    Submission.urgency_rank,
    Submission.appointment_at,
    Submission.submitted_at,
    Submission.id,
)


class Patient(db.Model):  # type: ignore[name-defined]  # mypy cannot follow db.Model
    """A patient's identity, kept in its own table apart from the clinical answers."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), unique=True
    )
    full_name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    # The medical record number, when the clinic gave one (an invitation).
    mrn: Mapped[str | None] = mapped_column(String(64))
    # The name as the clinic's search compares it (see name_key); same data, so same table.
    name_search: Mapped[str] = mapped_column(String(200), index=True)
    # Who this is across visits (see person_key), kept as the fields it derives from change.
    person_key: Mapped[str] = mapped_column(String(300), index=True, default="")

    submission: Mapped[Submission] = relationship(back_populates="patient")

    @validates("full_name", "date_of_birth", "mrn")
    def _keep_keys(self, key: str, value):
        if key == "full_name":
            self.name_search = name_key(value)
        mrn = value if key == "mrn" else self.mrn
        name = value if key == "full_name" else self.full_name
        born = value if key == "date_of_birth" else self.date_of_birth
        if name and born:
            self.person_key = person_key(mrn, name, born)
        return value


# Whether the identity is stored, read with the submission's row: every patient page asks, and
# most need nothing else of it (save_identity reads it again once it has stored one).
Submission.identified = column_property(
    exists().where(Patient.submission_id == Submission.id), deferred=False
)


class StepInput(db.Model):  # type: ignore[name-defined]  # mypy cannot follow db.Model
    """What a patient posted on a step and has not saved yet: after a language switch, or an
    answer that needs fixing, the step is shown again from it (by a GET, so that Back and reload
    never post it twice). Deleted when the step is saved, and with its submission."""

    __tablename__ = "step_inputs"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True
    )
    slug: Mapped[str] = mapped_column(String(32), primary_key=True)
    fields: Mapped[dict] = mapped_column(JSON)  # each posted name with its list of values
    # What the post asked for: "continue" (every check) or "later" (partial checks) when it
    # was refused, so its errors are shown again; None for a language switch (no errors).
    intent: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewNote(db.Model):  # type: ignore[name-defined]  # mypy cannot follow db.Model
    """A clinician's note on a submission; kept as written."""

    __tablename__ = "review_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[Submission] = relationship()
    author: Mapped[User] = relationship()


class AuditEvent(db.Model):  # type: ignore[name-defined]  # mypy cannot follow db.Model
    """Who did what to which submission, and when."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(32), index=True)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="SET NULL"), index=True
    )
    detail: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    user: Mapped[User | None] = relationship()


class Invitation(db.Model):  # type: ignore[name-defined]  # mypy cannot follow db.Model
    """A personal link for one appointment, made by the clinic: who the patient is (so they
    need not type it) and when the appointment is. It opens one questionnaire."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The link's token is derived from this and SECRET_KEY (screener.invitations), so that the
    # letter can be printed again; only the token's digest is stored, to look it up.
    nonce: Mapped[str] = mapped_column(String(43))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    name_search: Mapped[str] = mapped_column(String(200), index=True)
    date_of_birth: Mapped[date] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    mrn: Mapped[str | None] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    appointment_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    clinician: Mapped[str] = mapped_column(String(120), default="")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Wrong dates of birth typed for this link; RESUME_MAX_FAILURES of them lock it.
    failures: Mapped[int] = mapped_column(default=0)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="SET NULL"), unique=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[Submission | None] = relationship(viewonly=True)
    created_by: Mapped[User | None] = relationship(viewonly=True)

    @validates("full_name")
    def _keep_name_search(self, _key: str, name: str) -> str:
        self.name_search = name_key(name)
        return name


class OutboxMessage(db.Model):  # type: ignore[name-defined]  # mypy cannot follow db.Model
    """An email waiting to be sent (or sent): written in the same transaction as the change it
    tells of, sent later by `flask deliver` (screener.outbox)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "sent_at", "failed_at", "next_attempt_at"),)

    ALERT = "urgent_alert"
    INVITATION = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="SET NULL"), index=True
    )
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A sender holds a message it is sending until then; another takes it over only after.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # given up: not retried
    last_error: Mapped[str | None] = mapped_column(String(500))
