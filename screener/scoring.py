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


class Kind(StrEnum):
    """The type of an answer."""

    YN = "yn"
    YNU = "ynu"
    CHOICE = "choice"
    LIST = "list"
    INT = "int"
    ODI = "odi"
    TEXT = "str"


@dataclass(frozen=True)
class Field:
    """One answer key and what it accepts."""

    key: str
    kind: Kind
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None


# --- Answer keys: the single source of codes (rubric table order) -------------------------------

_YN = ("yes", "no")
_YNU = ("yes", "no", "unsure")

FIELDS: dict[str, Field] = {
    field.key: field
    for field in (
        Field("rf_bladder_bowel", Kind.YNU, _YNU),
        Field("rf_saddle_numbness", Kind.YNU, _YNU),
        Field("rf_leg_weakness_worsening", Kind.YNU, _YNU),
        Field("rf_fever", Kind.YNU, _YNU),
        Field("rf_recent_trauma", Kind.YNU, _YNU),
        Field("rf_immune_risk", Kind.YNU, _YNU),
        Field("rf_cancer_history", Kind.YNU, _YNU),
        Field("rf_weight_loss", Kind.YNU, _YNU),
        Field(
            "pain_areas",
            Kind.LIST,
            (
                "low_back_center",
                "below_belt_side",
                "buttock",
                "groin",
                "thigh_back",
                "below_knee",
                "foot",
                "widespread",
            ),
        ),
        Field(
            "worst_spot",
            Kind.CHOICE,
            ("dimple", "buttock", "spine_center", "groin", "leg", "cant_say"),
        ),
        Field("pain_side", Kind.CHOICE, ("left", "right", "both")),
        Field(
            "worse_with",
            Kind.LIST,
            (
                "sitting_on_side",
                "rising_from_chair",
                "rolling_in_bed",
                "stairs",
                "lying_on_side",
                "standing_walking",
            ),
        ),
        Field("leg_symptoms_below_knee", Kind.YN, _YN),
        Field("fibromyalgia", Kind.YNU, _YNU),
        Field("inflammatory_arthritis", Kind.YNU, _YNU),
        Field("prior_lumbar_fusion", Kind.YNU, _YNU),
        Field("pain_duration", Kind.CHOICE, ("lt_6w", "6w_3m", "3m_6m", "6m_12m", "gt_12m")),
        Field("pain_average", Kind.INT, minimum=0, maximum=10),
        Field("pain_worst", Kind.INT, minimum=0, maximum=10),
        Field("fn_sitting", Kind.INT, minimum=0, maximum=3),
        Field("fn_standing_walking", Kind.INT, minimum=0, maximum=3),
        Field("fn_stairs", Kind.INT, minimum=0, maximum=3),
        Field("fn_daily_tasks", Kind.INT, minimum=0, maximum=3),
        Field("fn_sleep", Kind.INT, minimum=0, maximum=3),
        Field("odi", Kind.ODI, minimum=0, maximum=5),  # exactly THRESHOLDS.odi_sections entries
        Field("care_duration", Kind.CHOICE, ("none", "lt_3m", "3m_6m", "gte_6m")),
        Field("pt", Kind.CHOICE, ("none", "lt_4w", "gte_4w", "not_tolerated")),
        Field("home_exercise", Kind.YN, _YN),
        Field(
            "medications",
            Kind.LIST,
            (
                "anti_inflammatory",
                "acetaminophen",
                "muscle_relaxant",
                "nerve_pain",
                "opioid",
                "other",
                "not_possible",
                "none",
            ),
        ),
        Field(
            "other_care",
            Kind.LIST,
            (
                "chiropractic",
                "brace_belt",
                "activity_change",
                "acupuncture",
                "epidural",
                "radiofrequency",
            ),
        ),
        Field("si_injection", Kind.CHOICE, ("none", "yes", "unsure")),
        Field("si_injection_relief", Kind.CHOICE, ("lt_50", "50_74", "gte_75", "dont_know")),
        Field("imaging", Kind.CHOICE, ("none", "lt_6m", "6m_12m", "gt_12m", "unsure")),
        Field("pregnancy", Kind.CHOICE, ("pregnant", "postpartum_lt_6m", "no", "not_applicable")),
        Field("nicotine", Kind.YN, _YN),
        Field("prior_si_fusion", Kind.CHOICE, ("none", "left", "right", "both")),
        Field("metal_allergy", Kind.YNU, _YNU),
        Field("comments", Kind.TEXT, max_length=2000),
    )
}

RED_FLAG_KEYS: tuple[str, ...] = tuple(key for key in FIELDS if key.startswith("rf_"))
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
FUNCTION_KEYS: tuple[str, ...] = tuple(key for key in FIELDS if key.startswith("fn_"))


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
    odi_sections: int = 10
    odi_section_max: int = 5
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


# --- Validation ---------------------------------------------------------------------------------


class AnswerError(ValueError):
    """An answer the rubric refuses; names the key."""

    def __init__(self, key: str, message: str, index: int | None = None) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message
        self.index = index  # position in a batch of answer sets, set by callers


_CHOICE_SETS = {key: frozenset(field.choices) for key, field in FIELDS.items()}


def _show(value: object) -> str:
    """Render a refused value as JSON (as a patient or client sent it), shortened."""
    try:
        shown = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _codes(field: Field) -> str:
    """List a field's allowed codes for an error message."""
    return ", ".join(f'"{code}"' for code in field.choices)


def _is_whole(value: object) -> bool:
    """True for an int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def _check_choice(field: Field, value: object) -> object:
    """Accept one of the field's codes, as a plain str."""
    if isinstance(value, str) and value in _CHOICE_SETS[field.key]:
        return str(value)
    raise AnswerError(field.key, f"must be one of {_codes(field)}, not {_show(value)}")


def _check_int(field: Field, value: object) -> object:
    """Accept a whole number in range, as a plain int; bools, strings and floats are refused."""
    if _is_whole(value) and field.minimum <= value <= field.maximum:
        return int(value)
    raise AnswerError(
        field.key,
        f"must be a whole number from {field.minimum} to {field.maximum}, not {_show(value)}",
    )


def _check_list(field: Field, value: object) -> object:
    """Accept a list of distinct codes; `none` only on its own."""
    if not isinstance(value, (list, tuple)):
        raise AnswerError(field.key, f"must be a list of codes, not {_show(value)}")
    if not value:
        return None
    allowed = _CHOICE_SETS[field.key]
    try:
        codes = set(value)
    except TypeError:  # an unhashable entry
        codes = None
    if codes is None or not codes <= allowed:
        code = next(code for code in value if not (isinstance(code, str) and code in allowed))
        raise AnswerError(field.key, f"{_show(code)} is not one of {_codes(field)}")
    if len(codes) != len(value):
        repeated = next(code for i, code in enumerate(value) if code in value[:i])
        raise AnswerError(field.key, f"{_show(repeated)} is listed more than once")
    if "none" in value and len(value) > 1:
        raise AnswerError(field.key, '"none" cannot be listed beside other entries')
    return list(map(str, value))


def _check_odi(field: Field, value: object) -> object:
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
        if score is not None and not (_is_whole(score) and field.minimum <= score <= field.maximum):
            raise AnswerError(
                field.key,
                f"section {number} must be a whole number from {field.minimum} to "
                f"{field.maximum} or null, not {_show(score)}",
            )
    return [None if score is None else int(score) for score in value]


def _check_text(field: Field, value: object) -> object:
    """Accept free text up to the length limit; blank counts as not answered."""
    if not isinstance(value, str):
        raise AnswerError(field.key, f"must be text, not {_show(value)}")
    if len(value) > field.max_length:
        raise AnswerError(
            field.key, f"must be at most {field.max_length} characters, not {len(value)}"
        )
    return str(value) if value.strip() else None


_CHECKS: dict[Kind, Callable[[Field, object], object]] = {
    Kind.YN: _check_choice,
    Kind.YNU: _check_choice,
    Kind.CHOICE: _check_choice,
    Kind.LIST: _check_list,
    Kind.INT: _check_int,
    Kind.ODI: _check_odi,
    Kind.TEXT: _check_text,
}
_CHECK_BY_KEY = {key: (field, _CHECKS[field.kind]) for key, field in FIELDS.items()}


def validate(answers: Mapping[str, object]) -> dict[str, object]:
    """Return a checked copy of the answers without the unanswered keys; raise AnswerError."""
    if type(answers) is dict:
        clean = _plain_copy(answers)
        if clean is not None:
            return clean
    if not isinstance(answers, dict) and not isinstance(answers, Mapping):
        raise AnswerError("(answers)", "must be an object")
    clean: dict[str, object] = {}
    for key, value in answers.items():
        try:
            field, check = _CHECK_BY_KEY[key]
        except KeyError:
            # Escaped (no quotes): a key holding a newline or a terminal code stays on one line.
            shown = json.dumps(str(key), ensure_ascii=False)[1:-1][:60]
            raise AnswerError(shown, "is not a question in this rubric") from None
        if value is not None:
            value = check(field, value)
            if value is not None:
                clean[key] = value
    return clean


# --- Validation's fast pass ---------------------------------------------------------------------
# Nearly every answer set holds only plain JSON values (str, int, lists of them, null) that the
# checks above accept unchanged. validate() first tries this pass, which returns the same copy for
# those and gives up (None) on anything else: the full checks then decide and word the first error.


def _single_values(field: Field) -> frozenset[object]:
    """Every value a single-valued field accepts as it is; none for list, ODI and text fields."""
    if field.kind is Kind.INT:
        return frozenset(range(field.minimum, field.maximum + 1))
    if field.kind in (Kind.YN, Kind.YNU, Kind.CHOICE):
        return frozenset(field.choices)
    return frozenset()


_SINGLE_VALUES = {key: _single_values(field) for key, field in FIELDS.items()}
_LIST_CODES = {key: _CHOICE_SETS[key] for key, field in FIELDS.items() if field.kind is Kind.LIST}
_TEXT_LIMITS = {key: field.max_length for key, field in FIELDS.items() if field.kind is Kind.TEXT}
_ODI = FIELDS["odi"]
_ODI_ENTRIES = frozenset({None, *range(_ODI.minimum, _ODI.maximum + 1)})
_ODI_CLASSES = frozenset({int, type(None)})


def _plain_copy(answers: dict) -> dict[str, object] | None:
    """The checked copy of answers that are all plain and valid, else None."""
    clean = answers.copy()  # most answers pass unchanged: copy them all, then fix up the copy
    try:
        for key, value in answers.items():
            kind = type(value)  # exact classes: True, 7.0 and subclasses take the full checks
            if kind is str or kind is int:
                if value in _SINGLE_VALUES[key]:
                    continue
                # Otherwise only text passes: a str within its key's limit.
                if kind is int or len(value) > _TEXT_LIMITS[key]:
                    return None
                if value.strip():
                    continue
            elif kind is list:
                if key == "odi":
                    copy = _plain_odi(value)
                    if copy is None:
                        return None
                else:  # distinct codes, all plain str, `none` only on its own
                    allowed = _LIST_CODES[key]
                    copy = []
                    for code in value:
                        if type(code) is not str or code not in allowed or code in copy:
                            return None
                        copy.append(code)
                    if "none" in copy and len(copy) > 1:
                        return None
                if copy:
                    clean[key] = copy
                    continue
            elif value is not None or key not in FIELDS:
                return None
            del clean[key]  # not answered: null, an empty list or blank text
    except KeyError:  # not a question in this rubric, or not one taking this kind of answer
        return None
    return clean


def _plain_odi(value: list) -> list[int | None] | None:
    """A copy of exactly ten plain ODI section scores or nulls, else None."""
    if (
        len(value) == _T.odi_sections
        and _ODI_CLASSES.issuperset(map(type, value))  # first: True is refused, all hashable
        and _ODI_ENTRIES.issuperset(value)
    ):
        return list(value)
    return None


# --- Criteria -----------------------------------------------------------------------------------

# Enum members held in globals: reading one off its Enum class is a slow attribute lookup.
_MET, _NOT_MET, _UNKNOWN = Status.MET, Status.NOT_MET, Status.UNKNOWN


def _location(a: dict) -> Status:
    """Pain in the SI-joint region."""
    spot, areas = a.get("worst_spot"), a.get("pain_areas")
    if spot in _T.location_other_spots or (
        areas is not None and _T.location_areas.isdisjoint(areas)
    ):
        return _NOT_MET
    if spot in _T.location_spots and areas is not None:
        return _MET
    return _UNKNOWN


def _generalized(a: dict) -> Status:
    """No widespread pain disorder."""
    fibromyalgia, arthritis = a.get("fibromyalgia"), a.get("inflammatory_arthritis")
    if _T.widespread_area in a.get("pain_areas", ()) or fibromyalgia == "yes" or arthritis == "yes":
        return _NOT_MET
    if fibromyalgia == "no" and arthritis == "no":
        return _MET
    return _UNKNOWN


def _status_by_code(met: frozenset[str], not_met: frozenset[str]) -> dict[str, Status]:
    """Judge a single-choice answer by a table from code to status; other codes are unknown."""
    return dict.fromkeys(not_met, _NOT_MET) | dict.fromkeys(met, _MET)


_DURATION_STATUS = _status_by_code(_T.duration_met, _T.duration_not_met)
_PREGNANCY_STATUS = _status_by_code(_T.pregnancy_met, _T.pregnancy_not_met)


def _severity(a: dict) -> Status:
    """Average pain of the threshold or more."""
    average = a.get("pain_average")
    if average is None:
        return _UNKNOWN
    return _MET if average >= _T.pain_average_min else _NOT_MET


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
        return _MET if odi >= _T.odi_percent_min else _NOT_MET
    answered = 0
    for key in FUNCTION_KEYS:
        item = a.get(key)
        if item is not None:
            if item >= _T.function_item_min:
                return _MET
            answered += 1
    return _NOT_MET if answered == len(FUNCTION_KEYS) else _UNKNOWN


def _conservative_care(a: dict) -> Status:
    """Enough non-surgical care tried."""
    care, pt, medications = a.get("care_duration"), a.get("pt"), a.get("medications")
    if care in _T.care_duration_not_met or pt in _T.pt_not_met or medications == ["none"]:
        return _NOT_MET
    if care == _T.care_duration_met and pt in _T.pt_met and medications is not None:
        return _MET
    return _UNKNOWN


_RAISING = frozenset({"yes", "unsure"})


def _raised(a: dict) -> list[tuple[RedFlag, str]]:
    """The red flags answered yes or unsure, with the answer."""
    if _RAISING.isdisjoint(map(a.get, RED_FLAG_KEYS)):  # the common case, checked in one go
        return []
    return [(flag, answer) for flag in RED_FLAGS if (answer := a.get(flag.key)) in _RAISING]


def _urgency(raised: list[tuple[RedFlag, str]]) -> Urgency | None:
    """The most urgent level the raised red flags give, if any."""
    levels = [level for flag, answer in raised if (level := flag.level(answer)) is not None]
    return min(levels, key=URGENCY_RANK.__getitem__) if levels else None


# --- Outcome and explanations -------------------------------------------------------------------

_URGENT, _INCOMPLETE = Category.URGENT, Category.INCOMPLETE  # in globals, as _MET is
_REQUIRED = frozenset(REQUIRED_KEYS)
_RED_FLAG_SET = frozenset(RED_FLAG_KEYS)
_PATTERN_CRITERIA = ("location", "generalized")
_NOT_YET_CRITERIA = ("duration", "severity", "function", "conservative_care", "pregnancy")
_BLOCKING_UNKNOWN = ("location", "duration", "severity", "conservative_care")
_CRITERIA_RULES = (  # outcome rules 3 to 5
    (Category.PATTERN_UNCLEAR, _PATTERN_CRITERIA, _NOT_MET),
    (Category.NOT_YET, _NOT_YET_CRITERIA, _NOT_MET),
    (Category.INCOMPLETE, _BLOCKING_UNKNOWN, _UNKNOWN),
)

# Clinician-facing sentences, written once here from the tables above.
_CRITERION_REASONS = {
    (c.name, status): f"{c.name.replace('_', ' ').capitalize()} {text} {c.rule}."
    for c in CRITERIA
    for status, text in ((_NOT_MET, "not met: needs"), (_UNKNOWN, "unknown: no answer shows"))
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
    "home_exercise": "No home exercise programme.",
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
_SI_FUSION_FLAGS = {side: f"Earlier SI-joint fusion ({side} side)." for side in ("left", "right")}
_SI_FUSION_FLAGS["both"] = "Earlier SI-joint fusion on both sides."
_METAL_FLAGS = {
    answer: f"Metal allergy answered {answer}; SI-joint implants are titanium."
    for answer in ("yes", "unsure")
}
_UNSURE_FLAGS = {
    flag.key: f'Unsure about red flag "{flag.label}": ask about it.' for flag in RED_FLAGS
}
_IMAGING_FLAGS = {
    answer: f"Imaging from the last 6 months is not reported (imaging answer: "
    f"{answer or 'unanswered'}); payers commonly expect it."
    for answer in (*FIELDS["imaging"].choices, None)
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
        reasons = [_URGENT_REASONS.get((flag.key, answer)) for flag, answer in raised]
        return _URGENT, tuple([reason for reason in reasons if reason])
    if not _RED_FLAG_SET.isdisjoint(missing):
        unanswered = "; ".join([flag.label for flag in RED_FLAGS if flag.key in missing])
        return _INCOMPLETE, (
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
    if a.get("si_injection") == "yes" and a.get("si_injection_relief") == "lt_50":
        flags.append(_TEXT["low_relief"])
    if a.get("nicotine") == "yes":
        flags.append(_TEXT["nicotine"])
    if fusion := _SI_FUSION_FLAGS.get(a.get("prior_si_fusion")):
        flags.append(fusion)
    if metal := _METAL_FLAGS.get(a.get("metal_allergy")):
        flags.append(metal)
    for name in ("generalized", "pregnancy", "function"):
        if criteria[name] is _UNKNOWN:
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
    if a.get("si_injection") == "yes":
        relief = a.get("si_injection_relief")
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
        """The care team's checklist, for a discuss_referral outcome only."""
        return CHECKLIST if self.category is Category.DISCUSS_REFERRAL else ()

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
    a = validate(answers)
    odi = _odi_percent(a["odi"]) if "odi" in a else None
    criteria = {
        "location": _location(a),
        "generalized": _generalized(a),
        "duration": _DURATION_STATUS.get(a.get("pain_duration"), _UNKNOWN),
        "severity": _severity(a),
        "function": _function(a, odi),
        "conservative_care": _conservative_care(a),
        "pregnancy": _PREGNANCY_STATUS.get(a.get("pregnancy"), _UNKNOWN),
    }
    raised = _raised(a)
    urgency = _urgency(raised) if raised else None
    # Usually none is missing, which one set difference shows.
    missing = tuple([k for k in REQUIRED_KEYS if k not in a]) if _REQUIRED.difference(a) else ()
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
