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
    with page.expect_response("**/clinic/session/extend") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 204
    expect(warning).to_be_hidden()
    context.close()
