"""Clinic fixtures: signed-in clients and stored submissions."""

import secrets
from datetime import UTC, date, datetime, timedelta

import pytest

from screener.extensions import db
from screener.models import Patient, Role, Status, Submission
from screener.scoring import RED_FLAG_KEYS, assess
from tests.conftest import PASSWORD, make_user

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)

# A complete answer set that the rubric scores discuss_referral.
TYPICAL = {
    **{key: "no" for key in RED_FLAG_KEYS},
    "pain_areas": ["below_belt_side", "buttock"],
    "worst_spot": "dimple",
    "pain_side": "right",
    "worse_with": ["sitting_on_side", "rising_from_chair"],
    "leg_symptoms_below_knee": "no",
    "fibromyalgia": "no",
    "inflammatory_arthritis": "no",
    "pain_duration": "gt_12m",
    "pain_average": 7,
    "pain_worst": 9,
    "fn_sitting": 2,
    "fn_standing_walking": 1,
    "fn_stairs": 1,
    "fn_daily_tasks": 2,
    "fn_sleep": 1,
    "care_duration": "gte_6m",
    "pt": "gte_4w",
    "home_exercise": "yes",
    "medications": ["anti_inflammatory", "acetaminophen"],
    "si_injection": "none",
    "imaging": "lt_6m",
    "pregnancy": "not_applicable",
    "nicotine": "no",
    "prior_si_fusion": "none",
    "metal_allergy": "no",
    "comments": "Worse after driving.",
}


def add_submission(
    app,
    answers: dict | None = None,
    *,
    name: str = "Pat Example",
    submitted_at: datetime | None = NOW,
    status: str = Status.SUBMITTED,
    reviewed: bool = False,
    language: str = "en",
    born: date = date(1970, 3, 14),
    phone: str | None = "555-0101",
    email: str | None = "pat@example.com",
) -> str:
    """Store a scored submission with a patient; returns its reference."""
    answers = dict(TYPICAL if answers is None else answers)
    with app.app_context():
        submission = Submission(
            reference=Submission.new_reference(),
            token_hash=secrets.token_hex(32),
            status=status,
            language=language,
            answers=answers,
            submitted_at=submitted_at,
        )
        submission.apply_assessment(assess(answers).to_dict())
        if reviewed:
            submission.reviewed_at = submitted_at + timedelta(hours=1)
        submission.patient = Patient(
            full_name=name,
            date_of_birth=born,
            phone=phone,
            email=email,
            name_search=name.lower(),
        )
        db.session.add(submission)
        db.session.commit()
        return submission.reference


def sign_in(client, email: str, password: str = PASSWORD):
    return client.post("/clinic/login", data={"email": email, "password": password})


@pytest.fixture
def clinician(app, client):
    """A signed-in clinician's client."""
    make_user(app, "doc@clinic.example")
    assert sign_in(client, "doc@clinic.example").status_code == 302
    return client


@pytest.fixture
def admin(app, client):
    """A signed-in admin's client."""
    make_user(app, "boss@clinic.example", Role.ADMIN)
    assert sign_in(client, "boss@clinic.example").status_code == 302
    return client
