"""The questionnaire in Debian's chromium: keyboard alone on a phone, the body diagram by touch,
axe on every page, and screenshots at phone and desktop widths."""

import re
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.answers import BORN, IDENTITY, SAFE, dob_parts
from tests.patient.conftest import only_submission

from .conftest import fill_date_of_birth, screenshot

AXE = Axe()


def assert_accessible(page) -> None:
    results = AXE.run(page)
    problems = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
    ]
    assert results.violations_count == 0, (page.url, problems)


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches the selector."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def choose(page, name: str, value: str) -> None:
    """Tab into a radio group and pick an option with the arrow keys (Space for the first)."""
    tab_to(page, f'input[name="{name}"]')
    values = page.eval_on_selector_all(f'input[name="{name}"]', "els => els.map(e => e.value)")
    index = values.index(value)
    if index == 0:
        page.keyboard.press("Space")
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    expect(page.locator(f'input[name="{name}"][value="{value}"]')).to_be_checked()


def tick(page, name: str, value: str) -> None:
    tab_to(page, f'input[name="{name}"][value="{value}"]')
    page.keyboard.press("Space")
    expect(page.locator(f'input[name="{name}"][value="{value}"]')).to_be_checked()


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def press_continue(page, heading: str) -> None:
    """Continue with the keyboard and wait for the next page."""
    tab_to(page, 'button[value="continue"], button[type="submit"]:not([value])')
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text(heading)


def visit(page, name: str) -> None:
    """Check a page with axe and keep a screenshot of it."""
    assert_accessible(page)
    screenshot(page, name)


def test_a_patient_completes_the_questionnaire_by_keyboard_on_a_phone(live_server, phone_page, app):
    page = phone_page
    requests = []
    page.on("request", lambda r: requests.append((r.resource_type, r.method, r.url)))
    page.goto(live_server + "/")
    visit(page, "phone-01-start")

    tick(page, "privacy", "y")
    tab_to(page, 'button[type="submit"]')
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("About you")
    assert page.title().startswith("About you (Step 1 of 8)")
    assert_accessible(page)

    # Continue with nothing filled in: errors, a summary that gets focus, "Error:" in the title.
    before_error = len(requests)
    press_continue(page, "About you")
    assert page.title().startswith("Error: About you")
    expect(page.locator("#error-summary")).to_be_focused()
    visit(page, "phone-02-about-you-errors")
    detour = len(requests) - before_error  # a typical patient makes no such mistake

    type_into(page, "#full_name", IDENTITY["full_name"])
    for box, value in dob_parts(BORN).items():
        type_into(page, f"#{box}", value)
    type_into(page, "#phone", IDENTITY["phone"])
    type_into(page, "#email", IDENTITY["email"])
    press_continue(page, "Safety questions")
    expect(page.locator("h1")).to_contain_text("Step 2 of 8")
    visit(page, "phone-03-safety")

    for name, value in SAFE.items():
        choose(page, name, value)
    press_continue(page, "Where it hurts")
    visit(page, "phone-04-where")

    tick(page, "pain_areas", "below_belt_side")
    tick(page, "pain_areas", "buttock")
    # Ticking a box marks the body diagram too.
    expect(page.locator('.region[data-area="buttock"]')).to_have_class(re.compile("is-selected"))
    choose(page, "worst_spot", "dimple")
    choose(page, "pain_side", "left")
    tick(page, "worse_with", "sitting_on_side")
    tick(page, "worse_with", "rising_from_chair")
    choose(page, "leg_symptoms_below_knee", "no")
    press_continue(page, "How long and how much")
    visit(page, "phone-05-how-much")

    choose(page, "pain_duration", "gt_12m")
    choose(page, "pain_average", "7")
    choose(page, "pain_worst", "9")
    press_continue(page, "Daily life")
    assert_accessible(page)
    for name in ("fn_sitting", "fn_standing_walking", "fn_stairs", "fn_daily_tasks", "fn_sleep"):
        choose(page, name, "2")
    press_continue(page, "Treatments you have tried")
    expect(page.locator("#si_injection_relief-group")).to_be_hidden()
    choose(page, "care_duration", "gte_6m")
    choose(page, "pt", "gte_4w")
    choose(page, "home_exercise", "yes")
    tick(page, "medications", "anti_inflammatory")
    choose(page, "si_injection", "yes")
    expect(page.locator("#si_injection_relief-group")).to_be_visible()
    choose(page, "si_injection_relief", "gte_75")
    tick(page, "other_care", "none")
    visit(page, "phone-06-treatments")
    press_continue(page, "Other health")

    for name, value in (
        ("fibromyalgia", "no"),
        ("inflammatory_arthritis", "no"),
        ("prior_lumbar_fusion", "no"),
        ("pregnancy", "not_applicable"),
        ("nicotine", "no"),
        ("prior_si_fusion", "none"),
        ("metal_allergy", "no"),
        ("imaging", "lt_6m"),
    ):
        choose(page, name, value)
    visit(page, "phone-07-health")
    press_continue(page, "Anything else")

    type_into(page, "#comments", "Sitting in the car is the worst.")
    expect(page.locator("#comments-count")).to_have_text("You have 1,968 characters left.")
    visit(page, "phone-08-anything-else")
    press_continue(page, "Check your answers")
    visit(page, "phone-09-review")

    tab_to(page, 'form[action="/review"] button[type="submit"]')
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Your answers have been sent")
    visit(page, "phone-10-done")

    stored = only_submission(app)
    assert stored.status == "submitted"
    assert stored.category == "discuss_referral"
    assert stored.answers["pain_average"] == 7
    assert stored.patient.date_of_birth == BORN
    documents = [r for r in requests if r[0] == "document"]
    posts = [r for r in requests if r[1] == "POST"]
    print(
        f"\nrequests from start page to confirmation: {len(requests)} in all "
        f"({len(documents)} pages: {len(posts)} POSTs and the pages they lead to; "
        f"{len(requests) - len(documents)} static files); without the deliberate About you "
        f"error: {len(requests) - detour}, of which {len(documents) - 1} pages"
    )
    # The start page, then ten posts (start, eight steps, send), each answered by a redirect
    # to the next page (Post/Redirect/Get), plus the one post refused with errors, answered by
    # a redirect to the same page showing them (so Back never asks to resubmit it).
    assert len(posts) == 11
    assert len(documents) == 1 + 10 * 2 + 2


@pytest.fixture
def touch_page(browser):
    """A 375-pixel phone with a touch screen, so the test can tap."""
    context = browser.new_context(
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        has_touch=True,
        is_mobile=True,
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def start_on_where(page, live_server) -> None:
    """Start, fill in About you and answer no to the safety questions (mouse is fine here)."""
    page.goto(live_server + "/")
    page.check('input[name="privacy"]')
    page.click("text=Start now")
    page.fill("#full_name", "Ben Example")
    fill_date_of_birth(page, date(1965, 7, 4))
    page.click('button[value="continue"]')
    for radio in page.locator('input[value="no"]').all():
        radio.check()
    page.click('button[value="continue"]')
    expect(page.locator("h1")).to_contain_text("Where it hurts")


def test_tapping_the_body_diagram_toggles_the_real_checkboxes(live_server, touch_page, app):
    page = touch_page
    start_on_where(page, live_server)

    def tap(code):
        page.locator(f'.region[data-area="{code}"] > :not(title)').first.tap()

    def box(code):
        return page.locator(f'input[name="pain_areas"][value="{code}"]')

    def region(code):
        return page.locator(f'.region[data-area="{code}"]')

    for code in ("buttock", "below_belt_side", "groin", "foot"):
        tap(code)
        expect(box(code)).to_be_checked()
        expect(region(code)).to_have_class(re.compile("is-selected"))
    tap("foot")  # a second tap clears it
    expect(box("foot")).not_to_be_checked()
    expect(region("foot")).not_to_have_class(re.compile("is-selected"))
    screenshot(page, "phone-11-body-diagram-tapped")
    page.click('button[value="continue"]')
    expect(page.locator("h1")).to_contain_text("How long and how much")
    assert only_submission(app).answers["pain_areas"] == ["below_belt_side", "buttock", "groin"]


def test_desktop_pages_look_right_and_pass_axe(live_server, desktop_page, app):
    page = desktop_page
    start_on_where(page, live_server)
    page.check('input[name="pain_areas"][value="buttock"]')
    page.check('input[name="worst_spot"][value="dimple"]')
    visit(page, "desktop-01-where")
    page.click('button[value="continue"]')
    page.check('input[name="pain_average"][value="6"]')
    visit(page, "desktop-02-how-much")
    page.goto(live_server + "/step/safety")
    page.check('input[name="rf_fever"][value="yes"]')
    page.click('button[value="continue"]')
    expect(page.locator("h1")).to_have_text("Please call your care team today")
    visit(page, "desktop-03-urgent")
    page.click("text=Save and finish later")
    expect(page.locator("h1")).to_have_text("Your answers are saved")
    visit(page, "desktop-04-saved")
    for path, name in (
        ("/resume", "desktop-05-resume"),
        ("/about-si-joint-fusion", "desktop-06-about"),
    ):
        page.goto(live_server + path)
        visit(page, name)
    page.goto(live_server + "/review")
    visit(page, "desktop-07-review")
    page.click("text=Send my answers")
    expect(page.locator("h1")).to_have_text("What to do now")  # the fever answer above
    visit(page, "desktop-08-done")
    page.emulate_media(media="print")
    screenshot(page, "desktop-09-done-print")
