"""Rubric 2026.12 beside what was stored under 2026.11: sent results keep their version and
their scoring; a draft in progress asks the two new safety questions before it can be sent."""

from markupsafe import escape
from sqlalchemy import select

from screener.catalogue import QUESTIONS
from screener.extensions import db
from screener.models import Submission
from screener.scoring import RUBRIC_VERSION, assess
from tests.answers import REFERRAL, SAFE
from tests.patient.conftest import answer_steps, begin, only_submission

from .conftest import add_submission

NEW_KEYS = ("rf_sexual_function", "rf_both_legs")
OLD_ANSWERS = {k: v for k, v in REFERRAL.items() if k not in NEW_KEYS}


def _as_scored_under_2026_11(app, reference: str) -> None:
    """Store the submission's answers and result as 2026.11 left them (no new keys)."""
    with app.app_context():
        submission = db.session.scalar(select(Submission).filter_by(reference=reference))
        old = {**assess(OLD_ANSWERS).to_dict(), "rubric_version": "2026.11"}
        old.update(category="discuss_referral", missing=[], flags=["Scored under 2026.11."])
        submission.answers = OLD_ANSWERS
        submission.apply_assessment(old)
        db.session.commit()


def test_a_result_sent_under_2026_11_is_shown_as_it_was_scored(app, clinician):
    reference = add_submission(app, OLD_ANSWERS)
    _as_scored_under_2026_11(app, reference)
    html = clinician.get(f"/clinic/submissions/{reference}").text
    assert "<dd>2026.11</dd>" in html
    assert "Scored under 2026.11." in html
    # Today's rubric would call these answers incomplete (two red flags unanswered).
    assert assess(OLD_ANSWERS).category == "incomplete"
    with app.app_context():
        stored = db.session.scalar(select(Submission).filter_by(reference=reference))
        assert (stored.rubric_version, stored.category) == ("2026.11", "discuss_referral")


def test_a_draft_from_2026_11_asks_the_new_questions_before_it_can_be_sent(client, app):
    begin(client)
    answer_steps(client, REFERRAL)
    with app.app_context():
        submission = db.session.scalar(select(Submission))
        submission.answers = OLD_ANSWERS
        submission.rubric_version = "2026.11"
        db.session.commit()
    # Carrying on goes to the safety step again, and sending is refused until it is answered.
    assert client.get("/").text.count('href="/step/safety"') >= 1
    review = client.post("/review")
    assert review.status_code == 200
    summary = review.text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    for key in NEW_KEYS:
        assert str(escape(QUESTIONS[key].label)) in summary
    assert only_submission(app).status == "draft"
    page = client.get("/step/safety").text
    for key in NEW_KEYS:
        assert f'name="{key}"' in page
    assert client.post("/step/safety", data=SAFE).location == "/step/where"
    assert only_submission(app).rubric_version == RUBRIC_VERSION  # reassessed on answering
    assert client.post("/review").location == "/done"


def test_the_clinic_summary_shows_none_of_these_for_other_care(app, clinician):
    patient = app.test_client()
    begin(patient)
    answer_steps(patient, {**REFERRAL, "other_care": ["none"]})
    assert patient.post("/review").location == "/done"
    reference = only_submission(app).reference
    html = clinician.get(f"/clinic/submissions/{reference}").text
    assert "None of these" in html
