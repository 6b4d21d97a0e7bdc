"""Red flags: calm guidance at once, the answers so far flagged for staff, finishing later."""

import re

import pytest

from screener.catalogue import QUESTIONS
from tests.answers import BORN, REFERRAL, SAFE, dob_parts

from .conftest import CLINICAL_STEPS, answer_steps, count_submissions, only_submission


@pytest.fixture
def clinic(app):
    app.config.update(CLINIC_NAME="Hillside Spine Clinic", CLINIC_PHONE="(555) 010-0199")
    return app


@pytest.mark.parametrize(
    ("answer", "urgency", "heading", "guidance"),
    [
        ({"rf_bladder_bowel": "yes"}, "emergency", "Please get help now", "Call 911"),
        ({"rf_saddle_numbness": "yes"}, "emergency", "Please get help now", "Call 911"),
        ({"rf_leg_weakness_worsening": "yes"}, "emergency", "Please get help now", "Call 911"),
        (
            {"rf_bladder_bowel": "unsure"},
            "same_day",
            "call your care team today",
            "Call (555) 010-0199",
        ),
        ({"rf_fever": "yes"}, "same_day", "call your care team today", "Call (555) 010-0199"),
        (
            {"rf_recent_trauma": "yes"},
            "same_day",
            "call your care team today",
            "Call (555) 010-0199",
        ),
        ({"rf_immune_risk": "yes"}, "same_day", "call your care team today", "Call (555) 010-0199"),
        (
            {"rf_cancer_history": "yes"},
            "soon",
            "tell your care team within a few days",
            'Call Hillside Spine Clinic at <a href="tel:5550100199">(555) 010-0199</a>.',
        ),
        (
            {"rf_weight_loss": "yes"},
            "soon",
            "tell your care team within a few days",
            'Call Hillside Spine Clinic at <a href="tel:5550100199">(555) 010-0199</a>.',
        ),
        (
            {"rf_bladder_bowel": "yes", "rf_weight_loss": "yes"},
            "emergency",
            "Please get help now",
            "Call 911",
        ),
    ],
)
def test_a_red_flag_goes_at_once_to_calm_guidance_and_flags_the_answers(
    started, clinic, answer, urgency, heading, guidance
):
    response = started.post("/step/safety", data={**SAFE, **answer})
    assert response.location == "/urgent"
    page = started.get("/urgent").text
    assert heading in page
    assert guidance in page
    for key in answer:
        assert str(QUESTIONS[key].label) in page  # which answer it was about
    assert "Hillside Spine Clinic" in page
    main_action = re.search(r'<a class="button button-urgent" href="(tel:[0-9]+)"', page)
    assert (
        main_action
        and main_action.group(1) == ("tel:911" if urgency == "emergency" else "tel:5550100199")
        or urgency == "soon"
    )
    for sign in EMERGENCY_SIGNS:
        assert sign in page
    assert "sent your answers so far to your care team" in page
    stored = only_submission(clinic)
    assert stored.urgency == urgency
    assert stored.category == "urgent"
    assert stored.status == "draft"  # the patient may still finish
    assert stored.submitted_at is not None  # so it is in the clinic queue now
    assert stored.flagged_at is not None


EMERGENCY_SIGNS = (
    "New trouble controlling your pee or poop",
    "New numbness between your legs, in your private parts or around your anus.",
    "Weakness in one or both legs that is getting worse.",
    "New numbness in your private parts, or a new change in sex",
)


@pytest.mark.parametrize(
    "key",
    ["rf_bladder_bowel", "rf_saddle_numbness", "rf_leg_weakness_worsening", "rf_sexual_function"],
)
def test_an_emergency_says_call_911_now_and_offers_no_way_to_keep_answering(started, app, key):
    assert started.post("/step/safety", data={**SAFE, key: "yes"}).location == "/urgent"
    page = started.get("/urgent").text
    main = page[page.index('<main id="main"') :]
    # The first action on the page is the call; no step, and no "finish later" form.
    assert re.findall(r'<a [^>]*href="([^"]+)"', main)[0] == "tel:911"
    assert "Call 911 now" in main
    assert "nearest emergency room" in main
    assert 'href="/step/' not in main and 'action="/saved"' not in main
    assert "Please do not answer more questions now" in main
    code = re.search(r'<strong class="code">([A-Z0-9]{4}-[A-Z0-9]{4})</strong>', main).group(1)
    assert only_submission(app).resume_code_hash is not None
    # A reload shows the same code, so one written down still works.
    assert code in started.get("/urgent").text
    # The code opens the questions after the patient has been seen.
    other = app.test_client()
    response = other.post("/resume", data={"code": code, **dob_parts(BORN)})
    assert response.status_code == 302


def test_same_day_guidance_says_emergency_room_not_urgent_care(started, clinic):
    started.post("/step/safety", data={**SAFE, "rf_both_legs": "yes"})
    page = started.get("/urgent").text
    assert "go to an emergency room" in page
    assert "An urgent care center is not the right place for this." in page
    assert 'href="/step/where"' in page  # same day: the patient may answer the rest
    assert only_submission(clinic).urgency == "same_day"


@pytest.mark.parametrize("key", ["rf_fever", "rf_recent_trauma", "rf_cancer_history"])
def test_unsure_about_a_less_urgent_item_carries_on_without_guidance(started, app, key):
    response = started.post("/step/safety", data={**SAFE, key: "unsure"})
    assert response.location == "/step/where"
    stored = only_submission(app)
    assert stored.urgency is None and stored.submitted_at is None


def test_after_the_guidance_finishing_updates_the_same_submission(started, app):
    started.post("/step/safety", data={**SAFE, "rf_fever": "yes"})
    first = only_submission(app)
    page = started.get("/urgent").text
    assert 'href="/step/where"' in page  # answer the rest
    answer_steps(started, {**REFERRAL, "rf_fever": "yes"}, CLINICAL_STEPS[1:])
    assert started.post("/review").location == "/done"
    final = only_submission(app)
    assert count_submissions(app) == 1
    assert final.id == first.id
    assert final.status == "submitted"
    assert final.submitted_at == first.submitted_at  # it entered the queue with the red flag
    assert final.answers["pain_duration"] == "gt_12m"
    assert final.category == "urgent" and final.urgency == "same_day"
    done = started.get("/done").text
    assert "call your care team today" in done.lower()


def test_urgent_guidance_shows_even_when_the_outcome_is_hidden(started, app):
    app.config["SHOW_OUTCOME_TO_PATIENTS"] = False
    started.post("/step/safety", data={**SAFE, "rf_saddle_numbness": "yes"})
    started.post("/review")
    done = started.get("/done").text
    assert "Call 911 now, or go to the nearest emergency room now." in done
    assert "What your answers suggest" not in done


def test_red_flags_win_over_save_and_finish_later(started, app):
    response = started.post("/step/safety", data={"rf_bladder_bowel": "yes", "action": "later"})
    assert response.location == "/urgent"
    stored = only_submission(app)
    assert stored.urgency == "emergency" and stored.resume_code_hash is not None
    assert 'action="/saved"' not in started.get("/urgent").text  # no answering now


def test_clearing_a_red_flag_keeps_the_submission_in_the_queue(started, app):
    started.post("/step/safety", data={**SAFE, "rf_fever": "yes"})
    flagged_at = only_submission(app).flagged_at
    assert started.post("/step/safety", data=SAFE).location == "/step/where"
    stored = only_submission(app)
    assert stored.urgency is None
    assert stored.submitted_at is not None and stored.flagged_at == flagged_at


def test_the_urgent_page_needs_an_urgent_submission(started):
    started.post("/step/safety", data=SAFE)
    assert started.get("/urgent").location == "/"
