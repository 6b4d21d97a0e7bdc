"""The date of birth boxes in chromium on a 375-pixel phone, in English and Spanish: an impossible
date is named on the Day box, the boxes keep what was typed, and fixing the day goes on."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.patient.conftest import only_submission

from .conftest import screenshot
from .test_questionnaire import assert_accessible

ERROR_RED = "rgb(177, 14, 30)"  # --error in site.css


@pytest.fixture(params=["en", "es"])
def lang(request):
    return request.param


@pytest.fixture
def page(phone_in, lang):
    return phone_in({"en": "en-US", "es": "es-MX"}[lang])


WORDS = {
    "en": {
        "next": "Safety questions",
        "message": "Date of birth must be a real date. Check the day.",
    },
    "es": {
        "next": "Señales de alarma",
        "message": "La fecha de nacimiento debe ser una fecha real. Revise el día.",
    },
}


def test_31_february_is_named_on_the_day_box_and_can_be_fixed(live_server, app, page, lang):
    words = WORDS[lang]
    page.goto(live_server + "/")
    page.check('input[name="privacy"]')
    page.click('form[action="/"] button[type="submit"]')
    page.locator("#full_name").press_sequentially("Ana Ejemplo")
    for part, value in (("day", "31"), ("month", "2"), ("year", "1958")):
        page.locator(f"#date_of_birth-{part}").press_sequentially(value)
    page.click('button[value="continue"]')

    expect(page.locator("#error-summary")).to_be_focused()
    link = page.locator('#error-summary a[href="#date_of_birth-day"]')
    expect(link).to_have_text(words["message"])
    expect(page.locator("#date_of_birth-error")).to_contain_text(words["message"])
    day, month, year = (page.locator(f"#date_of_birth-{part}") for part in ("day", "month", "year"))
    expect(day).to_have_attribute("aria-invalid", "true")
    for box in (month, year):
        expect(box).not_to_have_attribute("aria-invalid", "true")
    # Only the Day box is drawn in red; what was typed is all still there.
    assert day.evaluate("e => getComputedStyle(e).borderTopColor") == ERROR_RED
    assert month.evaluate("e => getComputedStyle(e).borderTopColor") != ERROR_RED
    for box, value in ((day, "31"), (month, "2"), (year, "1958")):
        expect(box).to_have_value(value)

    # At 375 pixels the three boxes sit in one row, Year wider, each a comfortable target,
    # and nothing makes the page scroll sideways.
    boxes = [box.bounding_box() for box in (day, month, year)]
    assert len({round(b["y"]) for b in boxes}) == 1
    assert boxes[2]["width"] > boxes[0]["width"] == boxes[1]["width"]
    assert all(b["width"] >= 44 and b["height"] >= 44 for b in boxes)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
    screenshot(page, f"dob-error-{lang}")

    day.fill("28")
    page.click('button[value="continue"]')
    expect(page.locator("h1")).to_contain_text(words["next"])
    assert only_submission(app).patient.date_of_birth == date(1958, 2, 28)
