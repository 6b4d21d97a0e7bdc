"""The outbox: emails written in the same transaction as the change they tell of, and the
`flask deliver` command that sends them.

A message is claimed (leased) before it is sent and marked sent right after, one commit each,
so a crash resends at most the message in flight, and several senders never take the same one.
"""

import logging
import re
import signal
import smtplib
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import make_msgid, parseaddr

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_mail import BadHeaderError, Message
from sqlalchemy import or_, select, update

from . import times
from .clinic.labels import URGENCY_ACTIONS, URGENCY_LABELS
from .extensions import db, mail
from .models import NOT_URGENT_RANK, OutboxMessage, Status, Submission, utcnow
from .scoring import Urgency
from .security import absolute_url

log = logging.getLogger(__name__)

# How long a sender holds a claimed message: past it, another sender may take it over.
LEASE = timedelta(minutes=5)
# A mail server that answers nothing must not hold `flask deliver` for ever.
SMTP_TIMEOUT_SECONDS = 60
BATCH = 20

ALERT_SUBJECTS: dict[str, str] = {
    Urgency.EMERGENCY: "Urgent: emergency-level answer",
    Urgency.SAME_DAY: "Urgent: same-day answer",
    Urgency.SOON: "Urgent: answer to follow up within days",
}


def alert_if_escalated(submission: Submission, now: datetime) -> None:
    """Queue an alert to every ALERT_EMAILS address when the submission is now more urgent than
    anything staff were already alerted to; the caller commits it with the answers.

    The alerted level advances even when ALERT_EMAILS is empty, so that adding addresses later
    never sends a burst of alerts about old questionnaires.
    """
    alerted = NOT_URGENT_RANK if submission.alerted_rank is None else submission.alerted_rank
    if submission.urgency_rank >= alerted:  # (a new row has no column defaults yet)
        return
    submission.alerted_rank = submission.urgency_rank
    recipients = current_app.config["ALERT_EMAILS"]
    if not recipients:
        return
    if submission.id is None:  # a new row: its id is needed to link the messages
        db.session.add(submission)
        db.session.flush()
    subject, body = alert_text(submission, now)
    for address in recipients:
        db.session.add(
            OutboxMessage(
                kind=OutboxMessage.ALERT,
                recipient=address,
                subject=subject,
                body=body,
                submission_id=submission.id,
                created_at=now,
                next_attempt_at=now,
            )
        )


def alert_text(submission: Submission, now: datetime) -> tuple[str, str]:
    """An urgent alert's subject and plain-text body: the reference, the level, the time and a
    link, and nothing about who the patient is or what they answered."""
    urgency = Urgency(submission.urgency or "")  # only urgent submissions get an alert
    zone_name = current_app.config["CLINIC_TIMEZONE"]
    when = f"{now.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    if zone_name != "UTC":
        when = f"{now.astimezone(times.clinic_zone()):%Y-%m-%d %H:%M} {zone_name} ({when})"
    if submission.status == Status.SUBMITTED:
        state = "Sent to the clinic."
    else:
        state = "Still being answered (the answers so far are in the queue)."
    body = "\n".join(
        [
            "A patient's answer to the safety questions needs the care team's attention.",
            "",
            f"Reference: {submission.reference}",
            f"Urgency: {URGENCY_LABELS[urgency]}. {URGENCY_ACTIONS[urgency]}",
            f"Time: {when}",
            f"Questionnaire: {state}",
            "",
            "Sign in to see the summary and how to reach the patient:",
            absolute_url("clinic.submission", reference=submission.reference),
            "",
            "This email leaves out the patient's name and contact details on purpose.",
            "",
        ]
    )
    return f"{ALERT_SUBJECTS[urgency]}, reference {submission.reference}", body


def mask_address(address: str) -> str:
    """An email address shown without most of its local part: m•••@example.org."""
    local, at, domain = address.partition("@")
    return f"{local[:1]}•••{at}{domain}"


def shown_recipient(message: OutboxMessage) -> str:
    """Whom a message is to, as the admin page shows it: a patient's address masked."""
    if message.kind == OutboxMessage.ALERT:
        return message.recipient
    return mask_address(message.recipient)


# --- Delivery ---------------------------------------------------------------------------------


def _due(now: datetime) -> list:
    return [
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.failed_at.is_(None),
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    ]


def claim(batch: int, now: datetime) -> list[OutboxMessage]:
    """Lease up to `batch` due messages, oldest first, in one statement, and commit.

    On PostgreSQL, FOR UPDATE SKIP LOCKED gives concurrent senders disjoint rows; the due
    conditions, repeated in the UPDATE, are checked again on each row as it is updated, so a
    row another sender claimed meanwhile is left out (SQLite runs one writer at a time).
    The candidates are a materialized CTE: as an IN subquery, PostgreSQL may run the LIMIT
    query again for each row it updates, and claim far more than `batch`.
    """
    candidates = (
        select(OutboxMessage.id)
        .where(*_due(now))
        .order_by(OutboxMessage.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
        .cte("candidates")
        .prefix_with("MATERIALIZED")
    )
    claimed = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(select(candidates.c.id)), *_due(now))
        .values(claimed_until=now + LEASE, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage),
        execution_options={"populate_existing": True},
    ).all()
    db.session.commit()
    return sorted(claimed, key=lambda message: message.id)


def _smtp_answer(exc: Exception) -> tuple[int | None, str]:
    """The server's code and words in an error, when the server gave any."""
    answer: tuple[int | None, bytes | str] = (None, "")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):  # one recipient a message
        answer = next(iter(exc.recipients.values()), answer)
    elif isinstance(exc, smtplib.SMTPResponseException):
        answer = (exc.smtp_code, exc.smtp_error)
    code, words = answer
    return code, words.decode("utf-8", "replace") if isinstance(words, bytes) else words


_ADDRESS = re.compile(r"[^\s<>()\[\]\"',;:]+@[^\s<>()\[\]\"',;:]+")


def describe_error(exc: Exception) -> str:
    """A short error for the outbox row and the log: its class and the server's code and words
    (or the system's), with any email address in them taken out."""
    code, words = _smtp_answer(exc)
    if code is None:
        words = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
    detail = _ADDRESS.sub("<address>", " ".join(f"{code or ''} {words}".split()))
    return f"{type(exc).__name__}: {detail}"[:200] if detail else type(exc).__name__


def backoff(attempts: int) -> timedelta:
    """The wait before another try after `attempts` failed ones: doubling, capped."""
    config = current_app.config
    first = config["OUTBOX_BACKOFF_SECONDS"]
    seconds = min(first * 2 ** max(attempts - 1, 0), config["OUTBOX_MAX_BACKOFF_SECONDS"])
    return timedelta(seconds=seconds)


def _finish(message: OutboxMessage, **values) -> None:
    """Record what became of a claimed message (unless it was sent meanwhile), and commit."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.sent_at.is_(None))
        .values(claimed_until=None, **values)
    )
    db.session.commit()


def _retry_later(message: OutboxMessage, exc: Exception, now: datetime) -> None:
    error = describe_error(exc)
    _finish(message, last_error=error, next_attempt_at=now + backoff(message.attempts))
    log.warning("outbox message %d (%s) will be tried again: %s", message.id, message.kind, error)


def _release(messages: list[OutboxMessage]) -> None:
    """Give back claimed messages that were not tried (the sender is stopping)."""
    for message in messages:
        _finish(message, attempts=message.attempts - 1)


def _send(connection, message: OutboxMessage) -> None:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    email = Message(
        message.subject, recipients=[message.recipient], body=message.body, sender=sender
    )
    # On the sender's domain rather than this machine's name, and naming the outbox row.
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    email.msgId = make_msgid(idstring=f"outbox{message.id}", domain=domain)
    connection.send(email)


def deliver_due(
    batch: int = BATCH,
    now: datetime | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> int:
    """Claim and send up to `batch` due messages; return how many it claimed.

    A server that cannot be reached or drops the connection puts the rest of the batch off; a
    4xx answer puts off that message, a 5xx answer fails it for good. `stop` is asked before
    each message: once it says so, the rest of the batch is given back untried.
    """
    now = now or utcnow()
    messages = claim(batch, now)
    if not messages:
        return 0
    pending = list(messages)
    sent = failed = 0
    try:
        with mail.connect() as connection:
            while pending and not stop():
                message = pending[0]
                try:
                    _send(connection, message)
                except (
                    smtplib.SMTPRecipientsRefused,
                    smtplib.SMTPResponseException,
                    BadHeaderError,
                ) as exc:
                    # The server answered about this message; the connection is still usable.
                    code, _words = _smtp_answer(exc)
                    if code is None or code >= 500:
                        error = describe_error(exc)
                        _finish(message, failed_at=utcnow(), last_error=error)
                        log.warning(
                            "outbox message %d (%s) refused for good: %s",
                            message.id,
                            message.kind,
                            error,
                        )
                        failed += 1
                    else:
                        _retry_later(message, exc, now)
                else:
                    _finish(message, sent_at=utcnow())
                    log.info("outbox message %d (%s) sent", message.id, message.kind)
                    sent += 1
                pending.pop(0)
    except (OSError, smtplib.SMTPException) as exc:
        # The server is down, refused us, or went away: the rest of the batch would fail too.
        for message in pending:
            _retry_later(message, exc, now)
        pending = []
    _release(pending)
    log.info(
        "outbox: %d claimed, %d sent, %d failed, %d to try again, %d given back",
        len(messages),
        sent,
        failed,
        len(messages) - sent - failed - len(pending),
        len(pending),
    )
    return len(messages)


def run(stop: threading.Event, *, once: bool = False) -> None:
    """Deliver until `stop` is set, looking for new messages every OUTBOX_POLL_SECONDS when
    idle; with `once`, deliver what is due now and return."""
    poll = current_app.config["OUTBOX_POLL_SECONDS"]
    now = utcnow() if once else None
    while not stop.is_set():
        claimed = deliver_due(now=now, stop=stop.is_set)
        # Forget this batch's rows: a long-running sender must not hold every message it sent.
        db.session.remove()
        if claimed < BATCH:
            if once:
                return
            stop.wait(poll)


def retry(message: OutboxMessage, now: datetime | None = None) -> bool:
    """Queue a failed message again, at once; whether it was failed. The caller commits."""
    if message.failed_at is None or message.sent_at is not None:
        return False
    message.failed_at = None
    message.claimed_until = None
    message.next_attempt_at = now or utcnow()
    return True


@click.command("deliver")
@click.option("--once", is_flag=True, help="Send what is due now, then exit (for cron).")
@with_appcontext
def deliver_command(once: bool) -> None:
    """Send the outbox's emails; runs until stopped (SIGTERM or Ctrl-C end it after the
    message being sent)."""
    # Counts and message ids go to stderr (for journald) unless logging is set up already.
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    socket.setdefaulttimeout(SMTP_TIMEOUT_SECONDS)
    stop = threading.Event()

    def request_stop(signum, _frame) -> None:
        log.info("outbox: stopping (signal %d)", signum)
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if not once:
            log.info(
                "outbox: delivering, every %s s when idle",
                current_app.config["OUTBOX_POLL_SECONDS"],
            )
        run(stop, once=once)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def init_app(app: Flask) -> None:
    """Register `flask deliver`."""
    app.cli.add_command(deliver_command)
