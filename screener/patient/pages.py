"""What the patient pages show: the steps in order, the answers in words, the outcome in words."""

from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..catalogue import ABOUT_YOU, IDENTITY, N_, ODI_AFTER, ODI_STEP, QUESTIONS, STEPS, Step
from ..models import Submission
from ..scoring import RED_FLAG_KEYS, RED_FLAGS
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


@dataclass(frozen=True)
class Row:
    """One question and its answer in words ([] when not answered)."""

    key: str
    label: str
    words: list[str]


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
        rows.append(Row(field.key, _(field.label), [value] if value else []))
    return rows


def _odi_rows(answers: dict) -> list[Row]:
    instrument = odi.licensed()
    scores = answers.get("odi") or [None] * len(instrument.sections)
    rows = []
    for number, (section, score) in enumerate(zip(instrument.sections, scores, strict=True), 1):
        words = [] if score is None else [section.statements[score]]
        rows.append(Row(f"odi_{number}", section.heading, words))
    return rows


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
            rows = [
                Row(q.key, _(q.label), q.words(answers.get(q.key), _))
                for q in step.questions
                if q.applies(answers)
            ]
        result.append(Section(step.slug, _(step.title), rows))
    return result


def missing_questions(submission: Submission) -> list[tuple[str, str, str]]:
    """Needed answers not given yet: (step slug, question key, question) in step order."""
    missing = set((submission.assessment or {}).get("missing", ()))
    return [
        (step.slug, q.key, _(q.label))
        for step in steps()
        for q in step.questions
        if q.key in missing
    ]


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


# What a criterion that is not met means, in the patient's words (for the "not yet" outcome).
NOT_YET_WORDS = {
    "duration": _l(
        "You have had this pain for less than 6 months. Pain like this often gets better with time."
    ),
    "severity": _l("Your pain over the past week was less than 5 out of 10 on average."),
    "function": _l("The pain does not seem to stop you from doing daily things very much."),
    "conservative_care": _l(
        "You have not yet tried care without surgery for 6 months or more. This means things "
        "like physical therapy, exercises and medicine."
    ),
    "pregnancy": _l(
        "You are pregnant or had a baby in the last 6 months. This kind of pain often gets "
        "better after that time."
    ),
}


def not_yet_reasons(submission: Submission) -> list[str]:
    criteria = (submission.assessment or {}).get("criteria", {})
    return [str(words) for name, words in NOT_YET_WORDS.items() if criteria.get(name) == "not_met"]
