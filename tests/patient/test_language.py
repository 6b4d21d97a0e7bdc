"""Language: the browser's by default, switchable on every patient page without losing an
answer, kept with the submission; clinicians read the answers in English."""

import re

import pytest
from sqlalchemy import select

from screener.extensions import db
from screener.models import Role, StepInput
from tests.answers import BORN, IDENTITY, REFERRAL, SAFE, dob_parts
from tests.clinic.conftest import sign_in
from tests.conftest import make_user

from .conftest import (
    answer_steps,
    begin,
    checked,
    count_submissions,
    inputs,
    only_submission,
    refused,
)
from .rendered import patient_pages


def test_the_browser_language_chooses_the_page_language(client):
    assert '<html lang="es">' in client.get("/", headers={"Accept-Language": "es-MX,es"}).text
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-US"}).text
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "fr"}).text


@pytest.mark.parametrize(("lang", "other"), [("en", "es"), ("es", "en")])
def test_every_patient_page_offers_the_other_language(app, lang, other):
    name = {"en": "English", "es": "Español"}[other]
    for page, html in patient_pages(app, lang).items():
        if 'id="step-form"' in html or 'id="start-form"' in html:
            switch = f'name="switch_lang" value="{other}" lang="{other}"'
        else:
            switch = f'lang="{other}" hreflang="{other}">{name}</a>'
        assert switch in html, page


def test_the_switch_link_keeps_the_page_and_the_choice(started):
    response = started.get("/language/es?next=/review")
    assert response.location == "/review"
    page = started.get("/review").text
    assert '<html lang="es">' in page
    assert "Revise sus respuestas" in page
    # The choice outlasts the browser's own language.
    assert '<html lang="es">' in started.get("/", headers={"Accept-Language": "en"}).text
    assert started.get("/language/en?next=/").location == "/"
    assert '<html lang="en">' in started.get("/").text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil", None])
def test_the_switch_link_never_leaves_the_site(client, target):
    url = "/language/es" + (f"?next={target}" if target else "")
    assert client.get(url).location == "/"


def test_an_unknown_language_is_not_found(client):
    assert client.get("/language/fr?next=/").status_code == 404


def _queue(app) -> str:
    staff = app.test_client()
    make_user(app, "queue@clinic.example")
    sign_in(staff, "queue@clinic.example")
    return staff.get("/clinic/").text


def test_switching_on_the_safety_step_is_not_an_answer(started, app):
    # "I'm not sure" about the bladder, then the patient looks at the question in Spanish.
    posted = {"rf_bladder_bowel": "unsure", "rf_fever": "no", "switch_lang": "es"}
    page = refused(started, "/step/safety", data=posted).text
    assert '<html lang="es">' in page and "Señales de alarma" in page
    assert checked(page, "rf_bladder_bowel") == ["unsure"] and checked(page, "rf_fever") == ["no"]
    assert 'id="error-summary"' not in page
    stored = only_submission(app)
    assert stored.answers == {} and stored.urgency is None and stored.submitted_at is None
    assert "safety" not in stored.steps_done
    assert stored.reference not in _queue(app)
    # Switching back and forth keeps the choice; only Continue acts on it.
    page = refused(started, "/step/safety", data={**posted, "switch_lang": "en"}).text
    assert '<html lang="en">' in page and checked(page, "rf_bladder_bowel") == ["unsure"]
    response = started.post("/step/safety", data={**SAFE, "rf_bladder_bowel": "unsure"})
    assert response.location == "/urgent"
    assert only_submission(app).urgency == "same_day"


@pytest.mark.parametrize("ticked", [True, False])
def test_switching_on_the_start_page_keeps_the_tick(client, app, ticked):
    data = {"switch_lang": "es", **({"privacy": "y"} if ticked else {})}
    response = client.post("/", data=data)
    assert response.status_code == 303 and response.location == "/"
    page = client.get("/").text
    assert '<html lang="es">' in page
    assert checked(page, "privacy") == (["y"] if ticked else [])
    assert 'id="error-summary"' not in page
    assert count_submissions(app) == 0  # nothing starts until Start now
    assert checked(client.get("/").text, "privacy") == []  # kept for one showing only


def test_switching_keeps_the_way_back_to_review(started):
    answer_steps(started, REFERRAL)
    response = started.post("/step/where", data={"return_to": "review", "switch_lang": "es"})
    assert response.status_code == 303
    assert response.location == "/step/where?return_to=review"


def test_switching_on_about_you_keeps_the_typing_and_saves_nothing(client, app):
    client.post("/", data={"privacy": "y"})
    data = {"full_name": "Ana Ejemplo", "phone": "555 010 0123", "switch_lang": "es"}
    page = refused(client, "/step/about-you", data=data).text
    assert '<html lang="es">' in page
    assert 'value="Ana Ejemplo"' in page and 'value="555 010 0123"' in page
    assert 'id="error-summary"' not in page
    assert only_submission(app).patient is None
    # Saved with Continue, the kept typing is gone from the database.
    assert client.post("/step/about-you", data=IDENTITY).location == "/step/safety"
    with app.app_context():
        assert db.session.scalars(select(StepInput)).all() == []


def test_switching_with_a_red_flag_waits_for_continue(started, app):
    data = {**SAFE, "rf_fever": "yes"}
    page = refused(started, "/step/safety", data={**data, "switch_lang": "es"}).text
    assert checked(page, "rf_fever") == ["yes"]
    assert only_submission(app).urgency is None
    assert started.post("/step/safety", data=data).location == "/urgent"
    assert "Por favor, llame hoy a su equipo de atención" in started.get("/urgent").text


def test_an_unknown_switch_language_is_refused(started):
    assert started.post("/step/safety", data={"switch_lang": "xx"}).status_code == 400


def test_enter_in_a_step_form_continues_rather_than_switching(started):
    # Enter submits with the form's first submit button in document order: a plain one (no
    # name, so no switch), ahead of the language switch in the header.
    page = started.get("/step/about-you").text
    first, *others = [b for b in inputs(page) if b["tag"] == "button" and b["type"] == "submit"]
    assert first.get("form") == "step-form" and "name" not in first
    assert "switch_lang" in [b.get("name") for b in others]
    assert (
        started.post("/step/about-you", data={"full_name": "Ana", **dob_parts(BORN)}).location
        == "/step/safety"
    )


def test_the_language_is_kept_with_the_submission_and_the_clinic_reads_english(client, app):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    begin(client)
    answer_steps(client, REFERRAL)
    client.post("/review")
    stored = only_submission(app)
    assert stored.status == "submitted" and stored.language == "es"

    staff = app.test_client()
    staff.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    make_user(app, "doc@clinic.example")
    sign_in(staff, "doc@clinic.example")
    summary = staff.get(f"/clinic/submissions/{stored.reference}").text
    assert '<html lang="en">' in summary
    assert "Spanish" in summary  # the patient's language is noted
    assert "Sitting on the painful side" in summary  # answers in English
    assert "Sentarse" not in summary
    assert "switch_lang" not in summary and "hreflang" not in summary


def test_the_language_sent_in_is_kept(started, app):
    answer_steps(started, REFERRAL)
    started.get("/language/es?next=/review")
    started.post("/review")
    assert only_submission(app).language == "es"


def test_error_pages_speak_the_patient_language_and_offer_the_switch(client):
    page = client.get("/no-such-page", headers={"Accept-Language": "es"})
    assert page.status_code == 404
    assert '<html lang="es">' in page.text and "No encontramos esta página" in page.text
    assert 'hreflang="en"' in page.text


def test_clinic_pages_stay_english_even_nested_ones(client, app):
    make_user(app, "boss@clinic.example", Role.ADMIN)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    sign_in(client, "boss@clinic.example")
    for url in ("/clinic/", "/clinic/admin/users", "/clinic/admin/audit"):
        page = client.get(url).text
        assert '<html lang="en">' in page, url
        assert "Skip to main content" in page and "hreflang" not in page, url


def test_the_back_link_is_not_the_back_of_the_body(started):
    # "Back" is both a link and a view of the body diagram: each has its own Spanish.
    started.get("/language/es?next=/")
    page = started.get("/step/where").text
    assert re.search(r'<a class="back-link" href="[^"]+">Atrás</a>', page)
    assert ">De espaldas</text>" in page
