"""The clinic's idle sign-out warns in the browser and the clinician can stay signed in."""

from playwright.sync_api import expect

from tests.conftest import make_user

from .test_clinic import LAPTOP, no_axe_violations, sign_in


def test_idle_warning_appears_takes_focus_and_extends_the_session(app, live_server, browser):
    make_user(app, "doc@clinic.example")
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.clock.install()
    sign_in(page, live_server)
    warning = page.get_by_role("alertdialog", name="Still there?")
    expect(warning).to_be_hidden()
    page.clock.fast_forward("28:01")
    expect(warning).to_be_visible()
    stay = page.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    no_axe_violations(page)
    # The clock counts down each second; the live region speaks only at set moments.
    clock, said = page.locator("#idle-clock"), page.locator("#idle-text")
    opening = "You will be signed out in 2 minutes because nothing has happened for a while."
    expect(clock).to_have_text("1:59")
    expect(said).to_have_text(opening)
    page.clock.run_for(2000)
    expect(clock).to_have_text("1:57")
    expect(warning).to_contain_text("You will be signed out in 1:57 because")
    expect(said).to_have_text(opening)
    page.clock.run_for("00:57")
    expect(clock).to_have_text("1:00")
    expect(said).to_have_text("You will be signed out in 1 minute.")
    with page.expect_response("**/clinic/session/extend") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 204
    expect(warning).to_be_hidden()
    context.close()
