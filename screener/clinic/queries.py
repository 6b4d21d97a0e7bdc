"""The clinic's database queries: the queue, its counts, the export rows, one submission."""

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
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
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.sql.expression import FunctionElement

from .. import times
from ..catalogue import IDENTITY
from ..extensions import db
from ..models import (
    CODE_ALPHABET,
    NOT_URGENT_RANK,
    AuditEvent,
    Invitation,
    OutboxMessage,
    Patient,
    Role,
    Status,
    Submission,
    User,
    name_key,
    person_key,
    utcnow,
)
from ..scoring import URGENCY_RANK
from .labels import CATEGORY_LABELS

PER_PAGE = 50
AUDIT_PER_PAGE = 100
# Flagged questionnaires still being answered: the queue lists this many, and says how many more.
STILL_ANSWERING_SHOWN = 20
# Small enough that a batch's rows and answers die young, sparing the garbage collector.
EXPORT_BATCH = 100
_REFERENCE_CHARS = re.compile(f"[{CODE_ALPHABET}]{{1,8}}")


# The queue's orders (the filter form's "Sort by"); urgent rows come first in each.
SORTS: dict[str, str] = {
    "appointment": "Appointment",
    "submitted": "Submitted",
    "outcome": "Outcome",
}
DEFAULT_SORT = "appointment"
# Every urgency rank, most urgent first, then the rank of no urgency.
_RANKS = (*sorted(URGENCY_RANK.values()), NOT_URGENT_RANK)


@dataclass(frozen=True)
class QueueFilter:
    """What the clinician asked the queue for; every field optional."""

    category: str | None = None
    review: str | None = None  # "new" or "reviewed"
    contact: str | None = None  # "no" (not contacted yet) or "yes"
    date_from: date | None = None  # submitted on or after this day (the clinic's time zone)
    date_to: date | None = None  # submitted on or before this day (the clinic's time zone)
    search: str = ""  # part of a name, a reference code or a medical record number
    sort: str = DEFAULT_SORT

    @property
    def is_empty(self) -> bool:
        """Whether no filter is set (the order is not a filter)."""
        return replace(self, sort=DEFAULT_SORT) == QueueFilter()


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
    """WHERE clauses for a filter (on Submission alone): what reached the clinic,
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
    if f.contact == "no":
        conditions.append(Submission.contacted_at.is_(None))
    elif f.contact == "yes":
        conditions.append(Submission.contacted_at.is_not(None))
    if f.date_from:
        conditions.append(Submission.submitted_at >= times.start_of_day(f.date_from))
    if f.date_to:
        conditions.append(
            Submission.submitted_at < times.start_of_day(f.date_to + timedelta(days=1))
        )
    if f.search:
        conditions.append(search_condition(f.search))
    return conditions


def search_condition(text: str) -> ColumnElement[bool]:
    """Submissions whose patient's name contains the text (case and accents folded), whose
    patient's medical record number it is (whatever its case), or whose reference code begins
    with it. Each is a subquery, so that the database finds the few matches first rather than
    looking up the patient of every submission (and no join is needed)."""
    patients = select(Patient.submission_id).where(
        or_(
            Patient.name_search.contains(name_key(text), autoescape=True),
            # A patient with a record number is keyed by it (models.person_key).
            Patient.person_key == person_key(text, "", date.min),
        )
    )
    matches: list[ColumnElement[bool]] = [Submission.id.in_(patients)]
    prefix = _reference_prefix(text)
    if prefix:
        codes = aliased(Submission)
        matches.append(
            Submission.id.in_(
                select(codes.id).where(codes.reference.startswith(prefix, autoescape=True))
            )
        )
    return or_(*matches)


def _queue_order(stmt: Select) -> Select:
    """Emergency, same day, soon, then the rest; newest first within each (the exports')."""
    return stmt.order_by(
        Submission.urgency_rank, Submission.submitted_at.desc(), Submission.id.desc()
    )


@dataclass(frozen=True)
class _Segment:
    """A run of the queue's order that one index reads in order: its rows, and their order."""

    where: tuple[ColumnElement[bool], ...]
    order: tuple[Any, ...]


_NEWEST = (Submission.submitted_at.desc(), Submission.id.desc())


def _segments(sort: str, start: datetime) -> list[_Segment]:
    """The queue's order as consecutive segments. Urgent rows come first whatever the sort.

    "appointment": for each urgency rank, the appointments from `start` (the beginning of the
    clinic's day) soonest first, then the rest (earlier or no appointment) newest first;
    "submitted": by rank, newest first; "outcome": urgent ones by rank and newest, then each
    outcome in the order of CATEGORY_LABELS, newest first.

    One ORDER BY with a CASE would need every matching row sorted before the first page;
    a segment is read straight off ix_submissions_queue or ix_submissions_upcoming instead.
    """
    rank = Submission.urgency_rank
    if sort == "submitted":
        return [_Segment((), (rank, *_NEWEST))]
    if sort == "outcome":
        codes = list(CATEGORY_LABELS)
        return [
            _Segment((rank < NOT_URGENT_RANK,), (rank, *_NEWEST)),
            *(
                _Segment((rank == NOT_URGENT_RANK, Submission.category == code), _NEWEST)
                for code in codes
            ),
            _Segment(
                (
                    rank == NOT_URGENT_RANK,
                    or_(Submission.category.is_(None), Submission.category.not_in(codes)),
                ),
                _NEWEST,
            ),
        ]
    upcoming = (Submission.appointment_at, Submission.submitted_at, Submission.id)
    rest = or_(Submission.appointment_at < start, Submission.appointment_at.is_(None))
    return [
        segment
        for level in _RANKS
        for segment in (
            _Segment((rank == level, Submission.appointment_at >= start), upcoming),
            _Segment((rank == level, rest), _NEWEST),
        )
    ]


def _day_start(now: datetime | None) -> datetime:
    """The beginning of the clinic's current day, in UTC."""
    return times.start_of_day(times.today(now or utcnow()))


def _ordered(
    f: QueueFilter, status: Status, offset: int, limit: int, now: datetime | None
) -> list[Row]:
    """`limit` queue rows from `offset` in the filter's order, composed from its segments:
    a segment before the page is only counted, and none after it is read."""
    conditions = _conditions(f, status=status)
    rows: list[Row] = []
    for segment in _segments(f.sort, _day_start(now)):
        if len(rows) >= limit:
            break
        if offset:
            size = db.session.scalar(_counted(*conditions, *segment.where)) or 0
            if size <= offset:
                offset -= size
                continue
        rows += db.session.execute(
            select(*_QUEUE_COLUMNS)
            .select_from(Submission)
            .outerjoin(Patient)
            .outerjoin(Invitation, Invitation.submission_id == Submission.id)
            .where(*conditions, *segment.where)
            .order_by(*segment.order)
            .offset(offset)
            .limit(limit - len(rows))
        ).all()
        offset = 0
    return rows


def _counted(*conditions: ColumnElement[bool]) -> Select:
    return select(func.count(Submission.id)).where(*conditions)


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
    Submission.contacted_at,
    Submission.appointment_at,
    Submission.language,
    Patient.full_name,
    Patient.date_of_birth,
    # Only an urgent row needs the phone at hand: the others leave it on the summary.
    case((Submission.urgency_rank < NOT_URGENT_RANK, Patient.phone)).label("phone"),
    Invitation.clinician,
)


def queue_page(
    f: QueueFilter,
    number: int,
    total: int,
    per_page: int = PER_PAGE,
    now: datetime | None = None,
) -> Page:
    """One page of the sent questionnaires: light rows, no answers loaded."""
    number = _page_number(number, total, per_page)
    rows = _ordered(f, Status.SUBMITTED, (number - 1) * per_page, per_page, now)
    return Page(rows, number, per_page, total)


def still_answering(
    f: QueueFilter, shown: int = STILL_ANSWERING_SHOWN, now: datetime | None = None
) -> Page:
    """The first flagged questionnaires whose patient has not sent them yet, and how many
    there are."""
    conditions = _conditions(f, status=Status.DRAFT)
    total = db.session.scalar(_counted(*conditions)) or 0
    rows = _ordered(f, Status.DRAFT, 0, shown, now) if total else []
    return Page(rows, 1, shown, total)


def new_urgent_count(since: datetime) -> int:
    """How many questionnaires were first flagged urgent after `since`, sent or not."""
    return (
        db.session.scalar(
            select(func.count(Submission.id)).where(
                Submission.submitted_at.is_not(None),
                Submission.urgency_rank < NOT_URGENT_RANK,
                Submission.flagged_at > since,
            )
        )
        or 0
    )


def outcome_counts(f: QueueFilter) -> dict[str | None, int]:
    """Submissions per outcome under every filter except the outcome itself."""
    stmt = (
        select(Submission.category, func.count(Submission.id))
        .where(*_conditions(f, by_category=False, status=Status.SUBMITTED))
        .group_by(Submission.category)
    )
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
    if identity:
        stmt = stmt.outerjoin(Patient)
    # The result is closed even when the download stops part-way (a server-side cursor on
    # PostgreSQL).
    with db.session.execute(
        _queue_order(stmt), execution_options={"yield_per": EXPORT_BATCH}
    ) as result:
        yield from result.partitions()


def submissions_page(f: QueueFilter, reference: str, number: int, per_page: int) -> Page:
    """One page of whole submissions (answers, patient) in the exports' order, for the FHIR
    search; `reference` narrows it to one reference code."""
    conditions = _conditions(f)
    if reference:
        conditions.append(Submission.reference == reference)
    total = db.session.scalar(_counted(*conditions)) or 0
    number = _page_number(number, total, per_page)
    stmt = _queue_order(
        select(Submission).where(*conditions).options(selectinload(Submission.patient))
    )
    items = db.session.scalars(stmt.offset((number - 1) * per_page).limit(per_page)).all()
    return Page(items, number, per_page, total)


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


_NEWEST_VISIT = (Submission.submitted_at.desc(), Submission.id.desc())


@dataclass(frozen=True)
class Person:
    """A row of the Patients view: a person's latest questionnaire, and how many they sent."""

    full_name: str
    date_of_birth: date
    mrn: str | None
    reference: str
    submitted_at: datetime
    category: str | None
    urgency: str | None
    questionnaires: int


def patients_page(search: str, number: int, per_page: int = PER_PAGE) -> Page:
    """People (one per Patient.person_key) with a sent or flagged questionnaire, whoever sent
    one last first; a search finds whole people (a match on any of their questionnaires)."""
    reached = Submission.submitted_at.is_not(None)
    people: Select = (
        select(
            Patient.person_key,
            func.max(Submission.submitted_at).label("latest"),
            func.count().label("questionnaires"),
            func.count().over().label("total"),  # of people: the window runs on the groups
        )
        .join(Patient.submission)
        .where(reached)
        .group_by(Patient.person_key)
        .order_by(func.max(Submission.submitted_at).desc(), Patient.person_key)
        .limit(per_page)
    )
    if search:
        matching = select(Patient.person_key).join(Patient.submission).where(reached)
        people = people.where(Patient.person_key.in_(matching.where(search_condition(search))))
    number = max(number, 1)
    groups = db.session.execute(people.offset((number - 1) * per_page)).all()
    if not groups and number > 1:  # past the end: the last page
        total = db.session.scalar(select(func.count()).select_from(people.limit(None).subquery()))
        number = _page_number(number, total or 0, per_page)
        groups = db.session.execute(people.offset((number - 1) * per_page)).all()
    if not groups:
        return Page([], number, per_page, 0)
    latest: dict[str, Row] = {}
    for row in db.session.execute(
        select(
            Patient.person_key,
            Patient.full_name,
            Patient.date_of_birth,
            Patient.mrn,
            Submission.reference,
            Submission.submitted_at,
            Submission.category,
            Submission.urgency,
        )
        .join(Patient.submission)
        .where(reached, Patient.person_key.in_([group.person_key for group in groups]))
        .order_by(*_NEWEST_VISIT)
    ):
        latest.setdefault(row.person_key, row)
    items = [
        Person(
            **{
                name: value
                for name, value in latest[group.person_key]._mapping.items()
                if name != "person_key"
            },
            questionnaires=group.questionnaires,
        )
        for group in groups
    ]
    return Page(items, number, per_page, groups[0].total)


def questionnaires_of(key: str) -> list[Row]:
    """A person's sent or flagged questionnaires, newest first."""
    if not key:
        return []
    return list(
        db.session.execute(
            select(
                Submission.reference,
                Submission.status,
                Submission.submitted_at,
                Submission.category,
                Submission.urgency,
                Submission.appointment_at,
                Submission.reviewed_at,
                Submission.contacted_at,
                Invitation.clinician,
            )
            .join(Patient)
            .outerjoin(Invitation, Invitation.submission_id == Submission.id)
            .where(Patient.person_key == key, Submission.submitted_at.is_not(None))
            .order_by(*_NEWEST_VISIT)
        ).all()
    )


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
