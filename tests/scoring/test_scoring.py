"""The rubric's criteria, urgency, outcome order, explanations and result shape."""

import dataclasses
import json

import pytest

from screener.scoring import (
    CHECKLIST,
    CRITERIA,
    FIELDS,
    RED_FLAG_KEYS,
    RED_FLAG_SOURCE,
    RED_FLAGS,
    REQUIRED_KEYS,
    RUBRIC_VERSION,
    URGENCY_RANK,
    Assessment,
    Category,
    Kind,
    Status,
    Urgency,
    assess,
)
from tests.answers import RUBRIC_TYPICAL

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
CRITERIA_NAMES = [
    "location",
    "generalized",
    "duration",
    "severity",
    "function",
    "conservative_care",
    "pregnancy",
]
FN_KEYS = ["fn_sitting", "fn_standing_walking", "fn_stairs", "fn_daily_tasks", "fn_sleep"]


def patient(**changes):
    """The typical patient with some answers changed; None removes an answer."""
    answers = {**RUBRIC_TYPICAL, **changes}
    return {key: value for key, value in answers.items() if value is not None}


def criterion(name, **changes):
    return assess(patient(**changes)).criteria[name]


# --- The typical patient and the empty questionnaire ---------------------------------------------


def test_typical_patient_is_worth_discussing_a_referral_with_the_checklist():
    result = assess(RUBRIC_TYPICAL)
    assert result.category is Category.DISCUSS_REFERRAL
    assert result.urgency is None
    assert all(status is Status.MET for status in result.criteria.values())
    assert result.missing == ()
    assert result.flags == ()
    assert result.supporting == ()
    assert len(result.reasons) == 1
    assert result.checklist == CHECKLIST


def test_scored_answers_alone_are_enough_to_discuss_a_referral():
    scored = {key: RUBRIC_TYPICAL[key] for key in REQUIRED_KEYS}
    scored |= {key: RUBRIC_TYPICAL[key] for key in FN_KEYS}
    scored |= {"fibromyalgia": "no", "inflammatory_arthritis": "no", "pregnancy": "no"}
    result = assess(scored)
    assert result.category is Category.DISCUSS_REFERRAL
    assert len(result.flags) == 1 and "imaging answer: unanswered" in result.flags[0]


def test_no_answers_are_incomplete_with_every_required_key_missing():
    result = assess({})
    assert result.category is Category.INCOMPLETE
    assert result.urgency is None
    assert result.missing == REQUIRED_KEYS
    assert set(result.criteria.values()) == {Status.UNKNOWN}
    assert result.odi_percent is None
    assert result.checklist == ()
    assert "red-flag" in result.reasons[0]


def test_missing_lists_only_unanswered_required_keys_in_rubric_order():
    result = assess(patient(pt=None, rf_fever=None, pain_side=None, comments="  "))
    assert result.missing == ("rf_fever", "pt")


# --- Criteria ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("worst_spot", "pain_areas", "expected"),
    [
        ("dimple", ["buttock"], MET),
        ("buttock", ["below_belt_side"], MET),
        ("dimple", ["groin", "buttock", "below_knee"], MET),
        ("dimple", ["groin"], NOT_MET),
        (None, ["low_back_center"], NOT_MET),
        ("spine_center", ["buttock"], NOT_MET),
        ("leg", ["buttock"], NOT_MET),
        ("spine_center", None, NOT_MET),
        ("cant_say", ["buttock"], UNKNOWN),
        ("groin", ["buttock"], UNKNOWN),
        (None, ["buttock"], UNKNOWN),
        ("dimple", None, UNKNOWN),
        (None, None, UNKNOWN),
    ],
)
def test_location(worst_spot, pain_areas, expected):
    assert criterion("location", worst_spot=worst_spot, pain_areas=pain_areas) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, MET),
        ({"pain_areas": ["buttock", "widespread"]}, NOT_MET),
        ({"fibromyalgia": "yes"}, NOT_MET),
        ({"inflammatory_arthritis": "yes"}, NOT_MET),
        ({"fibromyalgia": "unsure", "inflammatory_arthritis": "yes"}, NOT_MET),
        ({"fibromyalgia": "unsure"}, UNKNOWN),
        ({"inflammatory_arthritis": None}, UNKNOWN),
        ({"fibromyalgia": None, "inflammatory_arthritis": None}, UNKNOWN),
    ],
)
def test_generalized(changes, expected):
    assert criterion("generalized", **changes) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("lt_6w", NOT_MET),
        ("6w_3m", NOT_MET),
        ("3m_6m", NOT_MET),
        ("6m_12m", MET),
        ("gt_12m", MET),
        (None, UNKNOWN),
    ],
)
def test_duration_of_each_code(code, expected):
    assert criterion("duration", pain_duration=code) == expected


@pytest.mark.parametrize(
    ("average", "expected"), [(0, NOT_MET), (4, NOT_MET), (5, MET), (10, MET), (None, UNKNOWN)]
)
def test_severity_boundary_at_average_pain_of_5(average, expected):
    assert criterion("severity", pain_average=average) == expected


def test_worst_pain_is_not_scored():
    assert criterion("severity", pain_average=4, pain_worst=10) == NOT_MET


@pytest.mark.parametrize(
    ("odi", "status", "percent"),
    [
        ([3, 2, 1, 1, 2, 1, 1, 2, 1, 1], MET, 30.0),  # sum 15 of 50
        ([3, 2, 1, 1, 2, 1, 1, 2, 1, 0], NOT_MET, 28.0),  # sum 14 of 50
        ([2, 2, 2, 1, 1, 1, 1, 2, None, None], MET, 30.0),  # 8 answered: sum 12 of 40
        ([2, 2, 2, 1, 1, 1, 1, 1, None, None], NOT_MET, 27.5),  # 8 answered: sum 11 of 40
        ([2, 2, 2, 2, 2, 1, 1, 1, 1, None], MET, 31.1),  # 9 answered: 14 of 45 = 31.11
        ([5] * 10, MET, 100.0),
        ([0] * 10, NOT_MET, 0.0),
    ],
)
def test_function_from_an_odi_with_8_or_more_sections(odi, status, percent):
    result = assess(patient(odi=odi))
    assert result.criteria["function"] == status
    assert result.odi_percent == percent


def test_odi_of_exactly_30_percent_meets_function():
    result = assess(patient(odi=[3, 3, 3, 3, 3, 0, 0, 0, 0, 0], **dict.fromkeys(FN_KEYS, 0)))
    assert (result.criteria["function"], result.odi_percent) == (MET, 30.0)


def test_usable_odi_outranks_the_function_items():
    low_odi = [0] * 10
    assert criterion("function", odi=low_odi, **dict.fromkeys(FN_KEYS, 3)) == NOT_MET


@pytest.mark.parametrize(("fn_value", "expected"), [(2, MET), (0, NOT_MET), (None, UNKNOWN)])
def test_odi_with_only_7_sections_falls_back_to_the_function_items(fn_value, expected):
    odi = [5, 5, 5, 5, 5, 5, 5, None, None, None]
    result = assess(patient(odi=odi, **dict.fromkeys(FN_KEYS, fn_value)))
    assert result.criteria["function"] == expected
    assert result.odi_percent is None


def test_odi_of_only_nulls_falls_back_to_the_function_items():
    result = assess(patient(odi=[None] * 10))
    assert (result.criteria["function"], result.odi_percent) == (MET, None)


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ({"fn_sitting": 2, "fn_stairs": None, "fn_sleep": None}, MET),
        ({"fn_sleep": 3, **dict.fromkeys(FN_KEYS[:4], None)}, MET),
        (dict.fromkeys(FN_KEYS, 1), NOT_MET),
        ({**dict.fromkeys(FN_KEYS, 1), "fn_daily_tasks": 2}, MET),
        ({**dict.fromkeys(FN_KEYS, 1), "fn_daily_tasks": None}, UNKNOWN),
        (dict.fromkeys(FN_KEYS, None), UNKNOWN),
    ],
)
def test_function_from_the_function_items(items, expected):
    assert criterion("function", **items) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, MET),
        ({"pt": "not_tolerated"}, MET),
        ({"medications": ["not_possible"]}, MET),
        ({"medications": ["opioid", "other", "nerve_pain"]}, MET),
        ({"care_duration": "none"}, NOT_MET),
        ({"care_duration": "lt_3m"}, NOT_MET),
        ({"care_duration": "3m_6m"}, NOT_MET),
        ({"pt": "none"}, NOT_MET),
        ({"pt": "lt_4w"}, NOT_MET),
        ({"medications": ["none"]}, NOT_MET),
        ({"care_duration": None, "pt": "lt_4w"}, NOT_MET),
        ({"care_duration": None}, UNKNOWN),
        ({"pt": None}, UNKNOWN),
        ({"medications": None}, UNKNOWN),
        ({"medications": []}, UNKNOWN),
    ],
)
def test_conservative_care(changes, expected):
    assert criterion("conservative_care", **changes) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("pregnant", NOT_MET),
        ("postpartum_lt_6m", NOT_MET),
        ("no", MET),
        ("not_applicable", MET),
        (None, UNKNOWN),
    ],
)
def test_pregnancy_of_each_code(code, expected):
    assert criterion("pregnancy", pregnancy=code) == expected


# --- Red flags and urgency -----------------------------------------------------------------------

# key: (urgency for "yes", urgency for "unsure")
RED_FLAG_LEVELS = {
    "rf_bladder_bowel": ("emergency", "same_day"),
    "rf_saddle_numbness": ("emergency", "same_day"),
    "rf_leg_weakness_worsening": ("emergency", "same_day"),
    "rf_sexual_function": ("emergency", "same_day"),
    "rf_fever": ("same_day", None),
    "rf_both_legs": ("same_day", None),
    "rf_recent_trauma": ("same_day", None),
    "rf_immune_risk": ("same_day", None),
    "rf_cancer_history": ("soon", None),
    "rf_weight_loss": ("soon", None),
}


@pytest.mark.parametrize("key", RED_FLAG_KEYS)
def test_red_flag_yes_alone_is_urgent_at_its_level(key):
    result = assess(patient(**{key: "yes"}))
    assert result.category is Category.URGENT
    assert result.urgency == RED_FLAG_LEVELS[key][0]
    assert len(result.reasons) == 1
    assert "answered yes" in result.reasons[0]
    assert result.checklist == ()


@pytest.mark.parametrize("key", RED_FLAG_KEYS)
def test_red_flag_unsure_alone_gives_same_day_for_emergency_items_else_only_a_flag(key):
    result = assess(patient(**{key: "unsure"}))
    assert result.urgency == RED_FLAG_LEVELS[key][1]
    expected = Category.URGENT if result.urgency else Category.DISCUSS_REFERRAL
    assert result.category is expected
    assert [flag for flag in result.flags if flag.startswith("Unsure about red flag")]


@pytest.mark.parametrize(
    ("changes", "urgency"),
    [
        ({"rf_fever": "yes", "rf_cancer_history": "yes"}, "same_day"),
        ({"rf_weight_loss": "yes", "rf_bladder_bowel": "yes"}, "emergency"),
        ({"rf_weight_loss": "yes", "rf_saddle_numbness": "unsure"}, "same_day"),
        ({"rf_leg_weakness_worsening": "unsure", "rf_bladder_bowel": "yes"}, "emergency"),
        ({"rf_cancer_history": "yes", "rf_fever": "unsure"}, "soon"),
    ],
)
def test_the_most_urgent_level_applies(changes, urgency):
    result = assess(patient(**changes))
    assert (result.category, result.urgency) == (Category.URGENT, urgency)


def test_urgent_reasons_name_every_red_flag_that_set_an_urgency():
    result = assess(patient(rf_fever="yes", rf_weight_loss="yes", rf_immune_risk="unsure"))
    assert len(result.reasons) == 2
    assert "fever" in result.reasons[0] and "today" in result.reasons[0]
    assert "weight" in result.reasons[1] and "few days" in result.reasons[1]


def test_urgency_rank_orders_emergency_first():
    assert sorted(Urgency, key=URGENCY_RANK.__getitem__) == [
        Urgency.EMERGENCY,
        Urgency.SAME_DAY,
        Urgency.SOON,
    ]


# --- Outcome order: each rule against the next ---------------------------------------------------


def test_urgency_beats_missing_red_flags():
    result = assess({"rf_fever": "yes"})
    assert (result.category, result.urgency) == (Category.URGENT, Urgency.SAME_DAY)


@pytest.mark.parametrize("key", RED_FLAG_KEYS)
def test_any_missing_red_flag_is_incomplete(key):
    result = assess(patient(**{key: None}))
    assert result.category is Category.INCOMPLETE
    assert result.missing == (key,)


def test_missing_red_flag_beats_pattern_unclear():
    result = assess(patient(rf_weight_loss=None, worst_spot="spine_center"))
    assert result.category is Category.INCOMPLETE


@pytest.mark.parametrize(
    "changes", [{"worst_spot": "spine_center"}, {"fibromyalgia": "yes"}, {"pain_areas": ["foot"]}]
)
def test_location_or_generalized_not_met_is_pattern_unclear(changes):
    result = assess(patient(**changes))
    assert result.category is Category.PATTERN_UNCLEAR
    assert all("not met" in reason for reason in result.reasons)


def test_pattern_unclear_beats_not_yet():
    result = assess(patient(worst_spot="leg", pain_average=2, pt="none"))
    assert result.category is Category.PATTERN_UNCLEAR
    assert len(result.reasons) == 1 and result.reasons[0].startswith("Location")


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("duration", {"pain_duration": "3m_6m"}),
        ("severity", {"pain_average": 4}),
        ("function", dict.fromkeys(FN_KEYS, 1)),
        ("conservative_care", {"pt": "lt_4w"}),
        ("pregnancy", {"pregnancy": "pregnant"}),
    ],
)
def test_each_not_met_criterion_is_not_yet(name, changes):
    result = assess(patient(**changes))
    assert result.category is Category.NOT_YET
    assert result.criteria[name] == NOT_MET
    assert result.reasons[0].startswith(name.replace("_", " ").capitalize() + " not met")


def test_not_yet_gives_a_reason_per_criterion_not_met():
    result = assess(patient(pain_average=3, care_duration="lt_3m"))
    assert result.category is Category.NOT_YET
    assert [reason.split(" not met")[0] for reason in result.reasons] == [
        "Severity",
        "Conservative care",
    ]


def test_not_yet_beats_incomplete_by_unknown():
    result = assess(patient(pain_average=3, pain_duration=None, worst_spot="cant_say"))
    assert result.category is Category.NOT_YET


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("location", {"worst_spot": "cant_say"}),
        ("duration", {"pain_duration": None}),
        ("severity", {"pain_average": None}),
        ("conservative_care", {"care_duration": None}),
    ],
)
def test_each_blocking_unknown_is_incomplete(name, changes):
    result = assess(patient(**changes))
    assert result.category is Category.INCOMPLETE
    assert result.criteria[name] == UNKNOWN
    assert result.reasons[0].startswith(name.replace("_", " ").capitalize() + " unknown")


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("generalized", {"fibromyalgia": "unsure"}),
        ("function", dict.fromkeys(FN_KEYS, None)),
        ("pregnancy", {"pregnancy": None}),
    ],
)
def test_generalized_function_and_pregnancy_unknown_never_block(name, changes):
    result = assess(patient(**changes))
    assert result.criteria[name] == UNKNOWN
    assert result.category is Category.DISCUSS_REFERRAL
    assert result.flags


@pytest.mark.parametrize("category", [c for c in Category if c is not Category.URGENT])
def test_urgency_is_null_for_every_category_but_urgent(category):
    examples = {
        Category.DISCUSS_REFERRAL: {},
        Category.NOT_YET: {"pain_average": 1},
        Category.PATTERN_UNCLEAR: {"worst_spot": "leg"},
        Category.INCOMPLETE: {"pt": None},
    }
    result = assess(patient(**examples[category]))
    assert (result.category, result.urgency) == (category, None)
    assert result.to_dict()["urgency"] is None


# --- Clinician flags and supporting features -----------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"leg_symptoms_below_knee": "yes"}, "about a quarter of SI-joint patients"),
        ({"si_injection": "yes", "si_injection_relief": "lt_50"}, "less than 50 % relief"),
        ({"nicotine": "yes"}, "nicotine"),
        ({"prior_si_fusion": "left"}, "fusion (left side)"),
        ({"prior_si_fusion": "right"}, "fusion (right side)"),
        ({"prior_si_fusion": "both"}, "fusion on both sides"),
        ({"metal_allergy": "yes"}, "Metal allergy answered yes"),
        ({"metal_allergy": "unsure"}, "Metal allergy answered unsure"),
        ({"fibromyalgia": "unsure"}, "widespread pain disorder is not ruled out"),
        ({"inflammatory_arthritis": None}, "widespread pain disorder is not ruled out"),
        ({"pregnancy": None}, "Pregnancy status"),
        ({"fn_sleep": None, **dict.fromkeys(FN_KEYS[:4], 1)}, "Function is unknown"),
        ({"home_exercise": "no"}, "home exercise"),
        ({"rf_fever": "unsure"}, 'red flag "fever'),
        ({"rf_bladder_bowel": "unsure"}, 'red flag "new trouble controlling bladder'),
        ({"imaging": "none"}, "imaging answer: none"),
        ({"imaging": "6m_12m"}, "imaging answer: 6m_12m"),
        ({"imaging": "gt_12m"}, "imaging answer: gt_12m"),
        ({"imaging": "unsure"}, "imaging answer: unsure"),
        ({"imaging": None}, "imaging answer: unanswered"),
        ({"rf_sexual_function": "unsure"}, 'red flag "new genital numbness'),
        ({"rf_both_legs": "unsure"}, 'red flag "new pain, numbness or tingling down both'),
        ({"pain_side": "both"}, "each side is evaluated on its own"),
        ({"si_injection": "unsure"}, "ask for the injection records"),
        ({"si_injection": "unsure", "si_injection_relief": "lt_50"}, "injection records"),
        ({"si_injection": "yes", "si_injection_relief": "dont_know"}, "injection records"),
    ],
)
def test_flag_appears_for_its_answer(changes, fragment):
    flags = assess(patient(**changes)).flags
    assert len([flag for flag in flags if fragment in flag]) == 1, flags


@pytest.mark.parametrize(
    "changes",
    [
        {"leg_symptoms_below_knee": None},
        {"si_injection": "yes", "si_injection_relief": "gte_75"},
        {"si_injection": "none", "si_injection_relief": "lt_50"},
        {"si_injection": "none", "si_injection_relief": "dont_know"},
        {"si_injection": None},
        {"pain_side": "right"},
        {"pain_side": None},
        {"nicotine": None},
        {"prior_si_fusion": None},
        {"metal_allergy": None},
        {"home_exercise": None},
        {"rf_fever": "yes"},
        {"pain_areas": ["buttock", "widespread"]},
        {"pregnancy": "pregnant"},
    ],
)
def test_no_flag_for_answers_that_need_none(changes):
    assert assess(patient(**changes)).flags == ()


def test_imaging_flag_mentions_the_six_month_payer_expectation():
    (flag,) = assess(patient(imaging="gt_12m")).flags
    assert "payers commonly expect" in flag and "last 6 months" in flag


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"worse_with": ["sitting_on_side", "rising_from_chair"]}, "2 typical activities"),
        ({"worse_with": FIELDS["worse_with"].codes}, "sitting on side, rising from chair"),
        ({"prior_lumbar_fusion": "yes"}, "lumbar fusion"),
        ({"si_injection": "yes", "si_injection_relief": "gte_75"}, "meets the usual payer"),
        ({"si_injection": "yes", "si_injection_relief": "50_74"}, "trial threshold of 50 %"),
    ],
)
def test_supporting_feature_appears_for_its_answer(changes, fragment):
    (feature,) = assess(patient(**changes)).supporting
    assert fragment in feature


def test_relief_between_50_and_74_percent_is_below_the_payer_threshold():
    (feature,) = assess(patient(si_injection="yes", si_injection_relief="50_74")).supporting
    assert "below the usual payer threshold of 75 %" in feature


@pytest.mark.parametrize(
    "changes",
    [
        {"worse_with": ["stairs"]},
        {"prior_lumbar_fusion": "unsure"},
        {"si_injection": "yes", "si_injection_relief": "dont_know"},
        {"si_injection": "yes", "si_injection_relief": "lt_50"},
        {"si_injection": "yes"},
        {"si_injection": "none", "si_injection_relief": "gte_75"},
        {"si_injection": None, "si_injection_relief": "50_74"},
    ],
)
def test_no_supporting_feature_for_answers_that_give_none(changes):
    assert assess(patient(**changes)).supporting == ()


def test_flags_and_supporting_never_change_the_outcome():
    noisy = patient(
        nicotine="yes",
        metal_allergy="yes",
        imaging="none",
        prior_lumbar_fusion="yes",
        worse_with=["stairs", "rolling_in_bed"],
        comments="Lots to say.",
    )
    assert assess(noisy).criteria == assess(RUBRIC_TYPICAL).criteria
    assert assess(noisy).category is Category.DISCUSS_REFERRAL


# --- The result ----------------------------------------------------------------------------------

RESULT_KEYS = [
    "rubric_version",
    "category",
    "urgency",
    "criteria",
    "odi_percent",
    "missing",
    "reasons",
    "flags",
    "supporting",
]


@pytest.mark.parametrize(
    "answers", [RUBRIC_TYPICAL, {}, patient(rf_fever="yes"), patient(odi=[1] * 10, imaging="none")]
)
def test_to_dict_has_exactly_the_rubric_result_shape(answers):
    data = assess(answers).to_dict()
    assert list(data) == RESULT_KEYS
    assert list(data["criteria"]) == CRITERIA_NAMES
    assert data["rubric_version"] == RUBRIC_VERSION
    assert json.loads(json.dumps(data)) == data
    for key in ("category", "rubric_version"):
        assert type(data[key]) is str
    assert all(type(status) is str for status in data["criteria"].values())
    for key in ("missing", "reasons", "flags", "supporting"):
        assert type(data[key]) is list
        assert all(type(text) is str for text in data[key])


def test_to_dict_of_the_typical_patient():
    result = assess(RUBRIC_TYPICAL)
    assert result.to_dict() == {
        "rubric_version": "2026.12",  # the rubric this module implements
        "category": "discuss_referral",
        "urgency": None,
        "criteria": dict.fromkeys(CRITERIA_NAMES, "met"),
        "odi_percent": None,
        "missing": [],
        "reasons": list(result.reasons),
        "flags": [],
        "supporting": [],
    }


def test_to_dict_carries_the_rounded_odi_percent():
    data = assess(patient(odi=[1] * 10)).to_dict()
    assert (data["category"], data["odi_percent"]) == ("not_yet", 20.0)
    assert data["criteria"]["function"] == "not_met"


def test_to_dict_of_an_urgent_result():
    data = assess({"rf_bladder_bowel": "yes"}).to_dict()
    assert (data["category"], data["urgency"]) == ("urgent", "emergency")
    assert type(data["urgency"]) is str


def test_assessment_is_frozen_and_its_criteria_read_only():
    result = assess(RUBRIC_TYPICAL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.category = Category.URGENT
    with pytest.raises(TypeError):
        result.criteria["location"] = Status.NOT_MET
    assert isinstance(result, Assessment)
    assert result.rubric_version == RUBRIC_VERSION


def test_every_result_explains_itself():
    for answers in (RUBRIC_TYPICAL, {}, patient(rf_fever="yes"), patient(pt="none")):
        assert assess(answers).reasons


# --- The tables other modules build on -----------------------------------------------------------


def test_yes_no_fields_list_their_codes_in_rubric_order():
    for field in FIELDS.values():
        if field.kind is Kind.YN:
            assert field.codes == ("yes", "no")
        if field.kind is Kind.YNU:
            assert field.codes == ("yes", "no", "unsure")


def test_field_ranges_and_medications_codes():
    assert (FIELDS["pain_average"].minimum, FIELDS["pain_average"].maximum) == (0, 10)
    assert (FIELDS["fn_stairs"].minimum, FIELDS["fn_stairs"].maximum) == (0, 3)
    assert (FIELDS["odi"].minimum, FIELDS["odi"].maximum) == (0, 5)
    assert FIELDS["comments"].max_length == 2000
    assert FIELDS["comments"].kind is Kind.TEXT
    assert FIELDS["medications"].codes[-2:] == ("not_possible", "none")
    assert FIELDS["pain_duration"].codes == ("lt_6w", "6w_3m", "3m_6m", "6m_12m", "gt_12m")


def test_red_flag_and_required_keys():
    assert len(RED_FLAG_KEYS) == 10  # rubric 2026.12 added two cauda equina signs
    assert RED_FLAG_KEYS == tuple(RED_FLAG_LEVELS)
    assert tuple(flag.key for flag in RED_FLAGS) == RED_FLAG_KEYS
    assert REQUIRED_KEYS == (
        *RED_FLAG_KEYS,
        "pain_areas",
        "worst_spot",
        "pain_duration",
        "pain_average",
        "care_duration",
        "pt",
        "medications",
    )


def test_criteria_table_states_each_threshold_with_its_source():
    assert [c.name for c in CRITERIA] == CRITERIA_NAMES
    rules = {c.name: c.rule for c in CRITERIA}
    sources = {c.name: c.source for c in CRITERIA}
    assert "5/10" in rules["severity"]
    assert "30 %" in rules["function"] and "8 of its 10" in rules["function"]
    assert "6 months" in rules["duration"] and "4 weeks" in rules["conservative_care"]
    assert "MP-555" in sources["severity"]
    assert "Fairbank" in sources["function"]
    assert "Centene" in sources["conservative_care"]
    assert "Slipman" in sources["location"] and "Fortin" in sources["location"]
    assert "iFuse" in sources["pregnancy"]
    assert "BASS 2018" in RED_FLAG_SOURCE and "GIRFT" in RED_FLAG_SOURCE


def test_checklist_keeps_the_rubric_facts():
    text = " ".join(CHECKLIST)
    for fact in (
        "Fortin",
        "three or more of five",
        "distraction",
        "thigh thrust",
        "compression",
        "Laslett's set",
        "sacral thrust",
        "FABER (Patrick) instead of sacral thrust",
        "Gaenslen",
        "lumbar spine, pelvis and hip",
        "require two",
        "75 %",
        "50 %",
        "therapeutic SI-joint injection",
        "Nicotine",
        "Behavioral health and substance use",
    ):
        assert fact in text, fact
