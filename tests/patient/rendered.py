"""Every page a patient can see, rendered through the client in one language, and its text."""

import re
from html.parser import HTMLParser

from flask import render_template
from werkzeug.exceptions import default_exceptions

from screener.catalogue import STEPS
from screener.errors import MESSAGES, render_error
from tests.answers import (
    BORN,
    IDENTITY,
    INCOMPLETE,
    NOT_YET,
    PATTERN_UNCLEAR,
    REFERRAL,
    URGENT,
    dob_parts,
)

from .conftest import answer_steps, begin, invite

# Elements whose text stands on its own, like a sentence (a heading, a label, a list item).
BLOCKS = {
    "address", "button", "dd", "div", "dt", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6",
    "label", "legend", "li", "option", "p", "summary", "td", "th", "title",
}  # fmt: skip
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
# Not read by anyone (head, scripts) or not words (codes, web addresses, the phone number).
SKIPPED_TAGS = {"head", "script", "style", "svg", "template"}
SKIPPED_CLASSES = {"code", "resume-link"}


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skipping: list[str] = []  # the open elements whose text is skipped

    def _flush(self):
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        if (
            self.skipping
            or tag in SKIPPED_TAGS
            or "hidden" in attributes
            or classes & SKIPPED_CLASSES
            or (attributes.get("href") or "").startswith("tel:")
        ):
            self.skipping.append(tag)
            return
        if tag in BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if self.skipping:
            if self.skipping[-1] == tag:
                self.skipping.pop()
            return
        if tag in BLOCKS:
            self._flush()

    def handle_data(self, data):
        if not self.skipping:
            self.current.append(data)

    def close(self):
        super().close()
        self._flush()


def visible_blocks(html: str) -> list[str]:
    """The text a reader sees, one entry per block (heading, paragraph, label, button...)."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser.blocks


def visible_text(html: str) -> str:
    """Visible text as sentences: each block ends with a full stop unless it has one, so a
    heading or an answer label counts as a short sentence of its own, as a reader takes it."""
    sentences = []
    for block in visible_blocks(html):
        if not re.search(r"[A-Za-zÀ-ÿ]", block):
            continue  # numbers on a scale, a date: not words
        sentences.append(block if block[-1] in ".!?:;" else block + ".")
    return "\n".join(sentences)


# --- The pages --------------------------------------------------------------------------------

PROBLEMS = (
    "expired", "bad_link", "locked", "sent", "rate_limited", "invitation_expired",
    "invitation_locked",
)  # fmt: skip


def _client(app, lang: str):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    return client


def _get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.text


def _send(client, answers: dict) -> str:
    """Send a questionnaire from this client; the first showing of /done."""
    begin(client)
    answer_steps(client, answers)
    assert client.post("/review").status_code == 302
    return _get(client, "/done")


def _sent(app, lang: str, answers: dict) -> str:
    return _send(_client(app, lang), answers)


def patient_pages(app, lang: str) -> dict[str, str]:
    """Each patient page's HTML in `lang`, by name; the ODI step is left out (its text is the
    clinic's licensed wording, not ours)."""
    pages = {}
    client = _client(app, lang)
    pages["start"] = _get(client, "/")
    pages["start-errors"] = client.post("/", data={}).text
    pages["about"] = _get(client, "/about-si-joint-fusion")
    pages["resume"] = _get(client, "/resume")
    unknown_code = {"code": "ABCD-EFGH", **dob_parts(BORN)}
    pages["resume-errors"] = client.post("/resume", data=unknown_code).text
    assert client.post("/", data={"privacy": "y"}).status_code == 302
    pages["about-you-errors"] = client.post("/step/about-you", follow_redirects=True).text
    assert client.post("/step/about-you", data=IDENTITY).status_code == 302
    pages["safety-errors"] = client.post("/step/safety", follow_redirects=True).text
    for step in STEPS:
        pages[f"step-{step.slug}"] = _get(client, f"/step/{step.slug}")
    answer_steps(client, REFERRAL)
    pages["review"] = _get(client, "/review")
    client.post("/step/anything-else", data={"action": "later"})
    pages["saved"] = _get(client, "/saved")
    pages["start-in-progress"] = _get(client, "/")
    pages["start-again"] = client.post("/", data={"privacy": "y"}).text

    # A clinic's invitation: its page, a wrong date of birth, and About you with its details.
    invited = _client(app, lang)
    link = invite(app, language=lang)
    pages["invitation"] = _get(invited, link)
    pages["invitation-errors"] = invited.post(link, data=dob_parts(BORN.replace(year=1971))).text
    assert invited.post(link, data=dob_parts(BORN)).status_code == 302
    pages["step-about-you-invited"] = _get(invited, "/step/about-you")
    pages["invitation-in-progress"] = _get(client, invite(app, language=lang))

    for level, answers in URGENT.items():
        urgent = _client(app, lang)
        begin(urgent)
        assert urgent.post("/step/safety", data=answers).location == "/urgent"
        pages[f"urgent-{level}"] = _get(urgent, "/urgent")
    pages["done-urgent"] = _sent(app, lang, {**REFERRAL, **URGENT["soon"]})
    pages["done-emergency"] = _sent(app, lang, {**REFERRAL, **URGENT["emergency"]})
    pages["done-discuss_referral"] = _sent(app, lang, REFERRAL)
    pages["done-not_yet"] = _sent(app, lang, NOT_YET)
    pages["done-pattern_unclear"] = _sent(app, lang, PATTERN_UNCLEAR)
    pages["done-incomplete"] = _sent(app, lang, INCOMPLETE)
    app.config["SHOW_OUTCOME_TO_PATIENTS"] = False
    pages["done-outcome-hidden"] = _sent(app, lang, REFERRAL)
    app.config["SHOW_OUTCOME_TO_PATIENTS"] = True
    # Once shown, /done has only the reference code and what happens next; Finish ends it.
    later = _client(app, lang)
    _send(later, REFERRAL)
    pages["done-again"] = _get(later, "/done")
    pages["start-after-done"] = _get(later, "/")
    assert later.post("/finish").status_code == 302
    pages["start-finished"] = _get(later, "/")

    for problem in PROBLEMS:
        with app.test_request_context("/resume", headers={"Accept-Language": lang}):
            pages[f"problem-{problem}"] = render_template(
                "patient/problem.html", problem=problem, reference="SIJ-7K3Q9D"
            )
    for code in MESSAGES:
        with app.test_request_context("/", headers={"Accept-Language": lang}):
            body, _status = render_error(default_exceptions[code]())
            pages[f"error-{code}"] = body
    return pages
