"""Synthetic demo submissions across every outcome and urgency, for trying the clinic side.

Answer sets are generated from a seed, then scored by the real rubric; names and contact details
come from small made-up lists (phone numbers in the fictional 555-01xx range, emails at
example.com, record numbers DEMO-nnnnnn). Most patients came through an invitation for an
appointment (in the next two weeks, or already past); some come back a second time; urgent ones
were mostly called already. Submissions go in with bulk inserts, so 10,000 take seconds.
"""

import random
import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select

from . import invitations, times
from .extensions import db
from .invitations import InvitationDetails
from .models import (
    Patient,
    ReviewNote,
    Status,
    Submission,
    name_key,
    person_key,
    urgency_rank,
)
from .scoring import FIELDS, RED_FLAG_KEYS, RED_FLAGS, Urgency, assess

# The kinds of patient the generator imitates, with their share of a clinic's week.
KINDS: dict[str, float] = {
    "discuss_referral": 0.28,
    "not_yet": 0.24,
    "pattern_unclear": 0.14,
    "incomplete": 0.12,
    "emergency": 0.06,
    "same_day": 0.09,
    "soon": 0.07,
}
FIRST_NAMES = (
    "Avery", "Blake", "Carmen", "Dana", "Elena", "Farah", "Gideon", "Hana", "Ines", "Jonah",
    "Keiko", "Luis", "Marta", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Samir", "Tamsin",
    "Ulla", "Victor", "Wren", "Ximena", "Yusuf", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Abbott", "Brennan", "Castillo", "Delacroix", "Eriksen", "Fontaine", "Garza", "Hollis",
    "Ibarra", "Jansen", "Kowalski", "Lindqvist", "Moreno", "Nakamura", "Okafor", "Pereira",
    "Quintero", "Rasmussen", "Santos", "Thornbury", "Underhill", "Valdez", "Whitcombe", "Yilmaz",
)  # fmt: skip
COMMENTS_EN = (
    "The pain is worst when I get out of the car.",
    "I can only sit for about twenty minutes at work.",
    "Physical therapy helped a little at first, then stopped helping.",
    "I had a fall on the ice two winters ago and it started after that.",
    "I would like to know what my options are.",
)
COMMENTS_ES = (
    "El dolor empeora cuando me levanto de la silla.",
    "No puedo dormir del lado derecho.",
)
CLINICIANS = ("Dr. Okafor", "Dr. Lindqvist", "Dr. Santos", "Nurse practitioner Hollis")
INVITED = 0.8  # the share of patients who came through an invitation for an appointment
UPCOMING = 0.75  # the share of those appointments still to come (in the next two weeks)
RETURNING = 0.08  # the share of questionnaires from someone who sent one before
CALLED = 0.6  # the share of urgent questionnaires the care team has called about
NOTES = (
    "Called the patient; visit booked.",
    "Discussed at the team meeting; imaging requested.",
    "Left a voicemail; will try again tomorrow.",
)


@dataclass(frozen=True)
class DemoSubmission:
    """One generated questionnaire, before it is stored."""

    kind: str
    answers: dict
    status: str
    language: str
    full_name: str
    date_of_birth: date
    phone: str | None
    email: str | None
    invited: bool = False  # came through an invitation (with an appointment)
    mrn: str | None = None  # known from the invitation, for most of the invited


def _typical(rng: random.Random) -> dict[str, Any]:
    """A complete answer set of a chronic SI-joint patient that meets every criterion."""
    answers: dict[str, Any] = {key: "no" for key in RED_FLAG_KEYS}
    answers |= {
        "pain_areas": sorted(
            {rng.choice(["below_belt_side", "buttock"])}
            | set(rng.sample(["buttock", "thigh_back", "groin", "low_back_center"], 1))
        ),
        "worst_spot": rng.choice(["dimple", "dimple", "buttock"]),
        "pain_side": rng.choice(["left", "right", "right", "both"]),
        "worse_with": rng.sample(FIELDS["worse_with"].codes, rng.randint(0, 4)),
        "leg_symptoms_below_knee": rng.choice(["no", "no", "yes"]),
        "fibromyalgia": rng.choice(["no", "no", "no", "unsure"]),
        "inflammatory_arthritis": "no",
        "prior_lumbar_fusion": rng.choice(["no", "no", "no", "yes"]),
        "pain_duration": rng.choice(["6m_12m", "gt_12m", "gt_12m"]),
        "pain_average": rng.randint(5, 9),
        "pain_worst": rng.randint(7, 10),
        "care_duration": "gte_6m",
        "pt": rng.choice(["gte_4w", "gte_4w", "not_tolerated"]),
        "home_exercise": rng.choice(["yes", "yes", "no"]),
        "medications": rng.sample(["anti_inflammatory", "acetaminophen", "muscle_relaxant"], 2),
        "other_care": rng.sample(FIELDS["other_care"].codes, rng.randint(0, 3)),
        "si_injection": rng.choice(["none", "yes", "yes"]),
        "imaging": rng.choice(["lt_6m", "lt_6m", "6m_12m", "none"]),
        "pregnancy": rng.choice(["no", "not_applicable"]),
        "nicotine": rng.choice(["no", "no", "no", "yes"]),
        "prior_si_fusion": "none",
        "metal_allergy": rng.choice(["no", "no", "no", "unsure"]),
    }
    for key in ("fn_sitting", "fn_standing_walking", "fn_stairs", "fn_daily_tasks", "fn_sleep"):
        answers[key] = rng.randint(1, 3)
    answers["fn_sitting"] = max(answers["fn_sitting"], 2)
    if answers["si_injection"] == "yes":
        answers["si_injection_relief"] = rng.choice(["gte_75", "50_74", "lt_50", "dont_know"])
    if rng.random() < 0.15:
        answers["odi"] = [rng.randint(2, 4) for _ in range(10)]
    return answers


def _not_yet(rng: random.Random, answers: dict) -> None:
    change = rng.choice(["duration", "severity", "care", "pt", "pregnancy", "function"])
    if change == "duration":
        answers["pain_duration"] = rng.choice(["6w_3m", "3m_6m"])
    elif change == "severity":
        answers["pain_average"] = rng.randint(2, 4)
    elif change == "care":
        answers["care_duration"] = rng.choice(["lt_3m", "3m_6m"])
    elif change == "pt":
        answers["pt"] = rng.choice(["none", "lt_4w"])
    elif change == "pregnancy":
        answers["pregnancy"] = rng.choice(["pregnant", "postpartum_lt_6m"])
    else:
        answers.pop("odi", None)
        for key in ("fn_sitting", "fn_standing_walking", "fn_stairs", "fn_daily_tasks", "fn_sleep"):
            answers[key] = rng.randint(0, 1)


def _pattern_unclear(rng: random.Random, answers: dict) -> None:
    change = rng.choice(["spot", "areas", "widespread", "fibromyalgia"])
    if change == "spot":
        answers["worst_spot"] = rng.choice(["spine_center", "leg"])
    elif change == "areas":
        answers["pain_areas"] = ["low_back_center", "thigh_back", "below_knee"]
        answers["worst_spot"] = "cant_say"
    elif change == "widespread":
        answers["pain_areas"] = [*answers["pain_areas"], "widespread"]
    else:
        answers["fibromyalgia"] = "yes"


def _incomplete(rng: random.Random, answers: dict) -> dict:
    if rng.random() < 0.5:
        answers["worst_spot"] = "cant_say"
        return answers
    # Stopped part-way: the later steps are unanswered.
    keep = list(FIELDS)[: rng.randint(12, 24)]
    return {key: value for key, value in answers.items() if key in keep}


def _flags_giving(level: Urgency) -> list[str]:
    """The red-flag keys whose yes gives this urgency."""
    return [flag.key for flag in RED_FLAGS if flag.if_yes is level]


def _red_flag(rng: random.Random, kind: str, answers: dict) -> None:
    if kind == "emergency":
        answers[rng.choice(_flags_giving(Urgency.EMERGENCY))] = "yes"
    elif kind == "same_day":
        if rng.random() < 0.3:
            answers[rng.choice(_flags_giving(Urgency.EMERGENCY))] = "unsure"
        else:
            answers[rng.choice(_flags_giving(Urgency.SAME_DAY))] = "yes"
    else:
        answers[rng.choice(_flags_giving(Urgency.SOON))] = "yes"


def answers_for(kind: str, rng: random.Random) -> tuple[dict, str]:
    """A plausible answer set for one kind of patient, and the submission's status."""
    answers = _typical(rng)
    if kind == "not_yet":
        _not_yet(rng, answers)
    elif kind == "pattern_unclear":
        _pattern_unclear(rng, answers)
    elif kind == "incomplete":
        answers = _incomplete(rng, answers)
    elif kind in ("emergency", "same_day", "soon"):
        _red_flag(rng, kind, answers)
        if rng.random() < 0.3:
            # Flagged at the safety step and still answering the rest.
            return {k: v for k, v in answers.items() if k in RED_FLAG_KEYS}, Status.DRAFT
    return answers, Status.SUBMITTED


def generate(count: int, seed: int = 0) -> Iterator[DemoSubmission]:
    """Demo submissions: the first of every kind, then a realistic mix."""
    rng = random.Random(seed)
    kinds = list(KINDS)
    weights = list(KINDS.values())
    earlier: list[DemoSubmission] = []  # people who may come back
    for n in range(count):
        kind = kinds[n] if n < len(kinds) else rng.choices(kinds, weights)[0]
        answers, status = answers_for(kind, rng)
        language = "es" if rng.random() < 0.2 else "en"
        if status == Status.SUBMITTED and rng.random() < 0.2:
            answers["comments"] = rng.choice(COMMENTS_ES if language == "es" else COMMENTS_EN)
        invited = rng.random() < INVITED
        if earlier and rng.random() < RETURNING:
            # A second questionnaire from the same person, invited again by the clinic.
            before = rng.choice(earlier)
            demo = DemoSubmission(
                kind, answers, status, before.language, before.full_name,
                before.date_of_birth, before.phone, before.email, True, before.mrn,
            )  # fmt: skip
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            demo = DemoSubmission(
                kind=kind,
                answers=answers,
                status=status,
                language=language,
                full_name=f"{first} {last}",
                date_of_birth=date(1940, 1, 1) + timedelta(days=rng.randint(0, 365 * 62)),
                phone=f"555-01{rng.randint(0, 99):02d}" if rng.random() < 0.9 else None,
                email=f"{first}.{last}{rng.randint(1, 99)}@example.com".lower()
                if rng.random() < 0.7
                else None,
                invited=invited,
                mrn=f"DEMO-{rng.randint(0, 999_999):06d}"
                if invited and rng.random() < 0.7
                else None,
            )
        if len(earlier) < 1000:
            earlier.append(demo)
        yield demo


def _references(count: int) -> list[str]:
    """Reference codes not yet in the database."""
    taken = set(db.session.scalars(select(Submission.reference)))
    fresh: list[str] = []
    while len(fresh) < count:
        code = Submission.new_reference()
        if code not in taken:
            taken.add(code)
            fresh.append(code)
    return fresh


def seed(
    count: int,
    seed: int = 0,
    now: datetime | None = None,
    reviewer_id: int | None = None,
    days: int = 60,
    batch: int = 1000,
) -> Counter:
    """Store `count` demo submissions over the last `days`; returns how many per outcome.

    Invited patients have their invitation and appointment; a few invitations wait for their
    patient. With a reviewer, about half of those older than two days are marked reviewed by
    them, some with a note, and most urgent ones older than an hour are marked called.
    """
    now = now or datetime.now(UTC)
    rng = random.Random(seed + 1)
    references = iter(_references(count))
    counts: Counter = Counter()
    pending: list[tuple[DemoSubmission, dict]] = []
    for demo in generate(count, seed):
        result = assess(demo.answers).to_dict()
        counts[result["category"]] += 1
        pending.append((demo, result))
        if len(pending) >= batch:
            _store(pending, rng, now, days, reviewer_id, references)
            pending = []
    if pending:
        _store(pending, rng, now, days, reviewer_id, references)
    _waiting_invitations(rng, now, max(2, count // 30))
    db.session.commit()
    return counts


def _appointment(
    rng: random.Random, now: datetime, after: datetime, upcoming: bool | None = None
) -> datetime:
    """A weekday slot in clinic hours (8:00 to 16:45, the clinic's time zone): in the next two
    weeks (UPCOMING of them unless `upcoming` says), else between `after` and now."""
    zone = times.clinic_zone()
    if (rng.random() < UPCOMING) if upcoming is None else upcoming:
        day = times.today(now) + timedelta(days=rng.randint(0, 13))
    else:
        day = (after + (now - after) * rng.random()).astimezone(zone).date()
    while day.weekday() >= 5:  # Saturday, Sunday: the Monday after
        day += timedelta(days=1)
    slot = time(8 + rng.randint(0, 8), rng.choice((0, 15, 30, 45)))
    return datetime.combine(day, slot, tzinfo=zone).astimezone(UTC)


def _invite(demo: DemoSubmission, appointment: datetime, clinician: str, now: datetime):
    """The invitation the clinic made for this patient's appointment (its caller links it)."""
    details = InvitationDetails(
        full_name=demo.full_name,
        date_of_birth=demo.date_of_birth,
        appointment_at=appointment,
        clinician=clinician,
        language=demo.language,
        phone=demo.phone,
        email=demo.email,
        mrn=demo.mrn,
    )
    return invitations.create(details, None, now=now)


def _waiting_invitations(rng: random.Random, now: datetime, count: int) -> None:
    """Invitations sent for the coming days whose patient has not opened them yet."""
    for demo in generate(count, seed=rng.randint(0, 2**31)):
        when = now - timedelta(days=rng.randint(1, 5))
        _invite(demo, _appointment(rng, now, now, upcoming=True), rng.choice(CLINICIANS), when)


def _store(pending, rng, now, days, reviewer_id, references) -> None:
    """Insert one batch of submissions, then their patients and notes."""
    rows: list[dict[str, Any]] = []
    invited: list[tuple[int, DemoSubmission, datetime, datetime]] = []  # row, who, when, sent
    for demo, result in pending:
        submitted = now - timedelta(seconds=rng.randint(60, days * 86400))
        reviewed = (
            reviewer_id is not None
            and demo.status == Status.SUBMITTED
            and now - submitted > timedelta(days=2)
            and rng.random() < 0.5
        )
        called = (
            reviewer_id is not None
            and result["urgency"] is not None
            and now - submitted > timedelta(hours=1)
            and rng.random() < CALLED
        )
        created = submitted - timedelta(minutes=rng.randint(4, 40))
        appointment = None
        if demo.invited:
            appointment = _appointment(rng, now, submitted)
            invited.append((len(rows), demo, appointment, created - timedelta(days=3)))
        rows.append(
            {
                "reference": next(references),
                "token_hash": secrets.token_hex(32),
                "status": demo.status,
                "language": demo.language,
                "rubric_version": result["rubric_version"],
                "answers": demo.answers,
                "steps_done": [],
                "assessment": result,
                "category": result["category"],
                "urgency": result["urgency"],
                "urgency_rank": urgency_rank(result["urgency"]),
                "flagged_at": submitted if result["urgency"] else None,
                "created_at": created,
                "updated_at": submitted,
                "appointment_at": appointment,
                "contacted_at": submitted + timedelta(minutes=rng.randint(5, 55))
                if called
                else None,
                "contacted_by_id": reviewer_id if called else None,
                "submitted_at": submitted,
                "reviewed_at": submitted + timedelta(hours=rng.randint(1, 40))
                if reviewed
                else None,
                "reviewed_by_id": reviewer_id if reviewed else None,
            }
        )
    # Core executemany: one statement per batch (INSERT ... RETURNING is far slower on SQLite).
    db.session.execute(insert(Submission.__table__), rows)
    by_reference = dict(
        db.session.execute(
            select(Submission.reference, Submission.id).where(
                Submission.reference.in_([row["reference"] for row in rows])
            )
        ).all()
    )
    ids = [by_reference[row["reference"]] for row in rows]
    db.session.execute(
        insert(Patient.__table__),
        [
            {
                "submission_id": submission_id,
                "full_name": demo.full_name,
                "date_of_birth": demo.date_of_birth,
                "phone": demo.phone,
                "email": demo.email,
                "mrn": demo.mrn,
                # A bulk insert passes the model's validators by: the keys are set here.
                "name_search": name_key(demo.full_name),
                "person_key": person_key(demo.mrn, demo.full_name, demo.date_of_birth),
            }
            for submission_id, (demo, _result) in zip(ids, pending, strict=True)
        ],
    )
    for index, demo, appointment, sent in invited:
        invitation = _invite(demo, appointment, rng.choice(CLINICIANS), sent)
        invitation.submission_id = ids[index]
        invitation.opened_at = rows[index]["created_at"]
    db.session.flush()
    notes = [
        {
            "submission_id": submission_id,
            "author_id": reviewer_id,
            "body": rng.choice(NOTES),
            "created_at": row["reviewed_at"],
        }
        for submission_id, row in zip(ids, rows, strict=True)
        if row["reviewed_at"] is not None and rng.random() < 0.4
    ]
    if notes:
        db.session.execute(insert(ReviewNote.__table__), notes)
