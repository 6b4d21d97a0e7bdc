"""The one-page summary, marking reviewed, and notes."""

import re

from markupsafe import escape
from sqlalchemy import func, select

from screener.catalogue import QUESTIONS
from screener.extensions import db
from screener.models import AuditEvent, ReviewNote, Submission
from screener.scoring import CHECKLIST, CRITERIA, RED_FLAG_SOURCE
from tests.answers import CLINIC_REFERRAL

from .conftest import add_submission


def page(client, reference: str) -> str:
    response = client.get(f"/clinic/submissions/{reference}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def criteria_rows(html: str) -> dict[str, str]:
    """Criterion label -> the status in words."""
    rows = re.findall(
        r'<th scope="row">([^<]+)</th>\s*<td class="status"><span class="mark"[^>]*>.</span> '
        r"([A-Za-z ]+)",
        html,
    )
    return {label: status.strip() for label, status in rows}


def test_summary_shows_identity_outcome_and_meaning(app, clinician):
    reference = add_submission(app, name="Rosa Quintero", language="es")
    html = page(clinician, reference)
    assert "Rosa Quintero" in html
    assert "Born 1970-03-14 (56 years)" in html
    assert "555-0101" in html
    assert "pat@example.com" in html
    assert reference in html
    assert "Outcome: Discuss referral" in html
    assert "often leads care teams to discuss an evaluation" in html
    assert "Spanish" in html
    assert "2026-05-04 12:00 UTC" in html


def test_each_criterion_with_status_answer_rule_and_source(app, clinician):
    answers = {**CLINIC_REFERRAL, "pregnancy": None, "pain_duration": "3m_6m"}
    del answers["pregnancy"]
    html = page(clinician, add_submission(app, answers))
    assert criteria_rows(html) == {
        "Location": "Met",
        "No widespread pain": "Met",
        "Duration": "Not met",
        "Severity": "Met",
        "Function": "Met",
        "Conservative care": "Met",
        "Pregnancy": "Unknown",
    }
    for criterion in CRITERIA:
        assert str(escape(criterion.rule)) in html
        assert str(escape(criterion.source)) in html
    # The patient's own answers, in words, beside their criterion.
    for key, value in (("pain_duration", "3m_6m"), ("worst_spot", "dimple")):
        question = QUESTIONS[key]
        assert f"{question.short}: <strong>{escape(question.words(value)[0])}</strong>" in html
    assert f"{QUESTIONS['pregnancy'].short}: <strong>not answered</strong>" in html
    medicines = QUESTIONS["medications"]
    words = ", ".join(medicines.words(CLINIC_REFERRAL["medications"]))
    assert f"{medicines.short}: <strong>{escape(words)}</strong>" in html


def test_odi_percent_replaces_the_function_items_when_scored(app, clinician):
    html = page(clinician, add_submission(app, {**CLINIC_REFERRAL, "odi": [3] * 10}))
    assert "ODI 60.0 %" in html
    assert "ODI sections (0–5 each): <strong>3, 3, 3" in html


def test_urgent_summary_leads_with_the_flag_in_words(app, clinician):
    answers = {**CLINIC_REFERRAL, "rf_saddle_numbness": "yes", "rf_cancer_history": "unsure"}
    html = page(clinician, add_submission(app, answers))
    banner = html.index("URGENT – emergency")
    assert banner < html.index("Criteria")
    assert "call emergency services" in html
    assert f"<strong>Yes:</strong> {QUESTIONS['rf_saddle_numbness'].short}" in html
    unsure = escape(QUESTIONS["rf_cancer_history"].words("unsure")[0])
    assert f"<strong>{unsure}:</strong> {QUESTIONS['rf_cancer_history'].short}" in html
    assert str(escape(RED_FLAG_SOURCE)) in html
    assert "Outcome: Urgent" in html


def test_unsure_red_flags_without_urgency_are_still_at_the_top(app, clinician):
    html = page(clinician, add_submission(app, {**CLINIC_REFERRAL, "rf_fever": "unsure"}))
    assert "Red-flag questions answered “unsure” – ask about them" in html
    unsure = escape(QUESTIONS["rf_fever"].words("unsure")[0])
    assert f"<strong>{unsure}:</strong> {escape(QUESTIONS['rf_fever'].short)}" in html
    assert html.index("ask about them") < html.index("Criteria")


def test_flags_supporting_checklist_comments_and_all_answers(app, clinician):
    answers = {
        **CLINIC_REFERRAL,
        "nicotine": "yes",
        "si_injection": "yes",
        "si_injection_relief": "gte_75",
    }
    html = page(clinician, add_submission(app, answers))
    assert "Currently uses nicotine." in html
    assert "meets the usual payer threshold" in html
    assert "Pain is worse with 2 typical activities" in html
    for item in CHECKLIST:
        assert str(escape(item)) in html
    assert "Worse after driving." in html
    assert "Pain areas" in html
    assert str(escape(QUESTIONS["pain_areas"].words(["below_belt_side"])[0])) in html
    # The full answer list in words, grouped by step.
    assert "Safety questions" in html
    assert f"<dt>{QUESTIONS['metal_allergy'].short}</dt> <dd>No</dd>" in html
    relief = QUESTIONS["si_injection_relief"]
    assert f"<dt>{relief.short}</dt> <dd>{escape(relief.words('gte_75')[0])}</dd>" in html


def test_checklist_only_for_discuss_referral(app, clinician):
    html = page(clinician, add_submission(app, {**CLINIC_REFERRAL, "pain_average": 3}))
    assert "Outcome: Not yet" in html
    assert str(escape(CHECKLIST[0])) not in html


def test_the_summary_uses_the_stored_assessment(app, clinician):
    reference = add_submission(app)
    with app.app_context():
        submission = db.session.scalar(select(Submission).filter_by(reference=reference))
        submission.assessment = {**submission.assessment, "flags": ["Stored under 2025.01."]}
        db.session.commit()
    assert "Stored under 2025.01." in page(clinician, reference)


def test_comments_are_escaped(app, clinician):
    html = page(
        clinician, add_submission(app, {**CLINIC_REFERRAL, "comments": "<script>x()</script>"})
    )
    assert "<script>x()" not in html
    assert "&lt;script&gt;x()" in html


def test_viewing_is_audited(app, clinician):
    reference = add_submission(app)
    page(clinician, reference)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "view"))
        assert db.session.get(Submission, event.submission_id).reference == reference
        assert event.user.email == "doc@clinic.example"


def test_unknown_or_unsubmitted_reference_is_404(app, clinician):
    assert clinician.get("/clinic/submissions/ZZZZ-ZZZZ").status_code == 404
    draft = add_submission(app, submitted_at=None, status="draft")
    assert clinician.get(f"/clinic/submissions/{draft}").status_code == 404


def test_mark_reviewed_records_who_and_when_once(app, clinician, client):
    reference = add_submission(app)
    assert "Mark reviewed" in page(clinician, reference)
    response = clinician.post(f"/clinic/submissions/{reference}/review")
    assert response.location == f"/clinic/submissions/{reference}"
    html = page(clinician, reference)
    assert "Marked as reviewed." in html
    assert "✓ Reviewed by doc@clinic.example" in html
    assert "Mark reviewed" not in html
    with app.app_context():
        first = db.session.scalar(select(Submission.reviewed_at).filter_by(reference=reference))
    clinician.post(f"/clinic/submissions/{reference}/review")
    with app.app_context():
        assert db.session.scalar(select(Submission.reviewed_at)) == first
        reviews = select(func.count()).where(AuditEvent.action == "review")
        assert db.session.scalar(reviews) == 1


def test_notes_keep_author_time_and_text(app, clinician):
    reference = add_submission(app)
    response = clinician.post(
        f"/clinic/submissions/{reference}/notes", data={"body": "Called; booked for Tuesday."}
    )
    assert response.location == f"/clinic/submissions/{reference}#notes"
    html = page(clinician, reference)
    assert "Note added." in html
    assert "Called; booked for Tuesday." in html
    assert re.search(r"doc@clinic\.example, \d{4}-\d\d-\d\d \d\d:\d\d UTC", html)
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "note")) == 1


def test_an_empty_note_is_refused_with_a_message(app, clinician):
    reference = add_submission(app)
    response = clinician.post(f"/clinic/submissions/{reference}/notes", data={"body": ""})
    assert response.status_code == 400
    assert "Write the note first." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ReviewNote.id))) == 0


def test_notes_cannot_be_edited_or_deleted(app, clinician):
    reference = add_submission(app)
    clinician.post(f"/clinic/submissions/{reference}/notes", data={"body": "First."})
    note_rules = [
        rule
        for rule in app.url_map.iter_rules()
        if "note" in rule.rule and rule.endpoint.startswith("clinic.")
    ]
    assert [(r.endpoint, sorted(r.methods - {"HEAD", "OPTIONS"})) for r in note_rules] == [
        ("clinic.add_note", ["POST"])
    ]
    for method in ("PUT", "PATCH", "DELETE"):
        response = clinician.open(f"/clinic/submissions/{reference}/notes", method=method)
        assert response.status_code == 405
    assert "First." in page(clinician, reference)


def test_the_summary_has_a_print_stylesheet(app, clinician):
    html = page(clinician, add_submission(app))
    assert "css/clinic.css" in html
    with clinician.get("/static/css/clinic.css") as response:
        css = response.get_data(as_text=True)
    assert "@media print" in css


def test_reasons_explain_an_outcome_other_than_referral(app, clinician):
    html = page(clinician, add_submission(app, {**CLINIC_REFERRAL, "pain_average": 3}))
    assert "Severity not met: needs average pain over the past 7 days of 5/10 or more." in html


def test_missing_required_answers_are_named(app, clinician):
    answers = {k: v for k, v in CLINIC_REFERRAL.items() if k not in ("pt", "medications")}
    html = page(clinician, add_submission(app, answers))
    assert "Outcome: Incomplete" in html
    assert (
        f"Not answered:</strong> {QUESTIONS['pt'].short}; {QUESTIONS['medications'].short}." in html
    )


def test_the_pain_areas_are_drawn_on_the_body_diagram(app, clinician):
    html = page(clinician, add_submission(app))
    assert 'class="body-diagram"' in html
    assert 'role="img"' in html
    assert html.count('class="region is-selected"') == 2


def test_a_flagged_draft_says_the_patient_is_still_answering(app, clinician):
    reference = add_submission(app, {"rf_leg_weakness_worsening": "yes"}, status="draft")
    html = page(clinician, reference)
    assert "patient still answering" in html
    assert "URGENT – emergency" in html
