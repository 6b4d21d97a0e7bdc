"""Review and change, send, the confirmation page, and read-only after sending."""

import re
from html import unescape

import pytest

from screener.catalogue import QUESTIONS, STEPS
from screener.scoring import RED_FLAG_KEYS, assess
from tests.answers import BORN, INCOMPLETE, NOT_YET, PATTERN_UNCLEAR, REFERRAL, SAFE, dob_parts

from .conftest import CLINICAL_STEPS, answer_steps, only_submission


def test_review_lists_every_answer_in_words_with_a_change_link_per_step(started):
    answer_steps(started, REFERRAL)
    html = unescape(started.get("/review").text)
    for step in STEPS:
        assert f'href="/step/{step.slug}?return_to=review"' in html
        assert f'<span class="visually-hidden"> {step.title}</span>' in html
    for key, question in QUESTIONS.items():
        assert str(question.label) in html, key
        for words in question.words(REFERRAL.get(key)):
            assert words in html, key
    assert "Ann Example" in html and "March 25, 1970" in html
    unanswered = [q for q in QUESTIONS.values() if q.key not in REFERRAL and q.applies(REFERRAL)]
    assert html.count("Not answered") == len(unanswered)


def test_review_shows_not_answered_and_links_to_what_is_missing(started):
    answer_steps(started, SAFE, CLINICAL_STEPS[:1])
    html = started.get("/review").text
    assert html.count("Not answered") == len(QUESTIONS) - len(RED_FLAG_KEYS) - 1  # minus relief
    assert "Some answers would help your care team" in html
    for slug, key in [("where", "pain_areas"), ("how-much", "pain_average"), ("treatments", "pt")]:
        assert f'href="/step/{slug}?return_to=review#{key}-group"' in html


def test_the_relief_question_is_reviewed_only_after_a_yes(started):
    answer_steps(started, {**REFERRAL, "si_injection": "none", "si_injection_relief": None})
    html = started.get("/review").text
    assert str(QUESTIONS["si_injection_relief"].label) not in html


def test_change_returns_to_review(started, app):
    answer_steps(started, REFERRAL)
    html = started.get("/step/where?return_to=review").text
    assert '<input type="hidden" name="return_to" value="review">' in html
    response = started.post(
        "/step/where",
        data={"pain_areas": "buttock", "worst_spot": "buttock", "return_to": "review"},
    )
    assert response.location == "/review"
    review = started.get("/review").text
    assert "In the buttock" in review
    assert only_submission(app).answers["worst_spot"] == "buttock"


def test_change_about_you_from_review(started, app):
    answer_steps(started, REFERRAL)
    response = started.post(
        "/step/about-you",
        data={"full_name": "Ann B. Example", **dob_parts(BORN), "return_to": "review"},
    )
    assert response.location == "/review"
    assert only_submission(app).patient.full_name == "Ann B. Example"


def test_sending_needs_every_safety_answer(started, app):
    started.post("/step/safety", data={"rf_fever": "no", "action": "later"})
    response = started.post("/review")
    assert response.status_code == 200
    assert "<title>Error: Check your answers" in response.text
    summary = response.text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    links = re.findall(
        r'href="/step/safety\?return_to=review#(rf_[a-z_]+)-group">([^<]+)<', summary
    )
    unanswered = [k for k in RED_FLAG_KEYS if k != "rf_fever"]
    # Each unanswered safety question once, by its question, under one message.
    assert [(k, unescape(text)) for k, text in links] == [
        (k, QUESTIONS[k].label) for k in unanswered
    ]
    assert summary.count("Please answer these safety questions before you send") == 1
    assert only_submission(app).status == "draft"


def test_sending_makes_the_questionnaire_read_only(started, app):
    answer_steps(started, REFERRAL)
    assert started.post("/review").location == "/done"
    sent = only_submission(app)
    assert sent.status == "submitted" and sent.submitted_at is not None
    assert sent.expires_at is None
    for slug in ("about-you", "safety", "where"):
        assert started.get(f"/step/{slug}").location == "/done"
        assert started.post(f"/step/{slug}", data={"pain_side": "right"}).location == "/done"
    assert started.get("/review").location == "/done"
    assert started.post("/review").location == "/done"
    assert only_submission(app).answers == REFERRAL


def test_done_needs_a_sent_questionnaire(started, client):
    assert started.get("/done").location == "/review"


@pytest.mark.parametrize(
    ("answers", "category", "words"),
    [
        (
            REFERRAL,
            "discuss_referral",
            ["often leads care teams to talk about a check for SI-joint"],
        ),
        (
            NOT_YET,
            "not_yet",
            [
                "or more time, may still help",
                "this pain for less than 6 months",
                "physical therapy for less than 4 weeks",
            ],
        ),
        (PATTERN_UNCLEAR, "pattern_unclear", ["somewhere other than the SI joint"]),
        (
            INCOMPLETE,
            "incomplete",
            [
                "Some answers your care team needs were not given",
                "how bad was your pain on average?",
                "Which medicines have you taken",
            ],
        ),
    ],
)
def test_the_confirmation_gives_the_outcome_in_plain_words(started, app, answers, category, words):
    answer_steps(started, answers)
    started.post("/review")
    stored = only_submission(app)
    assert stored.category == category == assess(stored.answers).category
    html = started.get("/done").text
    assert f"outcome-{category}" in html
    for phrase in words:
        assert phrase in html
    assert stored.reference in html
    assert "What happens next" in html
    assert "not a medical test" in html


def test_the_outcome_can_be_hidden_from_patients(started, app):
    app.config["SHOW_OUTCOME_TO_PATIENTS"] = False
    answer_steps(started, REFERRAL)
    started.post("/review")
    html = started.get("/done").text
    assert "What your answers suggest" not in html
    assert "SI-joint fusion." not in html.split("<main", 1)[1].split("<footer", 1)[0]
    assert "What happens next" in html
    assert only_submission(app).reference in html


def test_the_confirmation_has_a_print_friendly_copy_of_the_answers(started, app):
    answer_steps(started, REFERRAL)
    started.post("/review")
    html = started.get("/done").text
    assert "data-print hidden" in html  # shown by the script
    copy = html.split('class="printed-answers"', 1)[1]
    assert "Reference code: " in copy
    assert "On or just below the dimple" in copy
    assert "/step/" not in copy  # no Change links in the copy
    with started.get("/static/css/patient.css") as css:
        assert "@media print" in css.text
