"""The queue through a clinic's day: appointments and sort orders, contacted patients, phones
on urgent rows, the clinic's time zone, accent-blind search and the live count of new urgent
questionnaires (which must not keep an idle session alive)."""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from screener.auth.guards import LAST_SEEN
from screener.clinic import queries
from screener.extensions import db
from screener.models import AuditEvent, Invitation, Status, Submission
from tests.answers import SAFE

from .conftest import add_submission
from .test_queue import answers, emergency, references, same_day, search, still_answering

NOW = datetime.now(UTC).replace(second=0, microsecond=0)


def add(
    app,
    answers_: dict | None = None,
    *,
    appointment: datetime | None = None,
    clinician: str | None = None,
    mrn: str | None = None,
    **kwargs,
) -> str:
    """add_submission, with an appointment (from an invitation, when a clinician is named)."""
    kwargs.setdefault("submitted_at", NOW - timedelta(hours=1))
    reference = add_submission(app, answers_, **kwargs)
    with app.app_context():
        submission = db.session.scalar(select(Submission).filter_by(reference=reference))
        submission.appointment_at = appointment
        if mrn:
            submission.patient.mrn = mrn
        if clinician:
            db.session.add(
                Invitation(
                    nonce="n" + reference,
                    token_hash="t" + reference,
                    full_name=submission.patient.full_name,
                    date_of_birth=submission.patient.date_of_birth,
                    appointment_at=appointment,
                    clinician=clinician,
                    expires_at=appointment + timedelta(days=30),
                    submission_id=submission.id,
                )
            )
        db.session.commit()
    return reference


def row_of(html: str, reference: str) -> str:
    """The queue table's row of one reference."""
    return next(row for row in html.split("<tr") if reference in row)


# Orders


def test_default_order_is_urgent_first_then_upcoming_appointments_soonest_then_newest(
    app, clinician
):
    later = add(app, appointment=NOW + timedelta(days=9))
    soonest = add(app, appointment=NOW + timedelta(hours=2))
    past = add(app, appointment=NOW - timedelta(days=3), submitted_at=NOW - timedelta(minutes=5))
    none_old = add(app, submitted_at=NOW - timedelta(days=2))
    none_new = add(app, submitted_at=NOW - timedelta(minutes=1))
    urgent_no_visit = add(app, emergency())
    urgent_later = add(app, emergency(), appointment=NOW + timedelta(days=5))
    urgent_soon = add(app, emergency(), appointment=NOW + timedelta(days=1))
    same = add(app, same_day(), appointment=NOW + timedelta(hours=1))
    html = clinician.get("/clinic/").text
    assert references(html) == [
        urgent_soon, urgent_later, urgent_no_visit,  # emergency: visits, then the rest
        same,
        soonest, later,  # then the upcoming visits, soonest first
        none_new, past, none_old,  # then the rest, newest submitted first
    ]  # fmt: skip
    assert "Urgent questionnaires always come first, whatever the order" in html


def test_an_appointment_earlier_today_still_counts_as_upcoming(app, clinician):
    app.config["CLINIC_TIMEZONE"] = "Pacific/Kiritimati"  # UTC+14: its day began long ago
    zone_midnight = datetime.combine(
        NOW.astimezone(app_zone(app)).date(), datetime.min.time(), tzinfo=app_zone(app)
    )
    this_morning = add(app, appointment=zone_midnight + timedelta(minutes=1))
    yesterday = add(app, appointment=zone_midnight - timedelta(minutes=1))
    newer_without = add(app, submitted_at=NOW)
    assert references(clinician.get("/clinic/").text) == [this_morning, newer_without, yesterday]


def app_zone(app):
    from zoneinfo import ZoneInfo

    return ZoneInfo(app.config["CLINIC_TIMEZONE"])


def test_sort_by_submitted_keeps_urgent_first_then_newest(app, clinician):
    soon_visit = add(app, appointment=NOW + timedelta(hours=2), submitted_at=NOW - timedelta(3))
    newest = add(app, submitted_at=NOW)
    urgent = add(app, emergency(), submitted_at=NOW - timedelta(days=9))
    html = clinician.get("/clinic/?sort=submitted").text
    assert references(html) == [urgent, newest, soon_visit]


def test_sort_by_outcome_keeps_urgent_first_then_outcomes_in_their_order(app, clinician):
    unclear = add(app, answers(worst_spot="spine_center"), submitted_at=NOW)
    not_yet = add(app, answers(pain_duration="3m_6m"), submitted_at=NOW)
    referral_old = add(app, submitted_at=NOW - timedelta(days=2))
    referral_new = add(app, submitted_at=NOW - timedelta(days=1))
    urgent = add(app, same_day(), submitted_at=NOW - timedelta(days=30))
    html = clinician.get("/clinic/?sort=outcome").text
    assert references(html) == [urgent, referral_new, referral_old, not_yet, unclear]


def test_still_answering_follows_the_same_order(app, clinician):
    flagged = {**SAFE, "rf_fever": "yes"}
    no_visit = add(app, flagged, status=Status.DRAFT, submitted_at=NOW)
    visit = add(app, flagged, status=Status.DRAFT, appointment=NOW + timedelta(days=2))
    assert still_answering(clinician.get("/clinic/").text) == [visit, no_visit]
    assert still_answering(clinician.get("/clinic/?sort=submitted").text) == [no_visit, visit]


def test_pages_composed_from_segments_follow_one_order(app):
    # Every segment boundary falls somewhere inside a page of three.
    for days in (1, 2, 3):
        add(app, emergency(), appointment=NOW + timedelta(days=days))
    for hours in (1, 2):
        add(app, emergency(), submitted_at=NOW - timedelta(hours=hours))
    for days in (4, 5, 6, 7):
        add(app, appointment=NOW + timedelta(days=days))
    for hours in (3, 4, 5):
        add(app, submitted_at=NOW - timedelta(hours=hours))
    with app.app_context():
        for sort in queries.SORTS:
            f = queries.QueueFilter(sort=sort)
            whole = [r.reference for r in queries.queue_page(f, 1, 12, per_page=12).items]
            paged = [
                r.reference
                for number in range(1, 5)
                for r in queries.queue_page(f, number, 12, per_page=3).items
            ]
            assert len(whole) == 12
            assert paged == whole, sort


def test_an_unknown_sort_is_ignored(app, clinician):
    response = clinician.get("/clinic/?sort=bogus")
    assert response.status_code == 200


def test_the_sort_is_kept_in_page_export_and_outcome_links(app, clinician):
    from screener import demo

    with app.app_context():
        demo.seed(120, now=NOW)
    html = clinician.get("/clinic/?sort=outcome&contact=no").text
    links = re.findall(r'href="(/clinic/[^"]*)"', html)
    for wanted in ("page=2", "category=urgent"):
        link = next(link for link in links if wanted in link)
        assert "sort=outcome" in link, link
    exports = html[html.index('action="/clinic/export.csv"') :]
    assert '<input type="hidden" name="sort" value="outcome">' in exports.split("</form>")[0]


# Appointments, phones, contacted


def test_rows_show_the_appointment_and_clinician_or_a_dash(app, clinician):
    app.config["CLINIC_TIMEZONE"] = "America/Chicago"
    visit = add(app, appointment=datetime(2030, 12, 2, 15, 15, tzinfo=UTC), clinician="Dr. Okafor")
    walk_in = add(app)
    html = clinician.get("/clinic/").text
    assert "2030-12-02 09:15 CST" in row_of(html, visit)
    assert "with Dr. Okafor" in row_of(html, visit)
    assert "—" in row_of(html, walk_in)


def test_the_phone_is_a_link_on_urgent_rows_only(app, clinician):
    urgent = add(app, emergency(), phone="+1 (555) 010-7788")
    add(app, phone="555-0199")
    html = clinician.get("/clinic/").text
    assert 'href="tel:+15550107788"' in row_of(html, urgent)
    assert "555-0199" not in html


def test_marking_contacted_records_who_and_when_once(app, clinician):
    reference = add(app, emergency())
    page = clinician.get(f"/clinic/submissions/{reference}").text
    assert ">Called the patient</button>" in page
    response = clinician.post(f"/clinic/submissions/{reference}/contacted")
    assert response.status_code == 302
    page = clinician.get(response.location).text
    assert "Marked as contacted." in page
    assert "✓ Contacted by doc@clinic.example on " in page
    with app.app_context():
        first = db.session.scalar(select(Submission.contacted_at).filter_by(reference=reference))
        assert first is not None
    clinician.post(f"/clinic/submissions/{reference}/contacted")  # again: nothing changes
    with app.app_context():
        again = db.session.scalar(select(Submission.contacted_at).filter_by(reference=reference))
        assert again == first
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert actions.count("contacted") == 1
    assert "✓ Contacted" in row_of(clinician.get("/clinic/").text, reference)


def test_a_routine_submission_says_mark_as_contacted(app, clinician):
    reference = add(app)
    assert ">Mark as contacted</button>" in clinician.get(f"/clinic/submissions/{reference}").text


def test_marking_contacted_needs_the_csrf_token(app, clinician):
    app.config["WTF_CSRF_ENABLED"] = True
    reference = add(app, emergency())
    clinician.post(f"/clinic/submissions/{reference}/contacted")
    with app.app_context():
        assert db.session.scalar(select(Submission.contacted_at)) is None


def test_filter_not_contacted_yet(app, clinician):
    called = add(app, emergency())
    waiting = add(app, emergency())
    clinician.post(f"/clinic/submissions/{called}/contacted")
    assert references(clinician.get("/clinic/?contact=no").text) == [waiting]
    assert references(clinician.get("/clinic/?contact=yes").text) == [called]


# The clinic's time zone


def test_clinic_pages_show_times_in_the_clinic_time_zone(app, clinician):
    app.config["CLINIC_TIMEZONE"] = "America/Chicago"
    reference = add(app, submitted_at=datetime(2026, 12, 2, 15, 15, tzinfo=UTC))
    page = clinician.get(f"/clinic/submissions/{reference}").text
    assert "2026-12-02 09:15 CST" in page
    assert "UTC" not in page
    assert "Times are America/Chicago." in page
    assert "2026-12-02 09:15 CST" in clinician.get("/clinic/").text


def test_date_filters_are_days_in_the_clinic_time_zone(app, clinician):
    app.config["CLINIC_TIMEZONE"] = "America/Chicago"  # UTC-6 in December
    late_on_the_1st = add(app, submitted_at=datetime(2026, 12, 2, 5, 30, tzinfo=UTC))
    early_on_the_2nd = add(app, submitted_at=datetime(2026, 12, 2, 6, 30, tzinfo=UTC))
    html = clinician.get("/clinic/?date_from=2026-12-01&date_to=2026-12-01").text
    assert references(html) == [late_on_the_1st]
    html = clinician.get("/clinic/?date_from=2026-12-02").text
    assert references(html) == [early_on_the_2nd]
    assert "Day in America/Chicago" in html


# Search


@pytest.mark.parametrize(
    ("name", "typed"),
    [("María Quintero", "maria"), ("maría Quintero", "MARIA"), ("Thi Nguyễn", "nguyen")],
)
def test_search_ignores_case_and_accents(app, clinician, name, typed):
    wanted = add(app, name=name)
    add(app, name="Omar Abbott")
    assert search(clinician, typed) == [wanted]


def test_search_by_medical_record_number_whatever_its_case(app, clinician):
    wanted = add(app, name="Rosa Quintero", mrn="Ab-12345")
    add(app, name="Omar Abbott", mrn="AB-123456")
    assert search(clinician, "ab-12345") == [wanted]
    assert search(clinician, " AB-12345 ") == [wanted]
    assert search(clinician, "AB-1234") == []  # a part of a number is not it


# The live count of new urgent questionnaires


def count(client, since: datetime):
    return client.get("/clinic/queue/urgent-count", query_string={"since": since.isoformat()})


def test_the_queue_page_carries_the_poll_for_its_script(app, clinician):
    html = clinician.get("/clinic/").text
    assert 'aria-live="polite"' in html
    assert 'data-poll-seconds="30' in html
    assert "/static/js/queue.js" in html
    url = re.search(r'data-count-url="([^"]+)"', html)[1].replace("&amp;", "&")
    assert clinician.get(url).json == {"count": 0}


def test_the_count_is_of_questionnaires_flagged_since(app, clinician):
    before = datetime.now(UTC)
    add(app, emergency())  # flagged now (apply_assessment)
    add(app, {**SAFE, "rf_fever": "yes"}, status=Status.DRAFT)  # still answering counts too
    add(app)  # not urgent
    with app.app_context():
        old = db.session.scalar(select(Submission).filter_by(urgency="emergency"))
        old.flagged_at = before - timedelta(minutes=5)
        db.session.commit()
    add(app, same_day())
    assert count(clinician, before).json == {"count": 2}
    assert count(clinician, datetime.now(UTC) + timedelta(seconds=1)).json == {"count": 0}
    assert clinician.get("/clinic/queue/urgent-count?since=yesterday").status_code == 400


def test_polling_does_not_count_as_activity(app, clinician):
    seen = int(time.time()) - 20 * 60
    with clinician.session_transaction() as session:
        session[LAST_SEEN] = seen
    assert count(clinician, NOW).status_code == 200
    with clinician.session_transaction() as session:
        assert session[LAST_SEEN] == seen
    clinician.get("/clinic/")  # a page the clinician opens does
    with clinician.session_transaction() as session:
        assert session[LAST_SEEN] > seen


def test_polling_after_the_idle_limit_signs_out_with_401(app, clinician):
    with clinician.session_transaction() as session:
        session[LAST_SEEN] = int(time.time()) - 30 * 60 - 1
    response = count(clinician, NOW)
    assert response.status_code == 401
    assert response.json == {"signed_in": False}
    with app.app_context():
        last = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc())).first()
        assert last == "session_expired"
    assert clinician.get("/clinic/").status_code == 302  # signed out


def test_polling_signed_out_gets_401_not_the_sign_in_page(app, client):
    assert count(client, NOW).status_code == 401
