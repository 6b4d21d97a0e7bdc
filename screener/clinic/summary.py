"""The one-page summary of a submission, built from its stored assessment (never re-scored)."""

from dataclasses import dataclass

from ..catalogue import ODI, QUESTIONS, STEPS, age_on
from ..models import Submission
from ..scoring import (
    CRITERIA,
    FUNCTION_KEYS,
    RED_FLAG_KEYS,
    RED_FLAG_SOURCE,
    Category,
    checklist_for,
)
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


def answer(key: str, answers: dict) -> Answer:
    """A question's clinician label and the patient's answer in words."""
    question = QUESTIONS[key]
    return Answer(key, question.short, ", ".join(question.words(answers.get(key))))


def _odi_answer(answers: dict) -> Answer:
    odi = answers.get(ODI.key)
    words = ", ".join("–" if score is None else str(score) for score in odi) if odi else ""
    return Answer(ODI.key, ODI.short, words)


def _criteria(result: dict, answers: dict) -> tuple[CriterionRow, ...]:
    """Each criterion with its status, the answers it was judged on, its rule and source."""
    statuses = result.get("criteria", {})
    rows = []
    for criterion in CRITERIA:
        if criterion.name == "function" and result.get("odi_percent") is not None:
            judged_on: tuple[Answer, ...] = (_odi_answer(answers),)
        else:
            judged_on = tuple(answer(key, answers) for key in CRITERION_KEYS[criterion.name])
        status = statuses.get(criterion.name, "unknown")
        rows.append(
            CriterionRow(
                criterion.name,
                CRITERION_LABELS[criterion.name],
                status,
                STATUS_LABELS[status],
                judged_on,
                criterion.rule,
                criterion.source,
            )
        )
    return tuple(rows)


def _answer_groups(answers: dict, steps_done: list) -> tuple[tuple[str, tuple[Answer, ...]], ...]:
    """Every answer by step; the comments have their own section."""
    groups = []
    for step in STEPS:
        done = step.slug in steps_done
        shown = tuple(
            Answer(q.key, q.short, q.none_label)
            if q.none_label and q.said_none(answers, done)
            else answer(q.key, answers)
            for q in step.questions
            if q.key != "comments"
        )
        if shown:
            groups.append((step.title, shown))
    odi = _odi_answer(answers)
    if odi.words:
        groups.append(("ODI", (odi,)))
    return tuple(groups)


def build(submission: Submission) -> Summary:
    """Everything the summary page shows, in the order it shows it."""
    result = submission.assessment or {}
    answers = submission.answers or {}
    criteria = _criteria(result, answers)
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
        criteria=criteria,
        odi_percent=result.get("odi_percent"),
        flags=tuple(result.get("flags", ())),
        supporting=tuple(result.get("supporting", ())),
        checklist=checklist_for(category),
        missing=tuple(QUESTIONS[key].short for key in result.get("missing", ())),
        comments=answers.get("comments"),
        pain_areas=tuple(answers.get("pain_areas", ())),
        pain_area_words=answer("pain_areas", answers).words,
        answer_groups=_answer_groups(answers, submission.steps_done or []),
        criteria_keys=frozenset(a.key for row in criteria for a in row.answers),
        age=age_on(patient.date_of_birth, when) if patient else None,
    )
