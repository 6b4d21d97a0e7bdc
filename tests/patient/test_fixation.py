"""A resume link opens nothing by itself: the date of birth first, then a new token, and
never a silent swap of this browser's questionnaire (issue 13)."""

import re
from datetime import date

import pytest

from screener import submissions
from tests.answers import BORN, IDENTITY, SAFE, dob_parts

from .conftest import begin, only_submission

ATTACKER = {"full_name": "Mallory Sender", **dob_parts(date(1980, 1, 2)), "phone": "", "email": ""}
ATTACKER_DOB = dob_parts(date(1980, 1, 2))
VICTIM = {**IDENTITY, "full_name": "Victoria Private"}
COMMENT = "my secret worry about the left hip"
DOB = dob_parts(BORN)
WRONG_DOB = dob_parts(date(1971, 3, 25))
PAGES = ("/review", "/step/about-you", "/step/anything-else", "/saved", "/done", "/urgent", "/")


def link_of(client) -> str:
    """The resume link the saved page gives this browser."""
    page = client.get("/saved").text
    return re.search(r'class="resume-link" href="http://localhost(/resume/[^"]+)"', page).group(1)


def session_token(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("draft")


def seen(client, paths=PAGES) -> str:
    return "".join(client.get(path, follow_redirects=True).text for path in paths)


@pytest.mark.parametrize("confirms", [True, False])
def test_the_sender_of_a_link_never_sees_what_its_opener_types(app, confirms):
    attacker = app.test_client()
    begin(attacker, ATTACKER)
    link = link_of(attacker)
    victim = app.test_client()
    page = victim.get(link).text
    assert "Mallory" not in page and "date of birth saved with them" in page
    if confirms:  # told the sender's date of birth, say
        assert victim.post(link, data=ATTACKER_DOB).location == "/step/safety"
    else:
        victim.post("/", data={"privacy": "y"})
    victim.post("/step/about-you", data=VICTIM)
    victim.post("/step/safety", data=SAFE)
    victim.post("/step/anything-else", data={"comments": COMMENT, "action": "later"})
    assert "Victoria" in seen(victim, ["/review"]) and COMMENT in seen(victim, ["/review"])
    for client in (attacker, app.test_client()):
        shown = seen(client) + client.get(link, follow_redirects=True).text
        assert "Victoria" not in shown
        assert COMMENT not in shown
    if confirms:
        assert attacker.get(link).status_code == 404  # the old token is dead


def test_confirming_gives_a_new_token_and_the_link_stops_working(app, started):
    link = link_of(started)
    other = app.test_client()
    assert other.post(link, data=DOB).location == "/step/safety"
    new = session_token(other)
    assert new and f"/resume/{new}" != link
    assert app.test_client().get(link).status_code == 404
    assert started.get("/review").location == "/"  # the first browser is left with nothing
    assert other.get("/review").status_code == 200


def test_saving_the_identity_the_first_time_gives_a_new_token(app, client):
    client.post("/", data={"privacy": "y"})
    before = session_token(client)
    client.post("/step/about-you", data=IDENTITY)
    after = session_token(client)
    assert after != before
    assert app.test_client().get(f"/resume/{before}").status_code == 404
    with app.test_request_context():
        assert submissions.find_by_token(before) is None
        assert submissions.find_by_token(after).patient.full_name == IDENTITY["full_name"]
    client.post("/step/about-you", data={**IDENTITY, "phone": "555 010 0199"})
    assert session_token(client) == after  # later changes keep it


def test_a_link_without_a_saved_identity_opens_only_where_it_started(app, client):
    client.post("/", data={"privacy": "y"})
    token = session_token(client)
    other = app.test_client()
    for response in (other.get(f"/resume/{token}"), other.post(f"/resume/{token}", data=DOB)):
        assert response.status_code == 403
        assert "only works on the device where you started" in response.text
    assert session_token(other) is None
    assert client.get(f"/resume/{token}").location == "/step/about-you"


def test_a_wrong_date_of_birth_says_so_next_to_it_and_keeps_what_was_typed(app, started):
    link = link_of(started)
    response = app.test_client().post(link, data=WRONG_DOB)
    assert response.status_code == 200
    assert "That date of birth does not match" in response.text
    assert "4 more tries" in response.text
    assert 'value="1971"' in response.text and 'aria-invalid="true"' in response.text
    assert only_submission(app).resume_failures == 1


def test_a_post_without_its_csrf_token_opens_nothing(app, started):
    app.config["WTF_CSRF_ENABLED"] = True
    link = link_of(started)
    other = app.test_client()
    other.get(link)
    response = other.post(link, data=DOB)
    assert response.status_code == 200 and "open for a long time" in response.text
    assert session_token(other) is None


def test_wrong_tries_by_link_and_by_code_share_one_lock(app, started):
    started.post("/step/safety", data=SAFE)
    started.post("/step/where", data={"action": "later"})
    code = re.search(r'id="resume-code">([A-Z0-9-]+)<', started.get("/saved").text).group(1)
    link = link_of(started)
    other = app.test_client()
    for _ in range(3):
        other.post(link, data=WRONG_DOB)
    for _ in range(2):
        other.post("/resume", data={"code": code, **WRONG_DOB})
    for response in (other.post(link, data=DOB), other.post("/resume", data={"code": code, **DOB})):
        assert response.status_code == 403 and "are locked" in response.text
    assert session_token(other) is None


def test_a_questionnaire_in_progress_here_is_never_replaced_without_asking(app, started):
    link = link_of(started)
    mine = app.test_client()
    begin(mine, VICTIM)
    mine.post("/step/safety", data=SAFE)
    my_token = session_token(mine)
    page = mine.get(link).text
    assert "You have other answers in progress" in page
    assert 'href="/step/where">Keep my answers' in page
    code = re.search(r'id="resume-code">([A-Z0-9-]+)<', page).group(1)
    assert session_token(mine) == my_token  # showing the page changed nothing
    assert mine.post(link, data=DOB).location == "/step/safety"
    assert "Ann Example" in seen(mine, ["/review"])
    # Mine stay saved, and the code on the page opens them again.
    assert mine.post("/resume", data={"code": code, **DOB}).location == "/step/where"
    assert "Victoria" in seen(mine, ["/review"])


def test_a_link_to_this_browsers_own_questionnaire_opens_at_once(started):
    link = link_of(started)
    assert started.get(link).location == "/step/safety"


class TestRateLimits:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "RESUME_MAX_FAILURES": 100}

    def test_ten_wrong_tries_by_link_or_code_from_one_address_then_a_wait(self, app, started):
        link = link_of(started)
        other = app.test_client()
        for n in range(5):
            assert other.post(link, data=WRONG_DOB).status_code == 200, n
            assert other.get(f"/resume/not-a-token-{n}").status_code == 404, n
        for response in (
            other.post("/resume", data={"code": "ABCD-EFGH", **DOB}),
            other.post(link, data=DOB),
            other.get(link),
        ):
            assert response.status_code == 429 and "Please wait" in response.text
        elsewhere = app.test_client()
        elsewhere.environ_base["REMOTE_ADDR"] = "10.0.0.9"
        assert elsewhere.post(link, data=DOB).location == "/step/safety"

    def test_opening_links_rightly_is_not_counted(self, app):
        for n in range(12):
            owner = app.test_client()
            begin(owner)
            assert app.test_client().post(link_of(owner), data=DOB).status_code == 302, n


class TestStartLimit:
    @pytest.fixture
    def app_config(self):
        return {
            "RATELIMIT_ENABLED": True,
            "START_LIMIT": "3 per hour",
            "CLINIC_NAME": "Hillside Spine Clinic",
            "CLINIC_PHONE": "(555) 010-0199",
        }

    def test_each_address_starts_only_so_many_questionnaires(self, app):
        for n in range(3):
            client = app.test_client()
            assert client.get("/").status_code == 200
            client.post("/", data={"privacy": ""})  # not ticked: nothing started, not counted
            assert client.post("/", data={"privacy": "y"}).status_code == 302, n
        response = app.test_client().post("/", data={"privacy": "y"})
        assert response.status_code == 429
        assert "Please call to answer the questions" in response.text
        assert 'href="tel:5550100199"' in response.text
        assert app.test_client().get("/").status_code == 200  # reading the page is not limited
        elsewhere = app.test_client()
        elsewhere.environ_base["REMOTE_ADDR"] = "10.0.0.9"
        assert elsewhere.post("/", data={"privacy": "y"}).status_code == 302

    def test_the_refusal_is_in_spanish_too(self, app):
        for _ in range(3):
            app.test_client().post("/", data={"privacy": "y"})
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
        response = client.post("/", data={"privacy": "y"})
        assert response.status_code == 429 and 'lang="es"' in response.text
        assert "llame" in response.text.lower()


def test_a_dropped_answer_to_the_identity_save_still_finds_the_draft_only_here(app, client):
    client.post("/", data={"privacy": "y"})
    with client.session_transaction() as before:
        kept = dict(before)
    assert client.post("/step/about-you", data=IDENTITY).status_code == 302
    # The answer, with the new token, never reached the browser: its cookie is as it was.
    with client.session_transaction() as session:
        session.clear()
        session.update(kept)
    again = client.get("/step/about-you")
    assert again.status_code == 200 and IDENTITY["full_name"] in again.text
    assert session_token(client) != kept["draft"]  # and it now holds the new token
    # Someone else holding the old token (its sender, say) derives nothing from it.
    other = app.test_client()
    other.post("/", data={"privacy": "y"})
    with other.session_transaction() as session:
        session["draft"] = kept["draft"]
    assert IDENTITY["full_name"] not in other.get("/step/about-you", follow_redirects=True).text
