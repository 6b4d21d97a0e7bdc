"""The education page on a 375-pixel phone in English and Spanish: reached from a step, clean
for axe, no sideways scrolling, and its button leads back to that step."""

import pytest
from playwright.sync_api import expect

from .conftest import fill_date_of_birth, screenshot
from .test_accessibility import problems

HEADINGS = {"en": "About SI-joint fusion", "es": "Sobre la fusión de la articulación sacroilíaca"}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_about_page_reads_on_a_phone_and_leads_back_to_the_step(phone_page, live_server, lang):
    page = phone_page
    page.goto(live_server + "/")
    if lang == "es":
        page.click('button[name="switch_lang"][value="es"]')
    page.check('input[name="privacy"]')
    page.click('form[action="/"] button[type="submit"]')
    page.fill("#full_name", "Ana Ejemplo")
    fill_date_of_birth(page)
    page.click('button[value="continue"]')
    page.wait_for_url("**/step/safety")

    page.click('.footer-links a[href^="/about-si-joint-fusion"]')
    page.wait_for_url("**/about-si-joint-fusion?step=safety")
    expect(page.locator("h1")).to_have_text(HEADINGS[lang])
    screenshot(page, f"{lang}-375-about")
    assert problems(page, lang) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.locator("main a.button").click()
    page.wait_for_url("**/step/safety")
    expect(page.locator("html")).to_have_attribute("lang", lang)
