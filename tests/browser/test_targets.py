"""Big enough to tap on a phone: at 375 pixels, in English and in Spanish, every radio and
checkbox row, every body-diagram region, every number of the pain scale and every button or
link that stands alone is at least 44 pixels, and no page is wider than the phone."""

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from screener.catalogue import QUESTIONS, Widget
from screener.patient import pages
from tests.answers import REFERRAL
from tests.patient.conftest import answer_steps, begin

from .conftest import licensed_odi_config, screenshot

PHONE = {"width": 375, "height": 740}
TARGET = 44  # CSS pixels, the product's minimum (WCAG 2.5.8 asks 24)
LOCALES = {"en": "en-US", "es": "es-MX"}  # the browser's language picks the page's
SCALES = [q for q in QUESTIONS.values() if q.widget is Widget.SCALE]

# What is too small or too wide on the page as it is now. A radio or checkbox is measured with
# its labels (the box that clicks it); a body-diagram region by each shape drawn for it; a
# button or a link by its height, except a link inside a sentence (WCAG's inline exception).
MEASURE = """() => {
  const found = [];
  const size = (r) => `${Math.round(r.width)}x${Math.round(r.height)}`;
  for (const input of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
    if (!input.checkVisibility()) continue;
    const boxes = [input, ...input.labels].map((el) => el.getBoundingClientRect());
    const width = Math.max(...boxes.map((b) => b.right)) - Math.min(...boxes.map((b) => b.left));
    const height = Math.max(...boxes.map((b) => b.bottom)) - Math.min(...boxes.map((b) => b.top));
    if (width < 44 || height < 44) {
      found.push(`${input.name}=${input.value} target ${Math.round(width)}x${Math.round(height)}`);
    }
  }
  for (const shape of document.querySelectorAll('.body-diagram .region > :not(title)')) {
    const box = shape.getBoundingClientRect();
    if (Math.min(box.width, box.height) < 44) {
      found.push(`region ${shape.parentNode.dataset.area} ${size(box)}`);
    }
  }
  for (const el of document.querySelectorAll('button, a[href]')) {
    if (!el.checkVisibility()) continue;
    if (el.tagName === 'A' && getComputedStyle(el).display === 'inline'
        && el.closest('p, li, dd, td')) continue;
    const box = el.getBoundingClientRect();
    if (box.height < 44) found.push(`${el.textContent.trim()} ${size(box)}`);
  }
  const width = document.documentElement.scrollWidth;
  if (width > window.innerWidth) found.push(`page is ${width}px wide`);
  return found;
}"""

# Where the words for each end of a scale are shown, as gaps in pixels to the first and the last
# number's target: [[to first, to last], ...] for every element that shows them (not one that
# is visually hidden, nor one that is not drawn).
END_WORDS = """([group, low, high]) => {
  const field = document.getElementById(group);
  const target = (input) => {
    const boxes = [input, ...input.labels].map((el) => el.getBoundingClientRect());
    return {
      left: Math.min(...boxes.map((b) => b.left)), right: Math.max(...boxes.map((b) => b.right)),
      top: Math.min(...boxes.map((b) => b.top)), bottom: Math.max(...boxes.map((b) => b.bottom)),
    };
  };
  const inputs = field.querySelectorAll('input[type=radio]');
  const first = target(inputs[0]), last = target(inputs[inputs.length - 1]);
  const gap = (a, b) => Math.max(0, a.left - b.right, b.left - a.right)
    + Math.max(0, a.top - b.bottom, b.top - a.bottom);
  const shownAt = (words) => [...field.querySelectorAll('*')]
    .filter((el) => el.children.length === 0 && el.textContent.trim() === words)
    .map((el) => el.getBoundingClientRect())
    .filter((box) => box.width > 2 && box.height > 2)
    .map((box) => [gap(box, first), gap(box, last)]);
  return {low: shownAt(low), high: shownAt(high), zeroFirst: first.top < last.top
    || (first.top === last.top && first.left < last.left)};
}"""


@pytest.fixture
def app_config(tmp_path):
    """A synthetic licensed ODI file, so its step is measured too."""
    return licensed_odi_config(tmp_path)


def tap(page, label) -> None:
    """Click a label near its far end, on whatever is drawn there, as a finger would."""
    label.scroll_into_view_if_needed()
    area = label.bounding_box()
    page.mouse.click(area["x"] + area["width"] - 4, area["y"] + area["height"] / 2)


def toggles(page) -> list[str]:
    """Click each visible radio and checkbox on its label's far end (the padded row, not the
    box): report those it does not toggle. Each answer is put back as it was."""
    found = []
    for box in page.locator("input[type=radio]:visible, input[type=checkbox]:visible").all():
        name, value = box.get_attribute("name"), box.get_attribute("value")
        label = page.locator(f'label[for="{box.get_attribute("id")}"]')
        if box.get_attribute("type") == "checkbox":
            was = box.is_checked()
            tap(page, label)
            toggled = box.is_checked() != was
            tap(page, label)
        else:
            chosen = page.locator(f'input[name="{name}"]:checked')
            before = chosen.get_attribute("id") if chosen.count() else None
            tap(page, label)
            toggled = box.is_checked()
            if before:
                tap(page, page.locator(f'label[for="{before}"]'))
        if not toggled:
            found.append(f"{name}={value}: its label does not toggle it")
    return found


def scale_ends(page, lang: str, app) -> list[str]:
    """Report a scale whose end words are not shown next to their own end, 0's first."""
    found = []
    with app.test_request_context(), force_locale(lang):
        ends = {q.key: (gettext(q.options[0].label), gettext(q.options[-1].label)) for q in SCALES}
    for key, (low, high) in ends.items():
        where = page.evaluate(END_WORDS, [f"{key}-group", low, high])
        if not where["zeroFirst"]:
            found.append(f"{key}: 0 is not first")
        for end, mine in (("low", 0), ("high", 1)):
            if not any(gaps[mine] <= 12 and gaps[mine] < gaps[1 - mine] for gaps in where[end]):
                found.append(f"{key}: the {end} words are not next to their end: {where[end]}")
    return found


@pytest.mark.parametrize("lang", list(LOCALES))
def test_every_target_is_44_pixels_at_375_wide(browser, live_server, app, lang):
    context = browser.new_context(viewport=PHONE, locale=LOCALES[lang])
    page = context.new_page()
    page.set_default_timeout(5000)
    found = []

    def measure(name: str) -> None:
        page.wait_for_load_state()
        screenshot(page, f"targets-{name}-{lang}")
        found.extend(f"{name}: {problem}" for problem in page.evaluate(MEASURE) + toggles(page))

    page.goto(live_server + "/")
    measure("start")
    page.click('form[action="/"] button[type="submit"]')
    measure("start-errors")
    page.check('input[name="privacy"]')
    page.click('form[action="/"] button[type="submit"]')
    expect(page).to_have_url(live_server + "/step/about-you")
    measure("about-you")
    page.click('button[value="continue"]')
    expect(page.locator("#error-summary")).to_be_visible()
    measure("about-you-errors")

    # The rest on a draft started through the client (About you as tests/patient fills it in),
    # so this test does not depend on how About you asks for the date of birth.
    client = app.test_client()
    begin(client)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server}])
    page.goto(live_server + "/step/safety")
    page.click('button[value="continue"]')
    expect(page.locator("#error-summary")).to_be_visible()
    measure("safety-errors")

    answer_steps(client, REFERRAL)  # every question answered: follow-ups shown, review full
    with app.app_context():
        slugs = [step.slug for step in pages.steps()]
    for slug in slugs:
        page.goto(f"{live_server}/step/{slug}")
        measure(slug)
        if slug == "how-much":
            found.extend(scale_ends(page, lang, app))
    page.goto(live_server + "/review")
    measure("review")
    context.close()
    assert not found, "\n".join(found)
