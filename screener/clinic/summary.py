"""The one-page summary of a submission, built from its stored assessment (never re-scored)."""

from dataclasses import dataclass
from datetime import date

from ..models import Submission
from ..questions import QUESTIONS, STEPS
from ..scoring import CHECKLIST, CRITERIA, FUNCTION_KEYS, RED_FLAG_KEYS, RED_FLAG_SOURCE, Category
from .labels import (
    CATEGORY_LABELS,
    CATEGORY_MEANINGS,
    CRITERION_LABELS,
    STATUS_LABELS,
    URGENCY_ACTIONS,
    URGENCY_LABELS,
)

# The answers each criterion is judged on ("function" uses the ODI instead when it was scored).
CRITERION_KEYS: dict[str, tuple[str, ...]] = {
    "location": ("pain_areas", "worst_spot"),
    "generalized": ("pain_areas", "fibromyalgia", "inflammatory_arthritis"),
    "duration": ("pain_duration",),
    "severity": ("pain_average",),
    "function": FUNCTION_KEYS,
    "conservative_care": ("care_duration", "pt", "medications"),
    "pregnancy": ("pregnancy",),
}
NOT_ANSWERED = "not answered"


@dataclass(frozen=True)
class Answer:
    """One question and the patient's answer in words."""

    key: str
    question: str
    words: str  # "" when unanswered


@dataclass(frozen=True)
class CriterionRow:
    name: str
    label: str
    status: str  # met, not_met, unknown
    status_label: str
    answers: tuple[Answer, ...]
    rule: str
    source: str


@dataclass(frozen=True)
class Summary:
    submission: Submission
    category: str
    category_label: str
    meaning: str
    urgency: str | None
    urgency_label: str | None
    urgency_action: str | None
    red_flags: tuple[Answer, ...]  # answered yes or unsure
    red_flag_source: str
    reasons: tuple[str, ...]
    criteria: tuple[CriterionRow, ...]
    odi_percent: float | None
    flags: tuple[str, ...]
    supporting: tuple[str, ...]
    checklist: tuple[str, ...]
    missing: tuple[str, ...]
    comments: str | None
    pain_areas: tuple[str, ...]  # codes, for the body diagram
    pain_area_words: str
    answer_groups: tuple[tuple[str, tuple[Answer, ...]], ...]  # (step title, answers)
    criteria_keys: frozenset[str]  # answers already shown in the criteria table
    age: int | None


def _label(key: str) -> str:
    question = QUESTIONS[key]
    return question.short or str(question.label)


def answer(key: str, answers: dict) -> Answer:
    """A question's clinician label and the patient's answer in words."""
    return Answer(key, _label(key), ", ".join(QUESTIONS[key].words(answers.get(key))))


def _odi_words(odi: list | None) -> str:
    if not odi:
        return ""
    return ", ".join("–" if score is None else str(score) for score in odi)


def _age(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def build(submission: Submission) -> Summary:
    """Everything the summary page shows, in the order it shows it."""
    result = submission.assessment or {}
    answers = submission.answers or {}
    statuses = result.get("criteria", {})
    odi_percent = result.get("odi_percent")
    odi = Answer("odi", "ODI sections (0–5 each)", _odi_words(answers.get("odi")))
    criteria = []
    for criterion in CRITERIA:
        if criterion.name == "function" and odi_percent is not None:
            rows = (odi,)
        else:
            rows = tuple(answer(key, answers) for key in CRITERION_KEYS[criterion.name])
        status = statuses.get(criterion.name, "unknown")
        criteria.append(
            CriterionRow(
                criterion.name,
                CRITERION_LABELS[criterion.name],
                status,
                STATUS_LABELS[status],
                rows,
                criterion.rule,
                criterion.source,
            )
        )
    groups = []
    for step in STEPS:
        # The comments have their own section; every other answer is listed here.
        shown = tuple(answer(q.key, answers) for q in step.questions if q.key != "comments")
        if shown:
            groups.append((str(step.title), shown))
    if odi.words:
        groups.append(("ODI", (odi,)))
    category = result.get("category") or submission.category or Category.INCOMPLETE
    urgency = result.get("urgency")
    patient = submission.patient
    when = (submission.submitted_at or submission.created_at).date()
    return Summary(
        submission=submission,
        category=category,
        category_label=CATEGORY_LABELS[category],
        meaning=CATEGORY_MEANINGS[category],
        urgency=urgency,
        urgency_label=URGENCY_LABELS.get(urgency),
        urgency_action=URGENCY_ACTIONS.get(urgency),
        red_flags=tuple(
            answer(key, answers) for key in RED_FLAG_KEYS if answers.get(key) in ("yes", "unsure")
        ),
        red_flag_source=RED_FLAG_SOURCE,
        reasons=tuple(result.get("reasons", ())),
        criteria=tuple(criteria),
        odi_percent=odi_percent,
        flags=tuple(result.get("flags", ())),
        supporting=tuple(result.get("supporting", ())),
        checklist=CHECKLIST if category == Category.DISCUSS_REFERRAL else (),
        missing=tuple(_label(key) for key in result.get("missing", ())),
        comments=answers.get("comments"),
        pain_areas=tuple(answers.get("pain_areas", ())),
        pain_area_words=answer("pain_areas", answers).words,
        answer_groups=tuple(groups),
        criteria_keys=frozenset(a.key for row in criteria for a in row.answers),
        age=_age(patient.date_of_birth if patient else None, when),
    )
