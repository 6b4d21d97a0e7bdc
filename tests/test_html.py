"""Every page is valid HTML (html5lib's strict parser) whose ids are unique and whose id
references (for=, aria-labelledby, aria-describedby, aria-controls, #links) point to an id on
the page. The clinic is crawled from the queue by its links, so a new page is checked as soon as
something links to it; pages that only form errors reach, and the patient's pages, are visited
one by one."""

import re
from collections import Counter
from urllib.parse import urlsplit

import html5lib
import pytest
from html5lib.constants import E
from sqlalchemy import select

from screener import demo
from screener.extensions import db
from screener.models import Role, Status, User
from tests.answers import CLINIC_REFERRAL, IDENTITY, REFERRAL, URGENT, typed_dob
from tests.clinic.conftest import add_submission
from tests.conftest import PASSWORD, make_user
from tests.patient.conftest import CLINICAL_STEPS, step_data

REFERENCES = ("for", "aria-labelledby", "aria-describedby", "aria-controls")
CRAWL_LIMIT = 60
# Links the crawler does not follow: files, not pages.
NOT_PAGES = (".csv", ".json", "/fhir")
# With CSRF on, as in production: with it off, a form's token field renders nothing at all.
WITH_CSRF = pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])


def html_problems(html: str) -> list[str]:
    """What is wrong with a page: its first parse error, else repeated ids and references to
    ids the page does not have."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        tree = parser.parse(html)
    except html5lib.html5parser.ParseError:
        (line, column), code, data = parser.errors[-1]
        return [f"parse error at line {line}, column {column}: {E.get(code, code) % data}"]
    elements = list(tree.iter())
    ids = Counter(el.get("id") for el in elements if el.get("id") is not None)
    found = [f'id="{id_}" is used {n} times' for id_, n in ids.items() if n > 1]
    for el in elements:
        for attribute in REFERENCES:
            for ref in (el.get(attribute) or "").split():
                if ref not in ids:
                    found.append(f'<{el.tag} {attribute}="{ref}">: no element has this id')
        href = el.get("href") or ""
        if el.tag == "a" and href.startswith("#") and len(href) > 1 and href[1:] not in ids:
            found.append(f'<a href="{href}">: no element has this id')
    return found


def page_links(html: str) -> list[str]:
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    return [a.get("href") for a in tree.iter("a") if a.get("href")]


def test_the_checker_finds_each_kind_of_problem():
    page = "<!doctype html><html lang=en><head><title>t</title></head><body>{}</body></html>"
    assert html_problems(page.format('<p id="a">x</p><label for="a">y</label>')) == []
    assert "parse error" in html_problems(page.format("<p>x</div>"))[0]
    assert html_problems(page.format('<i id="a"></i><i id="a"></i>')) == ['id="a" is used 2 times']
    assert html_problems(page.format('<input aria-describedby="a b" id="a">')) == [
        '<input aria-describedby="b">: no element has this id'
    ]
    assert html_problems(page.format('<a href="#nowhere">x</a>')) == [
        '<a href="#nowhere">: no element has this id'
    ]


class Checked:
    """A browser that checks every page it is shown; posts carry the latest page's CSRF
    token."""

    def __init__(self, client):
        self.client = client
        self.problems: dict[str, list[str]] = {}
        self.token = ""
        self.at = ""

    def page(self, name: str, response, status: int = 200) -> str:
        html = response.get_data(as_text=True)
        assert response.status_code == status, (name, response.status_code)
        assert response.mimetype == "text/html", name
        self.problems[name] = html_problems(html)
        self.at = response.request.path  # where the redirects ended
        if found := re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html):
            self.token = found.group(1)
        return html

    def get(self, url: str, status: int = 200) -> str:
        return self.page(url, self.client.get(url, follow_redirects=True), status)

    def post(self, name: str, url: str, data: dict, status: int = 200) -> str:
        data = {"csrf_token": self.token, **data}
        return self.page(name, self.client.post(url, data=data, follow_redirects=True), status)

    def crawl(self, start: str, limit: int = CRAWL_LIMIT) -> int:
        """Check `start` and the same-site clinic pages it leads to (one query string a path at
        most, no downloads), up to `limit` pages; return how many were checked."""
        queue, planned = [start], {(urlsplit(start).path, bool(urlsplit(start).query))}
        checked = 0
        while queue and checked < limit:
            html = self.get(queue.pop(0))
            checked += 1
            for href in page_links(html):
                path, query = urlsplit(href).path, bool(urlsplit(href).query)
                if not path.startswith(("/clinic", "/auth")) or path.endswith(NOT_PAGES):
                    continue
                if "fhir" in path or (path, query) in planned:
                    continue
                planned.add((path, query))
                queue.append(href.split("#")[0])
        return checked

    def failures(self) -> dict[str, list[str]]:
        return {name: found for name, found in self.problems.items() if found}


def seed_clinic(app) -> str:
    """Submissions of every outcome and urgency (some reviewed, with notes), a flagged draft,
    unsure red flags and a comment; returns the reference of a plain referral."""
    boss = make_user(app, "boss@clinic.example", Role.ADMIN)
    make_user(app, "doc@clinic.example")
    gone = make_user(app, "gone@clinic.example")
    with app.app_context():
        db.session.get(User, gone).set_active(False)
        demo.seed(14, reviewer_id=boss)
        db.session.commit()
    add_submission(app, {"rf_bladder_bowel": "yes"}, name="Dora Draft", status=Status.DRAFT)
    add_submission(app, {**CLINIC_REFERRAL, "rf_fever": "unsure"}, name="Una Unsure")
    add_submission(app, URGENT["emergency"], name="Emma Emergency", language="es")
    return add_submission(app, name="Rosa Quintero", reviewed=True)


@WITH_CSRF
def test_every_clinic_page_is_valid_html_with_unique_ids(app, client):
    referral = seed_clinic(app)
    checked = Checked(client)
    checked.get("/clinic/login")
    checked.post("login error", "/clinic/login", {"email": "boss@clinic.example"})
    checked.post("login wrong", "/clinic/login", {"email": "x@y.z", "password": "wrong!"})
    checked.post("queue", "/clinic/login", {"email": "boss@clinic.example", "password": PASSWORD})
    note_url = f"/clinic/submissions/{referral}/notes"
    checked.post("a note", note_url, {"body": "Called; visit booked."})
    crawled = checked.crawl("/clinic/")
    assert crawled >= 25  # the queue, every summary, the admin pages of both users

    # Pages that only form errors reach.
    checked.post("note too long", note_url, {"body": "x" * 5001}, status=400)
    checked.post("empty note", note_url, {"body": ""}, status=400)
    checked.get("/clinic/?date_from=1999-01-01&date_to=1998-01-01&q=" + "x" * 101)
    checked.post("new user errors", "/clinic/admin/users/new", {"password": "short"})
    users = "/clinic/admin/users"
    checked.post("new user taken", users + "/new", {"email": "doc@clinic.example"})
    with app.app_context():
        boss = db.session.scalar(select(User.id).where(User.role == Role.ADMIN))  # the only one
    checked.post("password errors", f"{users}/{boss}/password", {"password": "short"})
    checked.post("last admin", f"{users}/{boss}/role", {"role": "clinician"})
    checked.get("/clinic/confirm")
    checked.post("confirm error", "/clinic/confirm", {"password": "not it"})
    checked.get("/clinic/submissions/NONE-SUCH", status=404)
    for name, data in {
        "own password errors": {"current": "", "password": "short", "confirm": "other"},
        "own password wrong": {"current": "wrong!", "password": "x" * 12, "confirm": "x" * 12},
    }.items():
        checked.post(name, "/clinic/account/password", data)
    assert checked.failures() == {}


@WITH_CSRF
def test_every_patient_page_is_valid_html_with_unique_ids(app, client):
    checked = Checked(client)
    checked.get("/")
    checked.post("start error", "/", {})
    checked.get("/about-si-joint-fusion")
    checked.get("/resume")
    checked.post("resume errors", "/resume", {"code": ""})
    checked.post("resume wrong", "/resume", {"code": "ABCD-EFGH", **typed_dob("1", "2", "1950")})
    checked.get("/resume/not-a-token", status=404)
    checked.get("/nowhere", status=404)

    checked.post("about-you", "/", {"privacy": "y"})
    checked.post("about-you errors", "/step/about-you", {"full_name": ""})
    checked.post("safety", "/step/about-you", IDENTITY)
    for step in CLINICAL_STEPS:
        checked.post(f"{step.slug} errors", f"/step/{step.slug}", {"pain_average": "11"})
        answers = URGENT["soon"] if step.slug == "safety" else REFERRAL
        checked.post(f"after {step.slug}", f"/step/{step.slug}", step_data(step, answers))
    assert checked.at == "/review"
    checked.get("/urgent")
    checked.post("saved", f"/step/{CLINICAL_STEPS[-1].slug}", {"action": "later"})
    assert checked.at == "/saved"
    checked.get("/review")
    checked.post("start again", "/", {"privacy": "y"})
    checked.post("done", "/review", {})
    assert checked.at == "/done"
    checked.post("finished", "/finish", {})

    # A second patient, in Spanish, whose answers are sent without urgency.
    other = Checked(app.test_client())
    other.get("/language/es")
    other.post("es about-you", "/", {"privacy": "y"})
    other.post("es safety", "/step/about-you", IDENTITY)
    for step in CLINICAL_STEPS:
        other.post(f"es after {step.slug}", f"/step/{step.slug}", step_data(step, REFERRAL))
    other.post("es done", "/review", {})
    assert other.at == "/done"
    problems = checked.failures() | {f"es {name}": p for name, p in other.failures().items()}
    assert problems == {}
    assert len(checked.problems) + len(other.problems) > 30
