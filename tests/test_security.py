"""Security: headers on every kind of response, cookie flags, nothing personal in the logs, and
one patient's questionnaire closed to every other patient.

(tests/test_app.py checks the headers of a page; tests/patient/test_steps.py that a journey logs
no answers; the load tests check gunicorn's own logs under load.)
"""

import logging
import re

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select, text

from screener.extensions import db
from screener.models import Submission, token_digest
from tests.conftest import PASSWORD, make_user

from .answers import BORN, IDENTITY, REFERRAL, SAFE, dob_parts
from .patient.conftest import answer_steps, begin, hidden_token

NAME, EMAIL, PHONE = (IDENTITY[k] for k in ("full_name", "email", "phone"))
DOB = BORN.isoformat()
COMMENT = "my neighbour Zebulon knows"
PERSONAL = (NAME, DOB, "March 25, 1970", "25 March 1970", EMAIL, PHONE, COMMENT)


def set_cookies(response) -> dict[str, str]:
    """Each cookie set by a response, with its attributes as written."""
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


# --- Headers and cookies -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "data", "status"),
    [
        ("POST", "/", {"privacy": "y"}, 302),
        ("POST", "/", {}, 200),
        ("GET", "/step/safety", None, 302),
        ("GET", "/no-such-page", None, 404),
        ("POST", "/step/anything-else", {"comments": "x" * 70_000}, 413),
        ("GET", "/clinic/login", None, 200),
        ("GET", "/clinic/", None, 302),
        ("GET", "/static/css/clinic.css", None, 200),
    ],
)
def test_every_kind_of_response_carries_the_strict_headers(client, method, path, data, status):
    response = client.open(path, method=method, data=data)
    response.close()  # a static file is streamed from an open file
    assert response.status_code == status
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin"}
    assert "Strict-Transport-Security" not in headers


def test_hsts_is_sent_on_every_https_response(client):
    for path in ("/", "/no-such-page", "/clinic/login"):
        hsts = client.get(path, base_url="https://localhost").headers["Strict-Transport-Security"]
        assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000


def test_pages_have_no_inline_script_or_style_for_the_policy_to_block(client, app):
    make_user(app, "csp@clinic.example")
    begin(client)
    pages = [client.get(p).text for p in ["/", "/step/about-you", "/step/where", "/review"]]
    clinic = app.test_client()
    clinic.post("/clinic/login", data={"email": "csp@clinic.example", "password": PASSWORD})
    pages += [clinic.get("/clinic/").text, app.test_client().get("/clinic/login").text]
    for html in pages:
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html)


def test_the_session_cookie_is_httponly_and_samesite_lax(client):
    cookie = set_cookies(client.post("/", data={"privacy": "y"}))["session"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in development


@pytest.mark.parametrize("app_config", [{"SESSION_COOKIE_SECURE": True}])
def test_with_secure_cookies_the_session_cookie_is_secure(client, app_config):
    response = client.post("/", data={"privacy": "y"}, base_url="https://localhost")
    cookie = set_cookies(response)["session"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" in response.headers


@pytest.mark.parametrize("app_config", [{"SESSION_COOKIE_SECURE": True}])
def test_the_clinic_session_cookie_is_secure_too(app, client, app_config):
    make_user(app, "secure@clinic.example")
    response = client.post(
        "/clinic/login",
        data={"email": "secure@clinic.example", "password": PASSWORD},
        base_url="https://localhost",
    )
    assert response.status_code == 302
    for cookie in set_cookies(response).values():
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- Request checks -----------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/", {"privacy": "y\x00"}),
        ("/resume", {"code": "ABCD\x00EFGH", **dob_parts(BORN)}),
    ],
)
def test_a_nul_character_is_refused_before_the_csrf_check(client, app_config, path, data):
    # The CSRF check's recovery re-shows the form with what was posted: a NUL must not reach it.
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "We could not read what was sent" in response.text


# --- Logs ---------------------------------------------------------------------------------------


@pytest.fixture
def all_logs(caplog, capsys):
    """Everything logged at DEBUG and up, and everything printed, as one text."""
    caplog.set_level(logging.DEBUG)
    for name in ("screener", "flask.app", "flask_wtf"):
        caplog.set_level(logging.DEBUG, logger=name)

    def text() -> str:
        captured = capsys.readouterr()
        return caplog.text + captured.out + captured.err

    return text


def test_no_personal_details_reach_the_logs_from_patient_to_clinic(app, client, all_logs):
    assert not app.config.get("SQLALCHEMY_ECHO")
    begin(client)
    answer_steps(client, {**REFERRAL, "comments": COMMENT})
    client.post("/review")
    client.get("/done")
    with app.app_context():
        reference = db.session.scalar(select(Submission.reference))
    make_user(app, "logs@clinic.example")
    clinic = app.test_client()
    clinic.post("/clinic/login", data={"email": "logs@clinic.example", "password": PASSWORD})
    for path in (
        "/clinic/",
        "/clinic/?q=ann",
        f"/clinic/submissions/{reference}",
        f"/clinic/submissions/{reference}/fhir.json",
        "/clinic/export.csv?identity=1",
    ):
        assert clinic.get(path).status_code == 200, path
    logged = all_logs()
    for secret in PERSONAL:
        assert secret not in logged


@pytest.mark.parametrize("app_config", [{"PROPAGATE_EXCEPTIONS": False}])
def test_a_failing_database_write_logs_no_personal_details(app, client, all_logs, app_config):
    client.post("/", data={"privacy": "y"})
    with app.app_context(), db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON patients "
                    "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON patients "
                    "FOR EACH ROW EXECUTE FUNCTION refuse()"
                )
            )
    try:
        assert client.post("/step/about-you", data=IDENTITY).status_code == 500
        logged = all_logs()
        assert "disk full" in logged  # the error itself is logged...
        for secret in (NAME, EMAIL, PHONE):
            assert secret not in logged  # ...without what was being written
    finally:
        with app.app_context(), db.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.execute(text("DROP TRIGGER refuse"))
            else:
                conn.execute(text("DROP FUNCTION refuse() CASCADE"))


# --- One patient cannot reach another's questionnaire -------------------------------------------


@pytest.fixture
def two_patients(app):
    """Patient A (with answers and a comment) and patient B, each in their own browser."""
    first, second = app.test_client(), app.test_client()
    begin(first)
    answer_steps(first, {**REFERRAL, "comments": COMMENT})
    begin(second, {**IDENTITY, "full_name": "Bea Other", "email": "bea@example.com"})
    second.post("/step/safety", data=SAFE)
    return first, second


def stored_answers(app) -> dict[str, tuple[dict, str]]:
    with app.app_context():
        return {
            s.patient.full_name: (s.answers, s.status)
            for s in db.session.scalars(select(Submission))
        }


def test_another_patients_pages_show_only_their_own_answers(app, two_patients):
    _first, second = two_patients
    for path in ("/", "/step/about-you", "/step/anything-else", "/review", "/saved", "/urgent"):
        html = second.get(path, follow_redirects=True).text
        assert NAME not in html and COMMENT not in html, path


def test_guessed_tokens_change_nothing_of_another_patient(app, two_patients):
    first, second = two_patients
    token_a = hidden_token(first.get("/step/where").text)
    before = stored_answers(app)
    with app.app_context():
        reference_a = db.session.scalar(select(Submission.reference).where(Submission.id == 1))
    guesses = [reference_a, token_digest(token_a), token_a[:-1], token_a.upper(), "", "null"]
    for guess in guesses:
        response = second.post("/step/where", data={"token": guess, "pain_side": "right"})
        assert response.status_code == 302
        answers_a, _status = stored_answers(app)[NAME]
        assert answers_a == before[NAME][0], guess
        assert COMMENT not in second.get("/review").text
    # B's own questionnaire took B's answers.
    assert stored_answers(app)["Bea Other"][0]["pain_side"] == "right"


def test_a_link_with_anything_but_the_token_opens_nothing(app, two_patients):
    first, second = two_patients
    token_a = hidden_token(first.get("/step/where").text)
    with app.app_context():
        reference_a = db.session.scalar(select(Submission.reference).where(Submission.id == 1))
    other_last = "B" if token_a.endswith("A") else "A"  # a one-character change, never a no-op
    for guess in (reference_a, token_digest(token_a), token_a[:-1] + other_last, token_a[::-1]):
        response = second.get(f"/resume/{guess}")
        assert response.status_code == 404
        assert NAME not in second.get("/review", follow_redirects=True).text


def test_a_forged_session_cookie_opens_nothing(app, two_patients):
    first, _second = two_patients
    token_a = hidden_token(first.get("/step/where").text)
    forger = Flask(__name__)
    forger.secret_key = "a guessed secret"
    forged = SecureCookieSessionInterface().get_signing_serializer(forger)
    stranger = app.test_client()
    stranger.set_cookie("session", forged.dumps({"draft": token_a}))
    response = stranger.get("/review")
    assert response.status_code == 302 and response.location == "/"
    response = stranger.post("/step/where", data={"pain_side": "both"})
    assert response.location == "/"
    assert stored_answers(app)[NAME][0]["pain_side"] == REFERRAL["pain_side"]


def test_after_a_key_change_only_cookies_signed_with_a_listed_old_key_open_the_draft(app):
    browser = app.test_client()
    begin(browser)
    token = hidden_token(browser.get("/step/where").text)
    cookie = browser.get_cookie("session").value
    app.secret_key = "the new secret"
    app.config["SECRET_KEY_FALLBACKS"] = ["test-secret"]
    assert hidden_token(browser.get("/step/where").text) == token
    app.config["SECRET_KEY_FALLBACKS"] = []
    unlisted = app.test_client()
    unlisted.set_cookie("session", cookie)
    assert unlisted.get("/step/where").location == "/"


def test_a_sent_questionnaire_cannot_be_changed_even_with_its_token(app, two_patients):
    first, _second = two_patients
    token_a = hidden_token(first.get("/step/where").text)
    first.post("/review")
    before = stored_answers(app)[NAME]
    holder = app.test_client()
    for path in ("/step/where", "/step/about-you", "/review"):
        response = holder.post(path, data={"token": token_a, "pain_side": "both", **IDENTITY})
        assert response.status_code == 302 and response.location == "/done"
    assert stored_answers(app)[NAME] == before
