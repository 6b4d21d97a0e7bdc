"""The submissions service on its own: merging, checking, expiry and resume codes."""

from datetime import date, timedelta

import pytest

from screener import submissions
from screener.extensions import db
from screener.models import Submission, token_digest, utcnow
from screener.scoring import AnswerError
from tests.answers import IDENTITY, SAFE

from .conftest import only_submission

# Who tests.answers.IDENTITY is, as the service takes it.
ANN = submissions.Identity(IDENTITY["full_name"], date.fromisoformat(IDENTITY["date_of_birth"]))


@pytest.fixture
def draft(app):
    with app.test_request_context():
        submission, token = submissions.create_draft("en")
        submissions.save_identity(submission, ANN, "en")
        yield submission, token


def test_a_draft_is_found_by_its_token_only(draft):
    submission, token = draft
    assert submissions.find_by_token(token) is submission
    assert submissions.find_by_token(token + "x") is None
    assert submissions.find_by_token(None) is None
    assert submission.token_hash == token_digest(token)


def test_whether_the_identity_is_stored_is_known_with_or_without_loading_it(app):
    with app.test_request_context():
        submission, token = submissions.create_draft("en")
        db.session.expunge_all()
        assert submissions.find_by_token(token).identified is False
        db.session.expunge_all()
        loaded = submissions.find_by_token(token)
        submissions.save_identity(loaded, ANN, "en")
        assert loaded.identified is True  # in this session, without reading the row again
        db.session.expunge_all()
        found = submissions.find_by_token(token)
        assert found.identified is True
        assert "patient" not in found.__dict__  # read with the row; the identity stays unloaded


def stored(submission_id: int) -> Submission:
    """The row as it is now in the database."""
    db.session.expunge_all()
    return db.session.get(Submission, submission_id)


def test_a_step_page_reads_the_draft_by_its_token_only(draft):
    submission, token = draft
    step = submissions.find_draft(token)
    assert step.id == submission.id and step.identified is True
    assert (step.status, step.answers, step.steps_done) == ("draft", {}, ["about-you"])
    assert step.expires_at == submission.expires_at and step.urgency is None
    assert submissions.find_draft(token + "x") is None
    assert submissions.find_draft(None) is None
    _other, other_token = submissions.create_draft("en")
    assert submissions.find_draft(other_token).identified is False


def test_a_saved_step_is_stored_and_the_draft_kept_in_step(draft):
    submission, token = draft
    step = submissions.find_draft(token)
    submissions.save_step(step, "safety", {**SAFE, "rf_fever": "yes"}, "es")
    row = stored(submission.id)
    assert row.answers == step.answers == {**SAFE, "rf_fever": "yes"}
    assert row.steps_done == step.steps_done == ["about-you", "safety"]
    assert row.urgency == step.urgency == row.assessment["urgency"] is not None
    assert row.category == row.assessment["category"] and row.language == "es"
    assert row.flagged_at == step.flagged_at is not None
    assert row.submitted_at == step.submitted_at is not None  # in the clinic queue at once
    assert row.expires_at == step.expires_at > submission.expires_at
    assert row.updated_at > submission.updated_at
    assert row.identified and row.patient.full_name == ANN.full_name
    assert submissions.find_draft(token) == step  # read back: every field, every type


def test_a_refused_answer_set_leaves_the_stored_answers_alone(draft, app):
    submission, token = draft
    step = submissions.find_draft(token)
    submissions.save_step(step, "safety", dict(SAFE), "en")
    with pytest.raises(AnswerError, match="medications"):
        submissions.save_step(step, "treatments", {"medications": ["none", "opioid"]}, "en")
    assert step.answers == stored(submission.id).answers == SAFE


def test_clearing_an_answer_removes_it(draft):
    submission, token = draft
    step = submissions.find_draft(token)
    submissions.save_step(step, "where", {"pain_side": "left", "worst_spot": "leg"}, "en")
    submissions.save_step(step, "where", {"pain_side": None, "worst_spot": "leg"}, "en")
    assert step.answers == stored(submission.id).answers == {"worst_spot": "leg"}


def test_relief_is_dropped_when_the_injection_answer_is_not_yes(draft):
    submission, token = draft
    step = submissions.find_draft(token)
    answers = {"si_injection": "yes", "si_injection_relief": "lt_50"}
    submissions.save_step(step, "treatments", answers, "en")
    assert stored(submission.id).answers == answers
    submissions.save_step(step, "treatments", {**answers, "si_injection": "unsure"}, "en")
    assert stored(submission.id).answers == {"si_injection": "unsure"}


def test_steps_done_records_each_completed_step_once(draft):
    submission, token = draft
    step = submissions.find_draft(token)
    submissions.save_step(step, "safety", dict(SAFE), "en")
    submissions.save_step(step, "safety", dict(SAFE), "en")
    submissions.save_step(step, "where", {}, "en", complete=False)
    assert stored(submission.id).steps_done == ["about-you", "safety"]


def test_the_identity_saved_from_a_step_page_brings_its_draft_up_to_date(app):
    with app.test_request_context():
        _submission, token = submissions.create_draft("en")
        step = submissions.find_draft(token)
        assert submissions.identity_of(step) is None
        submissions.save_identity(step, ANN, "en")
        assert step.identified is True and step.steps_done == ["about-you"]
        assert submissions.identity_of(step).full_name == ANN.full_name
        db.session.expunge_all()
        assert submissions.find_draft(token).identified is True


def test_a_sent_questionnaire_never_expires(draft):
    submission, _ = draft
    later = utcnow() + timedelta(days=365)
    assert submissions.is_expired(submission, later)
    submissions.submit(submission)
    assert not submissions.is_expired(submission, later)


@pytest.mark.parametrize("typed", ["abcd-efgh", "ABCD EFGH", " abcdefgh ", "AbCd–EfGh"])
def test_resume_codes_are_read_as_typed(typed):
    assert submissions.normalize_code(typed) == "ABCDEFGH"
    assert submissions.format_code("ABCDEFGH") == "ABCD-EFGH"


@pytest.mark.parametrize("read", ["model", "step page"])
def test_resume_by_code_issues_a_new_token(draft, app, read):
    submission, token = draft
    code = submissions.issue_resume_code(
        submission if read == "model" else submissions.find_draft(token)
    )
    assert len(code) == submissions.CODE_LENGTH
    assert set(code) <= set(submissions.CODE_ALPHABET)
    found, new_token = submissions.resume_by_code(code, ANN.date_of_birth)
    assert found is submission
    assert new_token != token and submissions.find_by_token(token) is None


@pytest.mark.parametrize("code", ["", "ABC", "ABCDEFGHJ"])
def test_malformed_codes_do_not_match(app, code):
    with app.test_request_context(), pytest.raises(submissions.ResumeError) as caught:
        submissions.resume_by_code(code, ANN.date_of_birth)
    assert caught.value.reason == submissions.ResumeError.MISMATCH


def test_identity_updates_keep_one_patient_row(draft, app):
    submission, _ = draft
    submissions.save_identity(
        submission, submissions.Identity("Ann B. Example", date(1970, 3, 25), email="a@b.org"), "en"
    )
    stored = only_submission(app)
    assert stored.patient.full_name == "Ann B. Example" and stored.patient.email == "a@b.org"
    assert submission.patient.name_search == "ann b. example"
