"""With CSRF protection on: an expired token or session re-shows the page, never an error."""

import pytest

from tests.answers import BORN, IDENTITY, SAFE, dob_parts, typed_dob
from tests.conftest import csrf_token

from .conftest import checked, hidden_token, inputs, only_submission

NOTICE = "This page was open for a long time, so it was not saved yet."


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def post_with_token(client, path, data):
    """Post as a browser does: with the CSRF token from the page it came from."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client.get(path).text)})


@pytest.fixture
def started(client):
    assert post_with_token(client, "/", {"privacy": "y"}).status_code == 302
    assert post_with_token(client, "/step/about-you", IDENTITY).status_code == 302
    return client


def test_the_questionnaire_works_with_csrf_protection(started, app):
    assert post_with_token(started, "/step/safety", SAFE).location == "/step/where"
    assert only_submission(app).answers == SAFE


@pytest.mark.parametrize("token", [None, "not-a-valid-token"])
def test_a_missing_or_bad_token_shows_the_same_step_with_the_input_intact(started, app, token):
    html = started.get("/step/where").text
    data = {"pain_areas": ["buttock", "groin"], "worst_spot": "dimple", "token": hidden_token(html)}
    if token:
        data["csrf_token"] = token
    response = started.post("/step/where", data=data)
    assert response.status_code == 200
    page = response.text
    assert NOTICE in page
    assert "Where it hurts" in page
    assert checked(page, "pain_areas") == ["buttock", "groin"]
    assert checked(page, "worst_spot") == ["dimple"]
    assert "pain_areas" not in only_submission(app).answers  # not saved yet
    # Pressing Continue again, with the fresh token the page carries, saves it.
    again = {**data, "csrf_token": csrf_token(page)}
    assert started.post("/step/where", data=again).location == "/step/how-much"
    assert only_submission(app).answers["pain_areas"] == ["buttock", "groin"]


def test_an_expired_session_shows_the_step_again_then_saves_it(started, app):
    html = started.get("/step/safety").text
    token = hidden_token(html)
    fresh = app.test_client()  # the session cookie is gone
    data = {**SAFE, "token": token, "csrf_token": csrf_token(html)}
    response = fresh.post("/step/safety", data=data)
    assert response.status_code == 200
    assert NOTICE in response.text
    assert checked(response.text, "rf_fever") == ["no"]
    assert hidden_token(response.text) == token
    assert "rf_fever" not in only_submission(app).answers
    data["csrf_token"] = csrf_token(response.text)
    assert fresh.post("/step/safety", data=data).location == "/step/where"
    assert only_submission(app).answers == SAFE


def test_text_typed_before_the_token_expired_is_kept(started, app):
    html = started.get("/step/anything-else").text
    response = started.post(
        "/step/anything-else",
        data={"comments": "My words", "token": hidden_token(html), "csrf_token": "old"},
    )
    assert response.status_code == 200
    assert "My words</textarea>" in response.text


def test_about_you_input_is_kept_after_an_expired_token(started):
    html = started.get("/step/about-you").text
    data = {
        **IDENTITY,
        "full_name": "Ann Changed",
        **typed_dob("31", "2", ""),
        "token": hidden_token(html),
    }
    response = started.post("/step/about-you", data=data)
    assert response.status_code == 200
    (name,) = inputs(response.text, "full_name")
    assert name["value"] == "Ann Changed"
    boxes = [inputs(response.text, f"date_of_birth-{part}")[0] for part in ("day", "month", "year")]
    assert [box["value"] for box in boxes] == ["31", "2", ""]
    assert not any("aria-invalid" in box for box in boxes)  # nothing was checked yet


def test_the_start_page_recovers_from_an_expired_token(client, app):
    response = client.post("/", data={"privacy": "y"})
    assert response.status_code == 200
    assert NOTICE in response.text
    assert "checked" in inputs(response.text, "privacy")[0]


def test_the_resume_form_recovers_from_an_expired_token(client):
    response = client.post("/resume", data={"code": "ABCD-EFGH", **dob_parts(BORN)})
    assert response.status_code == 200
    assert NOTICE in response.text
    assert inputs(response.text, "code")[0]["value"] == "ABCD-EFGH"


def test_sending_recovers_from_an_expired_token(started, app):
    post_with_token(started, "/step/safety", SAFE)
    response = started.post("/review", data={})
    assert response.status_code == 200
    assert NOTICE in response.text
    assert only_submission(app).status == "draft"
    assert post_with_token(started, "/review", {}).location == "/done"


def test_a_post_without_any_draft_goes_back_to_the_start(client):
    response = client.post("/step/safety", data=SAFE)
    assert response.location == "/"


def test_save_later_buttons_recover_too(started):
    response = started.post("/saved", data={})
    assert response.status_code == 302 and response.location == "/saved"
    assert "open for a long time" in started.get("/saved").text


def test_a_post_over_https_carries_the_same_origin_referer_it_needs(client):
    # Flask-WTF checks the Referer on HTTPS; the policy lets browsers send it to this site only.
    page = client.get("/", base_url="https://localhost")
    assert page.headers["Referrer-Policy"] == "same-origin"
    data = {"privacy": "y", "csrf_token": csrf_token(page.text)}
    response = client.post(
        "/", base_url="https://localhost", data=data, headers={"Referer": "https://localhost/"}
    )
    assert response.status_code == 302


def test_a_post_over_https_from_another_site_is_refused(client):
    page = client.get("/", base_url="https://localhost")
    data = {"privacy": "y", "csrf_token": csrf_token(page.text)}
    response = client.post(
        "/", base_url="https://localhost", data=data, headers={"Referer": "https://evil.example/"}
    )
    assert response.status_code != 302
