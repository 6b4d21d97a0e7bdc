"""Nothing is lost: save and finish later, resume by link or by code, expiry and purging."""

import re
from datetime import date, timedelta

import pytest
from flask import render_template
from sqlalchemy import select

from screener import submissions
from screener.extensions import db
from screener.models import Patient, Submission, token_digest, utcnow
from tests.answers import BORN, REFERRAL, SAFE, dob_parts, typed_dob

from .conftest import (
    begin,
    checked,
    hidden_token,
    only_submission,
    refused,
)
from .rendered import visible_text

DOB = dob_parts(BORN)
WRONG_DOB = dob_parts(date(1971, 3, 25))


def save_later(client, slug="where", data=None) -> tuple[str, str]:
    """Press Save and finish later on a step; return the resume link path and the code."""
    response = client.post(f"/step/{slug}", data={**(data or {}), "action": "later"})
    assert response.location == "/saved"
    page = client.get("/saved").text
    link = re.search(r'class="resume-link" href="http://localhost(/resume/[^"]+)"', page).group(1)
    code = re.search(r'<p class="code" id="resume-code">([A-Z0-9-]+)</p>', page).group(1)
    return link, code


def expire(app):
    with app.app_context():
        submission = db.session.scalars(select(Submission)).one()
        submission.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()


def test_save_and_finish_later_keeps_the_posted_input_without_requiring_answers(started, app):
    started.post("/step/safety", data=SAFE)
    link, code = save_later(started, "where", {"pain_areas": ["buttock"]})
    stored = only_submission(app)
    assert stored.answers == {**SAFE, "pain_areas": ["buttock"]}
    assert "where" not in stored.steps_done  # saved, not completed
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", code)
    assert stored.resume_code_hash == token_digest(code.replace("-", ""))
    assert code.replace("-", "") not in str(vars(stored))
    assert stored.token_hash == token_digest(link.rsplit("/", 1)[1])


def test_save_later_on_the_safety_step_needs_no_answers(started, app):
    response = started.post("/step/safety", data={"rf_fever": "no", "action": "later"})
    assert response.location == "/saved"
    assert only_submission(app).answers == {"rf_fever": "no"}


def test_save_later_still_refuses_invalid_values(started, app):
    response = refused(started, "/step/where", data={"worst_spot": "nope", "action": "later"})
    assert 'id="worst_spot-error"' in response.text


def test_the_saved_page_says_until_when(started, app):
    save_later(started)
    expires = only_submission(app).expires_at
    page = started.get("/saved").text
    assert f"{expires:%B} {expires.day}, {expires.year}" in page


def test_resume_by_link_on_another_device_goes_to_the_first_unfinished_step(started, app):
    started.post("/step/safety", data=SAFE)
    link, _code = save_later(started, "where", {"worst_spot": "buttock"})
    other = app.test_client()
    assert "date of birth saved with them" in other.get(link).text
    response = other.post(link, data=DOB)
    assert response.location == "/step/where"
    html = other.get("/step/where").text
    assert checked(html, "worst_spot") == ["buttock"]  # the saved answer is there


def test_a_wrong_resume_link_shows_a_friendly_page(client):
    response = client.get("/resume/not-a-real-token")
    assert response.status_code == 404
    assert "This link does not work" in response.text
    assert 'href="/resume"' in response.text


def test_resume_by_code_and_date_of_birth(started, app):
    started.post("/step/safety", data=SAFE)
    link, code = save_later(started)
    other = app.test_client()
    response = other.post("/resume", data={"code": code.lower().replace("-", " "), **DOB})
    assert response.location == "/step/where"
    assert other.post("/step/where", data={"pain_side": "left"}).location == "/step/how-much"
    assert only_submission(app).answers["pain_side"] == "left"
    # A new bearer token was issued: the old link no longer opens the answers.
    assert app.test_client().get(link).status_code == 404


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": "", **DOB}, "code", "Enter your resume code."),
        ({"code": "ABCD-EFGH", **typed_dob("", "", "")}, "date_of_birth", "Enter your date of"),
        ({"code": "ABCD-EFGH", **typed_dob("", "", "1970")}, "date_of_birth", "a day and a month"),
        ({"code": "ABCD-EFGH", **DOB}, "code", "do not match"),
    ],
)
def test_resume_form_errors(client, data, field, message):
    response = client.post("/resume", data=data)
    assert response.status_code == 200
    assert re.search(rf'id="{field}-error">.*?{message}', response.text, re.S)
    assert "<title>Error: " in response.text


def test_wrong_dates_of_birth_are_limited_then_locked(started, app):
    app.config.update(RESUME_MAX_FAILURES=3, CLINIC_PHONE="(555) 010-0199")
    _link, code = save_later(started)
    other = app.test_client()
    for tries, left in ((1, "2 more tries"), (2, "1 more try")):
        response = other.post("/resume", data={"code": code, **WRONG_DOB})
        assert response.status_code == 200 and "do not match" in response.text
        assert re.search(
            rf'id="code-error">.*?You have {left} before these answers are locked\.',
            response.text,
            re.S,
        )
        assert only_submission(app).resume_failures == tries
    response = other.post("/resume", data={"code": code, **WRONG_DOB})
    assert response.status_code == 403
    assert "locked" in response.text and "(555) 010-0199" in response.text
    assert 'href="/"' in response.text.split("<main", 1)[1]  # or start again
    # Locked: even the right date of birth no longer opens it, and tries stop counting.
    response = other.post("/resume", data={"code": code, **DOB})
    assert response.status_code == 403
    assert only_submission(app).resume_failures == 3


def test_an_unknown_code_says_nothing_about_tries(client):
    response = client.post("/resume", data={"code": "ABCD-EFGH", **DOB})
    assert "do not match" in response.text and "more tr" not in response.text


@pytest.mark.parametrize("problem", ["expired", "bad_link", "locked"])
@pytest.mark.parametrize("phone", ["(555) 010-0199", ""])
def test_an_unusable_code_or_link_says_to_call_and_offers_a_way_on(app, problem, phone):
    app.config.update(CLINIC_PHONE=phone, CLINIC_NAME="Valley Spine")
    with app.test_request_context("/resume"):
        html = render_template("patient/problem.html", problem=problem)
    main = html.split("<main", 1)[1]
    if phone:
        assert 'href="tel:5550100199">(555) 010-0199</a>' in main
        assert "call Valley Spine at" in main
    else:
        assert "tel:" not in main and re.search(r"call Valley Spine\.", main)
    assert 'href="/">Start again</a>' in main


def test_the_rate_limit_message_is_about_the_network(app):
    with app.test_request_context("/resume"):
        html = render_template("patient/problem.html", problem="rate_limited")
    text = visible_text(html)
    assert "too many wrong tries from this network" in text and "device" not in text


def test_a_right_answer_resets_the_count_of_wrong_tries(started, app):
    _link, code = save_later(started)
    other = app.test_client()
    other.post("/resume", data={"code": code, **WRONG_DOB})
    assert only_submission(app).resume_failures == 1
    other.post("/resume", data={"code": code, **DOB})
    assert only_submission(app).resume_failures == 0


def test_a_new_code_replaces_the_old_one(started, app):
    _link, first = save_later(started)
    _link, second = save_later(started)
    assert first != second
    response = app.test_client().post("/resume", data={"code": first, **DOB})
    assert "do not match" in response.text


def test_the_saved_page_offers_a_code_when_none_was_given(started, app):
    link, _code = save_later(started)
    other = app.test_client()
    other.post(link, data=DOB)
    page = other.get("/saved").text
    assert "Get a resume code" in page and 'id="resume-code"' not in page
    assert other.post("/saved", data={}).location == "/saved"
    assert 'id="resume-code"' in other.get("/saved").text


def test_an_expired_draft_cannot_be_resumed_or_saved(started, app):
    started.post("/step/safety", data=SAFE)
    link, code = save_later(started)
    expire(app)
    other = app.test_client()
    response = other.get(link)
    assert response.status_code == 410 and "have been deleted" in response.text
    response = other.post("/resume", data={"code": code, **DOB})
    assert response.status_code == 403 and "have been deleted" in response.text
    response = started.post("/step/where", data={"pain_side": "left"})
    assert response.status_code == 410
    assert "pain_side" not in only_submission(app).answers
    assert "Carry on with your answers" not in started.get("/").text


def test_a_sent_questionnaire_opens_read_only_by_link_and_code(started, app):
    started.post("/step/safety", data=SAFE)
    link, code = save_later(started)
    started.post("/review")
    for response in (
        app.test_client().post(link, data=DOB),
        app.test_client().post("/resume", data={"code": code, **DOB}),
    ):
        assert response.status_code == 403
        assert "already sent" in response.text and only_submission(app).reference in response.text
    assert started.get(link).location == "/done"  # this browser's own link


def test_a_lost_session_cookie_still_saves_the_step_with_the_hidden_token(started, app):
    token = hidden_token(started.get("/step/safety").text)
    fresh = app.test_client()  # no cookie at all
    response = fresh.post("/step/safety", data={**SAFE, "token": token})
    assert response.location == "/step/where"
    assert only_submission(app).answers == SAFE
    with fresh.session_transaction() as session:
        assert session["draft"] == token


def test_the_start_page_offers_to_carry_on(started):
    started.post("/step/safety", data=SAFE)
    html = started.get("/").text
    assert "Carry on with your answers" in html
    assert 'href="/step/where"' in html


def test_creating_a_draft_sets_the_expiry_from_configuration(app, client):
    app.config["DRAFT_TTL_DAYS"] = 7
    begin(client)
    left = only_submission(app).expires_at - utcnow()
    assert timedelta(days=6, hours=23) < left <= timedelta(days=7)


def test_purge_deletes_only_expired_unflagged_drafts_and_their_identity(app):
    now = utcnow()
    with app.test_request_context():
        kept_fresh, _ = submissions.create_draft("en", now=now)
        expired, _ = submissions.create_draft("en", now=now - timedelta(days=40))
        flagged, _ = submissions.create_draft("en", now=now - timedelta(days=40))
        sent, _ = submissions.create_draft("en", now=now - timedelta(days=40))
        identity = submissions.Identity("Ann Example", utcnow().date().replace(year=1970))
        for submission in (expired, flagged, sent):
            submissions.save_identity(submission, identity, "en", now=now - timedelta(days=40))
        submissions.save_step(
            flagged,
            "safety",
            {"rf_fever": "yes"},
            "en",
            now=now - timedelta(days=40),
        )
        submissions.submit(sent, now=now - timedelta(days=40))
        expired_id = expired.id
        assert submissions.purge_expired_drafts(now) == 1
        remaining = set(db.session.scalars(select(Submission.id)).all())
        assert remaining == {kept_fresh.id, flagged.id, sent.id}
        patients = set(db.session.scalars(select(Patient.submission_id)).all())
        assert expired_id not in patients and patients == {flagged.id, sent.id}
        assert submissions.purge_expired_drafts(now) == 0


def test_a_referral_patient_can_save_resume_and_finish(started, app):
    from .conftest import answer_steps

    started.post("/step/safety", data=SAFE)
    _link, code = save_later(started, "where")
    other = app.test_client()
    other.post("/resume", data={"code": code, **DOB})
    answer_steps(other, REFERRAL)
    assert other.post("/review").location == "/done"
    assert only_submission(app).category == "discuss_referral"


def code_from(n: int) -> str:
    """The nth of many well-formed resume codes (none of them given out)."""
    letters = "ABCDEFGHJKMNPQRS"
    return "ABCD" + "".join(letters[(n >> shift) & 15] for shift in (12, 8, 4, 0))


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True}

    def test_ten_wrong_tries_from_one_address_then_a_wait(self, client):
        for n in range(10):
            response = client.post("/resume", data={"code": code_from(n), **DOB})
            assert response.status_code == 200, n
        response = client.post("/resume", data={"code": code_from(10), **DOB})
        assert response.status_code == 429
        assert "Please wait before trying again" in response.text
        assert "from this network" in response.text
        # The first of the ten leaves the moving 10-minute window in about 10 minutes.
        assert 9 * 60 < int(response.headers["Retry-After"]) <= 10 * 60
        assert client.get("/resume").status_code == 200  # reading the form is not limited

    def test_a_waiting_room_resuming_correctly_is_never_limited(self, app, started):
        _link, code = save_later(started)
        for n in range(70):  # from the clinic's one address; each gets a new link
            patient = app.test_client()
            response = patient.post("/resume", data={"code": code, **DOB})
            assert response.location == "/step/safety", n

    def test_mistakes_in_the_form_are_not_counted(self, client):
        for _ in range(65):
            response = client.post("/resume", data={"code": "", **DOB})
            assert response.status_code == 200 and "Enter your resume code." in response.text

    def test_one_code_is_limited_from_any_address(self, app):
        def post_from(address: str, code: str):
            client = app.test_client()
            client.environ_base["REMOTE_ADDR"] = address
            return client.post("/resume", data={"code": code, **DOB})

        for n in range(10):
            assert post_from(f"10.0.0.{n}", "ABCD-EFGH").status_code == 200
        assert post_from("10.0.1.1", "abcd efgh").status_code == 429  # the same code, as typed
        assert post_from("10.0.1.2", "ABCD-EFGK").status_code == 200  # another code is not

    def test_resume_links_are_rate_limited_per_address(self, client):
        for _ in range(10):
            assert client.get("/resume/not-a-real-token").status_code == 404
        response = client.get("/resume/not-a-real-token")
        assert response.status_code == 429
        assert "Please wait before trying again" in response.text

    def test_working_resume_links_are_not_counted(self, app, started):
        link, _code = save_later(started)
        patient = app.test_client()
        for _ in range(15):
            assert patient.get(link).status_code == 200
