"""Answer sets the tests share: plain data, each defined once.

Answers are the rubric's coded values (screener.scoring.FIELDS); identities are what a patient
types on About you.
"""

from datetime import date

from screener.scoring import RED_FLAG_KEYS


def typed_dob(day: str, month: str, year: str) -> dict:
    """The form data of a date of birth typed into its three boxes."""
    return {"date_of_birth-day": day, "date_of_birth-month": month, "date_of_birth-year": year}


def dob_parts(born: date) -> dict:
    """The form data of a date of birth as a patient types it: 25, 3, 1970."""
    return typed_dob(str(born.day), str(born.month), str(born.year))


# Who the patient on About you is: born on BORN, typing IDENTITY.
BORN = date(1970, 3, 25)
IDENTITY = {
    "full_name": "Ann Example",
    **dob_parts(BORN),
    "phone": "555 010 0123",
    "email": "ann@example.com",
}

# "No" to every safety question: no urgency.
SAFE = {key: "no" for key in RED_FLAG_KEYS}

# Every question answered, as a patient answers the whole questionnaire: discuss_referral.
REFERRAL = {
    **SAFE,
    "pain_areas": ["below_belt_side", "buttock"],
    "worst_spot": "dimple",
    "pain_side": "left",
    "worse_with": ["sitting_on_side", "rising_from_chair"],
    "leg_symptoms_below_knee": "no",
    "pain_duration": "gt_12m",
    "pain_average": 7,
    "pain_worst": 9,
    "fn_sitting": 2,
    "fn_standing_walking": 1,
    "fn_stairs": 2,
    "fn_daily_tasks": 1,
    "fn_sleep": 3,
    "care_duration": "gte_6m",
    "pt": "gte_4w",
    "home_exercise": "yes",
    "medications": ["anti_inflammatory", "muscle_relaxant"],
    "other_care": ["brace_belt"],
    "si_injection": "yes",
    "si_injection_relief": "gte_75",
    "fibromyalgia": "no",
    "inflammatory_arthritis": "no",
    "prior_lumbar_fusion": "no",
    "pregnancy": "not_applicable",
    "nicotine": "no",
    "prior_si_fusion": "none",
    "metal_allergy": "no",
    "imaging": "lt_6m",
    "comments": "It hurts most when I sit in the car.",
}

# REFERRAL changed to reach each of the other outcomes.
NOT_YET = {**REFERRAL, "pain_duration": "3m_6m", "pt": "lt_4w"}
PATTERN_UNCLEAR = {**REFERRAL, "worst_spot": "leg"}
INCOMPLETE = {k: v for k, v in REFERRAL.items() if k not in ("pain_average", "medications")}
# The safety answers that lead to each urgency.
URGENT = {
    "emergency": {**SAFE, "rf_bladder_bowel": "yes"},
    "same_day": {**SAFE, "rf_fever": "yes"},
    "soon": {**SAFE, "rf_cancer_history": "yes"},
}

# The submission the clinic tests store: complete, with a comment; discuss_referral.
CLINIC_REFERRAL = {
    **SAFE,
    "pain_areas": ["below_belt_side", "buttock"],
    "worst_spot": "dimple",
    "pain_side": "right",
    "worse_with": ["sitting_on_side", "rising_from_chair"],
    "leg_symptoms_below_knee": "no",
    "fibromyalgia": "no",
    "inflammatory_arthritis": "no",
    "pain_duration": "gt_12m",
    "pain_average": 7,
    "pain_worst": 9,
    "fn_sitting": 2,
    "fn_standing_walking": 1,
    "fn_stairs": 1,
    "fn_daily_tasks": 2,
    "fn_sleep": 1,
    "care_duration": "gte_6m",
    "pt": "gte_4w",
    "home_exercise": "yes",
    "medications": ["anti_inflammatory", "acetaminophen"],
    "si_injection": "none",
    "imaging": "lt_6m",
    "pregnancy": "not_applicable",
    "nicotine": "no",
    "prior_si_fusion": "none",
    "metal_allergy": "no",
    "comments": "Worse after driving.",
}

# The rubric tests' typical patient: every criterion met, and nothing that adds a clinician
# flag or a supporting feature.
RUBRIC_TYPICAL = {
    **SAFE,
    "pain_areas": ["buttock", "below_belt_side"],
    "worst_spot": "dimple",
    "pain_side": "left",
    "leg_symptoms_below_knee": "no",
    "fibromyalgia": "no",
    "inflammatory_arthritis": "no",
    "prior_lumbar_fusion": "no",
    "pain_duration": "gt_12m",
    "pain_average": 7,
    "pain_worst": 9,
    "fn_sitting": 2,
    "fn_standing_walking": 2,
    "fn_stairs": 2,
    "fn_daily_tasks": 2,
    "fn_sleep": 2,
    "care_duration": "gte_6m",
    "pt": "gte_4w",
    "home_exercise": "yes",
    "medications": ["anti_inflammatory"],
    "si_injection": "none",
    "imaging": "lt_6m",
    "pregnancy": "not_applicable",
    "nicotine": "no",
    "prior_si_fusion": "none",
    "metal_allergy": "no",
}

# Few answers beyond the required ones, still discuss_referral (for the assess command).
MINIMAL_REFERRAL = {
    **SAFE,
    "pain_areas": ["below_belt_side", "buttock"],
    "worst_spot": "dimple",
    "pain_duration": "gt_12m",
    "pain_average": 7,
    "fn_sitting": 2,
    "care_duration": "gte_6m",
    "pt": "gte_4w",
    "medications": ["anti_inflammatory"],
    "fibromyalgia": "no",
    "inflammatory_arthritis": "no",
    "pregnancy": "not_applicable",
}
