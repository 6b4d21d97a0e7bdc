"""The demo data generator and its command."""

from collections import Counter

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
