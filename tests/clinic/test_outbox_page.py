"""The admin's outbox page: counts, the messages newest first, and Try again for a failed one."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from screener import outbox
from screener.extensions import db
from screener.models import AuditEvent, OutboxMessage, utcnow
from tests.answers import URGENT
from tests.patient.conftest import begin

STAFF = ["oncall@clinic.example", "triage@clinic.example"]


@pytest.fixture
def app_config(smtp):
    return {
        "ALERT_EMAILS": STAFF,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_SUPPRESS_SEND": False,
        "OUTBOX_BACKOFF_SECONDS": 0.05,
    }


def add_message(app, **values) -> int:
    with app.app_context():
        message = OutboxMessage(
            **{"kind": OutboxMessage.ALERT, "subject": "s", "body": "b", **values}
        )
        db.session.add(message)
        db.session.commit()
        return message.id


def row(app, message_id: int) -> OutboxMessage:
    with app.app_context():
        return db.session.get(OutboxMessage, message_id)


def test_the_page_counts_messages_by_state_and_masks_patients_addresses(app, admin):
    now = utcnow()
    add_message(app, recipient="oncall@clinic.example", sent_at=now, attempts=1)
    add_message(app, recipient="oncall@clinic.example")
    add_message(
        app,
        recipient="triage@clinic.example",
        attempts=2,
        last_error="ConnectionRefusedError: Connection refused",
        next_attempt_at=now + timedelta(minutes=5),
    )
    add_message(
        app,
        kind=OutboxMessage.INVITATION,
        recipient="maria@example.org",
        failed_at=now,
        attempts=1,
        last_error="SMTPRecipientsRefused: 550 No such user",
    )
    html = admin.get("/clinic/admin/outbox").get_data(as_text=True)
    assert "<dt>Waiting</dt><dd>2</dd>" in html
    assert "<dt>Of those, trying again</dt><dd>1</dd>" in html
    assert "<dt>Sent</dt><dd>1</dd>" in html
    assert "<dt>Failed</dt><dd>1</dd>" in html
    assert "m•••@example.org" in html and "maria" not in html
    assert "triage@clinic.example" in html  # staff addresses are shown whole
    assert "ConnectionRefusedError: Connection refused" in html
    assert html.count("Try again<") == 1
    # Newest first: the invitation (message 4) before the first alert.
    assert html.index("4: Invitation") < html.index("1: Urgent alert")
    assert 'href="/clinic/admin/outbox" aria-current="page">Outbox</a>' in html


def test_a_refused_alert_shows_as_failed_and_try_again_sends_it(app, admin, smtp):
    patient = app.test_client()
    begin(patient)
    assert patient.post("/step/safety", data=URGENT["emergency"]).status_code == 302
    smtp.handler.refuse[STAFF[0]] = "550 5.1.1 No such user"
    with app.app_context():
        outbox.deliver_due()
    html = admin.get("/clinic/admin/outbox").get_data(as_text=True)
    assert "<strong>Failed</strong>" in html
    assert "SMTPRecipientsRefused: 550 5.1.1 No such user" in html
    assert "<dt>Failed</dt><dd>1</dd>" in html
    with app.app_context():
        failed = db.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.failed_at.is_not(None))
        )

    del smtp.handler.refuse[STAFF[0]]
    response = admin.post(f"/clinic/admin/outbox/{failed}/retry")
    assert response.location == "/clinic/admin/outbox"
    queued = row(app, failed)
    assert queued.failed_at is None and queued.next_attempt_at <= utcnow()
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (event.action, event.detail) == ("outbox_retry", f"message {failed} (urgent_alert)")
        assert outbox.deliver_due() == 1
    assert row(app, failed).sent_at is not None
    assert sorted(smtp.recipients()) == STAFF
    assert f"Message {failed} will be sent again." in admin.get("/clinic/admin/outbox").text


def test_try_again_leaves_a_message_that_has_not_failed_alone(app, admin):
    message = add_message(app, recipient="oncall@clinic.example", sent_at=utcnow())
    admin.post(f"/clinic/admin/outbox/{message}/retry")
    with app.app_context():
        assert (
            db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "outbox_retry"))
            is None
        )
    assert admin.post("/clinic/admin/outbox/999/retry").status_code == 404


def test_a_clinician_cannot_see_the_outbox(app, clinician):
    assert clinician.get("/clinic/admin/outbox").status_code == 403
    assert 'href="/clinic/admin/outbox"' not in clinician.get("/clinic/").get_data(as_text=True)
