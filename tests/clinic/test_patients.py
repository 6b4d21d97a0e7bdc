"""The Patients view: one row per person across visits, a person's questionnaires, and the
summary's list of the patient's other questionnaires."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from screener.extensions import db
from screener.models import AuditEvent, Status
from tests.answers import SAFE

from .conftest import NOW, add_submission
from .test_queue import answers, emergency
from .test_queue_day import add

ROW_NAME = re.compile(r'<td><a href="/clinic/patients/[A-Z0-9-]+">([^<]+)</a></td>')


def names(html: str) -> list[str]:
    return ROW_NAME.findall(html)


def test_one_row_per_person_latest_first_with_their_count_and_latest_outcome(app, clinician):
    add_submission(app, name="María Quintero", submitted_at=NOW - timedelta(days=40))
    add_submission(app, emergency(), name="Maria  quintero", submitted_at=NOW - timedelta(days=1))
    add_submission(app, name="Omar Abbott", submitted_at=NOW - timedelta(days=3))
    # Same name, another date of birth: another person.
    add_submission(app, name="Omar Abbott", born=date(1980, 1, 2), submitted_at=NOW)
    html = clinician.get("/clinic/patients").text
    assert names(html) == ["Omar Abbott", "Maria  quintero", "Omar Abbott"]
    assert "3 patients." in html
    maria = next(row for row in html.split("<tr") if "Maria  quintero" in row)
    assert "<td>2</td>" in maria
    assert "URGENT – emergency" in maria  # the latest questionnaire's outcome
    assert 'aria-current="page">Patients</a>' in html


def test_a_record_number_makes_one_person_whatever_the_name(app, clinician):
    add(app, name="Rosa Quintero", mrn="mrn-77", submitted_at=NOW - timedelta(days=9))
    add(app, name="Rosa Quintero-Díaz", mrn="MRN-77", submitted_at=NOW)
    html = clinician.get("/clinic/patients").text
    assert names(html) == ["Rosa Quintero-Díaz"]
    assert "MRN-77" in html


def test_only_sent_or_flagged_questionnaires_count(app, clinician):
    add_submission(app, name="Dora Draft", submitted_at=None, status=Status.DRAFT)
    add_submission(app, {**SAFE, "rf_fever": "yes"}, name="Fay Flagged", status=Status.DRAFT)
    assert names(clinician.get("/clinic/patients").text) == ["Fay Flagged"]


def test_search_folds_case_and_accents_and_finds_whole_people(app, clinician):
    add_submission(app, name="María Quintero", submitted_at=NOW - timedelta(days=40))
    add_submission(app, name="Omar Abbott")
    add(app, name="Thi Nguyễn", mrn="Z-1")
    html = clinician.get("/clinic/patients?q=MARIA").text
    assert names(html) == ["María Quintero"]
    assert "1 patient match this search." in html
    assert names(clinician.get("/clinic/patients?q=nguyen").text) == ["Thi Nguyễn"]
    assert names(clinician.get("/clinic/patients?q=z-1").text) == ["Thi Nguyễn"]
    with app.app_context():
        details = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "patients_view")
        ).all()
    assert "search=yes" in details
    assert not any("mar" in detail.lower() for detail in details)  # no name in the log


def test_patients_come_in_pages_of_fifty(app, clinician):
    from screener import demo

    with app.app_context():
        demo.seed(130, now=NOW)
    first = clinician.get("/clinic/patients").text
    assert len(names(first)) == 50
    assert "Page 1 of" in first
    second = clinician.get("/clinic/patients?page=2").text
    assert len(names(second)) == 50
    assert not set(re.findall(r"/clinic/patients/([A-Z0-9-]+)", first)) & set(
        re.findall(r"/clinic/patients/([A-Z0-9-]+)", second)
    )
    last = clinician.get("/clinic/patients?page=3").text
    assert names(clinician.get("/clinic/patients?page=99").text) == names(last) != []


def test_a_person_page_lists_every_questionnaire_with_its_state(app, clinician):
    old = add(app, name="Rosa Quintero", submitted_at=NOW - timedelta(days=60), reviewed=True)
    new = add(
        app,
        emergency(),
        name="Rosa Quintero",
        submitted_at=NOW,
        appointment=NOW + timedelta(days=2),
        clinician="Dr. Santos",
    )
    add(app, name="Omar Abbott")
    clinician.post(f"/clinic/submissions/{new}/contacted")
    html = clinician.get(f"/clinic/patients/{old}").text
    assert re.findall(r'<span class="reference">([A-Z0-9-]+)</span>', html) == [new, old]
    assert "✓ Reviewed" in html and "✓ Contacted" in html
    assert "with Dr. Santos" in html
    assert "Omar Abbott" not in html
    assert clinician.get("/clinic/patients/ZZZZ-ZZZZ").status_code == 404


def test_the_summary_lists_the_patients_other_questionnaires(app, clinician):
    first = add_submission(app, name="Rosa Quintero", submitted_at=NOW - timedelta(days=60))
    second = add_submission(app, answers(pain_duration="3m_6m"), name="rosa quintero")
    add_submission(app, name="Rosa Quintero", born=date(1990, 1, 1))  # someone else
    page = clinician.get(f"/clinic/submissions/{second}").text
    assert "Other questionnaires from this patient" in page
    others = page.partition("Other questionnaires from this patient")[2].partition("</section>")[0]
    assert re.findall(r'<span class="reference">([A-Z0-9-]+)</span>', others) == [first]
    assert "All 2 questionnaires from this patient" in others
    alone = add_submission(app, name="Omar Abbott")
    assert "Other questionnaires" not in clinician.get(f"/clinic/submissions/{alone}").text
