"""Urgent alerts through the outbox, and `flask deliver` sending them to a real SMTP server."""

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from screener import outbox
from screener.extensions import db
from screener.models import OutboxMessage, Status, Submission, utcnow
from tests.answers import BORN, IDENTITY, REFERRAL, SAFE, URGENT
from tests.patient.conftest import CLINICAL_STEPS, answer_steps, begin

ROOT = Path(__file__).resolve().parent.parent
STAFF = ["oncall@clinic.example", "triage@clinic.example"]
# The patient's details, as IDENTITY has them typed and as they could appear in an email.
PERSONAL = [
    IDENTITY["full_name"],
    IDENTITY["email"],
    IDENTITY["phone"],
    "5550100123",
    BORN.isoformat(),
    BORN.strftime("%m/%d/%Y"),
    BORN.strftime("%d/%m/%Y"),
]
FAST = {"OUTBOX_POLL_SECONDS": 0.05, "OUTBOX_BACKOFF_SECONDS": 0.05}


@pytest.fixture
def app_config(smtp):
    return {
        "ALERT_EMAILS": STAFF,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_SUPPRESS_SEND": False,  # Flask-Mail sends nothing under TESTING otherwise
        "MAIL_DEFAULT_SENDER": "screener@clinic.example",
        "PUBLIC_URL": "http://localhost",  # the test client's host, so requests still pass
        "CLINIC_TIMEZONE": "America/Chicago",
        "OUTBOX_MAX_BACKOFF_SECONDS": 0.2,
        **FAST,
    }


def post_safety(client, answers: dict):
    response = client.post("/step/safety", data=answers)
    assert response.status_code == 302, response.text
    return response


def messages(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def reference(app) -> str:
    with app.app_context():
        return db.session.scalars(select(Submission.reference)).one()


@pytest.fixture
def emergency(app, client):
    """A patient who answered an emergency-level safety question; the app's reference for it."""
    begin(client)
    post_safety(client, URGENT["emergency"])
    return reference(app)


@contextmanager
def delivering(app):
    """A `deliver` loop running in a thread with its own app context, until the block ends."""
    stop = threading.Event()

    def loop():
        with app.app_context():
            outbox.run(stop)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def deliver_process(app, smtp, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "MAIL_DEFAULT_SENDER": "screener@clinic.example",
        "OUTBOX_POLL_SECONDS": "0.05",
        "OUTBOX_BACKOFF_SECONDS": "0.05",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "screener", "deliver", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_an_emergency_answer_reaches_each_alert_address_once_through_flask_deliver(
    app, client, smtp
):
    process = deliver_process(app, smtp)
    try:
        begin(client)
        post_safety(client, URGENT["emergency"])
        code = reference(app)
        received = smtp.wait_for(len(STAFF))
        time.sleep(0.3)  # a few more polls: nothing is sent twice
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert smtp.recipients() == STAFF
    assert len(smtp.raw) == len(STAFF)
    for message in received:
        text = message.get_body().get_content()
        assert message["Subject"] == f"Urgent: emergency-level answer, reference {code}"
        assert message["From"] == "screener@clinic.example"
        assert code in text
        assert f"http://localhost/clinic/submissions/{code}" in text
        assert "call emergency services" in text
        raw = smtp.raw[0].decode()
        for detail in PERSONAL:
            assert detail not in text and detail not in raw
    assert all(m.sent_at is not None and m.attempts == 1 for m in messages(app))
    # The log says what was sent by id and kind, never to whom.
    assert "sent" in err and "urgent_alert" in err
    assert not any(address in err for address in STAFF)


def test_the_alert_says_what_staff_need_and_nothing_of_who_the_patient_is(app, emergency):
    rows = messages(app)
    assert sorted(m.recipient for m in rows) == STAFF
    assert all(m.kind == OutboxMessage.ALERT for m in rows)
    body = rows[0].body
    assert f"Reference: {emergency}" in body
    assert "URGENT – emergency" in body
    assert "Still being answered" in body
    assert f"http://localhost/clinic/submissions/{emergency}" in body
    assert " America/Chicago (" in body and " UTC)" in body
    for detail in PERSONAL:
        assert detail not in body and detail not in rows[0].subject
    for answer in ("bladder", "bowel", "numb", "Yes"):
        assert answer not in body


def test_the_alert_gives_the_time_in_the_clinic_zone_and_utc_and_whether_it_was_sent(app):
    when = datetime(2026, 1, 15, 18, 30, tzinfo=UTC)
    with app.test_request_context():
        submission = Submission(reference="ABCD-EFGH", status=Status.SUBMITTED, urgency="same_day")
        subject, body = outbox.alert_text(submission, when)
    assert subject == "Urgent: same-day answer, reference ABCD-EFGH"
    assert "Time: 2026-01-15 12:30 America/Chicago (2026-01-15 18:30 UTC)" in body
    assert "Questionnaire: Sent to the clinic." in body
    assert "call the care team today" in body


def test_answers_without_a_red_flag_alert_no_one(app, client):
    begin(client)
    answer_steps(client, REFERRAL)
    assert client.post("/review").location == "/done"
    assert messages(app) == []


def test_a_later_save_at_the_same_level_and_sending_alert_no_one_again(app, client, emergency):
    post_safety(client, {**URGENT["emergency"], "rf_saddle_numbness": "yes"})
    answer_steps(client, {**REFERRAL, **URGENT["emergency"]}, CLINICAL_STEPS)
    assert client.post("/review").location == "/done"
    assert len(messages(app)) == len(STAFF)


def test_only_a_more_urgent_level_than_already_alerted_alerts_again(app, client):
    begin(client)
    post_safety(client, URGENT["soon"])
    assert [m.subject.split(",")[0] for m in messages(app)] == [
        "Urgent: answer to follow up within days"
    ] * len(STAFF)
    post_safety(client, URGENT["emergency"])  # soon -> emergency: a second alert
    post_safety(client, URGENT["soon"])  # back down: nothing
    post_safety(client, URGENT["emergency"])  # emergency again: already alerted
    post_safety(client, SAFE)
    subjects = [m.subject.split(",")[0] for m in messages(app)]
    assert subjects.count("Urgent: emergency-level answer") == len(STAFF)
    assert len(subjects) == 2 * len(STAFF)


def test_no_alert_addresses_still_marks_the_level_alerted(app, client):
    app.config["ALERT_EMAILS"] = []
    begin(client)
    post_safety(client, URGENT["emergency"])
    app.config["ALERT_EMAILS"] = STAFF
    post_safety(client, URGENT["emergency"])  # addresses added later: no burst of old alerts
    assert messages(app) == []
    with app.app_context():
        assert db.session.scalars(select(Submission.alerted_rank)).one() == 0


def test_with_the_mail_server_down_alerts_wait_and_arrive_once_when_it_is_back(
    app, emergency, smtp
):
    smtp.stop()
    with app.app_context():
        before = utcnow()
        assert outbox.deliver_due() == len(STAFF)
    rows = messages(app)
    for row in rows:
        assert row.sent_at is None and row.failed_at is None and row.claimed_until is None
        assert row.attempts == 1
        assert row.last_error.startswith("ConnectionRefusedError")
        assert row.next_attempt_at > before
    with app.app_context():
        assert outbox.deliver_due() == 0  # not due again yet
    smtp.start()
    with delivering(app):
        smtp.wait_for(len(STAFF))
        time.sleep(0.3)  # a few more polls: nothing is sent twice
    assert smtp.recipients() == STAFF
    assert all(row.sent_at is not None and row.attempts == 2 for row in messages(app))


def test_a_failing_server_backs_off_doubling_up_to_the_cap(app):
    with app.app_context():
        assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [0.05, 0.1, 0.2, 0.2]


def test_a_temporary_refusal_puts_off_only_that_message(app, emergency, smtp):
    smtp.handler.refuse[STAFF[0]] = "451 4.3.0 Mailbox busy for oncall@clinic.example"
    with app.app_context():
        outbox.deliver_due()
    first, second = messages(app)
    assert first.sent_at is None and first.failed_at is None
    assert first.last_error == "SMTPRecipientsRefused: 451 4.3.0 Mailbox busy for <address>"
    assert second.sent_at is not None
    del smtp.handler.refuse[STAFF[0]]
    with app.app_context():
        deadline = time.monotonic() + 5
        while outbox.deliver_due() == 0:
            assert time.monotonic() < deadline
            time.sleep(0.02)
    assert smtp.recipients() == STAFF


def test_a_permanent_refusal_fails_the_message_for_good(app, emergency, smtp):
    smtp.handler.refuse[STAFF[0]] = "550 5.1.1 No such user"
    with app.app_context():
        outbox.deliver_due()
        time.sleep(0.1)  # past any back-off
        assert outbox.deliver_due() == 0
    first, second = messages(app)
    assert first.failed_at is not None and first.sent_at is None and first.attempts == 1
    assert first.last_error == "SMTPRecipientsRefused: 550 5.1.1 No such user"
    assert second.sent_at is not None
    assert smtp.recipients() == [STAFF[1]]


def test_an_invitation_is_sent_like_any_other_message(app, smtp):
    with app.app_context():
        db.session.add(
            OutboxMessage(
                kind=OutboxMessage.INVITATION,
                recipient="maria@example.org",
                subject="Your questionnaire",
                body="Hello",
            )
        )
        db.session.commit()
        assert outbox.deliver_due() == 1
    assert smtp.recipients() == ["maria@example.org"]


def test_deliver_once_sends_what_is_due_and_exits_zero(app, emergency, smtp, runner):
    result = runner.invoke(args=["deliver", "--once"])
    assert result.exit_code == 0, result.output
    assert smtp.recipients() == STAFF
    smtp.stop()  # and with the server down, still 0: the messages wait for the next run
    with app.app_context():
        db.session.add(
            OutboxMessage(kind=OutboxMessage.ALERT, recipient="a@b.example", subject="s", body="b")
        )
        db.session.commit()
    result = runner.invoke(args=["deliver", "--once"])
    assert result.exit_code == 0, result.output
    assert messages(app)[-1].last_error.startswith("ConnectionRefusedError")


def test_a_stopped_sender_gives_back_what_it_has_not_tried(app, emergency, smtp):
    with app.app_context():
        assert outbox.deliver_due(stop=lambda: True) == len(STAFF)
    assert smtp.raw == []
    for row in messages(app):
        assert row.attempts == 0 and row.claimed_until is None and row.sent_at is None


def test_two_senders_at_once_send_each_message_exactly_once(app, smtp):
    count = 40
    with app.app_context():
        now = utcnow() - timedelta(seconds=1)
        db.session.add_all(
            OutboxMessage(
                kind=OutboxMessage.ALERT,
                recipient=f"staff{n:02d}@clinic.example",
                subject=f"Message {n}",
                body="b",
                next_attempt_at=now,
            )
            for n in range(count)
        )
        db.session.commit()
    smtp.handler.delay = 0.005  # each message takes a while: the senders overlap
    start = threading.Barrier(2)
    tried = {"a": 0, "b": 0}
    batches: list[int] = []

    def sender(name: str) -> None:
        with app.app_context():
            start.wait()
            while claimed := outbox.deliver_due(batch=4):
                tried[name] += claimed
                batches.append(claimed)

    threads = [threading.Thread(target=sender, args=(name,)) for name in tried]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert smtp.recipients() == sorted(f"staff{n:02d}@clinic.example" for n in range(count))
    assert all(row.sent_at is not None and row.attempts == 1 for row in messages(app))
    # Each message was claimed once, a batch at a time, and both senders had a share.
    assert sum(tried.values()) == count
    assert max(batches) == 4
    assert min(tried.values()) > 0


def test_sending_answers_that_the_current_rubric_finds_urgent_alerts_then(app, client):
    begin(client)
    answer_steps(client, REFERRAL)
    with app.app_context():
        # Saved under an earlier rubric that did not flag this answer; sending reassesses it.
        submission = db.session.scalars(select(Submission)).one()
        submission.answers = {**submission.answers, **URGENT["emergency"]}
        db.session.commit()
    assert messages(app) == []
    assert client.post("/review").location == "/done"
    rows = messages(app)
    assert len(rows) == len(STAFF)
    assert "Questionnaire: Sent to the clinic." in rows[0].body
