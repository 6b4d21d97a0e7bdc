"""What the patient pages show: the steps in order, the answers in words, the outcome in words."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from babel import Locale
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import times
from ..catalogue import (
    ABOUT_YOU,
    IDENTITY,
    N_,
    ODI_AFTER,
    ODI_STEP,
    QUESTIONS,
    STEPS,
    Question,
    Step,
)
from ..models import Submission
from ..scoring import RED_FLAG_KEYS, RED_FLAGS, REQUIRED_KEYS
from . import odi


def steps() -> tuple[Step, ...]:
    """The questionnaire's steps in order; the licensed ODI step follows daily life."""
    instrument = odi.instrument()
    if instrument is None:
        return STEPS
    odi_step = Step(
        ODI_STEP,
        instrument.title or N_("More about your daily life"),
        instrument.intro
        or N_("For each part, choose the one sentence that best describes you today."),
    )
    at = [s.slug for s in STEPS].index(ODI_AFTER) + 1
    return (*STEPS[:at], odi_step, *STEPS[at:])


def is_step(slug: str) -> bool:
    return any(candidate.slug == slug for candidate in steps())


def numbered_step(slug: str) -> tuple[int, Step]:
    """The step's number (from 1) and the step (KeyError for an unknown slug)."""
    for number, candidate in enumerate(steps(), 1):
        if candidate.slug == slug:
            return number, candidate
    raise KeyError(slug)


def next_slug(slug: str) -> str | None:
    slugs = [s.slug for s in steps()]
    at = slugs.index(slug)
    return slugs[at + 1] if at + 1 < len(slugs) else None


def previous_slug(slug: str) -> str | None:
    slugs = [s.slug for s in steps()]
    at = slugs.index(slug)
    return slugs[at - 1] if at > 0 else None


def _finished(step: Step, submission: Submission) -> bool:
    """Whether a step was completed and still has every answer it requires (a step completed
    under an earlier rubric may lack a question added since)."""
    answers = submission.answers
    return step.slug in submission.steps_done and all(
        q.key in answers for q in step.questions if q.required and q.applies(answers)
    )


def first_unfinished(submission: Submission) -> str | None:
    """Where a returning patient carries on: the first step not yet completed."""
    return next((s.slug for s in steps() if not _finished(s, submission)), None)


class Need(StrEnum):
    """How much a question needs an answer, as the patient is told."""

    TO_SEND = "to_send"  # a safety question: the answers cannot be sent without it
    CARE_TEAM = "care_team"  # the care team needs it (the rubric's required keys)
    ASKED = "asked"  # needed to continue its step (a name, a "None of these" list), or the ODI's
    OPTIONAL = "optional"  # marked "(optional)"


OPTIONAL_IDENTITY = ("phone", "email")  # About you asks for them as optional


def need(question: Question) -> Need:
    """Whether a question may be left out, and what leaving it out means."""
    if question.key in RED_FLAG_KEYS:
        return Need.TO_SEND
    if question.key in REQUIRED_KEYS:
        return Need.CARE_TEAM
    if question.required or question.none_label:
        return Need.ASKED
    return Need.OPTIONAL


@dataclass(frozen=True)
class Row:
    """One question and its answer in words ([] when not answered)."""

    key: str
    label: str
    words: list[str]
    need: Need = Need.ASKED


@dataclass(frozen=True)
class Section:
    """One step's questions and answers."""

    slug: str
    title: str
    rows: list[Row]


def _identity_rows(submission: Submission) -> list[Row]:
    patient = submission.patient
    rows = []
    for field in IDENTITY:
        value = getattr(patient, field.key) if patient is not None else None
        if field.key == "date_of_birth" and value is not None:
            value = format_date(value, "long")
        marked = Need.OPTIONAL if field.key in OPTIONAL_IDENTITY else Need.ASKED
        rows.append(Row(field.key, _(field.label), [value] if value else [], marked))
    return rows


def _odi_rows(answers: dict) -> list[Row]:
    instrument = odi.licensed()
    scores = answers.get("odi") or [None] * len(instrument.sections)
    rows = []
    for number, (section, score) in enumerate(zip(instrument.sections, scores, strict=True), 1):
        words = [] if score is None else [section.statements[score]]
        rows.append(Row(f"odi_{number}", section.heading, words))
    return rows


def _words(question: Question, answers: dict, done: bool) -> list[str]:
    if question.said_none(answers, done):
        return [_(question.none_label)]
    return question.words(answers.get(question.key), _)


def sections(submission: Submission) -> list[Section]:
    """Every step with each question and its answer in words, for review and printing."""
    answers = submission.answers
    result = []
    for step in steps():
        if step.slug == ABOUT_YOU:
            rows = _identity_rows(submission)
        elif step.slug == ODI_STEP:
            rows = _odi_rows(answers)
        else:
            done = step.slug in submission.steps_done
            rows = [
                Row(q.key, _(q.label), _words(q, answers, done), need(q))
                for q in step.questions
                if q.applies(answers)
            ]
        result.append(Section(step.slug, _(step.title), rows))
    return result


def missing_questions(submission: Submission) -> list[tuple[str, str, str]]:
    """Answers the care team needs that were not given, and that the answers may be sent
    without (not the safety questions): (step slug, question key, question) in step order."""
    missing = set((submission.assessment or {}).get("missing", ())) - set(RED_FLAG_KEYS)
    return [
        (step.slug, q.key, _(q.label))
        for step in steps()
        for q in step.questions
        if q.key in missing
    ]


def appointment_words(at: datetime) -> str:
    """When an appointment is, in the clinic's time zone, as the page's language writes the day
    in full and the time: "Tuesday, March 3, 2026, 2:30 PM"."""
    local = at.astimezone(times.clinic_zone())
    locale = get_locale() or Locale.parse("en")
    pattern = locale.datetime_formats["full"].format(
        locale.time_formats["short"].pattern, locale.date_formats["full"].pattern
    )
    return format_datetime(local, pattern, rebase=False)


def flagged_questions(submission: Submission) -> list[str]:
    """The safety questions whose answers call for care soon, in words."""
    answers = submission.answers
    return [_(QUESTIONS[f.key].label) for f in RED_FLAGS if f.level(answers.get(f.key))]


def pain_area_labels() -> dict[str, str]:
    """Each pain area code's words, for the body diagram."""
    return {option.code: _(option.label) for option in QUESTIONS["pain_areas"].options}


def unanswered_safety(submission: Submission) -> list[str]:
    """The safety questions still unanswered (they must be answered before sending)."""
    return [key for key in RED_FLAG_KEYS if key not in submission.answers]


# The answers that leave a criterion not met (scoring.THRESHOLDS), each in the patient's words,
# for the "not yet" outcome: criterion -> answer key -> answer code -> words. A list answer
# counts by its only entry (medications ["none"]). Severity and function are worded apart.
_LESS_THAN_6_MONTHS = _l(
    "You have had this pain for less than 6 months. Pain like this often gets better with time."
)
NOT_YET_WORDS = {
    "duration": {"pain_duration": dict.fromkeys(("lt_6w", "6w_3m", "3m_6m"), _LESS_THAN_6_MONTHS)},
    "conservative_care": {
        "care_duration": {
            "none": _l("You have not tried care without surgery yet."),
            **dict.fromkeys(
                ("lt_3m", "3m_6m"),
                _l("You have tried care without surgery for less than 6 months."),
            ),
        },
        "pt": {
            "none": _l("You have not had physical therapy yet."),
            "lt_4w": _l("You have had physical therapy for less than 4 weeks."),
        },
        "medications": {"none": _l("You have not tried any medicine for this pain.")},
    },
    "pregnancy": {
        "pregnancy": {
            "pregnant": _l(
                "You are pregnant. Pain like this often gets better in the months after the "
                "baby is born."
            ),
            "postpartum_lt_6m": _l(
                "You had a baby in the last 6 months. Pain like this often gets better in the "
                "first months after a birth."
            ),
        }
    },
}
# The order the reasons are given in: the rubric's.
NOT_YET_CRITERIA = ("duration", "severity", "function", "conservative_care", "pregnancy")


def _code(value: object) -> object:
    """An answer as one code: a list counts by its only entry."""
    if isinstance(value, list):
        return value[0] if len(value) == 1 else None
    return value


def _criterion_words(name: str, answers: dict, assessment: dict) -> list[str]:
    """Why one criterion that is not met is not met, from the answers that make it so."""
    if name == "severity":
        score = answers.get("pain_average")
        return [_("Your pain in the past 7 days was %(score)s out of 10 on average.", score=score)]
    if name == "function":
        if assessment.get("odi_percent") is not None:
            return [_("The pain does not seem to stop you from doing daily things very much.")]
        return [
            _(
                "You can do daily things like sitting, walking and sleeping easily or with only "
                "some difficulty."
            )
        ]
    return [
        str(words[code])
        for key, words in NOT_YET_WORDS[name].items()
        if (code := _code(answers.get(key))) in words
    ]


def not_yet_reasons(submission: Submission) -> list[str]:
    """For the "not yet" outcome: each answer that leaves a criterion not met, in words."""
    assessment = submission.assessment or {}
    criteria = assessment.get("criteria", {})
    return [
        words
        for name in NOT_YET_CRITERIA
        if criteria.get(name) == "not_met"
        for words in _criterion_words(name, submission.answers, assessment)
    ]
