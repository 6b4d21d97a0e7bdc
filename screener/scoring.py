"""Score a patient's coded answers against the SI-joint screening rubric.

The pure core of the product: standard library only, no I/O. It implements rubric version
2026.11 exactly; every threshold sits in `THRESHOLDS` and every source in `SOURCES`, so a clinic
can review them in one place. The result is a screening aid for a conversation, never a diagnosis.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeGuard

from . import catalogue
from .catalogue import Kind, Question

RUBRIC_VERSION = "2026.11"


class Status(StrEnum):
    """How one criterion is judged."""

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class Category(StrEnum):
    """The single outcome of a screening."""

    URGENT = "urgent"
    DISCUSS_REFERRAL = "discuss_referral"
    NOT_YET = "not_yet"
    PATTERN_UNCLEAR = "pattern_unclear"
    INCOMPLETE = "incomplete"


class Urgency(StrEnum):
    """How soon a red flag needs care."""

    EMERGENCY = "emergency"
    SAME_DAY = "same_day"
    SOON = "soon"


URGENCY_RANK = {Urgency.EMERGENCY: 0, Urgency.SAME_DAY: 1, Urgency.SOON: 2}  # 0 is most urgent


# --- Answer keys: declared in the question catalogue ---------------------------------------------

# Every answer key and what it accepts, in the order the questionnaire asks them.
FIELDS: dict[str, Question] = {key: catalogue.question(key) for key in catalogue.ANSWER_KEYS}
RED_FLAG_KEYS: tuple[str, ...] = tuple(q.key for q in catalogue.step("safety").questions)
REQUIRED_KEYS: tuple[str, ...] = (
    *RED_FLAG_KEYS,
    "pain_areas",
    "worst_spot",
    "pain_duration",
    "pain_average",
    "care_duration",
    "pt",
    "medications",
)
FUNCTION_KEYS: tuple[str, ...] = tuple(q.key for q in catalogue.step("daily-life").questions)


# --- Thresholds and sources: the one table a clinic reviews -------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """Every number and code the criteria are judged against."""

    location_spots: frozenset[str] = frozenset({"dimple", "buttock"})
    location_other_spots: frozenset[str] = frozenset({"spine_center", "leg"})
    location_areas: frozenset[str] = frozenset({"below_belt_side", "buttock"})
    widespread_area: str = "widespread"
    duration_met: frozenset[str] = frozenset({"6m_12m", "gt_12m"})  # 6 months or more
    duration_not_met: frozenset[str] = frozenset({"lt_6w", "6w_3m", "3m_6m"})
    pain_average_min: int = 5  # out of 10
    odi_sections: int = catalogue.ODI_SECTIONS
    odi_section_max: int = catalogue.ODI.maximum
    odi_min_answered: int = 8
    odi_percent_min: float = 30
    function_item_min: int = 2  # "with great difficulty" on the 0-3 fn_* scale
    care_duration_met: str = "gte_6m"  # 6 months or more
    care_duration_not_met: frozenset[str] = frozenset({"none", "lt_3m", "3m_6m"})
    pt_met: frozenset[str] = frozenset({"gte_4w", "not_tolerated"})  # 4 weeks or more
    pt_not_met: frozenset[str] = frozenset({"none", "lt_4w"})
    pregnancy_met: frozenset[str] = frozenset({"no", "not_applicable"})
    pregnancy_not_met: frozenset[str] = frozenset({"pregnant", "postpartum_lt_6m"})
    # Shown to the clinician, never scored.
    worse_with_supporting_min: int = 2
    relief_payer_percent: int = 75  # code gte_75
    relief_trial_percent: int = 50  # code 50_74; lt_50 is below it
    imaging_recent: str = "lt_6m"  # payers commonly expect imaging from the last 6 months


THRESHOLDS = Thresholds()
_T = THRESHOLDS

SOURCES: dict[str, str] = {
    "symptoms_and_care": (
        "BCBS medical policy MP-555 (2023); NASS coverage recommendation; eviCore CMM-611"
    ),
    "physical_therapy": "Centene/Ambetter SI-joint fusion policy",
    "severity": "BCBS MP-555",
    "location": "CMS SI-joint injection LCDs L39455/L39402; Fortin & Falco 1997",
    "referral_zones": "Slipman et al. 2000, Arch Phys Med Rehabil 81:334",
    "exclusions": "BCBS MP-555; eviCore CMM-611",
    "odi": "INSITE/SIFI/iMIA trial inclusion; Fairbank & Pynsent 2000, Spine 25:2940",
    "blocks": "eviCore CMM-611; Polly et al. 2016, IJSS 10:4",
    "provocation": "Laslett et al. 2005, Manual Therapy 10:207",
    "prior_lumbar_fusion": "Lee et al. 2019, J Spine Surg; CMS LCD L39797 background",
    "red_flags": (
        "AHCPR Acute Low Back Problems in Adults, Table 1; BASS 2018 cauda equina standards"
    ),
    "device": "SI-BONE iFuse labelling; eviCore CMM-611",
}
RED_FLAG_SOURCE = SOURCES["red_flags"]


@dataclass(frozen=True)
class Criterion:
    """One scored criterion: the threshold in words and where it comes from."""

    name: str
    rule: str
    source: str


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "location",
        "worst pain at the sacral dimple or in the buttock, with pain marked at the side below "
        "the belt or in the buttock",
        f"{SOURCES['location']}; {SOURCES['referral_zones']}",
    ),
    Criterion(
        "generalized",
        "no widespread pain, fibromyalgia or inflammatory spinal arthritis",
        SOURCES["exclusions"],
    ),
    Criterion("duration", "pain for 6 months or more", SOURCES["symptoms_and_care"]),
    Criterion(
        "severity",
        f"average pain over the past 7 days of {_T.pain_average_min}/10 or more",
        SOURCES["severity"],
    ),
    Criterion(
        "function",
        f"an ODI of {_T.odi_percent_min:g} % or more when at least {_T.odi_min_answered} of its "
        f"{_T.odi_sections} sections are answered; otherwise a function item rated "
        f"{_T.function_item_min} (great difficulty) or more",
        f"{SOURCES['odi']}; {SOURCES['severity']}",
    ),
    Criterion(
        "conservative_care",
        "6 months or more of non-surgical care, with physical therapy for 4 weeks or more (or not "
        "tolerated) and medicines tried (or not possible)",
        f"{SOURCES['symptoms_and_care']}; {SOURCES['physical_therapy']}",
    ),
    Criterion(
        "pregnancy",
        "not pregnant and not within 6 months of giving birth",
        SOURCES["device"],
    ),
)


@dataclass(frozen=True)
class RedFlag:
    """One red-flag question and the urgency its answers give."""

    key: str
    label: str
    if_yes: Urgency
    if_unsure: Urgency | None  # None: an `unsure` only flags it for the clinician

    def level(self, answer: object) -> Urgency | None:
        """The urgency this answer gives, if any."""
        if answer == "yes":
            return self.if_yes
        return self.if_unsure if answer == "unsure" else None


_E, _S = Urgency.EMERGENCY, Urgency.SAME_DAY
RED_FLAGS: tuple[RedFlag, ...] = (
    RedFlag("rf_bladder_bowel", "new trouble controlling bladder or bowels", _E, _S),
    RedFlag("rf_saddle_numbness", "new numbness in the saddle area", _E, _S),
    RedFlag("rf_leg_weakness_worsening", "leg weakness that is getting worse", _E, _S),
    RedFlag("rf_fever", "fever or chills with this pain", _S, None),
    RedFlag("rf_recent_trauma", "pain after a recent fall or accident", _S, None),
    RedFlag("rf_immune_risk", "weakened immunity or injected drugs, with new pain", _S, None),
    RedFlag("rf_cancer_history", "past cancer, with new or different pain", Urgency.SOON, None),
    RedFlag("rf_weight_loss", "unexplained weight loss", Urgency.SOON, None),
)

_ACTION = {
    Urgency.EMERGENCY: "emergency care now",
    Urgency.SAME_DAY: "contact with the care team today",
    Urgency.SOON: "contact with the care team within a few days",
}

CHECKLIST: tuple[str, ...] = (
    "Fortin finger test: the patient points with one finger to the worst pain, at or just "
    "below-inside the posterior superior iliac spine.",
    "Provocation tests: three or more of five positive (distraction, thigh thrust, compression, "
    "FABER, Gaenslen).",
    "Imaging of the lumbar spine, pelvis and hip to rule out other sources of the pain.",
    "Image-guided diagnostic SI-joint blocks: payers commonly require two, each giving "
    f"{_T.relief_payer_percent} % relief or more; trials used {_T.relief_trial_percent} % "
    "or more.",
    "At least one therapeutic SI-joint injection.",
    "Nicotine status.",
    "Behavioural health and substance use reviewed.",
)


def checklist_for(category: str) -> tuple[str, ...]:
    """The care team's checklist, for a discuss_referral outcome only."""
    return CHECKLIST if category == Category.DISCUSS_REFERRAL else ()


# --- Validation ---------------------------------------------------------------------------------


class AnswerError(ValueError):
    """An answer the rubric refuses; names the key."""

    def __init__(self, key: str, message: str, index: int | None = None) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message
        self.index = index  # position in a batch of answer sets, set by callers


def _show(value: object) -> str:
    """Render a refused value as JSON (as a patient or client sent it), shortened."""
    try:
        shown = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _codes(field: Question) -> str:
    """List a field's allowed codes for an error message."""
    return ", ".join(f'"{code}"' for code in field.codes)


def _in_range(value: object, field: Question) -> TypeGuard[int]:
    """True for a whole number (not a bool) in the field's range."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and field.minimum <= value <= field.maximum
    )


def _check_choice(field: Question, value: object) -> object:
    """Accept one of the field's codes, as a plain str."""
    if isinstance(value, str) and value in field.codes:
        return str(value)
    raise AnswerError(field.key, f"must be one of {_codes(field)}, not {_show(value)}")


def _check_int(field: Question, value: object) -> object:
    """Accept a whole number in range, as a plain int; bools, strings and floats are refused."""
    if _in_range(value, field):
        return int(value)
    raise AnswerError(
        field.key,
        f"must be a whole number from {field.minimum} to {field.maximum}, not {_show(value)}",
    )


def _check_list(field: Question, value: object) -> object:
    """Accept a list of distinct codes; `none` only on its own."""
    if not isinstance(value, (list, tuple)):
        raise AnswerError(field.key, f"must be a list of codes, not {_show(value)}")
    if not value:
        return None
    for code in value:
        if not (isinstance(code, str) and code in field.codes):
            raise AnswerError(field.key, f"{_show(code)} is not one of {_codes(field)}")
    for i, code in enumerate(value):
        if code in value[:i]:
            raise AnswerError(field.key, f"{_show(code)} is listed more than once")
    if "none" in value and len(value) > 1:
        raise AnswerError(field.key, '"none" cannot be listed beside other entries')
    return list(map(str, value))


def _check_odi(field: Question, value: object) -> object:
    """Accept exactly ten ODI sections, each a score or null."""
    if not isinstance(value, (list, tuple)):
        raise AnswerError(field.key, f"must be a list of section scores, not {_show(value)}")
    if not value:
        return None
    if len(value) != _T.odi_sections:
        raise AnswerError(
            field.key, f"must have exactly {_T.odi_sections} entries, not {len(value)}"
        )
    for number, score in enumerate(value, 1):
        if score is not None and not _in_range(score, field):
            raise AnswerError(
                field.key,
                f"section {number} must be a whole number from {field.minimum} to "
                f"{field.maximum} or null, not {_show(score)}",
            )
    return [None if score is None else int(score) for score in value]


def _check_text(field: Question, value: object) -> object:
    """Accept free text up to the length limit; blank counts as not answered."""
    if not isinstance(value, str):
        raise AnswerError(field.key, f"must be text, not {_show(value)}")
    if len(value) > field.max_length:
        raise AnswerError(
            field.key, f"must be at most {field.max_length} characters, not {len(value)}"
        )
    return str(value) if value.strip() else None


_CHECKS: dict[Kind, Callable[[Question, object], object]] = {
    Kind.YN: _check_choice,
    Kind.YNU: _check_choice,
    Kind.CHOICE: _check_choice,
    Kind.LIST: _check_list,
    Kind.INT: _check_int,
    Kind.ODI: _check_odi,
    Kind.TEXT: _check_text,
}


def validate(answers: Mapping[str, object]) -> dict[str, Any]:
    """Return a checked copy of the answers without the unanswered keys, nor the answers to
    follow-up questions that the other answers do not ask; raise AnswerError."""
    if not isinstance(answers, Mapping):
        raise AnswerError("(answers)", "must be an object")
    clean: dict[str, Any] = {}
    for key, value in answers.items():
        field = FIELDS.get(key)
        if field is None:
            # Escaped (no quotes): a key holding a newline or a terminal code stays on one line.
            shown = json.dumps(str(key), ensure_ascii=False)[1:-1][:60]
            raise AnswerError(shown, "is not a question in this rubric")
        if value is not None:
            value = _CHECKS[field.kind](field, value)
            if value is not None:
                clean[key] = value
    return catalogue.applicable(clean)


# --- Criteria -----------------------------------------------------------------------------------

def _location(a: dict) -> Status:
    """Pain in the SI-joint region."""
    spot, areas = a.get("worst_spot"), a.get("pain_areas")
    if spot in _T.location_other_spots or (
        areas is not None and _T.location_areas.isdisjoint(areas)
    ):
        return Status.NOT_MET
    if spot in _T.location_spots and areas is not None:
        return Status.MET
    return Status.UNKNOWN


def _generalized(a: dict) -> Status:
    """No widespread pain disorder."""
    fibromyalgia, arthritis = a.get("fibromyalgia"), a.get("inflammatory_arthritis")
    if _T.widespread_area in a.get("pain_areas", ()) or fibromyalgia == "yes" or arthritis == "yes":
        return Status.NOT_MET
    if fibromyalgia == "no" and arthritis == "no":
        return Status.MET
    return Status.UNKNOWN


def _status_by_code(met: frozenset[str], not_met: frozenset[str]) -> dict[str | None, Status]:
    """Judge a single-choice answer by a table from code to status; other codes are unknown."""
    table: dict[str | None, Status] = dict.fromkeys(not_met, Status.NOT_MET)
    return table | dict.fromkeys(met, Status.MET)


_DURATION_STATUS = _status_by_code(_T.duration_met, _T.duration_not_met)
_PREGNANCY_STATUS = _status_by_code(_T.pregnancy_met, _T.pregnancy_not_met)


def _severity(a: dict) -> Status:
    """Average pain of the threshold or more."""
    average = a.get("pain_average")
    if average is None:
        return Status.UNKNOWN
    return Status.MET if average >= _T.pain_average_min else Status.NOT_MET


def _odi_percent(odi: list) -> float | None:
    """Return the unrounded ODI % when enough sections are answered, else None."""
    answered = len(odi) - odi.count(None)
    if answered < _T.odi_min_answered:
        return None
    # filter(None) drops the nulls, and the zeros, which add nothing.
    return 100 * sum(filter(None, odi)) / (_T.odi_section_max * answered)


def _function(a: dict, odi: float | None) -> Status:
    """Disability from the ODI when usable, else from the fn_* items."""
    if odi is not None:
        return Status.MET if odi >= _T.odi_percent_min else Status.NOT_MET
    answered = 0
    for key in FUNCTION_KEYS:
        item = a.get(key)
        if item is not None:
            if item >= _T.function_item_min:
                return Status.MET
            answered += 1
    return Status.NOT_MET if answered == len(FUNCTION_KEYS) else Status.UNKNOWN


def _conservative_care(a: dict) -> Status:
    """Enough non-surgical care tried."""
    care, pt, medications = a.get("care_duration"), a.get("pt"), a.get("medications")
    if care in _T.care_duration_not_met or pt in _T.pt_not_met or medications == ["none"]:
        return Status.NOT_MET
    if care == _T.care_duration_met and pt in _T.pt_met and medications is not None:
        return Status.MET
    return Status.UNKNOWN


def _raised(a: dict) -> list[tuple[RedFlag, str]]:
    """The red flags answered yes or unsure, with the answer."""
    answered = [(flag, a.get(flag.key)) for flag in RED_FLAGS]
    return [(flag, answer) for flag, answer in answered if answer in ("yes", "unsure")]


def _urgency(raised: list[tuple[RedFlag, str]]) -> Urgency | None:
    """The most urgent level the raised red flags give, if any."""
    levels = [level for flag, answer in raised if (level := flag.level(answer)) is not None]
    return min(levels, key=URGENCY_RANK.__getitem__) if levels else None


# --- Outcome and explanations -------------------------------------------------------------------

_PATTERN_CRITERIA = ("location", "generalized")
_NOT_YET_CRITERIA = ("duration", "severity", "function", "conservative_care", "pregnancy")
_BLOCKING_UNKNOWN = ("location", "duration", "severity", "conservative_care")
_CRITERIA_RULES = (  # outcome rules 3 to 5
    (Category.PATTERN_UNCLEAR, _PATTERN_CRITERIA, Status.NOT_MET),
    (Category.NOT_YET, _NOT_YET_CRITERIA, Status.NOT_MET),
    (Category.INCOMPLETE, _BLOCKING_UNKNOWN, Status.UNKNOWN),
)

# Clinician-facing sentences, written once here from the tables above.
_CRITERION_REASONS = {
    (c.name, status): f"{c.name.replace('_', ' ').capitalize()} {text} {c.rule}."
    for c in CRITERIA
    for status, text in (
        (Status.NOT_MET, "not met: needs"),
        (Status.UNKNOWN, "unknown: no answer shows"),
    )
}
_URGENT_REASONS = {
    (flag.key, answer): f'Red flag "{flag.label}" answered {answer}: calls for {_ACTION[level]}.'
    for flag in RED_FLAGS
    for answer, level in (("yes", flag.if_yes), ("unsure", flag.if_unsure))
    if level is not None
}
_REFERRAL_REASON = (
    "Location, duration, severity and conservative care are met and no criterion is not met; "
    "the checklist remains for the care team."
)
_REFERRAL = Category.DISCUSS_REFERRAL, (_REFERRAL_REASON,)
_TEXT = {
    "leg_symptoms_below_knee": (
        "Numbness, tingling or shooting pain below the knee: a lumbar source is possible, though "
        "about a quarter of SI-joint patients have pain below the knee."
    ),
    "low_relief": (
        f"An earlier SI-joint injection gave less than {_T.relief_trial_percent} % relief."
    ),
    "nicotine": "Currently uses nicotine.",
    "generalized": (
        "A widespread pain disorder is not ruled out: fibromyalgia or inflammatory arthritis is "
        "unsure or unanswered."
    ),
    "pregnancy": "Pregnancy status is unanswered.",
    "function": (
        f"Function is unknown: no ODI with {_T.odi_min_answered} or more sections answered, and "
        "too few function items answered."
    ),
    "home_exercise": "No home exercise program.",
    "prior_lumbar_fusion": "Earlier lumbar fusion, a known risk factor for SI-joint pain.",
    "payer_relief": (
        f"An earlier SI-joint injection gave {_T.relief_payer_percent} % relief or more, which "
        "meets the usual payer threshold."
    ),
    "trial_relief": (
        f"An earlier SI-joint injection gave {_T.relief_trial_percent}-"
        f"{_T.relief_payer_percent - 1} % relief: above the trial threshold of "
        f"{_T.relief_trial_percent} %, below the usual payer threshold of "
        f"{_T.relief_payer_percent} %."
    ),
}
_SI_FUSION_FLAGS: dict[str | None, str] = {
    "left": "Earlier SI-joint fusion (left side).",
    "right": "Earlier SI-joint fusion (right side).",
    "both": "Earlier SI-joint fusion on both sides.",
}
_METAL_FLAGS: dict[str | None, str] = {
    answer: f"Metal allergy answered {answer}; SI-joint implants are titanium."
    for answer in ("yes", "unsure")
}
_UNSURE_FLAGS = {
    flag.key: f'Unsure about red flag "{flag.label}": ask about it.' for flag in RED_FLAGS
}
_IMAGING_FLAGS = {
    answer: f"Imaging from the last 6 months is not reported (imaging answer: "
    f"{answer or 'unanswered'}); payers commonly expect it."
    for answer in (*FIELDS["imaging"].codes, None)
    if answer != _T.imaging_recent
}


def _outcome(
    raised: list[tuple[RedFlag, str]],
    urgency: Urgency | None,
    criteria: dict,
    missing: tuple[str, ...],
) -> tuple[Category, tuple[str, ...]]:
    """Apply the outcome rules in order (the first that applies wins), with the reasons."""
    if urgency is not None:
        reasons = [_URGENT_REASONS.get((flag.key, answer), "") for flag, answer in raised]
        return Category.URGENT, tuple(reason for reason in reasons if reason)
    if any(key in missing for key in RED_FLAG_KEYS):
        unanswered = "; ".join([flag.label for flag in RED_FLAGS if flag.key in missing])
        return Category.INCOMPLETE, (
            "Every red-flag question must be answered before the rest is judged; still "
            f"unanswered: {unanswered}.",
        )
    for category, names, status in _CRITERIA_RULES:
        reasons = []
        for name in names:
            if criteria[name] is status:
                reasons.append(_CRITERION_REASONS[name, status])
        if reasons:
            return category, tuple(reasons)
    return _REFERRAL


def _flags(a: dict, raised: list[tuple[RedFlag, str]], criteria: dict) -> tuple[str, ...]:
    """Clinician flags, shown and never scored, in rubric order."""
    flags = []
    if a.get("leg_symptoms_below_knee") == "yes":
        flags.append(_TEXT["leg_symptoms_below_knee"])
    if a.get("si_injection_relief") == "lt_50":  # validate() keeps it only after a yes
        flags.append(_TEXT["low_relief"])
    if a.get("nicotine") == "yes":
        flags.append(_TEXT["nicotine"])
    if fusion := _SI_FUSION_FLAGS.get(a.get("prior_si_fusion")):
        flags.append(fusion)
    if metal := _METAL_FLAGS.get(a.get("metal_allergy")):
        flags.append(metal)
    for name in ("generalized", "pregnancy", "function"):
        if criteria[name] is Status.UNKNOWN:
            flags.append(_TEXT[name])
    if a.get("home_exercise") == "no":
        flags.append(_TEXT["home_exercise"])
    for flag, answer in raised:
        if answer == "unsure":
            flags.append(_UNSURE_FLAGS[flag.key])
    if imaging := _IMAGING_FLAGS.get(a.get("imaging")):
        flags.append(imaging)
    return tuple(flags)


def _supporting(a: dict) -> tuple[str, ...]:
    """Supporting features, shown and never scored."""
    supporting = []
    worse_with = a.get("worse_with", ())
    if len(worse_with) >= _T.worse_with_supporting_min:
        activities = ", ".join(worse_with).replace("_", " ")
        supporting.append(f"Pain is worse with {len(worse_with)} typical activities: {activities}.")
    if a.get("prior_lumbar_fusion") == "yes":
        supporting.append(_TEXT["prior_lumbar_fusion"])
    relief = a.get("si_injection_relief")  # validate() keeps it only after a yes
    if relief == "gte_75":
        supporting.append(_TEXT["payer_relief"])
    elif relief == "50_74":
        supporting.append(_TEXT["trial_relief"])
    return tuple(supporting)


# --- Result -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """The typed result of scoring one answer set."""

    rubric_version: str
    category: Category
    urgency: Urgency | None
    criteria: Mapping[str, Status]
    odi_percent: float | None
    missing: tuple[str, ...]
    reasons: tuple[str, ...]
    flags: tuple[str, ...]
    supporting: tuple[str, ...]

    @property
    def checklist(self) -> tuple[str, ...]:
        return checklist_for(self.category)

    def to_dict(self) -> dict:
        """The rubric's Result JSON: plain values, keys in the rubric's order."""
        return {
            "rubric_version": self.rubric_version,
            "category": self.category.value,
            "urgency": None if self.urgency is None else self.urgency.value,
            "criteria": {name: status.value for name, status in self.criteria.items()},
            "odi_percent": self.odi_percent,
            "missing": list(self.missing),
            "reasons": list(self.reasons),
            "flags": list(self.flags),
            "supporting": list(self.supporting),
        }


def assess(answers: Mapping[str, object]) -> Assessment:
    """Validate the answers, then score them against the rubric."""
    return score(validate(answers))


def score(a: dict[str, Any]) -> Assessment:
    """Score answers that validate() returned, against the rubric."""
    odi = _odi_percent(a["odi"]) if "odi" in a else None
    criteria = {
        "location": _location(a),
        "generalized": _generalized(a),
        "duration": _DURATION_STATUS.get(a.get("pain_duration"), Status.UNKNOWN),
        "severity": _severity(a),
        "function": _function(a, odi),
        "conservative_care": _conservative_care(a),
        "pregnancy": _PREGNANCY_STATUS.get(a.get("pregnancy"), Status.UNKNOWN),
    }
    raised = _raised(a)
    urgency = _urgency(raised)
    missing = tuple(key for key in REQUIRED_KEYS if key not in a)
    category, reasons = _outcome(raised, urgency, criteria, missing)
    return Assessment(
        RUBRIC_VERSION,
        category,
        urgency,
        MappingProxyType(criteria),
        None if odi is None else round(odi, 1),
        missing,
        reasons,
        _flags(a, raised, criteria),
        _supporting(a),
    )
