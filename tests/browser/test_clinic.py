"""The clinic side in a real browser: sign in, work the queue, review; accessibility and print."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from screener import demo
from screener.models import Role
from tests.answers import CLINIC_REFERRAL
from tests.clinic.conftest import add_submission
from tests.conftest import PASSWORD, make_user

from .conftest import ARTIFACTS, screenshot

LAPTOP = {"width": 1366, "height": 768}


def no_axe_violations(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def pdf_pages(page, name: str) -> int:
    """Print the page to an A4 PDF (kept beside the screenshots) and count its pages."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    data = page.pdf(path=str(ARTIFACTS / f"{name}.pdf"), format="A4", print_background=True)
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


@pytest.fixture
def clinic(app, live_server, browser):
    """A laptop-sized page, a clinician account and a queue of demo submissions."""
    now = datetime.now(UTC)
    reviewer = make_user(app, "boss@clinic.example", Role.ADMIN)
    make_user(app, "doc@clinic.example")
    with app.app_context():
        demo.seed(60, seed=4, now=now - timedelta(hours=2), reviewer_id=reviewer)
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/clinic/")
    expect(page).to_have_url(re.compile(r"/clinic/login\?next="))
    page.get_by_label("Email").fill("doc@clinic.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()


def test_clinician_finds_the_urgent_submission_first_reviews_it_and_adds_a_note(
    app, live_server, clinic
):
    page = clinic
    urgent = {
        **CLINIC_REFERRAL,
        "rf_bladder_bowel": "yes",
        "rf_fever": "unsure",
        "leg_symptoms_below_knee": "yes",
        "comments": "Since Sunday I can't feel the toilet seat properly.",
    }
    reference = add_submission(
        app, urgent, name="Elena Castillo", submitted_at=datetime.now(UTC) - timedelta(minutes=5)
    )

    page.goto(f"{live_server}/clinic/login")
    no_axe_violations(page)
    screenshot(page, "clinic-login")
    sign_in(page, live_server)

    first = page.locator("table.queue tbody tr").first
    expect(first).to_contain_text("URGENT – emergency")
    expect(first).to_contain_text("Elena Castillo")
    no_axe_violations(page)
    screenshot(page, "clinic-queue")

    first.get_by_role("link", name="Elena Castillo").click()
    expect(page.get_by_role("heading", name="URGENT – emergency")).to_be_visible()
    expect(page.get_by_text(reference).first).to_be_visible()
    no_axe_violations(page)
    screenshot(page, "clinic-summary-urgent")

    page.get_by_role("button", name="Mark reviewed").click()
    expect(page.get_by_text("✓ Reviewed by doc@clinic.example")).to_be_visible()
    page.get_by_label("Add a note").fill("Phoned the patient: going to the emergency room now.")
    page.get_by_role("button", name="Add note").click()
    notes = page.locator(".note-list")
    expect(notes).to_contain_text("Phoned the patient: going to the emergency room now.")
    expect(notes).to_contain_text("doc@clinic.example")
    no_axe_violations(page)

    page.get_by_role("link", name="Back to the queue").click()
    expect(page.locator("table.queue tbody tr").first).to_contain_text("✓ Reviewed")


def test_a_summary_fits_one_laptop_screen_and_one_printed_page(app, live_server, clinic):
    page = clinic
    answers = {
        **CLINIC_REFERRAL,
        "rf_cancer_history": "unsure",
        "nicotine": "yes",
        "metal_allergy": "unsure",
        "imaging": "gt_12m",
        "home_exercise": "no",
        "si_injection": "yes",
        "si_injection_relief": "50_74",
        "prior_lumbar_fusion": "yes",
        "worse_with": ["sitting_on_side", "rising_from_chair", "rolling_in_bed", "stairs"],
        "other_care": ["chiropractic", "brace_belt", "activity_change"],
        "comments": "I have had this pain since my second pregnancy. Sitting in the car for more "
        "than half an hour is the worst, and I now work from home because of it. I would like "
        "to know whether an injection could help before anything else.",
    }
    reference = add_submission(app, answers, name="Marta Lindqvist")
    sign_in(page, live_server)
    page.goto(f"{live_server}/clinic/submissions/{reference}")
    expect(page.get_by_role("heading", name="Outcome: Discuss referral")).to_be_visible()
    no_axe_violations(page)
    screenshot(page, "clinic-summary")
    page.screenshot(path=str(ARTIFACTS / "clinic-summary-fold.png"))

    # Outcome, review and the whole criteria table are above the fold.
    table = page.locator("table.criteria").bounding_box()
    assert table["y"] + table["height"] <= LAPTOP["height"], table
    pages = pdf_pages(page, "clinic-summary")
    # What the printed page looks like, for reviewers: A4 less its margins, at 96 dpi.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 718, "height": 1047})
    screenshot(page, "clinic-summary-print")
    assert pages == 1


def test_an_urgent_summary_prints_on_one_page(app, live_server, clinic):
    page = clinic
    reference = add_submission(
        app, {**CLINIC_REFERRAL, "rf_saddle_numbness": "yes", "rf_weight_loss": "yes"}
    )
    sign_in(page, live_server)
    page.goto(f"{live_server}/clinic/submissions/{reference}")
    table = page.locator("table.criteria").bounding_box()
    assert table["y"] + table["height"] <= LAPTOP["height"], table
    assert pdf_pages(page, "clinic-summary-urgent") == 1


def test_admin_pages_are_accessible(app, live_server, clinic):
    page = clinic
    page.goto(f"{live_server}/clinic/login")
    page.get_by_label("Email").fill("boss@clinic.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    no_axe_violations(page)
    screenshot(page, "clinic-users")
    page.get_by_role("link", name="Add a user").click()
    no_axe_violations(page)
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter an email address.")
    no_axe_violations(page)
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("table.audit tbody")).to_contain_text("Signed in")
    no_axe_violations(page)
    screenshot(page, "clinic-audit")


@pytest.mark.parametrize("app_config", [{"QUEUE_POLL_SECONDS": 0.3}])
def test_an_open_queue_on_a_phone_tells_of_new_urgent_questionnaires(app, live_server, phone_page):
    make_user(app, "doc@clinic.example")
    add_submission(app, name="Rosa Quintero", submitted_at=datetime.now(UTC) - timedelta(hours=1))
    page = phone_page
    sign_in(page, live_server)
    live = page.locator("#urgent-live")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live).to_be_empty()
    # The connection drops for a few polls: the page keeps asking once it is back.
    dropped = []

    def drop(route):
        dropped.append(route.request.url)
        route.abort("internetdisconnected")

    page.route("**/clinic/queue/urgent-count*", drop)
    page.wait_for_timeout(1000)  # about three polls at 0.3 s
    page.unroute("**/clinic/queue/urgent-count*")
    assert len(dropped) >= 2
    # A patient answers "yes" to a red flag while the queue stays open.
    add_submission(app, {**CLINIC_REFERRAL, "rf_bladder_bowel": "yes"}, name="Elena Castillo")
    expect(live).to_have_text(
        "1 new urgent submission since this page was loaded. Reload the queue"
    )
    no_axe_violations(page)
    screenshot(page, "clinic-queue-phone-new-urgent")
    live.get_by_role("link", name="Reload the queue").click()
    expect(page.locator("table.queue tbody tr").first).to_contain_text("Elena Castillo")
