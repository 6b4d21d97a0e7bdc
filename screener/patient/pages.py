"""What the patient pages show: the steps in order, the answers in words, the outcome in words."""

from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..models import Submission
from ..questions import QUESTIONS, STEPS, Step
from ..scoring import RED_FLAG_KEYS, RED_FLAGS
from ..submissions import Draft
from . import odi

ABOUT_YOU = "about-you"
ODI = "odi"


def steps() -> tuple[Step, ...]:
    """The questionnaire's steps in order; the licensed ODI step follows daily life."""
    instrument = odi.instrument()
    if instrument is None:
        return STEPS
    odi_step = Step(
        ODI,
        instrument.title or _l("More about your daily life"),
        instrument.intro
        or _l("For each part, choose the one sentence that best describes you today."),
    )
    at = [s.slug for s in STEPS].index("daily-life") + 1
    return (*STEPS[:at], odi_step, *STEPS[at:])


def find_step(slug: str) -> tuple[int, Step] | None:
    """The step's number (from 1) and the step, or None."""
    for number, candidate in enumerate(steps(), 1):
        if candidate.slug == slug:
            return number, candidate
    return None


def next_slug(slug: str) -> str | None:
    slugs = [s.slug for s in steps()]
    at = slugs.index(slug)
    return slugs[at + 1] if at + 1 < len(slugs) else None


def previous_slug(slug: str) -> str | None:
    slugs = [s.slug for s in steps()]
    at = slugs.index(slug)
    return slugs[at - 1] if at > 0 else None


def is_blank(slug: str, submission: Submission | Draft) -> bool:
    """Whether the step has nothing stored yet, so its page is the same for every patient."""
    if slug == ABOUT_YOU:
        return not submission.identified
    if slug == ODI:
        return not submission.answers.get("odi")
    _number, step = find_step(slug)
    return submission.answers.keys().isdisjoint(q.key for q in step.questions)


def first_unfinished(submission: Submission) -> str | None:
    """Where a returning patient carries on: the first step not yet completed."""
    return next((s.slug for s in steps() if s.slug not in submission.steps_done), None)


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
    if patient is None:
        values = [[], [], [], []]
    else:
        values = [
            [patient.full_name],
            [format_date(patient.date_of_birth, "long")],
            [patient.phone] if patient.phone else [],
            [patient.email] if patient.email else [],
        ]
    labels = [_("Full name"), _("Date of birth"), _("Phone number"), _("Email address")]
    keys = ["full_name", "date_of_birth", "phone", "email"]
    return [Row(k, label, v) for k, label, v in zip(keys, labels, values, strict=True)]


def _odi_rows(answers: dict) -> list[Row]:
    instrument = odi.instrument()
    scores = answers.get("odi") or [None] * len(instrument.sections)
    rows = []
    for number, (section, score) in enumerate(zip(instrument.sections, scores, strict=True), 1):
        words = [] if score is None else [section.statements[score]]
        rows.append(Row(f"odi_{number}", section.heading, words))
    return rows


def shown(key: str, answers: dict) -> bool:
    """Whether a question applies, given the other answers."""
    condition = QUESTIONS[key].shown_if
    return condition is None or answers.get(condition[0]) == condition[1]


def sections(submission: Submission) -> list[Section]:
    """Every step with each question and its answer in words, for review and printing."""
    answers = submission.answers
    result = []
    for step in steps():
        if step.slug == ABOUT_YOU:
            rows = _identity_rows(submission)
        elif step.slug == ODI:
            rows = _odi_rows(answers)
        else:
            rows = [
                Row(q.key, str(q.label), q.words(answers.get(q.key)))
                for q in step.questions
                if shown(q.key, answers)
            ]
        result.append(Section(step.slug, str(step.title), rows))
    return result


def missing_questions(submission: Submission) -> list[tuple[str, str, str]]:
    """Needed answers not given yet: (step slug, question key, question) in step order."""
    missing = set((submission.assessment or {}).get("missing", ()))
    return [
        (step.slug, q.key, str(q.label))
        for step in steps()
        for q in step.questions
        if q.key in missing
    ]


def flagged_questions(submission: Submission) -> list[str]:
    """The safety questions whose answers call for care soon, in words."""
    answers = submission.answers
    return [str(QUESTIONS[f.key].label) for f in RED_FLAGS if f.level(answers.get(f.key))]


def pain_area_labels() -> dict[str, str]:
    """Each pain area code's words, for the body diagram."""
    return {code: str(label) for code, label in QUESTIONS["pain_areas"].choices}


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
