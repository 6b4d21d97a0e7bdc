"""Red flags: calm guidance at once, the answers so far flagged for staff, finishing later."""

import pytest

from screener.catalogue import QUESTIONS
from tests.answers import REFERRAL, SAFE

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
        ({"rf_bladder_bowel": "unsure"}, "same_day", "call your care team today", "Call Hillside"),
        ({"rf_fever": "yes"}, "same_day", "call your care team today", "Call Hillside"),
        ({"rf_recent_trauma": "yes"}, "same_day", "call your care team today", "Call Hillside"),
        ({"rf_immune_risk": "yes"}, "same_day", "call your care team today", "Call Hillside"),
        (
            {"rf_cancer_history": "yes"},
            "soon",
            "tell your care team within a few days",
            "Call Hillside",
        ),
        (
            {"rf_weight_loss": "yes"},
            "soon",
            "tell your care team within a few days",
            "Call Hillside",
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
    assert 'href="tel:5550100199">(555) 010-0199</a>' in page
    assert "sent your answers so far to your care team" in page
    stored = only_submission(clinic)
    assert stored.urgency == urgency
    assert stored.category == "urgent"
    assert stored.status == "draft"  # the patient may still finish
    assert stored.submitted_at is not None  # so it is in the clinic queue now
    assert stored.flagged_at is not None


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
    assert "Call 911 or go to the nearest emergency room now." in done
    assert "What your answers suggest" not in done


def test_red_flags_win_over_save_and_finish_later(started, app):
    response = started.post("/step/safety", data={"rf_bladder_bowel": "yes", "action": "later"})
    assert response.location == "/urgent"
    stored = only_submission(app)
    assert stored.urgency == "emergency" and stored.resume_code_hash is not None
    assert 'action="/saved"' in started.get("/urgent").text


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
