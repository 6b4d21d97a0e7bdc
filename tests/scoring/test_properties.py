"""Properties that hold for every valid answer set, checked on generated ones."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from screener.scoring import (
    FIELDS,
    RED_FLAG_KEYS,
    REQUIRED_KEYS,
    Category,
    Kind,
    Status,
    assess,
    validate,
)

CRITERIA_NAMES = (
    "location",
    "generalized",
    "duration",
    "severity",
    "function",
    "conservative_care",
    "pregnancy",
)


def value_strategy(field):
    """Every valid value of one field, built from its Field description."""
    if field.kind in (Kind.YN, Kind.YNU, Kind.CHOICE):
        return st.sampled_from(field.codes)
    if field.kind is Kind.INT:
        return st.integers(field.minimum, field.maximum)
    if field.kind is Kind.ODI:
        score = st.none() | st.integers(field.minimum, field.maximum)
        return st.lists(score, min_size=10, max_size=10)
    if field.kind is Kind.TEXT:
        return st.text(max_size=field.max_length)
    codes = [code for code in field.codes if code != "none"]
    lists = st.lists(st.sampled_from(codes), unique=True)
    return lists | st.just(["none"]) if "none" in field.codes else lists


valid_answers = st.fixed_dictionaries(
    {},
    optional={key: st.none() | value_strategy(field) for key, field in FIELDS.items()},
)

# Mostly-complete sets reach the later outcome rules far more often.
nearly_complete = st.fixed_dictionaries(
    {key: value_strategy(FIELDS[key]) for key in REQUIRED_KEYS}
    | {key: st.sampled_from(("no", "no", "no", "unsure")) for key in RED_FLAG_KEYS},
    optional={
        key: value_strategy(field) for key, field in FIELDS.items() if key not in REQUIRED_KEYS
    },
)


def check_invariants(answers):
    clean = validate(answers)
    assert validate(clean) == clean
    result = assess(answers)
    criteria = result.criteria

    assert tuple(criteria) == CRITERIA_NAMES
    assert (result.category is Category.URGENT) == (result.urgency is not None)
    assert result.missing == tuple(key for key in REQUIRED_KEYS if key not in clean)
    assert set(result.missing) <= set(REQUIRED_KEYS)
    assert result.reasons
    assert bool(result.checklist) == (result.category is Category.DISCUSS_REFERRAL)
    assert result.odi_percent is None or 0 <= result.odi_percent <= 100

    if result.urgency is None and any(key not in clean for key in RED_FLAG_KEYS):
        assert result.category is Category.INCOMPLETE
    if result.category is Category.PATTERN_UNCLEAR:
        assert Status.NOT_MET in (criteria["location"], criteria["generalized"])
    if result.category is Category.NOT_YET:
        assert Status.NOT_MET not in (criteria["location"], criteria["generalized"])
        assert Status.NOT_MET in criteria.values()
    if result.category is Category.DISCUSS_REFERRAL:
        assert Status.NOT_MET not in criteria.values()
        for name in ("location", "duration", "severity", "conservative_care"):
            assert criteria[name] is Status.MET

    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data


@settings(max_examples=300, deadline=None, database=None)
@given(valid_answers)
def test_any_valid_answers_are_assessed_by_the_precedence_rules(answers):
    check_invariants(answers)


@settings(max_examples=300, deadline=None, database=None)
@given(nearly_complete)
def test_nearly_complete_answers_are_assessed_by_the_precedence_rules(answers):
    check_invariants(answers)


@settings(max_examples=100, deadline=None, database=None)
@given(valid_answers, st.text(min_size=1).filter(lambda key: key not in FIELDS))
def test_an_unknown_key_is_always_refused(answers, key):
    try:
        validate({**answers, key: "yes"})
    except ValueError as error:
        assert not any(ord(ch) < 32 for ch in str(error))
        if key.isprintable() and len(key) <= 60 and '"' not in key and "\\" not in key:
            assert error.key == key
    else:
        raise AssertionError("an unknown key was accepted")
