"""A step with nothing stored is rendered once per process and language; each patient's copy
carries only their own tokens."""

import re

from screener.patient.views import CSRF_MARK, TOKEN_MARK
from tests.answers import REFERRAL, SAFE
from tests.conftest import csrf_token

from .conftest import CLINICAL_STEPS as STEPS
from .conftest import begin, checked, hidden_token, inputs, step_data

WHERE = STEPS[1]


def two_patients(app):
    first, second = app.test_client(), app.test_client()
    begin(first)
    begin(second)
    return first, second


def without_tokens(html: str) -> str:
    return re.sub(r'name="(csrf_token|token)" value="[^"]*"', "", html)


def test_each_patient_gets_the_blank_step_with_their_own_tokens(app):
    first, second = two_patients(app)
    pages = [client.get("/step/safety").text for client in (first, second)]
    tokens = [hidden_token(page) for page in pages]
    csrf = [csrf_token(page) for page in pages]
    assert tokens[0] != tokens[1] and csrf[0] != csrf[1]
    assert without_tokens(pages[0]) == without_tokens(pages[1])
    assert CSRF_MARK not in pages[0] and TOKEN_MARK not in pages[0]
    # Each page's token opens that patient's own draft: sending it from the other browser
    # saves into the draft the page belongs to.
    assert second.post("/step/safety", data={**SAFE, "token": tokens[0]}).status_code == 302
    assert checked(first.get("/step/safety").text, "rf_fever") == ["no"]


def test_one_patients_answers_never_reach_another_patients_blank_step(app):
    first, second = two_patients(app)
    second.get(f"/step/{WHERE.slug}")  # the blank page is cached first
    first.post(f"/step/{WHERE.slug}", data=step_data(WHERE, REFERRAL))
    assert checked(first.get(f"/step/{WHERE.slug}").text, "worst_spot") == ["dimple"]
    assert checked(second.get(f"/step/{WHERE.slug}").text, "worst_spot") == []
    assert checked(second.get(f"/step/{WHERE.slug}").text, "pain_areas") == []


def test_the_blank_step_is_kept_per_language(app):
    first, second = two_patients(app)
    assert "Where it hurts" in first.get(f"/step/{WHERE.slug}").text
    second.get(f"/language/es?next=/step/{WHERE.slug}")
    spanish = second.get(f"/step/{WHERE.slug}").text
    assert 'lang="es"' in spanish and "Where it hurts" not in spanish
    assert "Where it hurts" in first.get(f"/step/{WHERE.slug}").text


def test_the_blank_step_keeps_the_way_back_to_review(started):
    from_review = started.get(f"/step/{WHERE.slug}?return_to=review").text
    assert [i["value"] for i in inputs(from_review, "return_to")] == ["review"]
    assert inputs(started.get(f"/step/{WHERE.slug}").text, "return_to") == []


def test_a_message_for_the_patient_shows_on_a_blank_step(started):
    with started.session_transaction() as session:
        session["_flashes"] = [("message", "A note for this patient only.")]
    assert "A note for this patient only." in started.get(f"/step/{WHERE.slug}").text
    assert "A note for this patient only." not in started.get(f"/step/{WHERE.slug}").text
