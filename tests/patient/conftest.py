"""Helpers for the patient questionnaire's client tests."""

from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from screener.catalogue import STEPS
from screener.extensions import db
from screener.models import Submission
from screener.scoring import RED_FLAG_KEYS

IDENTITY = {
    "full_name": "Ann Example",
    "date_of_birth": "1970-03-25",
    "phone": "555 010 0123",
    "email": "ann@example.com",
}
SAFE = {key: "no" for key in RED_FLAG_KEYS}
# Answers whose rubric outcome is discuss_referral.
REFERRAL = {
    **SAFE,
    "pain_areas": ["below_belt_side", "buttock"],
    "worst_spot": "dimple",
    "pain_side": "left",
    "worse_with": ["sitting_on_side", "rising_from_chair"],
    "leg_symptoms_below_knee": "no",
    "pain_duration": "gt_12m",
    "pain_average": 7,
    "pain_worst": 9,
    "fn_sitting": 2,
    "fn_standing_walking": 1,
    "fn_stairs": 2,
    "fn_daily_tasks": 1,
    "fn_sleep": 3,
    "care_duration": "gte_6m",
    "pt": "gte_4w",
    "home_exercise": "yes",
    "medications": ["anti_inflammatory", "muscle_relaxant"],
    "other_care": ["brace_belt"],
    "si_injection": "yes",
    "si_injection_relief": "gte_75",
    "fibromyalgia": "no",
    "inflammatory_arthritis": "no",
    "prior_lumbar_fusion": "no",
    "pregnancy": "not_applicable",
    "nicotine": "no",
    "prior_si_fusion": "none",
    "metal_allergy": "no",
    "imaging": "lt_6m",
    "comments": "It hurts most when I sit in the car.",
}
CLINICAL_STEPS = [step for step in STEPS if step.questions]


def step_data(step, answers: dict) -> dict:
    """The form data a browser sends for one step's answers (numbers as their digits)."""
    data = {}
    for question in step.questions:
        value = answers.get(question.key)
        if value is None:
            continue
        data[question.key] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def begin(client, identity: dict = IDENTITY):
    """Acknowledge the privacy notice and fill in About you."""
    response = client.post("/", data={"privacy": "y"})
    assert response.status_code == 302, response.text
    response = client.post("/step/about-you", data=identity)
    assert response.status_code == 302, response.text
    return response


def answer_steps(client, answers: dict, steps=CLINICAL_STEPS):
    """Post each step with its share of the answers; return the last response."""
    response = None
    for step in steps:
        response = client.post(f"/step/{step.slug}", data=step_data(step, answers))
        assert response.status_code == 302, (step.slug, response.text)
    return response


def only_submission(app) -> SimpleNamespace:
    """A snapshot of the one submission in the database, with its patient."""
    with app.app_context():
        submission = db.session.scalars(select(Submission)).one()
        patient = submission.patient
        return SimpleNamespace(
            **{c.name: getattr(submission, c.name) for c in Submission.__table__.columns},
            patient=None
            if patient is None
            else SimpleNamespace(
                full_name=patient.full_name,
                date_of_birth=patient.date_of_birth,
                phone=patient.phone,
                email=patient.email,
            ),
        )


def count_submissions(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Submission.id)).all())


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in ("input", "textarea", "button"):
            self.found.append({"tag": tag, **{k: (v if v is not None else "") for k, v in attrs}})


def inputs(html: str, name: str | None = None) -> list[dict]:
    """The page's input, textarea and button elements as attribute dicts."""
    parser = _Inputs()
    parser.feed(html)
    return [i for i in parser.found if name is None or i.get("name") == name]


def checked(html: str, name: str) -> list[str]:
    """The values of the checked radios or checkboxes with this name."""
    return [i["value"] for i in inputs(html, name) if "checked" in i]


def hidden_token(html: str) -> str:
    (field,) = inputs(html, "token")
    return field["value"]


@pytest.fixture
def started(client):
    """A client whose patient has acknowledged the notice and filled in About you."""
    begin(client)
    return client
