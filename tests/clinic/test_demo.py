"""The demo data generator and its command."""

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from screener import demo
from screener.extensions import db
from screener.models import Patient, ReviewNote, Submission
from screener.scoring import Category, Urgency, assess
from tests.conftest import make_user


def test_generated_answers_are_valid_and_match_their_kind():
    for item in demo.generate(300, seed=3):
        result = assess(item.answers)  # raises on an invalid answer set
        if item.kind in ("emergency", "same_day", "soon"):
            assert result.urgency == item.kind
        else:
            assert result.category == item.kind


def test_the_generator_is_repeatable():
    assert list(demo.generate(20, seed=7)) == list(demo.generate(20, seed=7))
    assert list(demo.generate(20, seed=7)) != list(demo.generate(20, seed=8))


def test_a_small_batch_covers_every_outcome_and_urgency(app):
    with app.app_context():
        counts = demo.seed(7)
        assert set(counts) == set(Category)
        urgencies = set(db.session.scalars(select(Submission.urgency)))
        assert urgencies == {None, *Urgency}


def test_seed_stores_patients_reviews_and_notes(app):
    reviewer = make_user(app, "boss@clinic.example")
    with app.app_context():
        counts = demo.seed(400, seed=1, reviewer_id=reviewer)
        assert sum(counts.values()) == 400
        assert db.session.scalar(select(func.count(Patient.id))) == 400
        stored = Counter(db.session.scalars(select(Submission.category)))
        assert stored == counts
        assert db.session.scalar(select(func.count()).where(Submission.reviewed_at.is_not(None)))
        assert db.session.scalar(select(func.count(ReviewNote.id)))
        assert db.session.scalar(select(func.count()).where(Submission.status == "draft")), (
            "some urgent patients are still answering"
        )
        names = db.session.scalars(select(Patient.full_name).limit(5)).all()
        assert all(" " in name for name in names)


def test_demo_data_command(app, runner):
    result = runner.invoke(args=["demo-data", "--count", "25"])
    assert result.exit_code == 0, result.output
    assert "Created 25 demo submissions" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Submission.id))) == 25
    # Running it again adds more, with fresh reference codes.
    assert runner.invoke(args=["demo-data", "--count", "25"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(func.distinct(Submission.reference)))) == 50


def test_demo_data_command_refuses_a_count_below_one(runner):
    result = runner.invoke(args=["demo-data", "--count", "0"])
    assert result.exit_code != 0


def test_seed_shows_a_whole_day_invitations_appointments_repeat_visits_and_calls(app):
    from datetime import UTC, datetime

    from screener.models import Invitation

    reviewer = make_user(app, "boss@clinic.example")
    now = datetime.now(UTC)
    with app.app_context():
        demo.seed(300, seed=2, now=now, reviewer_id=reviewer)
        appointments = db.session.scalars(
            select(Submission.appointment_at).where(Submission.appointment_at.is_not(None))
        ).all()
        upcoming = [moment for moment in appointments if moment >= now]
        assert len(appointments) > 150  # most came through an invitation
        assert len(upcoming) > len(appointments) / 2
        assert all(moment - now <= timedelta(days=16) for moment in upcoming)
        assert len(upcoming) < len(appointments)  # some are past
        # Each appointment is its invitation's, which names the clinician.
        linked = db.session.execute(
            select(Invitation.appointment_at, Submission.appointment_at, Invitation.clinician).join(
                Submission, Invitation.submission_id == Submission.id
            )
        ).all()
        assert len(linked) == len(appointments)
        assert all(a == b and clinician for a, b, clinician in linked)
        waiting = db.session.scalar(
            select(func.count(Invitation.id)).where(Invitation.submission_id.is_(None))
        )
        assert waiting >= 2  # invitations whose patient has not started yet
        # Repeat visits: some people have two questionnaires or more.
        per_person = Counter(db.session.scalars(select(Patient.person_key)))
        assert "" not in per_person
        assert any(n >= 2 for n in per_person.values())
        assert db.session.scalar(select(func.count()).where(Patient.mrn.is_not(None)))
        # Most urgent ones older than an hour were called, by the reviewer.
        called = db.session.scalars(
            select(Submission.contacted_by_id).where(Submission.contacted_at.is_not(None))
        ).all()
        assert called and set(called) == {reviewer}
