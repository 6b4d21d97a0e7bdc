"""The safety step as people use it, in Chromium, in English and Spanish, on a phone (375 px)
and a desktop (1280 px): a language switch is not an answer, and an emergency means stop now."""

import re

import pytest
from playwright.sync_api import expect

from tests.patient.conftest import only_submission

from .conftest import fill_date_of_birth, screenshot
from .test_accessibility import problems

SWITCH = 'button[name="switch_lang"][value="{lang}"]'
OTHER = {"en": "es", "es": "en"}
HEADINGS = {
    "safety": {"en": "Safety questions", "es": "Señales de alarma"},
    "emergency": {"en": "Please get help now", "es": "Por favor, busque ayuda ahora"},
}


@pytest.fixture(params=[375, 1280], ids=["375", "1280"])
def sized_page(browser, request):
    context = browser.new_context(viewport={"width": request.param, "height": 800})
    page = context.new_page()
    page.width = request.param
    yield page
    context.close()


def _to_safety(page, live_server: str, lang: str) -> None:
    """Start in `lang` (the switch on the start page keeps the tick) and fill in About you."""
    page.goto(live_server + "/")
    page.check('input[name="privacy"]')
    if lang == "es":
        page.click(SWITCH.format(lang="es"))
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.locator('input[name="privacy"]')).to_be_checked()
    page.click('form[action="/"] button[type="submit"]')
    page.fill("#full_name", "Ana Ejemplo")
    fill_date_of_birth(page)
    page.click('button[value="continue"]')
    page.wait_for_url("**/step/safety")


def _answer_safety(page, answers: dict) -> None:
    for key, value in answers.items():
        page.check(f'input[name="{key}"][value="{value}"]')


@pytest.mark.parametrize("lang", ["en", "es"])
def test_switching_language_with_unsure_ticked_is_not_an_answer(sized_page, live_server, app, lang):
    page = sized_page
    _to_safety(page, live_server, lang)
    _answer_safety(page, {"rf_bladder_bowel": "unsure", "rf_fever": "no"})
    other = OTHER[lang]
    page.click(SWITCH.format(lang=other))
    page.wait_for_url("**/step/safety")
    expect(page.locator("html")).to_have_attribute("lang", other)
    expect(page.locator("h1")).to_contain_text(HEADINGS["safety"][other])
    expect(page.locator('input[name="rf_bladder_bowel"][value="unsure"]')).to_be_checked()
    expect(page.locator('input[name="rf_fever"][value="no"]')).to_be_checked()
    expect(page.locator("#error-summary")).to_have_count(0)
    stored = only_submission(app)
    assert stored.urgency is None and stored.submitted_at is None and stored.answers == {}
    # Back and forth again, then a reload: still the same choices, still nothing sent.
    page.click(SWITCH.format(lang=lang))
    expect(page.locator("html")).to_have_attribute("lang", lang)  # the switch has landed
    page.reload()
    expect(page.locator('input[name="rf_bladder_bowel"][value="unsure"]')).to_be_checked()
    assert only_submission(app).submitted_at is None
    screenshot(page, f"safety-switched-unsure-{lang}-{page.width}")
    # Continue is what acts on it: the same-day page.
    others = {
        q: "no"
        for q in page.eval_on_selector_all(
            'input[type="radio"][value="no"]', "els => els.map(e => e.name)"
        )
        if q not in ("rf_bladder_bowel", "rf_fever")
    }
    _answer_safety(page, others)
    page.click('button[value="continue"]')
    page.wait_for_url("**/urgent")
    assert only_submission(app).urgency == "same_day"
    screenshot(page, f"urgent-same-day-{lang}-{page.width}")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_emergency_page_calls_911_and_offers_no_way_to_keep_answering(
    sized_page, live_server, app, lang
):
    page = sized_page
    _to_safety(page, live_server, lang)
    _answer_safety(page, {"rf_sexual_function": "yes"})
    page.click('button[value="later"]')  # even "finish later" goes to the guidance first
    page.wait_for_url("**/urgent")
    expect(page.locator("h1")).to_have_text(HEADINGS["emergency"][lang])
    call = page.locator('main a[href="tel:911"]')
    expect(call).to_be_visible()
    first_action = page.locator("main a, main button").first
    assert first_action.get_attribute("href") == "tel:911"
    box = call.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    ways_on = 'a[href^="/step/"], a[href="/resume"], form[action="/saved"]'
    assert page.locator(ways_on).count() == 0  # nowhere on the page, footer included
    expect(page.locator("main strong.code")).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$"))
    assert page.locator("main .emergency-signs li").count() == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= page.width
    assert problems(page, lang) == []
    screenshot(page, f"urgent-emergency-{lang}-{page.width}")
    assert only_submission(app).urgency == "emergency"


def test_back_after_errors_shows_the_step_without_asking_to_resubmit(sized_page, live_server):
    page = sized_page
    _to_safety(page, live_server, "en")
    page.click('button[value="continue"]')  # nothing answered: errors
    expect(page.locator("#error-summary")).to_be_visible()
    assert page.url.endswith("/step/safety")  # shown by a GET after the redirect
    for name in page.eval_on_selector_all(
        'input[type="radio"][value="no"]', "els => [...new Set(els.map(e => e.name))]"
    ):
        page.check(f'input[name="{name}"][value="no"]')
    page.click('button[value="continue"]')
    page.wait_for_url("**/step/where")
    # Back returns to the safety step as a page, not to a form post to send again.
    response = page.go_back()
    assert response is None or response.ok
    expect(page.locator("h1")).to_contain_text("Safety questions")
    expect(page.locator('input[name="rf_fever"][value="no"]')).to_be_checked()
    expect(page.locator("#error-summary")).to_have_count(0)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_soon_page_says_within_a_few_days_and_lets_the_patient_go_on(
    phone_page, live_server, lang
):
    page = phone_page
    page.width = 375
    _to_safety(page, live_server, lang)
    for name in page.eval_on_selector_all(
        'input[type="radio"][value="no"]', "els => [...new Set(els.map(e => e.name))]"
    ):
        page.check(f'input[name="{name}"][value="{"yes" if name == "rf_weight_loss" else "no"}"]')
    page.click('button[value="continue"]')
    page.wait_for_url("**/urgent")
    heading = {"en": "within a few days", "es": "en los próximos días"}[lang]
    expect(page.locator("h1")).to_contain_text(heading)
    expect(page.locator('main a[href="tel:911"]')).to_have_count(0)  # not an emergency
    expect(page.locator('main a[href="/step/where"]')).to_be_visible()  # may answer the rest
    assert page.locator("main .emergency-signs li").count() == 4
    assert problems(page, lang) == []
    screenshot(page, f"urgent-soon-{lang}-375")
