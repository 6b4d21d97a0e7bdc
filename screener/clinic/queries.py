"""The clinic's database queries: the queue, its counts, the export rows, one submission."""

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import abort
from sqlalchemy import (
    ColumnElement,
    Label,
    Row,
    Select,
    SQLColumnExpression,
    String,
    Text,
    case,
    cast,
    func,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.expression import FunctionElement

from ..catalogue import IDENTITY
from ..extensions import db
from ..models import (
    CODE_ALPHABET,
    AuditEvent,
    Invitation,
    OutboxMessage,
    Patient,
    Role,
    Status,
    Submission,
    User,
    name_key,
)

PER_PAGE = 50
AUDIT_PER_PAGE = 100
# Flagged questionnaires still being answered: the queue lists this many, and says how many more.
STILL_ANSWERING_SHOWN = 20
# Small enough that a batch's rows and answers die young, sparing the garbage collector.
EXPORT_BATCH = 100
_REFERENCE_CHARS = re.compile(f"[{CODE_ALPHABET}]{{1,8}}")


@dataclass(frozen=True)
class QueueFilter:
    """What the clinician asked the queue for; every field optional."""

    category: str | None = None
    review: str | None = None  # "new" or "reviewed"
    date_from: date | None = None  # submitted on or after this UTC day
    date_to: date | None = None  # submitted on or before this UTC day
    search: str = ""  # part of a name, or a reference code

    @property
    def is_empty(self) -> bool:
        return self == QueueFilter()


@dataclass(frozen=True)
class Page:
    """One page of results."""

    items: Sequence
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return _page_count(self.total, self.per_page)

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def _page_count(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page))


def _page_number(asked: int, total: int, per_page: int) -> int:
    """The asked page, kept between the first and the last."""
    return min(max(asked, 1), _page_count(total, per_page))


def _reference_prefix(text: str) -> str | None:
    """The reference code (or its beginning) the search looks like, formatted as stored."""
    raw = re.sub(r"[\s-]", "", text).upper()
    if not _REFERENCE_CHARS.fullmatch(raw):
        return None
    return raw if len(raw) <= 4 else f"{raw[:4]}-{raw[4:]}"


def _conditions(
    f: QueueFilter, *, by_category: bool = True, status: Status | None = None
) -> list[ColumnElement[bool]]:
    """WHERE clauses for a filter (the search needs Patient joined): what reached the clinic,
    sent (status SUBMITTED) or flagged while still answering (DRAFT), or both (None)."""
    conditions: list[ColumnElement[bool]] = [Submission.submitted_at.is_not(None)]
    if status is not None:
        conditions.append(Submission.status == status)
    if by_category and f.category:
        conditions.append(Submission.category == f.category)
    if f.review == "new":
        conditions.append(Submission.reviewed_at.is_(None))
    elif f.review == "reviewed":
        conditions.append(Submission.reviewed_at.is_not(None))
    if f.date_from:
        conditions.append(Submission.submitted_at >= _start_of(f.date_from))
    if f.date_to:
        conditions.append(Submission.submitted_at < _start_of(f.date_to + timedelta(days=1)))
    if f.search:
        matches: list[ColumnElement[bool]] = [
            Patient.name_search.contains(name_key(f.search), autoescape=True)
        ]
        prefix = _reference_prefix(f.search)
        if prefix:
            matches.append(Submission.reference.startswith(prefix, autoescape=True))
        conditions.append(or_(*matches))
    return conditions


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _queue_order(stmt: Select) -> Select:
    """Emergency, same day, soon, then the rest; newest first within each."""
    return stmt.order_by(
        Submission.urgency_rank, Submission.submitted_at.desc(), Submission.id.desc()
    )


def queue_total(f: QueueFilter, counts: dict[str | None, int]) -> int:
    """How many submissions the filter matches, from its outcome counts (saves a query)."""
    return counts.get(f.category, 0) if f.category else sum(counts.values())


_QUEUE_COLUMNS = (
    Submission.reference,
    Submission.status,
    Submission.category,
    Submission.urgency,
    Submission.submitted_at,
    Submission.reviewed_at,
    Submission.language,
    Patient.full_name,
    Patient.date_of_birth,
)


def queue_page(f: QueueFilter, number: int, total: int, per_page: int = PER_PAGE) -> Page:
    """One page of the sent questionnaires: light rows, no answers loaded."""
    number = _page_number(number, total, per_page)
    rows = db.session.execute(
        _queue_order(
            select(*_QUEUE_COLUMNS)
            .outerjoin(Patient)
            .where(*_conditions(f, status=Status.SUBMITTED))
        )
        .limit(per_page)
        .offset((number - 1) * per_page)
    ).all()
    return Page(rows, number, per_page, total)


def still_answering(f: QueueFilter, shown: int = STILL_ANSWERING_SHOWN) -> Page:
    """The first flagged questionnaires whose patient has not sent them yet, and how many
    there are (one query: each row carries the total)."""
    rows = db.session.execute(
        _queue_order(
            select(*_QUEUE_COLUMNS, func.count().over().label("total"))
            .outerjoin(Patient)
            .where(*_conditions(f, status=Status.DRAFT))
        ).limit(shown)
    ).all()
    return Page(rows, 1, shown, rows[0].total if rows else 0)


def outcome_counts(f: QueueFilter) -> dict[str | None, int]:
    """Submissions per outcome under every filter except the outcome itself."""
    stmt = (
        select(Submission.category, func.count(Submission.id))
        .where(*_conditions(f, by_category=False, status=Status.SUBMITTED))
        .group_by(Submission.category)
    )
    if f.search:
        stmt = stmt.join(Patient)
    return {category: n for category, n in db.session.execute(stmt)}


class _iso_utc(FunctionElement):
    """A timestamp as exports.iso_utc writes it (2026-05-01T14:03:00Z), done by the database."""

    type = String()
    inherit_cache = True


@compiles(_iso_utc, "sqlite")
def _iso_utc_sqlite(element, compiler, **kw) -> str:
    # Stored as UTC text; %S drops the fraction of a second, as isoformat() does.
    return f"strftime('%Y-%m-%dT%H:%M:%SZ', {compiler.process(element.clauses, **kw)})"


@compiles(_iso_utc, "postgresql")
def _iso_utc_postgresql(element, compiler, **kw) -> str:
    moment = compiler.process(element.clauses, **kw)
    return f"""to_char({moment} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


# The CSV export's record columns by name, in order (exports.csv_header adds the rest).
RECORD_COLUMNS: dict[str, SQLColumnExpression[Any]] = {
    "reference": Submission.reference,
    "submitted_at": _iso_utc(Submission.submitted_at),
    "status": Submission.status,
    "category": Submission.category,
    "urgency": Submission.urgency,
    "review_status": case((Submission.reviewed_at.is_(None), "new"), else_="reviewed"),
    "rubric_version": Submission.rubric_version,
    "language": Submission.language,
}


def export_rows(f: QueueFilter, identity: bool) -> Iterator[Sequence[Row]]:
    """The filtered queue for the CSV export, streamed in batches of EXPORT_BATCH rows: the
    record columns by name, the identity's if asked for, `answers` as JSON text (exports
    decodes a batch at once) and `odi_percent`."""
    columns: dict[str, SQLColumnExpression[Any]] = {**RECORD_COLUMNS}
    if identity:
        columns |= {field.key: getattr(Patient, field.key) for field in IDENTITY}
    columns |= {
        "answers": cast(Submission.answers, Text),
        "odi_percent": Submission.assessment["odi_percent"].as_float(),
    }
    labelled: list[Label[Any]] = [column.label(name) for name, column in columns.items()]
    stmt: Select[Any] = select(*labelled).where(*_conditions(f))
    if identity or f.search:
        stmt = stmt.outerjoin(Patient)
    # The result is closed even when the download stops part-way (a server-side cursor on
    # PostgreSQL).
    with db.session.execute(
        _queue_order(stmt), execution_options={"yield_per": EXPORT_BATCH}
    ) as result:
        yield from result.partitions()


def submission_or_404(reference: str) -> Submission:
    """A submitted (or flagged) submission by its reference code."""
    submission = db.session.scalar(
        select(Submission).where(
            Submission.reference == reference.upper(), Submission.submitted_at.is_not(None)
        )
    )
    if submission is None:
        abort(404)
    return submission


def audit_page(number: int, action: str | None = None) -> Page:
    """The audit log, newest first, with who and which submission."""
    conditions = [AuditEvent.action == action] if action else []
    total = db.session.scalar(select(func.count(AuditEvent.id)).where(*conditions)) or 0
    number = _page_number(number, total, AUDIT_PER_PAGE)
    rows = db.session.execute(
        select(AuditEvent, User.email, Submission.reference)
        .outerjoin(User, AuditEvent.user_id == User.id)
        .outerjoin(Submission, AuditEvent.submission_id == Submission.id)
        .where(*conditions)
        .order_by(AuditEvent.id.desc())
        .limit(AUDIT_PER_PAGE)
        .offset((number - 1) * AUDIT_PER_PAGE)
    ).all()
    return Page(rows, number, AUDIT_PER_PAGE, total)


def active_admin_count() -> int:
    return (
        db.session.scalar(select(func.count(User.id)).where(User.role == Role.ADMIN, User.active))
        or 0
    )


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.email)))


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


# --- Invitations ---

INVITATIONS_PER_PAGE = 50


def invitation_page(past: bool, start_of_today: datetime, number: int) -> Page:
    """Invitations whose appointment is from the start of today on, soonest first; or, `past`,
    the earlier ones, latest first. Each with its submission, for its status."""
    if past:
        where, order = Invitation.appointment_at < start_of_today, Invitation.appointment_at.desc()
    else:
        where, order = Invitation.appointment_at >= start_of_today, Invitation.appointment_at.asc()
    total = db.session.scalar(select(func.count(Invitation.id)).where(where)) or 0
    number = _page_number(number, total, INVITATIONS_PER_PAGE)
    rows = db.session.scalars(
        select(Invitation)
        .options(selectinload(Invitation.submission))
        .where(where)
        .order_by(order, Invitation.id)
        .limit(INVITATIONS_PER_PAGE)
        .offset((number - 1) * INVITATIONS_PER_PAGE)
    ).all()
    return Page(rows, number, INVITATIONS_PER_PAGE, total)


OUTBOX_PER_PAGE = 50


def outbox_counts() -> dict[str, int]:
    """How many outbox messages wait (and of those, how many failed a try before), were sent,
    or failed for good."""
    waiting = OutboxMessage.sent_at.is_(None) & OutboxMessage.failed_at.is_(None)
    row = db.session.execute(
        select(
            func.count(case((waiting, 1))),
            func.count(case((waiting & (OutboxMessage.attempts > 0), 1))),
            func.count(OutboxMessage.sent_at),
            func.count(case((OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at))),
        )
    ).one()
    return dict(zip(("pending", "retrying", "sent", "failed"), row, strict=True))


def outbox_page(number: int, total: int) -> Page:
    """The outbox, newest first."""
    number = _page_number(number, total, OUTBOX_PER_PAGE)
    rows = db.session.scalars(
        select(OutboxMessage)
        .order_by(OutboxMessage.id.desc())
        .limit(OUTBOX_PER_PAGE)
        .offset((number - 1) * OUTBOX_PER_PAGE)
    ).all()
    return Page(rows, number, OUTBOX_PER_PAGE, total)
