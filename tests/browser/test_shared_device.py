"""A shared phone forgets a sent questionnaire: in Chromium at 375 px, in English and Spanish."""

import re

import pytest
from playwright.sync_api import expect

from tests.answers import BORN, IDENTITY, REFERRAL, SAFE, URGENT
from tests.patient.conftest import answer_steps, begin, only_submission

from .conftest import screenshot
from .test_questionnaire import assert_accessible

WORDS = {
    "en": {
        "sent": "Your answers have been sent",
        "finished": "You're done. You can close this page.",
        "carry_on": "Carry on with your answers",
        "in_progress": "You have answers in progress",
        "what_to_do": "What to do now",
    },
    "es": {
        "sent": "Sus respuestas se enviaron",
        "finished": "Ya terminó. Puede cerrar esta página.",
        "carry_on": "Seguir con sus respuestas",
        "in_progress": "Tiene respuestas sin terminar",
        "what_to_do": "Qué hacer ahora",
    },
}


@pytest.fixture(params=["en", "es"])
def lang(request):
    return request.param


@pytest.fixture
def phone(phone_in, lang):
    return phone_in(lang)


def answered_elsewhere(app, lang: str, answers: dict = REFERRAL) -> str:
    """A questionnaire answered on another device; the token that opens it (its resume link's
    end)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    begin(client)
    answer_steps(client, answers)
    with client.session_transaction() as session:
        return session["draft"]


def open_link(page, url: str) -> None:
    """Open a resume link: it asks for the date of birth saved with the answers first."""
    page.goto(url)
    for part in ("day", "month", "year"):
        page.fill(f"#date_of_birth-{part}", str(getattr(BORN, part)))
    page.click('main form[method="post"] button[type="submit"]')


def test_a_resume_link_asks_for_the_date_of_birth_and_whether_to_keep_mine(
    live_server, phone, app, lang
):
    page = phone
    token = answered_elsewhere(app, lang)
    page.goto(live_server + "/")
    page.check('input[name="privacy"]')
    page.click('form[action="/"] button[type="submit"]')
    for name, value in IDENTITY.items():
        page.fill(f'[name="{name}"]', value)
    page.click('form#step-form button[name="action"][value="continue"]')
    page.goto(f"{live_server}/resume/{token}")
    expect(page.locator("#in-progress")).to_be_visible()
    expect(page.locator("#resume-code")).to_have_text(re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$"))
    assert_accessible(page)
    screenshot(page, f"resume-link-confirm-{lang}")
    page.fill("#date_of_birth-day", "1")
    page.click('main form[method="post"] button[type="submit"]')
    expect(page.locator("#date_of_birth-error")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"resume-link-wrong-{lang}")


def test_after_sending_a_reload_shows_only_the_reference_and_finish_ends_it(
    live_server, phone, app, lang
):
    page = phone
    open_link(page, f"{live_server}/resume/{answered_elsewhere(app, lang)}")
    expect(page).to_have_url(live_server + "/review")
    page.click('form[action="/review"] button[type="submit"]')
    expect(page).to_have_url(live_server + "/done")
    expect(page.locator("h1")).to_have_text(WORDS[lang]["sent"])
    reference = only_submission(app).reference
    main = page.locator("main")
    expect(main).to_contain_text(IDENTITY["full_name"])  # the answers, to print now
    expect(page.locator("[data-print]")).to_be_visible()

    page.reload()
    expect(page.locator("h1")).to_have_text(WORDS[lang]["sent"])
    expect(page.locator(".panel .code")).to_have_text(reference)
    for private in (IDENTITY["full_name"], IDENTITY["phone"], "1970"):
        expect(main).not_to_contain_text(private)
    expect(page.locator(".printed-answers")).to_have_count(0)
    expect(page.locator("[data-print]")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, f"done-after-reload-{lang}")

    finish = page.locator('form[action="/finish"] button[type="submit"]')
    box = finish.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44
    finish.click()
    expect(page).to_have_url(live_server + "/")
    expect(page.locator(".flash")).to_have_text(WORDS[lang]["finished"])
    expect(page.locator("html")).to_have_attribute("lang", lang)
    screenshot(page, f"start-after-finish-{lang}")
    page.goto(live_server + "/done")
    expect(page).to_have_url(live_server + "/")


def test_starting_again_with_answers_in_progress_asks_first(live_server, phone, app, lang):
    page = phone
    open_link(
        page,
        f"{live_server}/resume/{answered_elsewhere(app, lang, {**SAFE, 'other_care': ['none']})}",
    )
    page.goto(live_server + "/")
    carry_on = page.locator("main a.button").first
    expect(carry_on).to_have_text(WORDS[lang]["carry_on"])
    screenshot(page, f"start-in-progress-{lang}")
    page.check('input[name="privacy"]')
    page.click('form[action="/"] button[type="submit"]')
    expect(page.locator("h1")).to_have_text(WORDS[lang]["in_progress"])
    expect(page.locator("#resume-code")).to_have_text(re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$"))
    assert_accessible(page)
    screenshot(page, f"start-again-question-{lang}")
    page.click('button[name="again"]')
    expect(page).to_have_url(live_server + "/step/about-you")


def test_an_emergency_confirmation_leads_with_what_to_do(live_server, phone, app, lang):
    page = phone
    token = answered_elsewhere(app, lang, {**REFERRAL, **URGENT["emergency"]})
    open_link(page, f"{live_server}/resume/{token}")
    page.goto(live_server + "/review")
    page.click('form[action="/review"] button[type="submit"]')
    expect(page.locator("h1")).to_have_text(WORDS[lang]["what_to_do"])
    expect(page.locator(".panel")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, f"done-emergency-{lang}")
