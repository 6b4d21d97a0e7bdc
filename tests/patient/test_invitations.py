"""A clinic's invitation link: the date of birth the clinic entered opens one questionnaire,
with the identity already stored; nothing about the patient shows before it."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from screener import invitations, submissions
from screener.extensions import db
from screener.models import Invitation, Patient, Submission, utcnow
from tests.answers import BORN, REFERRAL, SAFE, dob_parts
from tests.conftest import csrf_token

from .conftest import (
    INVITED,
    answer_steps,
    begin,
    count_submissions,
    inputs,
    invite,
    only_submission,
    refused,
)
from .rendered import visible_text

DOB = dob_parts(BORN)
WRONG_DOB = dob_parts(date(1971, 3, 25))
# What the link must not tell whoever holds it without the date of birth.
PRIVATE = ("Rosa", "Invitada", INVITED["phone"], INVITED["email"], INVITED["mrn"], "Dr. Lee")


def session_token(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("draft")


def stored_invitation(app) -> Invitation:
    with app.app_context():
        invitation = db.session.scalars(select(Invitation)).one()
        db.session.expunge(invitation)
        return invitation


def stored_patient(app) -> Patient:
    with app.app_context():
        patient = db.session.scalars(select(Patient)).one()
        db.session.expunge(patient)
        return patient


def opened(app, link: str, client=None):
    """A client that has opened the invitation with the right date of birth."""
    client = client or app.test_client()
    assert client.post(link, data=DOB).location == "/step/about-you"
    return client


# --- Opening --------------------------------------------------------------------------------


def test_the_link_can_be_typed_from_the_letter_in_any_case_and_spacing(app):
    link = invite(app)
    token = link.removeprefix("/i/")
    assert re.fullmatch(r"([A-HJ-NP-Z2-9]{4}-){3}[A-HJ-NP-Z2-9]{4}", token)
    typed = token.lower().replace("-", " ")
    for path in (link, "/i/" + token.lower(), "/i/" + token.replace("-", ""), "/i/" + typed):
        page = app.test_client().get(path)
        assert page.status_code == 200 and "enter your date of birth" in page.text, path
    other = "A" if token[-1] != "A" else "B"
    assert app.test_client().get("/i/" + token[:-1] + other).status_code == 404


def test_the_right_date_of_birth_opens_a_questionnaire_with_the_clinics_details(app, client):
    link = invite(app)
    page = client.get(link)
    assert page.status_code == 200 and "enter your date of birth" in page.text
    assert client.post(link, data=DOB).location == "/step/about-you"
    submission = only_submission(app)
    assert submission.patient.full_name == "Rosa Invitada"
    assert submission.patient.date_of_birth == BORN
    patient = submission.patient
    assert (patient.phone, patient.email) == (INVITED["phone"], INVITED["email"])
    assert "about-you" not in submission.steps_done  # the patient still checks About you
    invitation = stored_invitation(app)
    assert submission.appointment_at == invitation.appointment_at
    assert invitation.submission_id == submission.id and invitation.opened_at is not None
    stored = stored_patient(app)
    assert stored.mrn == "MRN-00123" and stored.person_key.startswith("mrn:")
    with app.app_context():
        assert submissions.find_by_token(session_token(client)).id == submission.id


def test_without_an_mrn_the_person_is_known_by_name_and_birth_date(app):
    opened(app, invite(app, mrn=None))
    patient = stored_patient(app)
    assert patient.mrn is None and not patient.person_key.startswith("mrn:")


def test_the_page_says_who_asked_and_when_in_the_clinics_time_zone(app, client):
    app.config.update(CLINIC_NAME="Valley Spine", CLINIC_TIMEZONE="America/Chicago")
    at = datetime(2030, 3, 5, 20, 30, tzinfo=UTC)  # 2:30 PM in Chicago (CST)
    text = visible_text(client.get(invite(app, appointment_at=at)).text)
    assert (
        "Valley Spine asked you to answer some questions before your appointment on "
        "Tuesday, March 5, 2030, 2:30 PM." in text
    )
    spanish = app.test_client()
    text = visible_text(spanish.get(invite(app, appointment_at=at, language="es")).text)
    assert "antes de su cita del martes, 5 de marzo de 2030, 14:30." in text
    app.config["CLINIC_NAME"] = ""
    text = visible_text(app.test_client().get(invite(app, appointment_at=at)).text)
    assert "Your care team asked you to answer some questions" in text


def test_nothing_about_the_patient_shows_before_the_date_of_birth(app, client):
    link = invite(app)
    pages = [client.get(link).text, client.post(link, data=WRONG_DOB).text]
    pages.append(client.post(link, data={}).text)  # no date at all
    for html in pages:
        for private in PRIVATE:
            assert private not in html
    assert session_token(client) is None and count_submissions(app) == 0


def test_a_link_to_this_browsers_own_questionnaire_opens_at_once(app):
    link = invite(app)
    client = opened(app, link)
    assert client.get(link).location == "/step/about-you"


def test_a_post_without_its_csrf_token_opens_nothing(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    link = invite(app)
    response = client.post(link, data=DOB)
    assert response.status_code == 200 and "open for a long time" in response.text
    assert count_submissions(app) == 0
    data = {**DOB, "csrf_token": csrf_token(client.get(link).text)}
    assert client.post(link, data=data).location == "/step/about-you"


# --- Refusals -------------------------------------------------------------------------------


def test_an_unknown_invitation_link_shows_the_bad_link_page(client):
    response = client.get("/i/not-a-real-token")
    assert response.status_code == 404 and "This link does not work" in response.text


def test_a_wrong_date_of_birth_says_so_next_to_it_then_locks_the_link(app, client):
    app.config.update(RESUME_MAX_FAILURES=3, CLINIC_PHONE="(555) 010-0199")
    link = invite(app)
    for tries, left in ((1, "2 more tries"), (2, "1 more try")):
        response = client.post(link, data=WRONG_DOB)
        assert response.status_code == 200
        assert re.search(
            r'id="date_of_birth-error">.*?That date of birth does not match our invitation\. '
            rf"Check it and try again\. You have {left} before this link is locked\.",
            response.text,
            re.S,
        )
        assert 'value="1971"' in response.text  # what was typed stays
        assert stored_invitation(app).failures == tries
    response = client.post(link, data=WRONG_DOB)
    assert response.status_code == 403 and "This invitation link is locked" in response.text
    assert 'href="tel:5550100199"' in response.text
    # Locked: even the right date of birth no longer opens it, and tries stop counting.
    for response in (client.post(link, data=DOB), app.test_client().get(link)):
        assert response.status_code == 403 and "is locked" in response.text
    assert stored_invitation(app).failures == 3 and count_submissions(app) == 0


def test_the_right_date_of_birth_resets_the_count_of_wrong_tries(app, client):
    link = invite(app)
    client.post(link, data=WRONG_DOB)
    opened(app, link, client)
    assert stored_invitation(app).failures == 0


def test_an_invitation_expires_after_its_appointment(app, client):
    app.config.update(CLINIC_NAME="Valley Spine", CLINIC_PHONE="(555) 010-0199")
    past = utcnow() - timedelta(days=app.config["DRAFT_TTL_DAYS"] + 1)
    link = invite(app, appointment_at=past)
    for response in (client.get(link), client.post(link, data=DOB)):
        assert response.status_code == 410
        text = visible_text(response.text)
        assert "This invitation has expired" in text
        assert "ask Valley Spine for a new link" in text
        assert 'href="tel:5550100199"' in response.text
        assert "Rosa" not in response.text
    assert count_submissions(app) == 0


def test_an_expired_questionnaire_cannot_be_opened_again(app):
    link = invite(app)
    opened(app, link)
    with app.app_context():
        db.session.scalars(select(Submission)).one().expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = app.test_client().post(link, data=DOB)
    assert response.status_code == 403 and "have been deleted" in response.text


def test_a_sent_questionnaire_shows_the_already_sent_page(app):
    link = invite(app)
    client = opened(app, link)
    client.post("/step/about-you", data={"phone": "", "email": ""})
    answer_steps(client, REFERRAL)
    assert client.post("/review").location == "/done"
    client.get("/done")  # this browser forgets it
    for other in (client, app.test_client()):
        response = other.post(link, data=DOB)
        assert response.status_code == 403 and "already sent" in response.text
        assert only_submission(app).reference in response.text
        assert "Rosa" not in response.text


# --- One questionnaire per invitation ------------------------------------------------------


def test_opening_on_a_second_device_gives_it_the_same_questionnaire(app):
    link = invite(app)
    first = opened(app, link)
    first.post("/step/about-you", data={"phone": "", "email": ""})
    first.post("/step/safety", data=SAFE)
    first_token = session_token(first)
    second = app.test_client()
    assert second.post(link, data=DOB).location == "/step/where"  # where the answers stop
    assert count_submissions(app) == 1
    assert session_token(second) != first_token
    # The second device carries on with the answers; the first one's token no longer works.
    assert "Rosa Invitada" in second.get("/review").text
    assert first.get("/review").location == "/"
    response = first.post("/step/where", data={"pain_side": "left", "token": first_token})
    assert response.location == "/"
    assert "pain_side" not in only_submission(app).answers


def test_opening_twice_at_once_makes_one_questionnaire(app):
    link = invite(app)
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        stale = invitations.find(token)  # read before the other opening commits
        assert stale.submission_id is None
        with app.app_context():  # another request, with its own session, wins the race
            winner, winner_token = submissions.open_invitation(invitations.find(token), BORN, "en")
            winner_id = winner.id
        submission, loser_token = submissions.open_invitation(stale, BORN, "en")
        assert submission.id == winner_id and loser_token != winner_token
        assert submissions.find_by_token(winner_token) is None  # one browser holds it at a time
        assert len(db.session.scalars(select(Submission.id)).all()) == 1
        assert len(db.session.scalars(select(Patient.id)).all()) == 1


def test_opening_again_gives_the_same_questionnaire_and_a_new_token(app):
    link = invite(app)
    with app.app_context():
        invitation = invitations.find(link.rsplit("/", 1)[1])
        first, first_token = submissions.open_invitation(invitation, BORN, "en")
        again, again_token = submissions.open_invitation(invitation, BORN, "en")
        assert again.id == first.id and again_token != first_token
        assert submissions.find_by_token(first_token) is None
        assert submissions.find_by_token(again_token).id == first.id


def test_other_answers_in_progress_here_are_never_replaced_without_asking(app, started):
    started.post("/step/safety", data=SAFE)
    link = invite(app)
    page = started.get(link).text
    assert "You have other answers in progress" in page
    assert 'href="/step/where">Keep my answers' in page
    code = re.search(r'id="resume-code">([A-Z0-9-]+)<', page).group(1)
    assert started.post(link, data=DOB).location == "/step/about-you"
    assert "Rosa Invitada" in started.get("/step/about-you").text
    # The earlier answers stay saved, and the code on the page opens them again.
    assert started.post("/resume", data={"code": code, **DOB}).location == "/step/where"


# --- Language -------------------------------------------------------------------------------


def test_the_invitations_language_is_used_when_the_browser_has_none(app, client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    link = invite(app, language="es")
    page = client.get(link).text
    assert '<html lang="es">' in page and "Preguntas antes de su cita" in page
    # The switch still works, and the choice is kept from then on.
    assert client.get(f"/language/en?next={link}").location == link
    assert '<html lang="en">' in client.get(link).text
    opened(app, link, client)
    assert '<html lang="en">' in client.get("/step/about-you").text


def test_a_language_the_patient_chose_wins_over_the_invitations(app, client):
    client.get("/language/en")
    assert '<html lang="en">' in client.get(invite(app, language="es")).text


# --- About you ------------------------------------------------------------------------------


def test_about_you_shows_the_clinics_name_and_date_of_birth_as_text(app):
    app.config["CLINIC_NAME"] = "Valley Spine"
    client = opened(app, invite(app))
    html = client.get("/step/about-you").text
    text = visible_text(html)
    assert "Name.\nRosa Invitada." in text and "Date of birth.\nMarch 25, 1970." in text
    assert "If this is wrong, tell Valley Spine at your visit." in text
    assert inputs(html, "full_name") == [] and inputs(html, "date_of_birth-day") == []
    (phone,) = inputs(html, "phone")
    (email,) = inputs(html, "email")
    assert phone["value"] == INVITED["phone"] and email["value"] == INVITED["email"]


def test_the_patient_corrects_contact_details_and_cannot_change_the_name(app):
    client = opened(app, invite(app))
    response = client.post(
        "/step/about-you",
        data={
            "full_name": "Someone Else",
            **dob_parts(date(1980, 1, 2)),
            "phone": "555 010 0999",
            "email": "",
        },
    )
    assert response.location == "/step/safety"
    submission = only_submission(app)
    assert submission.patient.full_name == "Rosa Invitada"
    assert submission.patient.date_of_birth == BORN
    assert (submission.patient.phone, submission.patient.email) == ("555 010 0999", None)
    assert "about-you" in submission.steps_done
    assert stored_patient(app).mrn == "MRN-00123"
    review = visible_text(client.get("/review").text)
    assert "Rosa Invitada" in review and "March 25, 1970" in review


def test_a_wrong_contact_detail_is_shown_next_to_its_field_and_kept(app):
    client = opened(app, invite(app))
    page = refused(client, "/step/about-you", data={"phone": "call me", "email": ""})
    assert re.search(r'id="phone-error">.*?phone number using numbers', page.text, re.S)
    assert inputs(page.text, "phone")[0]["value"] == "call me"
    assert only_submission(app).patient.phone == INVITED["phone"]  # nothing saved
    # A language switch keeps what was typed, too.
    data = {"phone": "555 010 0777", "email": "", "switch_lang": "es"}
    page = refused(client, "/step/about-you", data=data)
    assert '<html lang="es">' in page.text and "Rosa Invitada" in page.text
    assert inputs(page.text, "phone")[0]["value"] == "555 010 0777"


def test_save_and_finish_later_on_about_you_gives_a_resume_code(app):
    client = opened(app, invite(app))
    data = {"phone": "555 010 0888", "email": "", "action": "later"}
    assert client.post("/step/about-you", data=data).location == "/saved"
    assert 'id="resume-code"' in client.get("/saved").text
    submission = only_submission(app)
    assert submission.patient.phone == "555 010 0888" and "about-you" not in submission.steps_done


def test_about_you_without_an_invitation_still_asks_for_the_name(client):
    begin(client)
    html = client.get("/step/about-you").text
    assert inputs(html, "full_name") and "If this is wrong" not in html


# --- Rate limits ----------------------------------------------------------------------------


class TestRateLimits:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "RESUME_MAX_FAILURES": 100}

    def test_wrong_tries_by_invitation_and_resume_link_share_one_count(self, app):
        link = invite(app)
        other = app.test_client()
        for n in range(5):
            assert other.post(link, data=WRONG_DOB).status_code == 200, n
            assert other.get(f"/i/not-a-token-{n}").status_code == 404, n
        for response in (
            other.get("/resume/not-a-token"),
            other.post(link, data=DOB),
            other.get(link),
        ):
            assert response.status_code == 429 and "Please wait" in response.text
        elsewhere = app.test_client()
        elsewhere.environ_base["REMOTE_ADDR"] = "10.0.0.9"
        assert elsewhere.post(link, data=DOB).location == "/step/about-you"

    def test_opening_invitations_rightly_is_not_counted(self, app):
        for n in range(12):
            assert app.test_client().post(invite(app), data=DOB).status_code == 302, n
