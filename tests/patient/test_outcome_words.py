"""The outcome in words true to the answers, the review page's optional and needed questions,
"None of these" for other care, and error summaries that name each unanswered question once."""

import re
from html import unescape

import pytest
from flask_babel import gettext

from screener.catalogue import QUESTIONS, STEPS
from screener.patient.pages import NOT_YET_WORDS
from screener.scoring import RED_FLAG_KEYS, THRESHOLDS, assess
from tests.answers import PATTERN_UNCLEAR, REFERRAL, SAFE

from .conftest import answer_steps, begin, checked, only_submission, refused, step_data
from .rendered import visible_blocks

TREATMENTS = next(step for step in STEPS if step.slug == "treatments")


def _client(app, lang: str):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    begin(client)
    return client


def _outcome(client, answers: dict) -> str:
    """Send these answers and return the confirmation's outcome block."""
    answer_steps(client, answers)
    assert client.post("/review").location == "/done"
    html = client.get("/done").text
    block = html.split('<div class="outcome ', 1)[1].split("</div>", 1)[0]
    return block.split(">", 1)[1]


def _items(block: str) -> list[str]:
    return [unescape(item) for item in re.findall(r"<li>(.*?)</li>", block, re.S)]


LANGS = ("en", "es")
# Each "not yet" reason in English and Spanish.
DURATION = (
    "You have had this pain for less than 6 months. Pain like this often gets better with time.",
    "Tiene este dolor desde hace menos de 6 meses. Un dolor así suele mejorar con el tiempo.",
)
SEVERITY_3 = (
    "Your pain in the past 7 days was 3 out of 10 on average.",
    "En los últimos 7 días, su dolor fue en promedio de 3 sobre 10.",
)
FUNCTION = (
    "You can do daily things like sitting, walking and sleeping easily or with only some "
    "difficulty.",
    "Puede hacer sus cosas de todos los días, como estar sentado, caminar y dormir, con "
    "facilidad o con solo algo de dificultad.",
)
NO_CARE = (
    "You have not tried care without surgery yet.",
    "Todavía no ha probado tratamientos sin cirugía.",
)
SHORT_CARE = (
    "You have tried care without surgery for less than 6 months.",
    "Ha probado tratamientos sin cirugía por menos de 6 meses.",
)
NO_PT = ("You have not had physical therapy yet.", "Todavía no ha hecho terapia física.")
SHORT_PT = (
    "You have had physical therapy for less than 4 weeks.",
    "Ha hecho terapia física por menos de 4 semanas.",
)
NO_MEDICINE = (
    "You have not tried any medicine for this pain.",
    "Todavía no ha probado ninguna medicina para este dolor.",
)
PREGNANT = (
    "You are pregnant. Pain like this often gets better in the months after the baby is born.",
    "Está embarazada. Un dolor así suele mejorar en los meses después de que nace el bebé.",
)
BIRTH = (
    "You had a baby in the last 6 months. Pain like this often gets better in the first months "
    "after a birth.",
    "Tuvo un bebé en los últimos 6 meses. Un dolor así suele mejorar en los primeros meses "
    "después del parto.",
)
EASY_DAYS = dict.fromkeys(
    ("fn_sitting", "fn_standing_walking", "fn_stairs", "fn_daily_tasks", "fn_sleep"), 1
)

NOT_YET_CASES = {
    # 6 months or more of care, but physical therapy for less than 4 weeks.
    "short-pt": ({"pt": "lt_4w"}, [SHORT_PT]),
    "no-pt": ({"pt": "none"}, [NO_PT]),
    "no-care": ({"care_duration": "none"}, [NO_CARE]),
    "care-under-3-months": ({"care_duration": "lt_3m"}, [SHORT_CARE]),
    "care-3-to-6-months": ({"care_duration": "3m_6m"}, [SHORT_CARE]),
    "no-medicine": ({"medications": ["none"]}, [NO_MEDICINE]),
    "every-care-answer": (
        {"care_duration": "3m_6m", "pt": "none", "medications": ["none"]},
        [SHORT_CARE, NO_PT, NO_MEDICINE],
    ),
    "new-pain": ({"pain_duration": "lt_6w"}, [DURATION]),
    "mild-pain": ({"pain_average": 3}, [SEVERITY_3]),
    "daily-life": (EASY_DAYS, [FUNCTION]),
    "pregnant": ({"pregnancy": "pregnant"}, [PREGNANT]),
    "new-baby": ({"pregnancy": "postpartum_lt_6m"}, [BIRTH]),
    "time-and-care": ({"pain_duration": "3m_6m", "pt": "lt_4w"}, [DURATION, SHORT_PT]),
}


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("case", list(NOT_YET_CASES))
def test_not_yet_says_each_unmet_reason_from_the_answers(app, lang, case):
    changes, reasons = NOT_YET_CASES[case]
    client = _client(app, lang)
    block = _outcome(client, {**REFERRAL, **changes})
    assert only_submission(app).category == "not_yet"
    assert _items(block) == [words[LANGS.index(lang)] for words in reasons]


def test_every_answer_that_leaves_a_criterion_unmet_has_its_own_words():
    care = NOT_YET_WORDS["conservative_care"]
    assert set(NOT_YET_WORDS["duration"]["pain_duration"]) == THRESHOLDS.duration_not_met
    assert set(care["care_duration"]) == THRESHOLDS.care_duration_not_met
    assert set(care["pt"]) == THRESHOLDS.pt_not_met
    assert set(care["medications"]) == {"none"}
    assert set(NOT_YET_WORDS["pregnancy"]["pregnancy"]) == THRESHOLDS.pregnancy_not_met


CANT_SAY = {**REFERRAL, "worst_spot": "cant_say"}  # every needed answer given, no clear pattern


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "en",
            [
                "Your answers do not show a clear pattern yet.",
                "Your care team will go through your answers with you at your visit.",
            ],
        ),
        (
            "es",
            [
                "Sus respuestas todavía no muestran un patrón claro.",
                "Su equipo de atención revisará sus respuestas con usted en su cita.",
            ],
        ),
    ],
)
def test_incomplete_with_nothing_missing_does_not_say_answers_are_missing(app, lang, words):
    client = _client(app, lang)
    block = _outcome(client, CANT_SAY)
    stored = only_submission(app)
    assert stored.category == "incomplete" and stored.assessment["missing"] == []
    assert visible_blocks(block)[:2] == words
    assert "<ul>" not in block


UNCLEAR_CASES = {
    "leg": PATTERN_UNCLEAR,
    "spine": {**REFERRAL, "worst_spot": "spine_center"},
    "centre-only": {**REFERRAL, "pain_areas": ["low_back_center"]},
    "fibromyalgia": {**REFERRAL, "fibromyalgia": "yes"},
    "widespread": {**REFERRAL, "pain_areas": ["buttock", "widespread"]},
}
UNCLEAR_WORDS = {
    "en": [
        "Your answers suggest your pain may come from somewhere other than the SI joint.",
        "Your care team will look at other possible causes with you.",
        "This is not a medical test. Only your care team can tell you what is causing your pain.",
    ],
    "es": [
        "Sus respuestas sugieren que su dolor podría venir de otro lugar, no de la "
        "articulación sacroilíaca.",
        "Su equipo de atención buscará con usted otras posibles causas.",
        "Esto no es una prueba médica. Solo su equipo de atención puede decirle qué le causa "
        "el dolor.",
    ],
}


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("case", list(UNCLEAR_CASES))
def test_pattern_unclear_points_at_no_cause(app, lang, case):
    client = _client(app, lang)
    block = _outcome(client, UNCLEAR_CASES[case])
    assert only_submission(app).category == "pattern_unclear"
    assert visible_blocks(block) == UNCLEAR_WORDS[lang]  # the same words whatever the cause


# --- Review: optional, needed and safety questions -----------------------------------------------

# The questions that are not marked optional: the safety questions (needed to send), those the
# care team needs, and a list whose "None of these" box must be ticked to continue.
NOT_OPTIONAL = {
    *RED_FLAG_KEYS,
    *("pain_areas", "worst_spot", "pain_duration", "pain_average"),
    *("care_duration", "pt", "medications", "other_care"),
}


def _review_labels(html: str) -> dict[str, str]:
    """Each review row's question words by its answer key: the rows follow About you's four in
    catalogue order."""
    labels = [unescape(" ".join(t.split())) for t in re.findall(r"<dt>(.*?)</dt>", html, re.S)]
    keys = ["full_name", "date_of_birth", "phone", "email"]
    keys += [q.key for step in STEPS for q in step.questions if q.applies(REFERRAL)]
    assert len(labels) == len(keys)
    return dict(zip(keys, labels, strict=True))


def test_review_marks_optional_questions_and_never_a_safety_question(started):
    answer_steps(started, REFERRAL)
    labels = _review_labels(started.get("/review").text)
    for key, question in QUESTIONS.items():
        optional = f"{question.label} (optional)"
        assert labels[key] == (question.label if key in NOT_OPTIONAL else optional), key
    assert labels["phone"] == "Phone number (optional)"
    assert labels["full_name"] == "Full name"


def test_step_pages_mark_optional_questions_in_their_legends_and_labels(started):
    safety = started.get("/step/safety").text
    assert "(optional)" not in safety and "(opcional)" not in safety
    where = unescape(started.get("/step/where").text)
    legends = re.findall(r"<legend[^>]*>(.*?)</legend>", where, re.S)
    assert legends == [
        "Where do you have pain?",
        "Point to your worst pain with one finger. Where is it?",
        "Which side hurts? (optional)",
        "What makes the pain worse? (optional)",
        "Do you have numbness, tingling or shooting pain below the knee? (optional)",
    ]
    comments = started.get("/step/anything-else").text
    assert re.search(r'<label for="comments">Anything else \(optional\)</label>', comments)
    spanish = started.get("/step/health", headers={"Accept-Language": "es"}).text
    assert spanish.count("(opcional)</legend>") == len(
        next(s for s in STEPS if s.slug == "health").questions
    )


def test_review_says_plainly_what_an_unanswered_question_is_needed_for(started):
    started.post("/step/safety", data={"rf_fever": "no", "action": "later"})
    html = unescape(started.get("/review").text)
    to_send = "Not answered. You need to answer this before you can send your answers."
    assert html.count(to_send) == len(RED_FLAG_KEYS) - 1
    care_team = "Not answered. Your care team needs this answer."
    assert html.count(care_team) == 7  # where, worst spot, how long, how bad, care, PT, medicines
    row = re.search(r"<dt>Which side hurts\? \(optional\)</dt>\s*<dd>(.*?)</dd>", html, re.S)
    assert visible_blocks(row.group(1)) == ["Not answered"]
    # The list of answers that may be left out names no safety question.
    notice = html.split("Some answers would help your care team", 1)[1].split("</div>", 1)[0]
    assert "#rf_" not in notice
    assert "#pain_average-group" in notice


# --- "None of these" for other care ---------------------------------------------------------------


def _treatments(answers: dict, **extra) -> dict:
    return {**step_data(TREATMENTS, answers), **extra}


def test_none_of_these_is_stored_as_no_other_care_and_shown_again(started, app):
    answer_steps(started, REFERRAL)
    html = started.get("/step/treatments").text
    assert checked(html, "other_care") == ["brace_belt"]
    response = started.post("/step/treatments", data=_treatments(REFERRAL, other_care="none"))
    assert response.status_code == 302
    stored = only_submission(app)
    assert "other_care" not in stored.answers
    assert "treatments" in stored.steps_done
    # Scoring sees the answers as if the list had been left empty, as the rubric stores it.
    without = {k: v for k, v in REFERRAL.items() if k != "other_care"}
    assert stored.answers == without
    assert stored.assessment == assess(without).to_dict()
    assert checked(started.get("/step/treatments").text, "other_care") == ["none"]
    review = started.get("/review").text
    row = re.search(r"<dt>What else have you tried\?</dt>\s*<dd>(.*?)</dd>", review, re.S)
    assert visible_blocks(row.group(1)) == ["None of these"]


def test_none_of_these_is_shown_in_spanish(app):
    client = _client(app, "es")
    answer_steps(client, {**REFERRAL, "other_care": ["none"]})
    html = client.get("/review").text
    assert re.search(r"<dt>¿Qué más ha probado\?</dt>\s*<dd>\s*<span[^>]*>Nada de esto<", html)


def test_none_of_these_cannot_be_ticked_with_another_answer(started, app):
    answer_steps(started, REFERRAL)
    data = _treatments(REFERRAL, other_care=["epidural", "none"])
    response = refused(started, "/step/treatments", data=data)
    html = unescape(response.text)
    assert re.search(
        r'id="other_care-error">.*?Check “None of these” on its own, or uncheck it\.', html, re.S
    )
    assert checked(response.text, "other_care") == ["epidural", "none"]  # nothing lost
    assert only_submission(app).answers["other_care"] == ["brace_belt"]


def test_other_care_needs_a_tick_to_continue_but_not_to_save_for_later(started, app):
    answer_steps(started, SAFE, [s for s in STEPS if s.slug == "safety"])
    data = _treatments(REFERRAL, other_care=[])
    response = refused(started, "/step/treatments", data=data)
    message = "Check each one that applies, or check “None of these”."
    assert re.search(rf'id="other_care-error">.*?{message}', unescape(response.text), re.S)
    summary = unescape(response.text).split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert f"What else have you tried? – {message}" in summary
    assert "treatments" not in only_submission(app).steps_done

    assert started.post("/step/treatments", data={**data, "action": "later"}).status_code == 302
    assert "treatments" not in only_submission(app).steps_done
    # Saved for later with nothing ticked: not answered, not "None of these".
    assert checked(started.get("/step/treatments").text, "other_care") == []
    review = started.get("/review").text
    row = re.search(r"<dt>What else have you tried\?</dt>\s*<dd>(.*?)</dd>", review, re.S)
    assert visible_blocks(row.group(1)) == ["Not answered"]


# --- Error summaries: each unanswered question once ----------------------------------------------


@pytest.mark.parametrize(
    ("lang", "note", "message"),
    [
        (
            "en",
            "Please answer these questions. If you are not sure, choose “I'm not sure”.",
            "Choose an answer. If you are not sure, choose “I'm not sure”.",
        ),
        (
            "es",
            "Por favor, responda estas preguntas. Si no lo sabe, elija “No lo sé”.",
            "Elija una respuesta. Si no lo sabe, elija “No lo sé”.",
        ),
    ],
)
def test_the_safety_error_summary_names_each_unanswered_question_once(app, lang, note, message):
    client = _client(app, lang)
    response = refused(client, "/step/safety", data={"rf_fever": "no", "rf_weight_loss": "unsure"})
    html = unescape(response.text)
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    unanswered = [k for k in RED_FLAG_KEYS if k not in ("rf_fever", "rf_weight_loss")]
    links = re.findall(r'<a href="#(rf_[a-z_]+)-0">([^<]*)</a>', summary)
    with app.test_request_context(headers={"Accept-Language": lang}):
        assert links == [(key, gettext(QUESTIONS[key].label)) for key in unanswered]
    assert summary.count(note) == 1
    assert message not in summary  # said once, in the note; beside each question it stays
    assert html.count(message) == len(unanswered)
