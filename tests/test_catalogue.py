"""The question catalogue agrees with everything built on it: scoring's tables, the summary's
criteria, the translations. Pure checks: no app, no database."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from screener.catalogue import IDENTITY, ODI, QUESTIONS, STEPS, Kind
from screener.clinic.summary import CRITERION_KEYS
from screener.scoring import (
    CRITERIA,
    FIELDS,
    FUNCTION_KEYS,
    RED_FLAG_KEYS,
    RED_FLAGS,
    REQUIRED_KEYS,
    THRESHOLDS,
)

CATALOGUE = Path(__file__).parent.parent / "screener/translations/es/LC_MESSAGES/messages.po"


def _words() -> list[str]:
    """Every text of the catalogue a patient reads (numbers on a scale are not words)."""
    words = [field.label for field in IDENTITY]
    for step in STEPS:
        words += [step.title, step.intro]
        for question in step.questions:
            words += [question.label, *([question.hint] if question.hint else [])]
            words += [o.label for o in question.options if not o.label.isdigit()]
    return words


def test_every_word_a_patient_reads_has_spanish():
    with open(CATALOGUE, "rb") as po:
        spanish = read_po(po)
    missing = [
        text
        for text in _words()
        if (entry := spanish.get(text)) is None or entry.fuzzy or not entry.string
    ]
    assert missing == []


def test_every_answer_key_is_asked_once_with_words_for_each_code():
    keys = [q.key for step in STEPS for q in step.questions]
    assert len(keys) == len(set(keys))
    assert set(FIELDS) == {*keys, ODI.key}
    for question in QUESTIONS.values():
        assert question.short and question.label, question.key
        if question.kind is not Kind.TEXT:
            assert len(set(question.codes)) == len(question.codes) >= 2, question.key


def test_follow_up_questions_depend_on_a_real_answer():
    for question in QUESTIONS.values():
        if question.shown_if:
            key, code = question.shown_if
            assert code in QUESTIONS[key].codes, question.key


def test_scoring_names_only_catalogue_keys():
    assert tuple(flag.key for flag in RED_FLAGS) == RED_FLAG_KEYS
    assert all(QUESTIONS[key].required for key in RED_FLAG_KEYS)
    assert set(REQUIRED_KEYS) <= set(FIELDS)
    assert set(FUNCTION_KEYS) <= set(FIELDS) and FUNCTION_KEYS


def test_every_criterion_shows_answers_that_exist():
    assert set(CRITERION_KEYS) == {criterion.name for criterion in CRITERIA}
    for name, keys in CRITERION_KEYS.items():
        assert keys and set(keys) <= set(QUESTIONS), name


@pytest.mark.parametrize(
    ("key", "codes"),
    [
        ("worst_spot", THRESHOLDS.location_spots | THRESHOLDS.location_other_spots),
        ("pain_areas", THRESHOLDS.location_areas | {THRESHOLDS.widespread_area}),
        ("imaging", {THRESHOLDS.imaging_recent}),
    ],
)
def test_thresholds_name_real_codes(key, codes):
    assert codes <= set(QUESTIONS[key].codes)


@pytest.mark.parametrize(
    ("key", "met", "not_met"),
    [
        ("pain_duration", THRESHOLDS.duration_met, THRESHOLDS.duration_not_met),
        ("care_duration", {THRESHOLDS.care_duration_met}, THRESHOLDS.care_duration_not_met),
        ("pt", THRESHOLDS.pt_met, THRESHOLDS.pt_not_met),
        ("pregnancy", THRESHOLDS.pregnancy_met, THRESHOLDS.pregnancy_not_met),
    ],
)
def test_each_answer_of_a_judged_question_is_met_or_not_met(key, met, not_met):
    assert met.isdisjoint(not_met)
    assert set(met) | set(not_met) == set(QUESTIONS[key].codes)
