"""The "not yet" outcome and the review page on a 375-pixel phone, in English and Spanish."""

import re
from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from screener.catalogue import STEPS
from screener.scoring import RED_FLAG_KEYS
from tests.answers import IDENTITY, REFERRAL
from tests.patient.conftest import step_data

from .conftest import screenshot

AXE = Axe()
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

# Not yet: pain for 3 to 6 months, physical therapy under 4 weeks, no medicine; nothing else
# tried; the side and the imaging left out (both optional).
ANSWERS = {
    **{k: v for k, v in REFERRAL.items() if k not in ("pain_side", "imaging")},
    "pain_duration": "3m_6m",
    "pt": "lt_4w",
    "medications": ["none"],
    "other_care": ["none"],
}
WORDS = {
    "en": {
        "reasons": [
            "You have had this pain for less than 6 months. Pain like this often gets better "
            "with time.",
            "You have had physical therapy for less than 4 weeks.",
            "You have not tried any medicine for this pain.",
        ],
        "side": "Which side hurts? (optional)",
        "none": "None of these",
        "send": "Send my answers",
    },
    "es": {
        "reasons": [
            "Tiene este dolor desde hace menos de 6 meses. Un dolor así suele mejorar con el "
            "tiempo.",
            "Ha hecho terapia física por menos de 4 semanas.",
            "Todavía no ha probado ninguna medicina para este dolor.",
        ],
        "side": "¿De qué lado le duele? (opcional)",
        "none": "Nada de esto",
        "send": "Enviar mis respuestas",
    },
}


def _post(context, url: str, answers: dict) -> None:
    pairs = [(k, v) for k, values in answers.items() for v in _listed(values)]
    response = context.request.post(url, data=urlencode(pairs), headers=FORM)
    assert response.ok, (url, response.status)


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _checked(page) -> None:
    """Fits the phone (no sideways scrolling) and passes axe."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.url
    results = AXE.run(page)
    assert results.violations_count == 0, [v["id"] for v in results.response["violations"]]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_review_and_the_not_yet_outcome_on_a_phone(browser, live_server, lang):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, locale=lang
    )
    page = context.new_page()
    words = WORDS[lang]
    # The answers go in through the same forms a browser posts; the pages are looked at.
    _post(context, live_server + "/", {"privacy": "y"})
    _post(context, live_server + "/step/about-you", IDENTITY)
    for step in STEPS[1:]:
        _post(context, f"{live_server}/step/{step.slug}", step_data(step, ANSWERS))

    page.goto(live_server + "/review")
    expect(page.locator("dt", has_text=words["side"])).to_be_visible()
    safety = page.locator('section[aria-labelledby="section-safety"] dt')
    expect(safety).to_have_count(len(RED_FLAG_KEYS))
    expect(safety.filter(has_text=re.compile(r"\(opcional\)|\(optional\)"))).to_have_count(0)
    expect(page.locator("dd", has_text=words["none"])).to_have_count(1)
    _checked(page)
    screenshot(page, f"outcome-review-{lang}-375")

    page.get_by_role("button", name=words["send"]).click()
    page.wait_for_url("**/done")
    outcome = page.locator(".outcome-not_yet")
    expect(outcome).to_be_visible()
    expect(outcome.locator("li")).to_have_text(words["reasons"])
    outcome.scroll_into_view_if_needed()
    _checked(page)
    screenshot(page, f"outcome-done-{lang}-375")
    context.close()
