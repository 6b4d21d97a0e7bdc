"""A clinic's invitation on a phone, in the invitation's language (Spanish) though the browser
asks for English: the date of birth opens About you with the clinic's details."""

from playwright.sync_api import expect

from tests.patient.conftest import INVITED, invite

from .conftest import fill_date_of_birth, screenshot
from .test_accessibility import problems


def test_an_invitation_opens_about_you_in_spanish_on_a_phone(phone_in, live_server, app):
    app.config["CLINIC_NAME"] = "Valley Spine"
    page = phone_in("en-US")
    page.goto(live_server + invite(app, language="es"))
    expect(page.locator("h1")).to_have_text("Preguntas antes de su cita")
    expect(page.locator("main")).not_to_contain_text("Rosa")
    screenshot(page, "invitation-es-375")
    assert problems(page, "es") == []
    fill_date_of_birth(page)
    page.click('main form button[type="submit"]')
    page.wait_for_url("**/step/about-you")
    expect(page.locator(".clinic-identity")).to_contain_text(INVITED["full_name"])
    expect(page.locator("#phone")).to_have_value(INVITED["phone"])
    expect(page.locator("#email")).to_have_value(INVITED["email"])
    expect(page.locator("#full_name")).to_have_count(0)
    screenshot(page, "invitation-about-you-es-375")
    assert problems(page, "es") == []
