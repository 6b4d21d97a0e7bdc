"""FHIR: the canonical Questionnaire and CodeSystem, responses one at a time and in a Bundle,
observations, the CapabilityStatement and errors, each validated with fhir.resources (R4B)."""

import json
from datetime import timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from flask_babel import force_locale, gettext
from sqlalchemy import select

from screener.catalogue import QUESTIONS, STEPS, VERSIONS, Kind
from screener.extensions import db
from screener.models import AuditEvent, Submission
from screener.scoring import RUBRIC_VERSION
from tests.answers import CLINIC_REFERRAL
from tests.patient.test_odi import synthetic

from .conftest import NOW, add_submission, sign_in
from .test_sessions import make_password_old

QUESTIONNAIRE = "/fhir/Questionnaire/si-joint-screening"
BASE = "http://127.0.0.1:5000/fhir"  # FHIR_BASE when neither it nor PUBLIC_URL is set
FULL = {
    **CLINIC_REFERRAL,
    "si_injection": "yes",
    "si_injection_relief": "gte_75",
    "odi": [2, 3, None, 3, 3, 3, 3, 3, 3, 3],
}


def get_json(client, url: str, status: int = 200, **kwargs) -> dict:
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/fhir+json"
    return json.loads(response.get_data(as_text=True))


def flat(items: list[dict]) -> dict[str, dict]:
    """Every item by linkId, however deep."""
    found = {}
    for item in items:
        found[item["linkId"]] = item
        found |= flat(item.get("item", []))
    return found


def extension(element: dict, url_end: str):
    return next(e for e in element.get("extension", []) if e["url"].endswith(url_end))


def spanish_of(element: dict, name: str) -> str:
    [translation] = element[f"_{name}"]["extension"]
    parts = {part["url"]: part for part in translation["extension"]}
    assert parts["lang"]["valueCode"] == "es"
    return parts["content"]["valueString"]


def answers_of(response: dict) -> dict[str, list]:
    """linkId -> the answers' codes or values."""
    return {
        link_id: [
            a.get("valueCoding", {}).get("code", a.get("valueInteger", a.get("valueString")))
            for a in item["answer"]
        ]
        for link_id, item in flat(response["item"]).items()
        if "answer" in item
    }


# --- The Questionnaire --------------------------------------------------------------------


def test_the_questionnaire_is_public_and_named_from_fhir_base_not_the_host(client):
    by_host = [
        client.get(QUESTIONNAIRE, headers={"Host": host}).get_data(as_text=True)
        for host in ("localhost", "127.0.0.1")
    ]
    assert by_host[0] == by_host[1]
    questionnaire = Questionnaire.model_validate(json.loads(by_host[0]))
    assert questionnaire.url == f"{BASE}/Questionnaire/si-joint-screening"
    assert questionnaire.version == RUBRIC_VERSION == max(VERSIONS)
    assert questionnaire.language == "en"
    assert questionnaire.date.isoformat() == VERSIONS[RUBRIC_VERSION].isoformat()
    assert questionnaire.copyright and "not the Oswestry" in questionnaire.copyright
    assert questionnaire.text.status == "generated" and "version 2026.12" in questionnaire.text.div
    assert questionnaire.publisher is None  # no CLINIC_NAME here


@pytest.mark.parametrize(
    ("config", "url"),
    [
        ({"PUBLIC_URL": "https://screener.clinic.example"}, "https://screener.clinic.example/fhir"),
        (
            {
                "PUBLIC_URL": "https://screener.clinic.example",
                "FHIR_BASE": "https://fhir.example/r4",
            },
            "https://fhir.example/r4",
        ),
    ],
)
def test_fhir_base_follows_the_settings(tmp_path, config, url):
    from screener import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", **config}, instance_path=tmp_path)
    data = get_json(app.test_client(), QUESTIONNAIRE, base_url=config["PUBLIC_URL"])
    assert data["url"] == f"{url}/Questionnaire/si-joint-screening"
    assert app.config["FHIR_REFERENCE_SYSTEM"] == f"{url}/sid/screening-reference"


def test_one_group_per_step_opened_by_its_intro(client):
    data = get_json(client, QUESTIONNAIRE)
    clinical = [step for step in STEPS if step.questions]
    assert [group["linkId"] for group in data["item"]] == [step.slug for step in clinical]
    for group, step in zip(data["item"], clinical, strict=True):
        assert group["type"] == "group" and group["text"] == step.title
        intro, *questions = group["item"]
        assert (intro["type"], intro["text"]) == ("display", step.intro)
        assert [q["linkId"] for q in questions] == [q.key for q in step.questions]
    assert "odi" not in flat(data["item"])  # no licensed ODI file installed


def test_items_carry_controls_ranges_ordinals_codes_and_hints(client):
    items = flat(get_json(client, QUESTIONNAIRE)["item"])
    for key, asked in QUESTIONS.items():
        item = items[key]
        if asked.kind in (Kind.YN, Kind.YNU, Kind.CHOICE):
            control = extension(item, "questionnaire-itemControl")
            assert control["valueCodeableConcept"]["coding"][0]["code"] == "radio-button"
        if asked.kind is Kind.LIST:
            control = extension(item, "questionnaire-itemControl")
            assert control["valueCodeableConcept"]["coding"][0]["code"] == "check-box"
            assert item["repeats"] is True
        if item["type"] == "integer":
            assert extension(item, "minValue")["valueInteger"] == asked.minimum
            assert extension(item, "maxValue")["valueInteger"] == asked.maximum
        if asked.hint:
            assert items[f"{key}.hint"]["type"] == "display"
            assert items[f"{key}.hint"]["text"] == asked.hint
        assert item.get("required", False) is asked.required
    assert extension(items["pain_average"], "maxValue")["valueInteger"] == 10
    assert items["pain_average"]["code"][0]["code"] == "72514-3"
    assert "code" not in items["fn_sitting"]
    assert items["comments"]["maxLength"] == 2000
    ordinals = [
        extension(option["valueCoding"], "ordinalValue")["valueDecimal"]
        for option in items["fn_stairs"]["answerOption"]
    ]
    assert ordinals == [0, 1, 2, 3]
    assert items["si_injection_relief"]["enableWhen"][0]["answerCoding"]["code"] == "yes"


def test_every_text_and_option_has_its_spanish_words(app, client):
    items = flat(get_json(client, QUESTIONNAIRE)["item"])
    with app.test_request_context(), force_locale("es"):
        for item in items.values():
            assert spanish_of(item, "text") == gettext(item["text"])
            for option in item.get("answerOption", []):
                coding = option["valueCoding"]
                assert spanish_of(coding, "display") == gettext(coding["display"])
    bladder = items["rf_bladder_bowel"]
    assert (
        spanish_of(bladder, "text") == "¿Tiene problemas nuevos para controlar la orina o el popó?"
    )
    assert spanish_of(bladder["answerOption"][0]["valueCoding"], "display") == "Sí"


def test_an_earlier_version_is_served_as_it_was_asked(client):
    earlier = get_json(client, f"{QUESTIONNAIRE}?version=2026.11")
    Questionnaire.model_validate(earlier)
    assert earlier["version"] == "2026.11"
    keys = set(flat(earlier["item"]))
    assert "rf_bladder_bowel" in keys
    assert not {"rf_sexual_function", "rf_both_legs"} & keys
    assert {"rf_sexual_function", "rf_both_legs"} <= set(
        flat(get_json(client, QUESTIONNAIRE)["item"])
    )


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        (f"{QUESTIONNAIRE}?version=2025.01", 404, "not-found"),
        ("/fhir/Questionnaire/another", 404, "not-found"),
        ("/fhir/Patient", 404, "not-found"),
        ("/clinic/fhir/QuestionnaireResponse?_count=0", 400, "invalid"),
        ("/clinic/fhir/QuestionnaireResponse?_count=5000", 400, "invalid"),
        ("/clinic/fhir/QuestionnaireResponse?date_from=yesterday", 400, "invalid"),
        ("/clinic/fhir/QuestionnaireResponse?_revinclude=Patient:link", 400, "invalid"),
        ("/clinic/submissions/ABCD-EFGH/fhir.json", 404, "not-found"),
    ],
)
def test_errors_on_fhir_routes_are_operation_outcomes(clinician, url, status, code):
    outcome = OperationOutcome.model_validate(get_json(clinician, url, status))
    assert outcome.issue[0].code == code
    assert outcome.issue[0].diagnostics


def test_the_odi_group_only_with_a_licensed_file(tmp_path):
    from screener import create_app

    path = tmp_path / "odi.json"
    path.write_text(json.dumps(synthetic()), encoding="utf-8")
    app = create_app({"TESTING": True, "ODI_FILE": str(path)}, instance_path=tmp_path)
    data = get_json(app.test_client(), QUESTIONNAIRE)
    Questionnaire.model_validate(data)
    groups = [group["linkId"] for group in data["item"]]
    assert groups.index("odi") == groups.index("daily-life") + 1
    odi = flat(data["item"])["odi"]
    assert [item["linkId"] for item in odi["item"]] == [f"odi-{n}" for n in range(1, 11)]
    assert "Section 1" not in json.dumps(data)  # the licensed words stay out


def test_the_code_system_holds_every_answer_code_once(client):
    data = get_json(client, "/fhir/CodeSystem/si-joint-screening")
    system = CodeSystem.model_validate(data)
    codes = [concept.code for concept in system.concept]
    assert len(codes) == len(set(codes)) == system.count
    items = flat(get_json(client, QUESTIONNAIRE)["item"])
    used = {
        (o["valueCoding"]["system"], o["valueCoding"]["code"])
        for item in items.values()
        for o in item.get("answerOption", [])
    }
    assert {s for s, _ in used} == {system.url}
    assert {c for _, c in used} <= set(codes)
    assert {"screening-outcome", "odi-percent", "discuss_referral", "emergency"} <= set(codes)


# --- Responses ----------------------------------------------------------------------------


def test_a_response_validates_and_carries_every_answer_in_its_group(app, clinician):
    reference = add_submission(app, FULL, name="Rosa Quintero", language="es")
    data = get_json(clinician, f"/clinic/submissions/{reference}/fhir.json")
    response = QuestionnaireResponse.model_validate(data)
    assert response.status == "completed"
    assert response.language == "es"
    assert response.identifier.system == f"{BASE}/sid/screening-reference"
    assert response.identifier.value == reference
    assert response.questionnaire == f"{BASE}/Questionnaire/si-joint-screening|{RUBRIC_VERSION}"
    assert response.text.status == "generated" and reference in response.text.div
    answered = answers_of(data)
    expected = {
        key: [str(v) for v in (value if isinstance(value, list) else [value])]
        for key, value in FULL.items()
        if key != "odi"
    }
    for key, values in expected.items():
        assert [str(v) for v in answered[key]] == values, key
    assert answered["odi-1"] == [2] and "odi-3" not in answered
    assert [group["linkId"] for group in data["item"]][:2] == ["safety", "where"]
    questionnaire = flat(get_json(clinician, QUESTIONNAIRE)["item"])
    for link_id, item in flat(data["item"]).items():
        if link_id.startswith("odi"):
            continue
        for answer in item.get("answer", []):
            if "valueCoding" in answer:
                options = questionnaire[link_id]["answerOption"]
                assert (answer["valueCoding"]["system"], answer["valueCoding"]["code"]) in {
                    (o["valueCoding"]["system"], o["valueCoding"]["code"]) for o in options
                }
    # In the words the patient read, with the codes the Questionnaire offers.
    bladder = flat(data["item"])["rf_bladder_bowel"]
    assert bladder["text"] == "¿Tiene problemas nuevos para controlar la orina o el popó?"
    assert bladder["answer"][0]["valueCoding"]["display"] == "No"
    assert flat(data["item"])["safety"]["text"] == "Señales de alarma"
    text = json.dumps(data)
    assert "Rosa" not in text and "555-0101" not in text and "1970" not in text


def test_a_response_is_the_same_whatever_host_fetched_it(app, clinician):
    reference = add_submission(app, FULL)
    url = f"/clinic/submissions/{reference}/fhir.json"
    other = app.test_client()
    other.environ_base["HTTP_HOST"] = "127.0.0.1"
    assert sign_in(other, "doc@clinic.example").status_code == 302
    assert get_json(clinician, url) == get_json(other, url)


def test_a_flagged_draft_is_in_progress(app, clinician):
    reference = add_submission(app, {"rf_bladder_bowel": "yes"}, status="draft")
    data = get_json(clinician, f"/clinic/submissions/{reference}/fhir.json")
    assert QuestionnaireResponse.model_validate(data).status == "in-progress"
    assert list(answers_of(data)) == ["rf_bladder_bowel"]


def test_a_2026_11_response_points_to_its_own_version(app, clinician):
    reference = add_submission(app, CLINIC_REFERRAL)
    with app.app_context():
        found = db.session.scalar(select(Submission).filter_by(reference=reference))
        found.rubric_version = "2026.11"
        db.session.commit()
    data = get_json(clinician, f"/clinic/submissions/{reference}/fhir.json")
    assert data["questionnaire"].endswith("|2026.11")
    earlier = flat(get_json(clinician, f"{QUESTIONNAIRE}?version=2026.11")["item"])
    assert set(answers_of(data)) <= set(earlier)


def test_identity_adds_a_contained_patient_after_a_recent_password(app, clinician):
    reference = add_submission(app, FULL, name="Rosa Quintero")
    with app.app_context():
        found = db.session.scalar(select(Submission).filter_by(reference=reference))
        found.patient.mrn = "MRN-00417"
        db.session.commit()
    url = f"/clinic/submissions/{reference}/fhir.json?identity=1"
    data = get_json(clinician, url)
    QuestionnaireResponse.model_validate(data)
    [patient] = data["contained"]
    assert data["subject"]["reference"] == "#patient"
    assert patient["name"] == [{"text": "Rosa Quintero"}]
    assert patient["birthDate"] == "1970-03-14"
    assert {t["system"]: t["value"] for t in patient["telecom"]} == {
        "phone": "555-0101",
        "email": "pat@example.com",
    }
    assert patient["identifier"][0]["system"] == f"{BASE}/sid/mrn"
    assert patient["identifier"][0]["value"] == "MRN-00417"
    with app.app_context():
        details = db.session.scalars(select(AuditEvent.detail).filter_by(action="export_fhir"))
        assert list(details) == ["identity=yes"]
    make_password_old(clinician)
    asked = clinician.get(url)
    assert asked.status_code == 302 and asked.location.startswith("/clinic/confirm")


# --- Many at once, observations, capabilities ---------------------------------------------


def test_the_bundle_follows_the_queue_filters_and_pages_by_next_links(app, clinician):
    made = [add_submission(app, submitted_at=NOW - timedelta(hours=n)) for n in range(5)]
    add_submission(app, {**CLINIC_REFERRAL, "pain_duration": "lt_6w"})  # not yet
    first = get_json(
        clinician, "/clinic/fhir/QuestionnaireResponse?category=discuss_referral&_count=2"
    )
    Bundle.model_validate(first)
    assert first["type"] == "searchset" and first["total"] == 5
    seen, page = [], first
    while True:
        seen += [entry["resource"]["id"] for entry in page["entry"]]
        assert all(entry["search"]["mode"] == "match" for entry in page["entry"])
        links = {link["relation"]: link["url"] for link in page["link"]}
        if "next" not in links:
            break
        assert links["next"].startswith("http://localhost/clinic/fhir/QuestionnaireResponse?")
        page = get_json(clinician, links["next"].removeprefix("http://localhost"))
    assert seen == made  # newest first, every one once
    with app.app_context():
        details = list(
            db.session.scalars(select(AuditEvent.detail).filter_by(action="export_fhir_bundle"))
        )
    assert details[0] == "identity=no; category=discuss_referral; bundle=2"


def test_observations_come_with_the_response_they_derive_from(app, clinician):
    reference = add_submission(app, FULL)
    search = f"identifier={reference}&_revinclude=Observation:derived-from"
    url = f"/clinic/fhir/QuestionnaireResponse?{search}"
    bundle = get_json(clinician, url)
    Bundle.model_validate(bundle)
    modes = [entry["search"]["mode"] for entry in bundle["entry"]]
    assert modes == ["match", "include", "include", "include", "include"]
    found = {}
    for entry in bundle["entry"][1:]:
        observation = Observation.model_validate(entry["resource"])
        assert observation.derivedFrom[0].reference == f"QuestionnaireResponse/{reference}"
        assert entry["fullUrl"].startswith("urn:uuid:")
        found[observation.code.coding[-1].code] = entry["resource"]
    assert (
        found["screening-outcome"]["valueCodeableConcept"]["coding"][0]["code"]
        == "discuss_referral"
    )
    assert found["pain_average"]["valueInteger"] == FULL["pain_average"]
    assert found["pain_average"]["code"]["coding"][0]["code"] == "72514-3"
    with app.app_context():
        found_submission = db.session.scalar(select(Submission).filter_by(reference=reference))
        odi = found_submission.assessment["odi_percent"]
    assert found["odi-percent"]["valueQuantity"]["value"] == odi == 57.8  # 26 of 45


def test_the_capability_statement_names_what_is_served(clinician):
    data = get_json(clinician, "/clinic/fhir/metadata")
    statement = CapabilityStatement.model_validate(data)
    served = {r.type: r for r in statement.rest[0].resource}
    assert {"Questionnaire", "CodeSystem", "QuestionnaireResponse", "Observation"} <= set(served)
    params = {p.name for p in served["QuestionnaireResponse"].searchParam}
    assert {"category", "review", "date_from", "_count", "identity"} <= params
    assert served["QuestionnaireResponse"].searchRevInclude == ["Observation:derived-from"]


def test_clinic_fhir_routes_need_a_sign_in(client, app):
    reference = add_submission(app)
    for url in (
        "/clinic/fhir/QuestionnaireResponse",
        "/clinic/fhir/metadata",
        f"/clinic/submissions/{reference}/fhir.json",
    ):
        assert client.get(url).status_code == 302


def test_the_clinic_publishes_its_questionnaire_and_codes(tmp_path):
    from screener import create_app

    app = create_app({"TESTING": True, "CLINIC_NAME": "Riverside Spine"}, instance_path=tmp_path)
    client = app.test_client()
    assert get_json(client, QUESTIONNAIRE)["publisher"] == "Riverside Spine"
    assert get_json(client, "/fhir/CodeSystem/si-joint-screening")["publisher"] == "Riverside Spine"


def test_a_pinned_canonical_resolves_by_search(client, app):
    reference_url = f"{BASE}/Questionnaire/si-joint-screening"
    bundle = get_json(client, f"/fhir/Questionnaire?url={reference_url}|2026.11")
    Bundle.model_validate(bundle)
    assert [e["resource"]["version"] for e in bundle["entry"]] == ["2026.11"]
    every = get_json(client, "/fhir/Questionnaire")
    assert [e["resource"]["version"] for e in every["entry"]] == list(VERSIONS)
    assert get_json(client, "/fhir/Questionnaire?url=http://elsewhere/Q")["total"] == 0
