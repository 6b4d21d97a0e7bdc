"""The queue: urgent first, then newest; filters, search, pages and counts per outcome."""

import re
import unicodedata
from datetime import date, timedelta
from urllib.parse import urlencode, urlsplit
from urllib.request import HTTPCookieProcessor, build_opener

import pytest
from sqlalchemy import func, select

from screener.models import Status, Submission
from tests.answers import CLINIC_REFERRAL, SAFE
from tests.conftest import PASSWORD, make_user
from tests.load.server import Gunicorn

from .conftest import NOW, add_submission, send_questionnaire

REFERENCE = re.compile(r'<span class="reference">([A-Z0-9-]{9})</span>')
STILL_ANSWERING = '<h2 id="still-answering">'


def references(html: str) -> list[str]:
    """The reference codes in the table of sent questionnaires, in order."""
    return REFERENCE.findall(html.partition(STILL_ANSWERING)[0])


def still_answering(html: str) -> list[str]:
    """The reference codes in the "Still answering" section, in order."""
    return REFERENCE.findall(html.partition(STILL_ANSWERING)[2])


def answers(**changes) -> dict:
    return {**CLINIC_REFERRAL, **changes}


def emergency():
    return answers(rf_bladder_bowel="yes")


def same_day():
    return answers(rf_fever="yes")


def soon():
    return answers(rf_weight_loss="yes")


def test_urgent_first_then_newest(app, clinician):
    old_routine = add_submission(app, submitted_at=NOW - timedelta(days=3))
    new_routine = add_submission(app, submitted_at=NOW)
    old_soon = add_submission(app, soon(), submitted_at=NOW - timedelta(days=5))
    same = add_submission(app, same_day(), submitted_at=NOW - timedelta(days=9))
    em_old = add_submission(app, emergency(), submitted_at=NOW - timedelta(days=20))
    em_new = add_submission(app, emergency(), submitted_at=NOW - timedelta(hours=1))
    html = clinician.get("/clinic/").get_data(as_text=True)
    assert references(html) == [em_new, em_old, same, old_soon, new_routine, old_routine]
    assert "URGENT – emergency" in html
    assert "URGENT – same day" in html
    assert "URGENT – soon" in html


def test_unsubmitted_drafts_are_not_listed_but_flagged_ones_are_still_answering(app, clinician):
    hidden = add_submission(app, submitted_at=None, status=Status.DRAFT)
    flagged = add_submission(
        app,
        {**SAFE, "rf_saddle_numbness": "yes"},
        status=Status.DRAFT,
    )
    html = clinician.get("/clinic/").get_data(as_text=True)
    assert references(html) == []
    assert still_answering(html) == [flagged]
    assert hidden not in html
    assert "1 flagged questionnaire still being answered" in html


def test_flagged_drafts_cannot_push_sent_questionnaires_down_the_queue(app, clinician):
    sent = add_submission(app, name="Rosa Quintero")
    sent_urgent = add_submission(app, {**SAFE, "rf_fever": "yes"}, name="Omar Abbott")
    drafts = [
        add_submission(app, emergency(), status=Status.DRAFT, submitted_at=NOW - timedelta(i))
        for i in range(25)
    ]
    html = clinician.get("/clinic/").get_data(as_text=True)
    assert references(html) == [sent_urgent, sent]
    assert still_answering(html) == drafts[:20]  # newest first, twenty at most
    assert "Showing 20 of 25" in html
    assert "25 flagged questionnaires still being answered" in html
    # The counts and the total are of sent questionnaires only.
    assert "2 submissions." in html


def test_rows_show_name_outcome_language_and_review_state(app, clinician):
    add_submission(app, name="Rosa Quintero", language="es", reviewed=True)
    add_submission(app, answers(pain_duration="3m_6m"), name="Omar Abbott")
    html = clinician.get("/clinic/").get_data(as_text=True)
    assert "Rosa Quintero" in html
    assert "Spanish" in html
    assert "Discuss referral" in html
    assert "Not yet" in html
    assert "✓ Reviewed" in html
    assert ">New<" in html


def test_filter_by_outcome(app, clinician):
    urgent = add_submission(app, emergency())
    routine = add_submission(app)
    html = clinician.get("/clinic/?category=urgent").get_data(as_text=True)
    assert references(html) == [urgent]
    html = clinician.get("/clinic/?category=discuss_referral").get_data(as_text=True)
    assert references(html) == [routine]


def test_filter_by_review_status(app, clinician):
    seen = add_submission(app, reviewed=True)
    fresh = add_submission(app)
    assert references(clinician.get("/clinic/?review=new").get_data(as_text=True)) == [fresh]
    assert references(clinician.get("/clinic/?review=reviewed").get_data(as_text=True)) == [seen]


def test_filter_by_submitted_dates(app, clinician):
    may_1 = add_submission(app, submitted_at=NOW.replace(day=1, hour=0, minute=0))
    may_3 = add_submission(app, submitted_at=NOW.replace(day=3, hour=23, minute=59))
    may_4 = add_submission(app, submitted_at=NOW)
    html = clinician.get("/clinic/?date_from=2026-05-02&date_to=2026-05-03").get_data(as_text=True)
    assert references(html) == [may_3]
    html = clinician.get("/clinic/?date_from=2026-05-03").get_data(as_text=True)
    assert references(html) == [may_4, may_3]
    html = clinician.get("/clinic/?date_to=2026-05-01").get_data(as_text=True)
    assert references(html) == [may_1]


def test_a_filter_that_does_not_parse_is_ignored(app, clinician):
    reference = add_submission(app)
    response = clinician.get("/clinic/?date_from=yesterday&category=bogus&review=maybe")
    assert response.status_code == 200
    assert references(response.get_data(as_text=True)) == [reference]


def search(clinician, typed: str) -> list[str]:
    return references(clinician.get("/clinic/", query_string={"q": typed}).text)


def test_search_by_part_of_a_name_ignores_case(app, clinician):
    # SQLite's LIKE ignores ASCII case by itself: without the app's folding this fails on
    # PostgreSQL only; the next test's non-ASCII names fail on both.
    rosa = send_questionnaire(app, "Rosa Quintero")
    send_questionnaire(app, "Omar Abbott")
    assert search(clinician, "quin") == [rosa]
    assert search(clinician, "ROSA Q") == [rosa]


@pytest.mark.parametrize(
    ("name", "typed"),
    [
        ("Anna Straße", "STRASSE"),
        ("Anna Straße", "straße"),
        ("María Quintero", "maría"),
        ("Álvaro Núñez", "ÁLVARO NÚ"),  # fails on SQLite too, whose LIKE folds ASCII itself
        (unicodedata.normalize("NFD", "María Quintero"), "maría"),  # an accent typed apart
    ],
)
def test_search_folds_case_beyond_ascii(app, clinician, name, typed):
    wanted = send_questionnaire(app, name)
    send_questionnaire(app, "Omar Abbott")
    assert search(clinician, typed) == [wanted]


def test_search_treats_wildcards_as_text(app, clinician):
    add_submission(app, name="Rosa Quintero")
    assert references(clinician.get("/clinic/?q=%25").get_data(as_text=True)) == []
    assert references(clinician.get("/clinic/?q=_").get_data(as_text=True)) == []


def test_search_by_reference_code_with_or_without_dash(app, clinician):
    wanted = add_submission(app, name="Rosa Quintero")
    add_submission(app, name="Omar Abbott")
    for typed in (wanted, wanted.lower(), wanted.replace("-", ""), wanted[:6]):
        html = clinician.get("/clinic/", query_string={"q": typed}).get_data(as_text=True)
        assert wanted in references(html), typed


def search_over_http(base: str, typed: str) -> str:
    """Sign in to a real server as doc@clinic.example, search the queue; returns the page."""
    browser = build_opener(HTTPCookieProcessor())
    form = {"email": "doc@clinic.example", "password": PASSWORD}
    if token := re.search(r'name="csrf_token"[^>]*value="([^"]+)"', read(browser, base, "login")):
        form["csrf_token"] = token[1]
    assert urlsplit(open_url(browser, base, "login", form).url).path == "/clinic/"  # signed in
    return read(browser, base, "?" + urlencode({"q": typed}))


def open_url(browser, base: str, path: str, form: dict | None = None):
    data = None if form is None else urlencode(form).encode()
    return browser.open(f"{base}/clinic/{path}", data=data, timeout=30)


def read(browser, base: str, path: str) -> str:
    with open_url(browser, base, path) as response:
        return response.read().decode()


def test_the_development_server_does_not_log_the_name_search(app, live_server, caplog):
    # werkzeug's server (flask run, scripts/serve) logs a line per request, query string and
    # all, through the "werkzeug" logger; caplog receives whatever that logger lets through.
    add_submission(app, name="Rosa Quintero")
    make_user(app, "doc@clinic.example")
    page = search_over_http(live_server, "Quintero")
    assert "Rosa Quintero" in page  # the search ran, and found her
    assert "quintero" not in caplog.text.lower()


def test_gunicorn_with_its_access_log_does_not_log_the_name_search(app, tmp_path):
    # gunicorn reads the checkout's gunicorn.conf.py, whose access log format has no query
    # string (the search sends the name in it: GET /clinic/?q=...).
    add_submission(app, name="Rosa Quintero")
    make_user(app, "doc@clinic.example")
    server = Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "server.log", workers=1)
    try:
        server.start()
        page = search_over_http(f"http://127.0.0.1:{server.port}", "Quintero")
    finally:
        server.stop()
    log = server.log.read_text()
    assert "Rosa Quintero" in page
    assert '"GET /clinic/' in log  # the access log is on: it has the request lines
    assert "quintero" not in log.lower()


def test_pages_of_fifty(app, clinician):
    from screener import demo
    from screener.extensions import db

    with app.app_context():
        demo.seed(120, now=NOW)
        db.session.commit()
        sent = db.session.scalar(select(func.count()).where(Submission.status == Status.SUBMITTED))
    assert 100 < sent < 120  # the demo has flagged drafts too: listed apart, not paged
    first = references(clinician.get("/clinic/").get_data(as_text=True))
    second = references(clinician.get("/clinic/?page=2").get_data(as_text=True))
    third_html = clinician.get("/clinic/?page=3").get_data(as_text=True)
    assert len(first) == len(second) == 50
    assert len(references(third_html)) == sent - 100
    assert not set(first) & set(second)
    assert "Page 3 of 3" in third_html
    # Past the end shows the last page.
    assert references(clinician.get("/clinic/?page=99").get_data(as_text=True)) == references(
        third_html
    )


def test_page_links_keep_the_filters(app, clinician):
    from screener import demo

    with app.app_context():
        demo.seed(150, now=NOW)
    html = clinician.get("/clinic/?review=new").get_data(as_text=True)
    assert "page=2" in html and "review=new" in re.search(r'href="([^"]*page=2[^"]*)"', html)[1]


def test_counts_per_outcome_follow_every_filter_but_the_outcome(app, clinician):
    add_submission(app, emergency())
    add_submission(app, emergency(), reviewed=True)
    add_submission(app)
    add_submission(app, answers(worst_spot="spine_center"))
    html = clinician.get("/clinic/?category=urgent").get_data(as_text=True)
    counts = dict(re.findall(r'count-label">([^<]+)</span> <span class="count">(\d+)', html))
    assert counts == {
        "All": "4",
        "Urgent": "2",
        "Discuss referral": "1",
        "Not yet": "0",
        "Pattern unclear": "1",
        "Incomplete": "0",
    }
    html = clinician.get("/clinic/?review=new").get_data(as_text=True)
    counts = dict(re.findall(r'count-label">([^<]+)</span> <span class="count">(\d+)', html))
    assert counts["Urgent"] == "1"
    assert counts["All"] == "3"


def test_empty_queue_says_so(clinician):
    html = clinician.get("/clinic/").get_data(as_text=True)
    assert "No submissions." in html


def test_dates_before_and_after_are_utc_days(app, clinician):
    late = add_submission(app, submitted_at=NOW.replace(hour=23, minute=30))
    html = clinician.get(f"/clinic/?date_to={date(2026, 5, 4).isoformat()}").get_data(as_text=True)
    assert references(html) == [late]
