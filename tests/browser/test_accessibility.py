"""Every patient page, in English and Spanish, at desktop and phone widths: axe finds no WCAG 2.2
AA problem, the page says its language, focus is always visible, targets are at least 24 pixels
and errors are announced. A screenshot of each is kept for reviewers."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import ARTIFACTS, fill_date_of_birth, licensed_odi_config, screenshot

AXE = Axe()
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
LOCALES = {"en": "en-US", "es": "es-MX"}  # the browser's language picks the page's
WIDTHS = {"desktop": (1280, 900), "phone": (375, 740)}
COUNT_FILE = ARTIFACTS.parent / "axe-count.txt"

# Interactive elements, and those of them smaller than 24 x 24 CSS pixels (WCAG 2.5.8). A link
# inside a sentence is exempt; so are hidden elements.
SMALL_TARGETS = """() => {
  const small = [];
  for (const el of document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (!el.checkVisibility()) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (el.tagName === 'A' && getComputedStyle(el).display === 'inline'
        && el.closest('p, li, dd, td')) continue;
    if (box.width < 24 || box.height < 24) {
      small.push(`${el.outerHTML.slice(0, 80)} ${box.width}x${box.height}`);
    }
  }
  return small;
}"""

# Focus each focusable element (after a key press, as a keyboard user would) and report those
# without a visible indicator: an outline or a ring, on the element or, for a visually hidden
# input (the 0-10 scale), on the label that shows it.
FOCUS_NOT_SHOWN = """() => {
  const shows = (el) => {
    const style = getComputedStyle(el);
    return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
      || style.boxShadow !== 'none';
  };
  const missing = [];
  for (const el of document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, [tabindex="0"]')) {
    if (!el.checkVisibility() || el.disabled) continue;
    el.focus({preventScroll: true});
    if (document.activeElement !== el) continue;
    const shown = el.matches(':focus-visible') && (shows(el)
      || (getComputedStyle(el).opacity === '0' && el.nextElementSibling
          && shows(el.nextElementSibling)));
    if (!shown) missing.push(el.outerHTML.slice(0, 80));
  }
  return missing;
}"""


@pytest.fixture
def app_config(tmp_path):
    """A synthetic licensed ODI file, so its step is checked too."""
    return licensed_odi_config(tmp_path)


@pytest.fixture(scope="module")
def checked():
    """Every page x language x width checked by axe; written down for the report."""
    names: list[str] = []
    yield names
    COUNT_FILE.parent.mkdir(parents=True, exist_ok=True)
    COUNT_FILE.write_text(
        f"{len(names)} page x language x width combinations checked by axe "
        "(WCAG 2.0/2.1/2.2 A and AA, best practice): 0 violations\n" + "\n".join(names) + "\n",
        encoding="utf-8",
    )


def problems(page, lang: str, errors: bool = False) -> list[str]:
    """What fails on the page as it is now: its language, an error summary that is not
    announced, axe's violations, small targets and focus that does not show."""
    page.wait_for_load_state()
    found = []
    if (shown := page.locator("html").get_attribute("lang")) != lang:
        found.append(f"html lang is {shown}")
    if errors:  # the error summary is announced: an alert, focused on arrival
        summary = page.locator("#error-summary")
        if summary.get_attribute("role") != "alert":
            found.append("error summary is not role=alert")
        if page.evaluate("document.activeElement.id") != "error-summary":
            found.append("error summary not focused")
    results = AXE.run(page, options=AXE_OPTIONS)
    for violation in results.response["violations"]:
        targets = [node["target"] for node in violation["nodes"]][:3]
        found.append(f"axe {violation['id']}: {violation['help']} {targets}")
    found += [f"target under 24px: {small}" for small in page.evaluate(SMALL_TARGETS)]
    page.keyboard.press("Tab")  # a keyboard user's focus
    found += [f"focus not visible: {element}" for element in page.evaluate(FOCUS_NOT_SHOWN)]
    return found


class Visit:
    """Checks one page as it is now, in one language at one width, and keeps a screenshot."""

    def __init__(self, page, lang: str, width: int, checked: list[str]):
        self.page, self.lang, self.width, self.checked = page, lang, width, checked

    def __call__(self, name: str, errors: bool = False) -> None:
        label = f"{self.lang}-{self.width}-{name}"
        screenshot(self.page, label)
        assert problems(self.page, self.lang, errors) == [], label
        self.checked.append(label)


def _continue(page, path: str) -> None:
    page.click('button[value="continue"]')
    page.wait_for_url("**" + path)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("lang", list(LOCALES))
def test_every_patient_page_passes_axe_and_the_wcag_checks(
    browser, live_server, app, checked, lang, width
):
    size = WIDTHS[width]
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]},
        locale=LOCALES[lang],
    )
    page = context.new_page()
    visit = Visit(page, lang, size[0], checked)
    base = live_server

    page.goto(base + "/")
    visit("01-start")
    page.click('form[action="/"] button[type="submit"]')
    visit("02-start-errors", errors=True)
    page.check('input[name="privacy"]')
    page.click('form[action="/"] button[type="submit"]')
    expect(page).to_have_url(base + "/step/about-you")
    visit("03-about-you")
    page.click('button[value="continue"]')
    visit("04-about-you-errors", errors=True)
    page.fill("#full_name", "Ana Ejemplo")
    fill_date_of_birth(page)
    page.fill("#phone", "555 010 0123")
    _continue(page, "/step/safety")
    visit("05-safety")
    page.click('button[value="continue"]')
    visit("06-safety-errors", errors=True)
    for radio in page.locator('input[value="no"]').all():
        radio.check()
    _continue(page, "/step/where")
    visit("07-where")
    page.check('input[name="pain_areas"][value="buttock"]')
    page.check('input[name="worst_spot"][value="dimple"]')
    _continue(page, "/step/how-much")
    page.check('input[name="pain_average"][value="7"]')
    visit("08-how-much")
    _continue(page, "/step/daily-life")
    visit("09-daily-life")
    _continue(page, "/step/odi")
    visit("10-odi")
    _continue(page, "/step/treatments")
    page.check('input[name="si_injection"][value="yes"]')  # shows the follow-up question
    page.check('input[name="other_care"][value="none"]')
    visit("11-treatments")
    _continue(page, "/step/health")
    visit("12-health")
    _continue(page, "/step/anything-else")
    page.fill("#comments", "Sitting in the car is the worst.")
    visit("13-anything-else")
    _continue(page, "/review")
    visit("14-review")
    page.click('.later-form button[type="submit"]')
    expect(page).to_have_url(base + "/saved")
    visit("15-saved")
    page.goto(base + "/review")
    page.click('form[action="/review"] button[type="submit"]')
    expect(page).to_have_url(base + "/done")
    visit("16-done")
    app.config["SHOW_OUTCOME_TO_PATIENTS"] = False
    page.reload()
    visit("17-done-outcome-hidden")
    app.config["SHOW_OUTCOME_TO_PATIENTS"] = True

    # A second questionnaire, with a red flag.
    page.goto(base + "/")
    page.check('input[name="privacy"]')
    page.click('form[action="/"] button[type="submit"]')
    page.fill("#full_name", "Ana Ejemplo")
    fill_date_of_birth(page)
    _continue(page, "/step/safety")
    for radio in page.locator('input[value="no"]').all():
        radio.check()
    page.check('input[name="rf_fever"][value="yes"]')
    _continue(page, "/urgent")
    visit("18-urgent")

    page.goto(base + "/resume")
    visit("19-resume")
    page.fill("#code", "ABCD-EFGH")
    fill_date_of_birth(page)
    page.click('form[action="/resume"] button[type="submit"]')
    visit("20-resume-errors", errors=True)
    page.goto(base + "/about-si-joint-fusion")
    visit("21-about")
    page.goto(base + "/no-such-page")
    visit("22-not-found")
    context.close()


def test_the_language_switch_keeps_typed_answers_by_keyboard(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="en-US")
    page = context.new_page()
    page.goto(live_server + "/")
    page.check('input[name="privacy"]')
    page.click('form[action="/"] button[type="submit"]')
    page.locator("#full_name").press_sequentially("Ana Ejemplo")
    page.locator("#phone").press_sequentially("555 010 0123")
    # Back to the switch in the header with Shift+Tab, then Enter.
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.name") == "switch_lang":
            break
    expect(page.locator(":focus")).to_have_text("Español")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_contain_text("Sus datos")
    expect(page.locator("#full_name")).to_have_value("Ana Ejemplo")
    expect(page.locator("#phone")).to_have_value("555 010 0123")
    # Enter in a text box still means Continue, not the switch.
    fill_date_of_birth(page)
    page.locator("#full_name").press("Enter")
    expect(page.locator("h1")).to_contain_text("Señales de alarma")
    screenshot(page, "es-375-switch-kept-answers")
    context.close()
