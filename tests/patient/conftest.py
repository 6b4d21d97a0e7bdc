"""Helpers for the patient questionnaire's client tests."""

from datetime import timedelta
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from screener import invitations
from screener.catalogue import STEPS
from screener.extensions import db
from screener.invitations import InvitationDetails
from screener.models import Submission, utcnow
from tests.answers import BORN, IDENTITY

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


# Whom the clinic invites, as it enters them (the appointment is set per invitation).
INVITED = {
    "full_name": "Rosa Invitada",
    "date_of_birth": BORN,
    "clinician": "Dr. Lee",
    "phone": "555 010 0144",
    "email": "rosa@example.com",
    "mrn": "MRN-00123",
}


def invite(app, **changes) -> str:
    """Store an invitation to INVITED (with `changes`), its appointment in a week unless
    given; return its link's path."""
    details = {"appointment_at": utcnow() + timedelta(days=7), **INVITED, **changes}
    with app.app_context():
        invitation = invitations.create(InvitationDetails(**details), None)
        db.session.commit()
        return "/i/" + invitations.link_token(invitation)


def answer_steps(client, answers: dict, steps=CLINICAL_STEPS):
    """Post each step with its share of the answers; return the last response."""
    response = None
    for step in steps:
        response = client.post(f"/step/{step.slug}", data=step_data(step, answers))
        assert response.status_code == 302, (step.slug, response.text)
    return response


def refused(client, url: str, data: dict | None = None):
    """Post a step that is not saved (input to fix, or a language switch): the answer is a
    redirect to the same step (so Back and reload never post it again); return that page."""
    response = client.post(url, data=data or {})
    assert response.status_code == 303, response.text
    assert response.location.split("?")[0] == url.split("?")[0]
    return client.get(response.location)


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
