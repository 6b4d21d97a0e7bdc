"""Input rules: what `validate` accepts, normalises and refuses."""

from enum import IntEnum, StrEnum
from types import MappingProxyType

import pytest

from screener.scoring import FIELDS, AnswerError, Kind, assess, validate
from tests.answers import RUBRIC_TYPICAL


def test_no_answers_are_valid():
    assert validate({}) == {}


def test_valid_answers_come_back_equal():
    answers = {
        "rf_fever": "no",
        "pain_areas": ["buttock", "below_belt_side"],
        "worst_spot": "dimple",
        "pain_average": 0,
        "fn_sleep": 3,
        "medications": ["none"],
        "odi": [0, 5, None, 1, 2, 3, 4, None, 0, 1],
        "comments": "Worse after long drives.",
    }
    assert validate(answers) == answers


@pytest.mark.parametrize(
    "answers",
    [
        {"pain_average": None},
        {"pain_areas": []},
        {"medications": ()},
        {"odi": []},
        {"comments": ""},
        {"comments": "  \n\t "},
    ],
)
def test_null_empty_list_and_blank_comment_count_as_not_answered(answers):
    assert validate(answers) == {}


def test_comment_of_2000_characters_is_accepted():
    assert validate({"comments": "x" * 2000}) == {"comments": "x" * 2000}


def test_tuples_are_accepted_and_returned_as_lists():
    clean = validate({"pain_areas": ("buttock",), "odi": (1,) * 10})
    assert clean == {"pain_areas": ["buttock"], "odi": [1] * 10}


def test_validate_returns_a_copy():
    areas = ["buttock"]
    answers = {"pain_areas": areas}
    clean = validate(answers)
    areas.append("groin")
    assert clean == {"pain_areas": ["buttock"]}
    assert answers is not clean


def test_any_mapping_is_accepted():
    assert validate(MappingProxyType({"pain_side": "left"})) == {"pain_side": "left"}


def test_null_answers_are_dropped_from_any_mapping():
    answers = MappingProxyType({"pain_side": None, "pain_average": 5})
    assert validate(answers) == {"pain_average": 5}


class Code(StrEnum):
    BUTTOCK = "buttock"
    NO = "no"


class Score(IntEnum):
    SEVEN = 7


def test_str_and_int_subclasses_are_normalised_to_plain_values():
    clean = validate(
        {
            "rf_fever": Code.NO,
            "pain_areas": [Code.BUTTOCK],
            "pain_average": Score.SEVEN,
            "odi": [Score.SEVEN - 3] + [None] * 9,
            "comments": Code.NO,
        }
    )
    assert clean == {
        "rf_fever": "no",
        "pain_areas": ["buttock"],
        "pain_average": 7,
        "odi": [4] + [None] * 9,
        "comments": "no",
    }
    assert type(clean["rf_fever"]) is str
    assert type(clean["pain_areas"][0]) is str
    assert type(clean["pain_average"]) is int
    assert type(clean["odi"][0]) is int
    assert type(clean["comments"]) is str


ODI_OK = [1] * 10

INVALID = [
    ({"nonsense": "yes"}, "nonsense", "is not a question in this rubric"),
    ({5: "yes"}, "5", "is not a question in this rubric"),
    ({"name": "Ann"}, "name", "is not a question in this rubric"),
    ({"name": None}, "name", "is not a question in this rubric"),
    ({"pain_average": True}, "pain_average", "must be a whole number from 0 to 10, not true"),
    ({"pain_average": "7"}, "pain_average", 'must be a whole number from 0 to 10, not "7"'),
    ({"pain_average": 7.0}, "pain_average", "must be a whole number from 0 to 10, not 7.0"),
    ({"pain_average": 11}, "pain_average", "must be a whole number from 0 to 10, not 11"),
    ({"pain_worst": -1}, "pain_worst", "must be a whole number from 0 to 10, not -1"),
    ({"fn_sitting": 4}, "fn_sitting", "must be a whole number from 0 to 3, not 4"),
    ({"fn_sleep": False}, "fn_sleep", "must be a whole number from 0 to 3, not false"),
    ({"worst_spot": "elbow"}, "worst_spot", 'not "elbow"'),
    ({"worst_spot": 1}, "worst_spot", "not 1"),
    ({"rf_fever": True}, "rf_fever", 'must be one of "yes", "no", "unsure", not true'),
    ({"home_exercise": "unsure"}, "home_exercise", 'must be one of "yes", "no", not "unsure"'),
    ({"pain_side": ["left"]}, "pain_side", 'not ["left"]'),
    ({"pain_areas": "buttock"}, "pain_areas", 'must be a list of codes, not "buttock"'),
    ({"pain_areas": {"buttock": 1}}, "pain_areas", "must be a list of codes"),
    ({"pain_areas": ["elbow"]}, "pain_areas", '"elbow" is not one of "low_back_center"'),
    ({"pain_areas": ["buttock", 3]}, "pain_areas", "3 is not one of"),
    ({"pain_areas": [["buttock"]]}, "pain_areas", '["buttock"] is not one of'),
    ({"pain_areas": ["buttock", "buttock"]}, "pain_areas", '"buttock" is listed more than once'),
    ({"worse_with": ["stairs", "none"]}, "worse_with", '"none" is not one of'),
    ({"medications": ["none", "opioid"]}, "medications", '"none" cannot be listed beside'),
    ({"medications": ["opioid", "none"]}, "medications", '"none" cannot be listed beside'),
    ({"odi": [1] * 9}, "odi", "must have exactly 10 entries, not 9"),
    ({"odi": [1] * 11}, "odi", "must have exactly 10 entries, not 11"),
    ({"odi": "1111111111"}, "odi", 'must be a list of section scores, not "1111111111"'),
    ({"odi": [6] + [1] * 9}, "odi", "section 1 must be a whole number from 0 to 5 or null, not 6"),
    ({"odi": [1] * 9 + [-1]}, "odi", "section 10 must be a whole number from 0 to 5 or null"),
    ({"odi": [1, True] + [1] * 8}, "odi", "section 2 must be a whole number from 0 to 5 or null"),
    ({"odi": [1, 1, 2.0] + [1] * 7}, "odi", "section 3 must be a whole number"),
    ({"odi": [1, 1, 1, "2"] + [1] * 6}, "odi", "section 4 must be a whole number"),
    ({"comments": "x" * 2001}, "comments", "must be at most 2000 characters, not 2001"),
    ({"comments": 5}, "comments", "must be text, not 5"),
    ({"comments": ["hi"]}, "comments", 'must be text, not ["hi"]'),
]


@pytest.mark.parametrize(("answers", "key", "message"), INVALID)
def test_invalid_answer_is_refused_naming_the_key(answers, key, message):
    with pytest.raises(AnswerError) as caught:
        validate(answers)
    error = caught.value
    assert error.key == key
    assert message in error.message
    assert str(error) == f"{key}: {error.message}"
    assert error.index is None


@pytest.mark.parametrize(("answers", "key", "message"), INVALID)
def test_assess_refuses_what_validate_refuses(answers, key, message):
    with pytest.raises(AnswerError, match=key):
        assess(answers)


def test_one_bad_answer_refuses_the_whole_set():
    with pytest.raises(AnswerError) as caught:
        validate({"rf_fever": "no", "pain_average": 12, "pain_side": "left"})
    assert caught.value.key == "pain_average"


@pytest.mark.parametrize(
    ("answers", "key"),
    [
        ({"pain_average": True, "worst_spot": "elbow"}, "pain_average"),
        ({"worst_spot": "elbow", "pain_average": True}, "worst_spot"),
        ({"rf_fever": Code.NO, "pain_areas": "buttock", "nonsense": "yes"}, "pain_areas"),
    ],
)
def test_the_first_bad_answer_in_order_is_named(answers, key):
    with pytest.raises(AnswerError) as caught:
        validate(answers)
    assert caught.value.key == key


@pytest.mark.parametrize("answers", [None, [], ["rf_fever"], "rf_fever=no", 5, {"rf_fever"}])
def test_answers_that_are_not_an_object_are_refused(answers):
    with pytest.raises(AnswerError) as caught:
        validate(answers)
    assert caught.value.key == "(answers)"
    assert str(caught.value) == "(answers): must be an object"


def test_answer_error_is_a_value_error():
    error = AnswerError("pain_average", "must be a whole number", index=3)
    assert isinstance(error, ValueError)
    assert (error.key, error.message, error.index) == ("pain_average", "must be a whole number", 3)
    assert str(error) == "pain_average: must be a whole number"


def test_long_refused_values_are_shortened_in_the_message():
    with pytest.raises(AnswerError) as caught:
        validate({"worst_spot": "x" * 100})
    assert caught.value.message.endswith('not "' + "x" * 36 + "...")


def test_values_json_cannot_show_are_shown_with_repr():
    with pytest.raises(AnswerError) as caught:
        validate({"pain_average": object()})
    assert "not <object object at" in caught.value.message


def test_an_unknown_key_is_shown_escaped_so_it_cannot_break_a_terminal_line():
    with pytest.raises(AnswerError) as refused:
        validate({"bad\nkey\x1b[2J": 1})
    assert "\n" not in str(refused.value) and "\x1b" not in str(refused.value)
    assert "bad\\nkey" in str(refused.value)


# --- The fast pass -------------------------------------------------------------------------------


def outcome(answers) -> tuple[str, object]:
    """What assess makes of the answers: ("scored", the result's dict) or ("refused", the
    message); any other exception escapes."""
    try:
        return "scored", assess(answers).to_dict()
    except AnswerError as exc:
        assert str(exc)
        return "refused", str(exc)


def edges(field) -> list:
    """Values on and just past each of a field's rules."""
    values = [None, True, 7.0, "7", "", " ", [], {}]
    codes = list(field.codes)
    if field.kind is Kind.LIST:
        values += [[code] for code in codes] + [[code, code] for code in codes]
        values += [codes, [codes[0], "none"], ["none", codes[0]], [codes[0], 1]]
    elif codes:
        values += [*codes, [codes[0]]]
    if field.kind in (Kind.INT, Kind.ODI):
        low, high = field.minimum, field.maximum
        if field.kind is Kind.ODI:
            values += [[n] + [None] * 9 for n in (low - 1, low, high, high + 1)]
            values += [[low] * 9, [low] * 11, [None] * 10, [True] + [None] * 9, [1.0] * 10]
        else:
            values += [low - 1, low, high, high + 1]
    if field.kind is Kind.TEXT:
        values += ["x" * field.max_length, "x" * (field.max_length + 1), "\n"]
    return values


def test_the_fast_pass_agrees_with_the_full_checks_at_every_rule():
    # validate() first tries a fast pass over a plain dict, which must keep what the full checks
    # keep and leave them every refusal; a read-only mapping always gets the full checks.
    for key, field in FIELDS.items():
        for value in edges(field):
            answers = {**RUBRIC_TYPICAL, key: value}
            assert outcome(answers) == outcome(MappingProxyType(answers)), (key, value)
