"""Exports: the queue as streamed CSV, and FHIR R4 QuestionnaireResponse / Questionnaire."""

import csv
import gc
import io
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from screener.catalogue import ANSWER_KEYS, Kind, question
from screener.clinic import queries
from screener.clinic.exports import csv_header, iso_utc, spreadsheet_safe
from screener.clinic.labels import (
    CATEGORY_LABELS,
    LANGUAGE_NAMES,
    REVIEW_LABELS,
    SUBMISSION_STATUS_LABELS,
    URGENCY_LABELS,
)
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


# (typed by the patient, the cell in the spreadsheet download); the normal download keeps what
# was typed.
FORMULA_CASES = [
    ("=1+1", "'=1+1"),
    (" =1", "' =1"),
    ("\n=1", "'\n=1"),
    (" \r\n\t=1", "' \r\n\t=1"),
    ("+1 555 0100", "'+1 555 0100"),
    ("-3", "'-3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\tTab first", "'\tTab first"),
    ("\rReturn first", "'\rReturn first"),
    ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
    ("Worse after driving.", "Worse after driving."),
    ("1+1=2", "1+1=2"),
    ("\nTwo lines", "\nTwo lines"),
]


@pytest.mark.parametrize(("typed", "in_spreadsheet"), FORMULA_CASES)
def test_only_the_spreadsheet_download_guards_formula_like_text(
    app, clinician, typed, in_spreadsheet
):
    add_submission(app, {**CLINIC_REFERRAL, "comments": typed}, name=typed, phone=typed)
    [as_stored] = read_csv(clinician, "?identity=1")
    [guarded] = read_csv(clinician, "?identity=1&spreadsheet=1")
    for column in ("comments", "full_name", "phone"):
        assert as_stored[column] == typed
        assert guarded[column] == in_spreadsheet
    # Codes, numbers and dates are never touched.
    assert {k: v for k, v in guarded.items() if k not in ("comments", "full_name", "phone")} == {
        k: v for k, v in as_stored.items() if k not in ("comments", "full_name", "phone")
    }


def test_the_spreadsheet_download_is_named_and_audited_as_such(app, clinician):
    add_submission(app, phone="+1 555 0100")
    response = clinician.get("/clinic/export.csv?identity=1&spreadsheet=1&review=new")
    assert "screener-with-names-spreadsheet-" in response.headers["Content-Disposition"]
    assert "'+1 555 0100" in response.get_data(as_text=True)
    response = clinician.get("/clinic/export.csv?spreadsheet=0")
    assert "screener-deidentified-2" in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).count("\r\n") == 2  # read to the end: audited
    assert audit_details(app, "export_csv_identified") == [
        "identity=yes; spreadsheet=yes; review=new; rows=1"
    ]
    assert audit_details(app, "export_csv") == ["identity=no; rows=1"]


@pytest.mark.parametrize("value", [-3, 60.0, None, date(1970, 3, 14), "dimple", "", "'=x"])
def test_spreadsheet_safe_leaves_other_values_alone(value):
    assert spreadsheet_safe(value) is value


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


# --- Data dictionary ----------------------------------------------------------------------------

REDCAP_COLUMNS = [
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
]


def read_dictionary(client) -> dict[str, dict]:
    """The data dictionary's rows by variable name (each name checked to be there once)."""
    response = client.get("/clinic/export-dictionary.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        f'filename="screener-data-dictionary-{RUBRIC_VERSION}.csv"'
        in response.headers["Content-Disposition"]
    )
    text = response.get_data(as_text=True)
    assert next(csv.reader(io.StringIO(text))) == REDCAP_COLUMNS
    rows = list(csv.DictReader(io.StringIO(text)))
    names = Counter(row["Variable / Field Name"] for row in rows)
    assert [name for name, count in names.items() if count > 1] == []
    return {row["Variable / Field Name"]: row for row in rows}


def choices(row: dict) -> list[tuple[str, str]]:
    """REDCap's `code, words | code, words` as pairs."""
    text = row["Choices, Calculations, OR Slider Labels"]
    return [tuple(part.split(", ", 1)) for part in text.split(" | ")] if text else []


def test_the_dictionary_describes_every_column_of_the_csv_once(clinician):
    fields = read_dictionary(clinician)
    assert sorted(fields) == sorted(csv_header(identity=True))
    # In the CSV's order, but each form's fields together, as REDCap needs: the ODI % by the
    # ODI. The reference (REDCap's record ID) comes first.
    forms = [row["Form Name"] for row in fields.values()]
    runs = [form for i, form in enumerate(forms) if i == 0 or form != forms[i - 1]]
    assert len(runs) == len(set(runs)), runs
    order = csv_header(identity=True)
    order.remove("odi_percent")
    order.insert(order.index("odi") + 1, "odi_percent")
    assert list(fields) == order
    assert all(re.fullmatch("[a-z][a-z0-9_]*", form) for form in forms)
    assert fields["reference"]["Form Name"] == "record"
    assert fields["pain_areas"]["Form Name"] == "where"
    assert fields["fn_sitting"]["Form Name"] == "daily_life"
    assert fields["odi_percent"]["Form Name"] == fields["odi"]["Form Name"] == "odi"
    assert fields["rf_bladder_bowel"]["Section Header"] == "Safety questions"
    assert fields["rf_fever"]["Section Header"] == ""


def test_the_dictionary_gives_the_catalogues_codes_ranges_and_rules(clinician):
    fields = read_dictionary(clinician)
    for key in ANSWER_KEYS:
        q, row = question(key), fields[key]
        assert row["Field Label"] == q.short, key
        if q.kind in (Kind.YN, Kind.YNU, Kind.CHOICE, Kind.LIST):
            assert choices(row) == [(o.code, o.label) for o in q.options], key
            assert row["Field Type"] == ("checkbox" if q.kind is Kind.LIST else "radio"), key
        if q.kind is Kind.LIST:
            assert "joined by ;" in row["Field Note"], key
            assert ('"None of these"' in row["Field Note"]) == (q.none_label is not None), key
        if q.kind is Kind.INT:
            assert row["Field Type"] == "text"
            assert row["Text Validation Type OR Show Slider Number"] == "integer"
            assert row["Text Validation Min"] == str(q.minimum), key
            assert row["Text Validation Max"] == str(q.maximum), key
        assert (row["Required Field?"] == "y") == key.startswith("rf_"), key
        assert (row["Branching Logic (Show field only if...)"] != "") == (q.shown_if is not None)
    assert fields["other_care"]["Field Note"].count("None of these") == 1
    relief = fields["si_injection_relief"]
    assert relief["Branching Logic (Show field only if...)"] == "[si_injection] = 'yes'"
    assert fields["pain_average"]["Text Validation Max"] == "10"
    assert fields["fn_sitting"]["Field Note"].endswith("3 = I can't do this.")
    assert fields["comments"]["Field Type"] == "notes"
    odi = fields["odi_percent"]
    assert (odi["Text Validation Type OR Show Slider Number"], odi["Text Validation Max"]) == (
        "number",
        "100",
    )


def test_the_dictionary_takes_the_record_columns_words_from_the_label_tables(clinician):
    fields = read_dictionary(clinician)
    assert all(fields[name]["Form Name"] == "record" for name in queries.RECORD_COLUMNS)
    for name, labels in [
        ("category", CATEGORY_LABELS),
        ("urgency", URGENCY_LABELS),
        ("status", SUBMISSION_STATUS_LABELS),
        ("review_status", REVIEW_LABELS),
        ("language", LANGUAGE_NAMES),
    ]:
        assert choices(fields[name]) == [(str(code), words) for code, words in labels.items()]
    identifiers = {name for name, row in fields.items() if row["Identifier?"] == "y"}
    assert identifiers == {*IDENTITY, "comments"}
    assert fields["date_of_birth"]["Text Validation Type OR Show Slider Number"] == "date_ymd"


def test_rubric_version_is_text_and_the_dictionary_says_so(app, clinician):
    # A version such as 2026.10 read as a number becomes 2026.1: another version.
    reference = add_submission(app)
    with app.app_context():
        db.session.execute(
            update(Submission).filter_by(reference=reference).values(rubric_version="2026.10")
        )
        db.session.commit()
    [row] = read_csv(clinician)
    assert row["rubric_version"] == "2026.10"
    assert str(float(row["rubric_version"])) == "2026.1" != row["rubric_version"]
    version = read_dictionary(clinician)["rubric_version"]
    assert version["Field Type"] == "text"
    assert version["Text Validation Type OR Show Slider Number"] == ""
    assert "dtype={'rubric_version': str}" in version["Field Note"]


def test_the_export_choices_are_on_the_queue(app, clinician):
    html = clinician.get("/clinic/?review=new").get_data(as_text=True)
    exports = html[html.index('<details class="exports">') :]
    exports = exports[: exports.index("</details>")]
    assert 'action="/clinic/export.csv"' in exports
    assert '<input type="hidden" name="review" value="new">' in exports
    assert 'name="spreadsheet" value="1"' in exports and "For a spreadsheet (Excel)" in exports
    assert 'name="identity" value="1"' in exports
    assert 'href="/clinic/export-dictionary.csv"' in exports
