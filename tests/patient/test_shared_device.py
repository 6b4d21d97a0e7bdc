"""A shared device: nothing orphaned when someone starts again, nothing left once /done is shown."""

import pytest
from sqlalchemy import select

from screener.extensions import db
from screener.models import Submission
from tests.answers import BORN, IDENTITY, REFERRAL, SAFE, dob_parts
from tests.conftest import csrf_token

from .conftest import answer_steps, count_submissions, hidden_token
from .rendered import visible_text

NAME = IDENTITY["full_name"]
SENT_NOTICE = "Answers were sent from this device."


@pytest.fixture
def sent(started, app):
    """A client that has sent a whole questionnaire and not opened /done yet; its reference."""
    answer_steps(started, REFERRAL)
    assert started.post("/review").location == "/done"
    with app.app_context():
        return db.session.scalar(select(Submission.reference))


def session_keys(client) -> set[str]:
    with client.session_transaction() as session:
        return set(session)


def kept_token(client) -> str:
    with client.session_transaction() as session:
        return session["draft"]


# --- Nothing orphaned --------------------------------------------------------------------------


def test_with_answers_in_progress_carrying_on_comes_first(started):
    started.post("/step/safety", data=SAFE)
    html = started.get("/").text
    carry_on = html.index('<a class="button" href="/step/where">Carry on with your answers</a>')
    start_again = html.index('<button type="submit" class="button-secondary">Start again</button>')
    assert carry_on < start_again
    assert "Start now" not in html


def test_starting_again_asks_first_and_gives_the_earlier_answers_resume_code(started, app):
    started.post("/step/safety", data=SAFE)
    response = started.post("/", data={"privacy": "y"})
    assert response.status_code == 200
    assert count_submissions(app) == 1  # nothing replaced yet
    html = response.text
    assert "If you start again, those answers stay saved." in html
    assert 'href="/step/where">Carry on with your answers' in html
    code = html.split('id="resume-code">', 1)[1].split("<", 1)[0]
    # The code works (on another device, say) and opens the earlier answers.
    other = app.test_client()
    opened = other.post("/resume", data={"code": code, **dob_parts(BORN)})
    assert opened.location == "/step/where"


def test_confirming_starts_a_new_questionnaire_and_the_earlier_one_stays(started, app):
    started.post("/step/safety", data=SAFE)
    earlier_token = hidden_token(started.get("/step/where").text)
    started.post("/", data={"privacy": "y"})
    response = started.post("/", data={"privacy": "y", "again": "yes"})
    assert response.location == "/step/about-you"
    assert count_submissions(app) == 2
    assert hidden_token(started.get("/step/about-you").text) != earlier_token
    with app.app_context():
        earlier = db.session.scalars(select(Submission).order_by(Submission.id)).first()
        assert earlier.answers == SAFE and earlier.resume_code_hash is not None


def test_the_code_already_shown_in_this_session_is_shown_again_not_replaced(started, app):
    started.post("/step/safety", data={**SAFE, "action": "later"})
    shown = started.get("/saved").text.split('id="resume-code">', 1)[1].split("<", 1)[0]
    html = started.post("/", data={"privacy": "y"}).text
    assert f'id="resume-code">{shown}<' in html
    again = started.post("/", data={"privacy": "y"}).text  # a reload of the question
    assert f'id="resume-code">{shown}<' in again
    other = app.test_client()
    assert other.post("/resume", data={"code": shown, **dob_parts(BORN)}).status_code == 302


def test_starting_again_still_needs_the_privacy_tick(started, app):
    response = started.post("/", data={"again": "yes"})
    assert response.status_code == 200
    assert 'id="privacy-error"' in response.text
    assert count_submissions(app) == 1


def test_an_empty_draft_is_simply_replaced(client, app):
    """Before About you is saved there is nothing to lose, so nothing to ask."""
    client.post("/", data={"privacy": "y"})
    html = client.get("/").text
    assert "Start now" in html and "Carry on with your answers" not in html
    assert client.post("/", data={"privacy": "y"}).location == "/step/about-you"


# --- The browser forgets once /done has been shown ---------------------------------------------


def test_the_first_showing_of_done_has_the_answers_then_the_browser_forgets_them(sent, started):
    first = started.get("/done").text
    assert NAME in first and "On or just below the dimple" in first
    assert "data-print" in first
    assert session_keys(started) & {"draft", "resume_code"} == set()
    again = started.get("/done")
    assert again.status_code == 200
    page = visible_text(again.text)
    assert sent in again.text
    assert "What happens next" in page
    assert "this device no longer shows them" in page
    for private in (NAME, "March 25, 1970", IDENTITY["phone"], "dimple", IDENTITY["email"]):
        assert private not in again.text
    assert "data-print" not in again.text and "printed-answers" not in again.text


@pytest.mark.parametrize("path", ["/review", "/step/where", "/step/about-you", "/saved", "/urgent"])
def test_after_done_the_questionnaire_pages_lead_to_the_start_page(sent, started, path):
    started.get("/done")
    response = started.get(path)
    assert response.status_code == 302 and response.location == "/"
    start = visible_text(started.get("/").text)
    assert SENT_NOTICE in start and sent in started.get("/").text
    assert "could not find your questions" not in start
    assert NAME not in start


def test_a_page_left_open_cannot_bring_the_answers_back(sent, started, app):
    token = kept_token(started)
    started.get("/done")
    for path in ("/review", "/step/where"):
        response = started.post(path, data={"token": token, "pain_side": "both"})
        assert response.location == "/done"
        assert NAME not in started.get("/done").text
    assert "draft" not in session_keys(started)


def test_the_resume_link_of_a_sent_questionnaire_shows_none_of_it(sent, started, app):
    token = kept_token(started)
    started.get("/done")
    other = app.test_client()
    response = other.post(f"/resume/{token}", data=dob_parts(BORN))
    assert response.status_code == 403 and "already sent" in response.text
    assert NAME not in response.text
    assert NAME not in other.get("/done", follow_redirects=True).text


def test_finish_forgets_everything_and_says_so(sent, started):
    started.get("/done")
    response = started.post("/finish")
    assert response.location == "/"
    start = visible_text(started.get("/").text)
    assert "You're done. You can close this page." in start
    assert SENT_NOTICE not in start
    assert started.get("/done").location == "/"
    assert session_keys(started) & {"draft", "resume_code", "sent"} == set()


def test_finish_keeps_the_language_for_its_message(sent, started):
    started.get("/language/es")
    started.get("/done")
    started.post("/finish")
    start = started.get("/")
    assert '<html lang="es">' in start.text
    assert "sent" not in session_keys(started)


def test_starting_again_after_done_starts_fresh(sent, started, app):
    started.get("/done")
    assert started.post("/", data={"privacy": "y"}).location == "/step/about-you"
    assert SENT_NOTICE not in visible_text(started.get("/").text)
    assert count_submissions(app) == 2


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_finish_needs_the_form_token(self, client):
        client.get("/")
        assert client.post("/finish").location == "/done"  # no token: nothing is cleared
        assert "You're done" not in visible_text(client.get("/").text)
        done = client.post("/finish", data={"csrf_token": csrf_token(client.get("/").text)})
        assert done.location == "/"
        assert "You're done. You can close this page." in visible_text(client.get("/").text)

    def test_the_start_again_question_carries_the_form_token(self, client):
        def post(data):
            html = client.get("/").text
            return client.post("/", data={**data, "csrf_token": csrf_token(html)})

        post({"privacy": "y"})
        about_you = client.get("/step/about-you").text
        client.post("/step/about-you", data={**IDENTITY, "csrf_token": csrf_token(about_you)})
        question = post({"privacy": "y"})
        assert question.status_code == 200 and 'id="resume-code"' in question.text
        data = {"privacy": "y", "again": "yes", "csrf_token": csrf_token(question.text)}
        assert client.post("/", data=data).location == "/step/about-you"
