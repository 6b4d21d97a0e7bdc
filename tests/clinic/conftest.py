"""Clinic fixtures: signed-in clients and stored submissions."""

import secrets
import unicodedata
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from screener.extensions import db
from screener.models import Patient, Role, Status, Submission
from screener.scoring import assess
from tests.answers import CLINIC_REFERRAL, IDENTITY, REFERRAL
from tests.conftest import PASSWORD, make_user
from tests.patient.conftest import answer_steps, begin

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


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
    answers = dict(CLINIC_REFERRAL if answers is None else answers)
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
        )
        db.session.add(submission)
        db.session.commit()
        return submission.reference


def send_questionnaire(app, full_name: str) -> str:
    """Answer and send the questionnaire as a patient does, in a browser of their own, so the
    patient is stored by the app itself; returns the reference."""
    patient = app.test_client()
    begin(patient, {**IDENTITY, "full_name": full_name})
    answer_steps(patient, REFERRAL)
    assert patient.post("/review").location == "/done"
    with app.app_context():
        return db.session.scalar(
            select(Submission.reference)
            .join(Submission.patient)
            .where(Patient.full_name == unicodedata.normalize("NFC", full_name))  # as stored
        )


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
