"""The submissions service on its own: merging, checking, expiry and resume codes."""

from datetime import date, timedelta

import pytest

from screener import submissions
from screener.extensions import db
from screener.models import Submission, token_digest, utcnow
from screener.scoring import AnswerError
from tests.answers import BORN, IDENTITY, SAFE

from .conftest import only_submission

# Who tests.answers.IDENTITY is, as the service takes it.
ANN = submissions.Identity(IDENTITY["full_name"], BORN)


@pytest.fixture
def draft(app):
    with app.test_request_context():
        submission, first_token = submissions.create_draft("en")
        token = submissions.save_identity(submission, ANN, "en")
        assert submissions.find_by_token(first_token) is None  # a new token once identified
        yield submission, token


def test_a_draft_is_found_by_its_token_only(draft):
    submission, token = draft
    assert submissions.find_by_token(token) is submission
    assert submissions.find_by_token(token + "x") is None
    assert submissions.find_by_token(None) is None
    assert submission.token_hash == token_digest(token)


def test_whether_the_identity_is_stored_is_known_in_the_session_and_after(app):
    with app.test_request_context():
        submission, _ = submissions.create_draft("en")
        assert submission.identified is False
        token = submissions.save_identity(submission, ANN, "en")
        assert submission.identified is True  # in this session, without reading the row again
        db.session.expunge_all()
        assert submissions.find_by_token(token).identified is True


def stored(submission_id: int) -> Submission:
    """The row as it is now in the database."""
    db.session.expunge_all()
    return db.session.get(Submission, submission_id)


def test_a_saved_step_is_stored_with_its_assessment(draft):
    submission, _token = draft
    before = (submission.expires_at, submission.updated_at)
    submissions.save_step(submission, "safety", {**SAFE, "rf_fever": "yes"}, "es")
    row = stored(submission.id)
    assert row.answers == {**SAFE, "rf_fever": "yes"}
    assert row.steps_done == ["about-you", "safety"]
    assert row.urgency == row.assessment["urgency"] == "same_day"
    assert row.urgency_rank == 1
    assert row.category == row.assessment["category"] and row.language == "es"
    assert row.flagged_at is not None
    assert row.submitted_at is not None  # in the clinic queue at once
    assert row.expires_at > before[0]
    assert row.updated_at > before[1]
    assert row.identified and row.patient.full_name == ANN.full_name


def test_a_refused_answer_set_leaves_the_stored_answers_alone(draft, app):
    submission, _token = draft
    submissions.save_step(submission, "safety", dict(SAFE), "en")
    with pytest.raises(AnswerError, match="medications"):
        submissions.save_step(submission, "treatments", {"medications": ["none", "opioid"]}, "en")
    assert submission.answers == stored(submission.id).answers == SAFE


def test_clearing_an_answer_removes_it(draft):
    submission, _token = draft
    submissions.save_step(submission, "where", {"pain_side": "left", "worst_spot": "leg"}, "en")
    submissions.save_step(submission, "where", {"pain_side": None, "worst_spot": "leg"}, "en")
    assert stored(submission.id).answers == {"worst_spot": "leg"}


def test_relief_is_dropped_when_the_injection_answer_is_not_yes(draft):
    submission, _token = draft
    answers = {"si_injection": "yes", "si_injection_relief": "lt_50"}
    submissions.save_step(submission, "treatments", answers, "en")
    assert stored(submission.id).answers == answers
    submission = stored(submission.id)
    submissions.save_step(submission, "treatments", {**answers, "si_injection": "unsure"}, "en")
    assert stored(submission.id).answers == {"si_injection": "unsure"}


def test_steps_done_records_each_completed_step_once(draft):
    submission, _token = draft
    submissions.save_step(submission, "safety", dict(SAFE), "en")
    submissions.save_step(submission, "safety", dict(SAFE), "en")
    submissions.save_step(submission, "where", {}, "en", complete=False)
    assert stored(submission.id).steps_done == ["about-you", "safety"]


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


def test_resume_by_code_issues_a_new_token(draft, app):
    submission, token = draft
    code = submissions.issue_resume_code(submission)
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


@pytest.mark.parametrize(
    ("name", "searched"),
    [("Anna Straße", "STRASSE"), ("Anna Straße", "straße"), ("Ann  Example", "ann example")],
)
def test_a_name_is_searched_as_it_is_stored(app, name, searched):
    from screener.models import Patient, name_key

    assert name_key(searched) in Patient(full_name=name).name_search
