"""The start page and each step: the form contract, progress, saving and validation."""

import re
import unicodedata
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from screener.catalogue import QUESTIONS, STEPS
from screener.models import token_digest, utcnow
from screener.patient.forms import AboutYouForm
from screener.scoring import FIELDS, RED_FLAG_KEYS, Kind
from tests.answers import BORN, IDENTITY, REFERRAL, SAFE, dob_parts

from .conftest import (
    CLINICAL_STEPS,
    answer_steps,
    begin,
    checked,
    count_submissions,
    inputs,
    only_submission,
    refused,
    step_data,
)

FORBIDDEN = re.compile(r"diagnos|qualif|eligib|candidate|approved", re.IGNORECASE)
TOTAL = len(STEPS)


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_start_page_says_what_it_is_for_and_who_sees_the_answers(client):
    html = client.get("/").text
    assert "Questions before your visit" in html
    assert "10 to 15 minutes" in html
    assert "not a medical test" in html
    assert "the staff who help them" in html
    assert 'id="privacy-notice"' in html
    assert 'href="/about-si-joint-fusion"' in html
    assert inputs(html, "privacy")[0]["type"] == "checkbox"


def test_start_requires_the_privacy_acknowledgement(client, app):
    response = client.post("/", data={})
    assert response.status_code == 200
    assert "<title>Error: " in response.text
    assert 'id="privacy-error"' in response.text
    assert count_submissions(app) == 0


def test_acknowledging_starts_a_draft_known_only_by_its_token_digest(client, app):
    response = client.post("/", data={"privacy": "y"})
    assert response.location == "/step/about-you"
    with client.session_transaction() as session:
        token = session["draft"]
        assert session.permanent
    stored = only_submission(app)
    assert stored.token_hash == token_digest(token)
    assert token not in str(vars(stored))
    assert stored.status == "draft"
    assert stored.category == "incomplete"
    assert stored.expires_at - utcnow() > timedelta(days=29)


def test_the_about_page_covers_the_operation_recovery_risks_and_when_to_call(client):
    text = client.get("/about-si-joint-fusion").text
    for words in (
        "titanium",
        "about an hour",
        "drive you home",
        "walker",
        "10 pounds",
        "3 to 4 months",
        "infection",
        "anesthesia",
        "101 °F",
        "weakness",
        "emergency room",
    ):
        assert words in text


@pytest.mark.parametrize("step", CLINICAL_STEPS, ids=lambda s: s.slug)
def test_each_field_is_named_by_its_rubric_key_with_its_codes_as_values(started, step):
    html = started.get(f"/step/{step.slug}").text
    for question in step.questions:
        found = inputs(html, question.key)
        if question.kind is Kind.TEXT:
            assert [f["tag"] for f in found] == ["textarea"]
            continue
        expected_type = "checkbox" if question.kind is Kind.LIST else "radio"
        none_box = ["none"] if question.none_label else []  # "None of these", on the form only
        assert [f["value"] for f in found] == [*question.codes, *none_box]
        assert {f["type"] for f in found} == {expected_type}
        for option in found:  # every option has its own label
            assert f'for="{option["id"]}"' in html


def test_about_you_fields_are_named_for_the_identity_contract(client):
    client.post("/", data={"privacy": "y"})
    html = client.get("/step/about-you").text
    types = {
        i["name"]: i["type"]
        for i in inputs(html)
        if i.get("type") not in (None, "hidden", "submit")
    }
    assert types == {
        "full_name": "text",
        "date_of_birth-day": "text",
        "date_of_birth-month": "text",
        "date_of_birth-year": "text",
        "phone": "tel",
        "email": "email",
    }


@pytest.mark.parametrize("number", range(1, TOTAL + 1))
def test_each_step_shows_its_progress_title_and_back_link(started, number):
    step = STEPS[number - 1]
    html = started.get(f"/step/{step.slug}").text
    assert f"Step {number} of {TOTAL}" in html
    assert f"<title>{step.title} (Step {number} of {TOTAL})" in html
    back = "/" if number == 1 else f"/step/{STEPS[number - 2].slug}"
    assert f'<a class="back-link" href="{back}">' in html
    assert 'name="action" value="continue"' in html
    assert 'name="action" value="later"' in html


def test_continue_goes_through_every_step_in_catalogue_order_then_to_review(started, app):
    for number, step in enumerate(CLINICAL_STEPS, 2):
        response = started.post(f"/step/{step.slug}", data=step_data(step, REFERRAL))
        following = f"/step/{STEPS[number].slug}" if number < TOTAL else "/review"
        assert response.location == following
    stored = only_submission(app)
    assert stored.steps_done == [s.slug for s in STEPS]
    assert stored.answers == REFERRAL


def test_identity_is_kept_apart_from_the_answers(started, app):
    answer_steps(started, REFERRAL)
    stored = only_submission(app)
    assert stored.patient.full_name == "Ann Example"
    assert stored.patient.date_of_birth == BORN
    assert stored.patient.phone == "555 010 0123"
    assert stored.patient.email == "ann@example.com"
    columns = str({k: v for k, v in vars(stored).items() if k != "patient"})
    for value in (IDENTITY["full_name"], BORN.isoformat(), IDENTITY["phone"], IDENTITY["email"]):
        assert value not in columns


def test_phone_and_email_are_optional(client, app):
    begin(client, {"full_name": "Ann Example", **dob_parts(BORN)})
    stored = only_submission(app)
    assert stored.patient.phone is None and stored.patient.email is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"full_name": ""}, "full_name", "Enter your full name."),
        ({"full_name": "   "}, "full_name", "Enter your full name."),
        ({"full_name": "x" * 201}, "full_name", "200 characters or fewer"),
        ({"full_name": "Ann \x1b[31mExample"}, "full_name", "a character we cannot use"),
        ({"full_name": "Ann \u202eelpmaxE"}, "full_name", "a character we cannot use"),
        ({"full_name": "Ann\u200bExample"}, "full_name", "a character we cannot use"),
        ({"full_name": "Ann\tExample"}, "full_name", "a character we cannot use"),
        ({"full_name": "12345"}, "full_name", "at least one letter"),
        ({"full_name": "- . '"}, "full_name", "at least one letter"),
        ({"phone": "call me"}, "phone", "Enter a phone number"),
        ({"phone": "12345"}, "phone", "Enter a phone number"),
        ({"phone": "1" * 16}, "phone", "Enter a phone number"),
        ({"email": "ann@"}, "email", "Enter an email address"),
        ({"email": "ann example.com"}, "email", "Enter an email address"),
    ],
)
def test_about_you_errors_show_beside_the_field_and_in_a_summary(
    client, app, changes, field, message
):
    client.post("/", data={"privacy": "y"})
    response = refused(client, "/step/about-you", data={**IDENTITY, **changes})
    html = response.text
    error = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', html, re.S)
    assert error and message in error.group(1)
    assert f'<a href="#{field}">' in html
    assert "<title>Error: About you" in html
    (element,) = [i for i in inputs(html, field)]
    assert element["aria-invalid"] == "true"
    assert f"{field}-error" in element["aria-describedby"]
    assert only_submission(app).patient is None


def test_a_name_is_kept_with_one_way_of_writing_each_accent(client, app):
    begin(client, {**IDENTITY, "full_name": "Jose\u0301 Nun\u0303ez"})
    assert only_submission(app).patient.full_name == "José Nuñez"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(min_size=1, max_size=40))
def test_a_saved_name_has_a_letter_and_nothing_hidden(app, name):
    form_data = MultiDict({"full_name": name, **dob_parts(BORN)})
    with app.test_request_context(method="POST", data=form_data):
        form = AboutYouForm(formdata=form_data)
        if form.validate():
            saved = form.full_name.data
            assert saved == unicodedata.normalize("NFC", saved)
            assert any(ch.isalpha() for ch in saved)
            assert all(unicodedata.category(ch) not in ("Cc", "Cf") for ch in saved)
        else:
            assert form.full_name.errors


def test_the_questions_need_about_you_first(client):
    client.post("/", data={"privacy": "y"})
    assert client.get("/step/safety").location == "/step/about-you"
    assert client.get("/review").location == "/step/about-you"


def test_a_step_without_a_draft_sends_the_patient_to_the_start(client):
    response = client.get("/step/safety")
    assert response.location == "/"
    assert "could not find your questions" in client.get("/").text


def test_an_unknown_step_is_not_found(started):
    assert started.get("/step/nope").status_code == 404


def test_every_safety_question_is_required(started, app):
    answers = {k: "no" for k in RED_FLAG_KEYS[:-1]}
    response = refused(started, "/step/safety", data=answers)
    html = response.text
    missing = RED_FLAG_KEYS[-1]
    assert f'id="{missing}-error"' in html
    assert html.count('class="error-message"') == 1
    assert "If you are not sure, choose" in html
    assert f'href="#{missing}-0"' in html  # the summary moves focus to the first option
    assert checked(html, RED_FLAG_KEYS[0]) == ["no"]  # what was posted is still there
    assert "safety" not in only_submission(app).steps_done


def test_every_safety_question_offers_i_am_not_sure(started):
    html = started.get("/step/safety").text
    for key in RED_FLAG_KEYS:
        assert [i["value"] for i in inputs(html, key)] == ["yes", "no", "unsure"]


def test_other_steps_may_be_skipped(started, app):
    started.post("/step/safety", data=SAFE)
    for step in CLINICAL_STEPS[1:]:
        # A list with a "None of these" box needs a tick, which stores nothing.
        data = {q.key: "none" for q in step.questions if q.none_label}
        assert started.post(f"/step/{step.slug}", data=data).status_code == 302
    stored = only_submission(app)
    assert stored.answers == SAFE
    assert stored.steps_done == [s.slug for s in STEPS]


CHOICE_KEYS = [key for key, q in QUESTIONS.items() if q.kind is not Kind.TEXT]


@pytest.mark.parametrize("key", CHOICE_KEYS)
@pytest.mark.parametrize("bad", ["bogus", ""])
def test_a_value_outside_the_catalogue_is_refused_beside_its_field(started, app, key, bad):
    step = next(s for s in CLINICAL_STEPS if key in [q.key for q in s.questions])
    data = {**step_data(step, REFERRAL), key: bad}
    response = refused(started, f"/step/{step.slug}", data=data)
    assert re.search(rf'id="{key}-error">.*?Choose one of the answers shown', response.text, re.S)
    assert step.slug not in only_submission(app).steps_done


def test_none_cannot_be_ticked_beside_other_medicines(started, app):
    response = refused(started, "/step/treatments", data={"medications": ["none", "opioid"]})
    assert "Check “None” on its own" in response.text
    assert "medications" not in only_submission(app).answers


def test_a_repeated_code_is_refused_by_the_rubric_check(started, app):
    # Browsers never send a checkbox twice; a crafted request is refused beside the field.
    response = refused(started, "/step/where", data={"pain_areas": ["buttock", "buttock"]})
    assert re.search(r'id="pain_areas-error">.*?Choose one of the answers', response.text, re.S)
    assert "pain_areas" not in only_submission(app).answers


@pytest.mark.parametrize(
    ("key", "bad"), [("pain_average", "11"), ("fn_sleep", "4"), ("pain_worst", "5.0")]
)
def test_numbers_outside_their_range_are_refused(started, key, bad):
    step = "how-much" if key.startswith("pain") else "daily-life"
    response = refused(started, f"/step/{step}", data={key: bad})
    assert f'id="{key}-error"' in response.text


def test_comments_over_the_limit_are_refused_with_the_count(started, app):
    limit = FIELDS["comments"].max_length
    response = refused(started, "/step/anything-else", data={"comments": "a" * (limit + 1)})
    assert "Your note has 2,001 characters. Please shorten it to 2,000 or fewer." in response.text
    assert "a" * (limit + 1) in response.text  # the text is kept for editing
    assert "You have 1 character too many." in response.text
    assert "comments" not in only_submission(app).answers


def test_comments_at_the_limit_are_kept_counting_a_line_break_once(started, app):
    text = "a" * 999 + "\r\n" + "b" * 1000
    assert started.post("/step/anything-else", data={"comments": text}).status_code == 302
    assert only_submission(app).answers["comments"] == "a" * 999 + "\n" + "b" * 1000


def test_the_comment_box_has_a_count_for_the_script(started):
    html = started.get("/step/anything-else").text
    assert 'data-limit="2000"' in html
    assert 'aria-describedby="comments-hint comments-count"' in html
    assert "You have 2,000 characters left." in html


def test_pain_scores_are_large_radio_buttons_stored_as_numbers(started, app):
    html = started.get("/step/how-much").text
    assert 'class="field scale"' in html
    assert "0 – no pain" in html and "10 – worst pain you can imagine" in html
    started.post("/step/how-much", data={"pain_average": "0", "pain_worst": "10"})
    answers = only_submission(app).answers
    assert answers["pain_average"] == 0 and answers["pain_worst"] == 10


def test_function_items_are_stored_as_numbers(started, app):
    started.post("/step/daily-life", data={"fn_sitting": "3", "fn_sleep": "0"})
    answers = only_submission(app).answers
    assert answers == {"fn_sitting": 3, "fn_sleep": 0}


def test_a_saved_step_shows_its_answers_again(started):
    step = CLINICAL_STEPS[1]  # where it hurts
    started.post(f"/step/{step.slug}", data=step_data(step, REFERRAL))
    html = started.get(f"/step/{step.slug}").text
    assert checked(html, "pain_areas") == ["below_belt_side", "buttock"]
    assert checked(html, "worst_spot") == ["dimple"]


def test_the_body_diagram_has_a_region_per_area_linked_to_real_checkboxes(started):
    started.post("/step/where", data={"pain_areas": ["buttock", "groin"]})
    html = started.get("/step/where").text
    svg = re.search(r"<svg class=\"body-diagram is-interactive\".*?</svg>", html, re.S).group(0)
    assert 'aria-hidden="true"' in svg
    areas = re.findall(r'data-area="([a-z_]+)"', svg)
    codes = [c for c in QUESTIONS["pain_areas"].codes if c != "widespread"]
    assert sorted(areas) == sorted(codes)
    assert re.findall(r'class="region is-selected" data-area="([a-z_]+)"', svg) == [
        "buttock",
        "groin",
    ]
    assert [i["value"] for i in inputs(html, "pain_areas")][-1] == "widespread"


def test_the_worst_spot_question_shows_the_dimple(started):
    html = started.get("/step/where").text
    assert re.search(
        r'<img class="dimple-picture" src="/static/img/dimple.svg"[^>]*alt="[^"]*dimples', html
    )
    with started.get("/static/img/dimple.svg") as picture:
        assert picture.status_code == 200


def test_the_relief_question_follows_a_yes_only(started, app):
    html = started.get("/step/treatments").text
    assert 'data-shown-if="si_injection=yes"' in html
    answers = {"si_injection": "yes", "si_injection_relief": "50_74", "other_care": "epidural"}
    started.post("/step/treatments", data=answers)
    assert only_submission(app).answers["si_injection_relief"] == "50_74"
    started.post("/step/treatments", data={**answers, "si_injection": "none"})
    assert only_submission(app).answers == {"si_injection": "none", "other_care": ["epidural"]}


def test_a_step_replaces_only_its_own_answers(started, app):
    answer_steps(started, REFERRAL)
    started.post("/step/where", data={"pain_areas": "groin"})
    answers = only_submission(app).answers
    assert answers["pain_areas"] == ["groin"]
    assert "worst_spot" not in answers  # cleared on that step
    assert answers["pain_duration"] == "gt_12m"  # other steps untouched


@pytest.mark.parametrize(
    ("changes", "category"),
    [
        ({}, "discuss_referral"),
        ({"pain_duration": "3m_6m"}, "not_yet"),
        ({"worst_spot": "spine_center"}, "pattern_unclear"),
        ({"pt": None}, "incomplete"),
        ({"rf_fever": "yes"}, "urgent"),
    ],
)
def test_the_stored_category_is_the_assessment_of_the_stored_answers(
    started, app, changes, category
):
    from screener.scoring import assess

    answers = {k: v for k, v in {**REFERRAL, **changes}.items() if v is not None}
    answer_steps(started, answers)
    stored = only_submission(app)
    assert stored.category == category
    assert stored.category == assess(stored.answers).category
    assert stored.assessment == assess(stored.answers).to_dict()
    assert stored.urgency == assess(stored.answers).to_dict()["urgency"]


def test_the_language_is_stored_with_each_save(client, app):
    client.post("/", data={"privacy": "y"}, headers={"Accept-Language": "es"})
    assert only_submission(app).language == "es"
    client.post("/step/about-you", data=IDENTITY, headers={"Accept-Language": "en"})
    assert only_submission(app).language == "en"


def test_each_save_renews_the_expiry(app, started):
    app.config["DRAFT_TTL_DAYS"] = 3
    started.post("/step/safety", data=SAFE)
    left = only_submission(app).expires_at - utcnow()
    assert timedelta(days=2, hours=23) < left <= timedelta(days=3)


def test_patient_pages_never_use_words_the_product_avoids(started, app):
    pages = ["/", "/about-si-joint-fusion", "/resume"] + [f"/step/{s.slug}" for s in STEPS]
    answer_steps(started, REFERRAL)
    pages += ["/review"]
    texts = [visible_text(started.get(p).text) for p in pages]
    started.post("/review")
    texts.append(visible_text(started.get("/done").text))
    for page, text in zip(pages + ["/done"], texts, strict=True):
        assert not FORBIDDEN.search(text), page


def test_no_names_dates_of_birth_or_answers_are_logged(client, app, caplog):
    caplog.set_level("DEBUG")
    begin(client)
    answer_steps(client, {**REFERRAL, "comments": "private words"})
    client.post("/review")
    logged = caplog.text
    for secret in ("Ann Example", "1970-03-25", "ann@example.com", "private words"):
        assert secret not in logged
