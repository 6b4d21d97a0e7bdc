"""The clinic's pages (always English) at desktop and phone widths: axe's WCAG 2.2 AA rules, the
page language, 24-pixel targets, visible focus and announced errors, as for patient pages, and
no text smaller than 12 pixels on a phone; a screenshot of each is kept."""

from screener.models import Role, Status
from tests.answers import CLINIC_REFERRAL
from tests.clinic.conftest import add_submission
from tests.conftest import PASSWORD, make_user

from .conftest import screenshot
from .test_accessibility import WIDTHS, problems

# Text a phone shows below 12 CSS pixels (Lighthouse's "legible font sizes"): each visible
# element with text of its own, with its computed size.
SMALL_TEXT = """() => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el.checkVisibility()) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 12) {
      small.push(`${el.tagName.toLowerCase()}.${el.className} ${size.toFixed(1)}px: `
                 + node.textContent.trim().slice(0, 30));
    }
  }
  return small;
}"""
PHONE = WIDTHS["phone"][0]


def test_clinic_pages_pass_the_accessibility_checks(browser, live_server, app):
    make_user(app, "boss@clinic.example", Role.ADMIN)
    urgent = add_submission(app, {**CLINIC_REFERRAL, "rf_bladder_bowel": "yes"}, name="Uma Urgent")
    referral = add_submission(app, name="Rosa Quintero", language="es")
    # A flagged questionnaire whose patient is still answering: the queue lists it apart.
    add_submission(app, {"rf_bladder_bowel": "yes"}, name="Dora Draft", status=Status.DRAFT)
    nurse = make_user(app, "nurse@clinic.example")
    found: dict[str, list[str]] = {}  # page name: problems at either width
    for width, height in WIDTHS.values():
        # A Spanish-speaking browser: clinic pages stay in English.
        context = browser.new_context(viewport={"width": width, "height": height}, locale="es-MX")
        page = context.new_page()

        def check(name: str, errors: bool = False, page=page, width=width) -> None:
            screenshot(page, f"clinic-{width}-{name}")
            found.setdefault(name, []).extend(problems(page, "en", errors))
            if width == PHONE:
                found[name].extend(page.evaluate(SMALL_TEXT))
                wide = page.evaluate("document.documentElement.scrollWidth")
                if wide > PHONE:
                    found[name].append(f"the page is {wide} px wide")

        page.goto(live_server + "/clinic/login")
        check("01-login")
        page.fill("#email", "boss@clinic.example")
        page.fill("#password", "not the password")
        page.click('main form button[type="submit"]')
        check("02-login-error", errors=True)
        page.fill("#email", "boss@clinic.example")
        page.fill("#password", PASSWORD)
        page.click('main form button[type="submit"]')
        page.wait_for_url("**/clinic/")
        assert page.locator("#still-answering").is_visible()
        check("03-queue")
        page.goto(f"{live_server}/clinic/submissions/{urgent}")
        check("04-summary-urgent")
        page.goto(f"{live_server}/clinic/submissions/{referral}")
        check("05-summary-discuss-referral")
        page.goto(live_server + "/clinic/admin/users")
        check("06-users")
        page.goto(live_server + "/clinic/admin/audit")
        check("07-audit-log")
        page.goto(live_server + "/clinic/admin/users/new")
        page.click('main form button[type="submit"]')
        check("08-new-user-errors", errors=True)
        page.goto(f"{live_server}/clinic/admin/users/{nurse}/role")
        check("09-role")
        page.goto(f"{live_server}/clinic/admin/users/{nurse}/deactivate")
        check("11-deactivate-confirm")
        page.goto(live_server + "/clinic/account/password")
        page.fill("#current", "not the password")
        page.click('main form button[type="submit"]')
        check("12-own-password-errors", errors=True)
        page.goto(live_server + "/clinic/confirm")
        page.fill("#password", "not the password")
        page.click('main form button[type="submit"]')
        check("10-confirm-password-error", errors=True)
        context.close()
    assert {name: p for name, p in found.items() if p} == {}
