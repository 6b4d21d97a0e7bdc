"""Exports: the queue as streamed CSV, and FHIR R4 QuestionnaireResponse / Questionnaire."""

import csv
import gc
import io
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from screener.clinic import queries
from screener.clinic.exports import iso_utc
from screener.extensions import db
from screener.models import AuditEvent, Submission
from screener.scoring import FIELDS, RUBRIC_VERSION
from tests.answers import CLINIC_REFERRAL

from .conftest import NOW, add_submission

IDENTITY = ["full_name", "date_of_birth", "phone", "email"]


def read_csv(client, query: str = "") -> list[dict]:
    response = client.get(f"/clinic/export.csv{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def audit_details(app, action: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.detail).filter_by(action=action)))


# --- CSV --------------------------------------------------------------------------------------


def test_csv_columns_are_codes_and_de_identified_by_default(app, clinician):
    reference = add_submission(app, name="Rosa Quintero")
    response = clinician.get("/clinic/export.csv")
    text = response.get_data(as_text=True)
    header = next(csv.reader(io.StringIO(text)))
    assert header == [
        "reference",
        "submitted_at",
        "status",
        "category",
        "urgency",
        "review_status",
        "rubric_version",
        "language",
        *(key for key in FIELDS if key != "comments"),
        "odi_percent",
    ]
    assert "Rosa" not in text and "555-0101" not in text and "1970-03-14" not in text
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["reference"] == reference
    assert row["submitted_at"] == "2026-05-04T12:00:00Z"
    assert row["status"] == "submitted"
    assert row["category"] == "discuss_referral"
    assert row["urgency"] == ""
    assert row["review_status"] == "new"
    assert row["rubric_version"] == RUBRIC_VERSION
    assert row["language"] == "en"
    assert row["pain_areas"] == "below_belt_side;buttock"
    assert row["pain_average"] == "7"
    assert row["worst_spot"] == "dimple"
    assert row["odi"] == ""
    assert row["odi_percent"] == ""
    assert audit_details(app, "export_csv") == ["identity=no; rows=1"]


def test_csv_with_identity_only_when_asked(app, clinician):
    add_submission(app, name="Rosa Quintero")
    [row] = read_csv(clinician, "?identity=1")
    assert row["full_name"] == "Rosa Quintero"
    assert row["date_of_birth"] == "1970-03-14"
    assert row["phone"] == "555-0101"
    assert row["email"] == "pat@example.com"
    assert list(row)[8:12] == IDENTITY
    assert audit_details(app, "export_csv_identified") == ["identity=yes; rows=1"]
    assert audit_details(app, "export_csv") == []


def test_csv_follows_the_queue_filters_and_order(app, clinician):
    urgent = add_submission(
        app, {**CLINIC_REFERRAL, "rf_fever": "yes"}, submitted_at=NOW - timedelta(1)
    )
    seen = add_submission(app, reviewed=True, name="Omar Abbott")
    add_submission(app, name="Rosa Quintero")
    rows = read_csv(clinician)
    assert rows[0]["reference"] == urgent
    assert rows[0]["urgency"] == "same_day"
    assert rows[0]["category"] == "urgent"
    assert [r["reference"] for r in read_csv(clinician, "?review=reviewed")] == [seen]
    assert [r["reference"] for r in read_csv(clinician, "?q=abbott")] == [seen]
    assert [r["reference"] for r in read_csv(clinician, "?category=urgent")] == [urgent]
    # The search text (maybe a name) is not kept in the audit log.
    assert audit_details(app, "export_csv") == [
        "identity=no; rows=3",
        "identity=no; review=reviewed; rows=1",
        "identity=no; search=yes; rows=1",
        "identity=no; category=urgent; rows=1",
    ]


def test_csv_odi_and_lists(app, clinician):
    odi = [3, 3, None, 3, 3, 3, 3, 3, 3, 3]
    add_submission(app, {**CLINIC_REFERRAL, "odi": odi, "medications": ["none"]})
    [row] = read_csv(clinician)
    assert row["odi"] == "3;3;;3;3;3;3;3;3;3"
    assert row["odi_percent"] == "60.0"
    assert row["medications"] == "none"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_defuses_formulas_in_free_text(app, clinician, start):
    add_submission(
        app,
        {**CLINIC_REFERRAL, "comments": f'{start}HYPERLINK("http://evil.example","x")'},
        name=f"{start}cmd|' /C calc'!A0",
    )
    [row] = read_csv(clinician, "?identity=1")
    assert row["comments"] == f'\'{start}HYPERLINK("http://evil.example","x")'
    assert row["full_name"] == f"'{start}cmd|' /C calc'!A0"


def test_csv_is_streamed_in_batches_complete_and_in_queue_order(app, clinician, monkeypatch):
    from screener import demo

    monkeypatch.setattr(queries, "EXPORT_BATCH", 100)
    with app.app_context():
        demo.seed(250, now=NOW)
        # The queue's order, over sent and flagged-while-answering questionnaires alike.
        queue = db.session.scalars(
            select(Submission.reference)
            .where(Submission.submitted_at.is_not(None))
            .order_by(Submission.urgency_rank, Submission.submitted_at.desc(), Submission.id.desc())
        ).all()
        stored = dict(db.session.execute(select(Submission.reference, Submission.answers)).all())
    response = clinician.get("/clinic/export.csv", buffered=False)
    assert response.is_streamed
    chunks = list(response.response)
    response.close()
    assert len(chunks) == 4  # the header, then one chunk per batch
    exported = list(csv.DictReader(io.StringIO(b"".join(chunks).decode())))
    assert [row["reference"] for row in exported] == queue
    # Every row carries its own answers (a batch is decoded at once).
    for row in exported:
        answers = stored[row["reference"]]
        assert row["pain_average"] == str(answers.get("pain_average", ""))
        assert row["pain_areas"] == ";".join(answers.get("pain_areas", []))
        assert row["odi"] == ";".join(map(str, answers.get("odi", [])))


def test_a_download_stopped_part_way_closes_its_query(app, clinician, monkeypatch):
    # On PostgreSQL a server-side cursor left open warns, and warnings fail this suite.
    monkeypatch.setattr(queries, "EXPORT_BATCH", 2)
    for _ in range(5):
        add_submission(app)
    response = clinician.get("/clinic/export.csv", buffered=False)
    chunks = iter(response.response)
    assert b"reference" in next(chunks)
    assert next(chunks).count(b"\r\n") == 2
    response.close()
    gc.collect()


def test_csv_times_are_utc_to_the_second(app, clinician):
    late = datetime(2026, 5, 1, 10, 0, 0, 999999, tzinfo=UTC)
    evening_in_bogota = datetime(2026, 5, 1, 23, 30, 15, tzinfo=timezone(timedelta(hours=-5)))
    add_submission(app, submitted_at=late)
    add_submission(app, submitted_at=evening_in_bogota, reviewed=True)
    rows = {row["review_status"]: row for row in read_csv(clinician)}
    assert rows["new"]["submitted_at"] == "2026-05-01T10:00:00Z" == iso_utc(late)
    assert rows["reviewed"]["submitted_at"] == "2026-05-02T04:30:15Z"
    assert iso_utc(evening_in_bogota) == "2026-05-02T04:30:15Z"


def test_csv_identity_export_of_an_empty_queue_is_just_the_header(clinician):
    text = clinician.get("/clinic/export.csv?identity=1").get_data(as_text=True)
    assert text.count("\r\n") == 1
    assert "full_name" in text
