"""Operations commands: purge-drafts deletes expired drafts and says how many."""

from datetime import timedelta

from sqlalchemy import select

from screener import submissions
from screener.extensions import db
from screener.models import Patient, Submission, utcnow


def _drafts(app, ages_in_days: list[int]) -> list[tuple[int, str]]:
    """Drafts last saved this many days ago, each with a patient; returns ids and tokens."""
    now = utcnow()
    drafts = []
    with app.test_request_context():
        for age in ages_in_days:
            then = now - timedelta(days=age)
            draft, _ = submissions.create_draft("en", now=then)
            identity = submissions.Identity("Ann Example", now.date().replace(year=1970))
            token = submissions.save_identity(draft, identity, "en", now=then)
            drafts.append((draft.id, token))
    return drafts


def _remaining(app) -> tuple[set[int], set[int]]:
    with app.app_context():
        kept = set(db.session.scalars(select(Submission.id)))
        patients = set(db.session.scalars(select(Patient.submission_id)))
    return kept, patients


def test_purge_drafts_deletes_expired_drafts_and_their_identity(app, runner):
    (fresh, _), _old, _older = _drafts(app, [1, 31, 45])
    result = runner.invoke(args=["purge-drafts"])
    assert result.exit_code == 0, result.output
    assert result.output == "Deleted 2 expired drafts.\n"
    assert _remaining(app) == ({fresh}, {fresh})


def test_purge_drafts_follows_the_configured_lifetime(app, runner):
    app.config["DRAFT_TTL_DAYS"] = 7
    _drafts(app, [8])
    result = runner.invoke(args=["purge-drafts"])
    assert result.output == "Deleted 1 expired draft.\n"


def test_purge_drafts_keeps_sent_and_flagged_questionnaires(app, runner):
    (sent, _), (flagged, flagged_token) = _drafts(app, [60, 60])
    with app.test_request_context():
        then = utcnow() - timedelta(days=60)
        submissions.submit(db.session.get(Submission, sent), now=then)
        flagged_draft = submissions.find_by_token(flagged_token)
        submissions.save_step(flagged_draft, "safety", {"rf_fever": "yes"}, "en", now=then)
    result = runner.invoke(args=["purge-drafts"])
    assert result.output == "Deleted 0 expired drafts.\n"
    assert _remaining(app)[0] == {sent, flagged}
