"""The date of birth in three boxes (Day, Month, Year) on About you and on the resume page:
each mistake is named on the box that is wrong, and what was typed stays in the boxes."""

import re
from datetime import date, timedelta

import pytest

from screener.models import utcnow
from tests.answers import BORN, IDENTITY, dob_parts, typed_dob

from .conftest import begin, inputs, only_submission, refused
from .test_resume import save_later

PARTS = ("day", "month", "year")


def years_ago(years: int, days: int = 0) -> date:
    """The birthday of someone `years` old today, moved by `days` (29 February: the 28th)."""
    today = utcnow().date()
    day = 28 if (today.month, today.day) == (2, 29) else today.day
    return today.replace(year=today.year - years, day=day) + timedelta(days=days)


def typed(born: date) -> tuple[str, str, str]:
    return tuple(dob_parts(born).values())


def post_about_you(client, day: str, month: str, year: str, **extra):
    """Post About you with this date of birth, expecting it to be shown again: the page."""
    client.post("/", data={"privacy": "y"})
    data = {**IDENTITY, **typed_dob(day, month, year), **extra}
    return refused(client, "/step/about-you", data=data)


def boxes(html: str) -> dict[str, dict]:
    """The three date of birth inputs, by part."""
    found = {}
    for part in PARTS:
        (found[part],) = inputs(html, f"date_of_birth-{part}")
    return found


def invalid_parts(html: str) -> list[str]:
    return [part for part, box in boxes(html).items() if box.get("aria-invalid") == "true"]


def error_text(html: str) -> str:
    """The message shown next to the date of birth ("" when there is none)."""
    found = re.search(r'<p class="error-message" id="date_of_birth-error">(.*?)</p>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


def fieldset_described_by(html: str) -> list[str]:
    found = re.search(r'id="date_of_birth-group">\s*<fieldset aria-describedby="([^"]*)"', html)
    return found.group(1).split() if found else []


REFUSED = [
    (("", "", ""), PARTS, "Enter your date of birth."),
    (("25", "3", ""), ("year",), "Date of birth must include a year."),
    (("", "3", "1970"), ("day",), "Date of birth must include a day."),
    (("25", "", "1970"), ("month",), "Date of birth must include a month."),
    (("", "", "1970"), ("day", "month"), "Date of birth must include a day and a month."),
    (("", "3", ""), ("day", "year"), "Date of birth must include a day and a year."),
    (("25/3/1970", "", ""), ("month", "year"), "Date of birth must include a month and a year."),
    (("2x", "3", "1970"), ("day",), "Date of birth must be numbers only, like 25 3 1970."),
    (("25", "March", "1970"), ("month",), "must be numbers only"),
    (("25", "3", "-1970"), ("year",), "must be numbers only"),
    (("²5", "3", "1970"), ("day",), "must be numbers only"),  # a digit to isdigit(), not int()
    (("32", "3", "1970"), ("day",), "The day must be a number from 1 to 31."),
    (("0", "3", "1970"), ("day",), "The day must be a number from 1 to 31."),
    (("1" * 5000, "3", "1970"), ("day",), "The day must be a number from 1 to 31."),
    (("3", "25", "1970"), ("month",), "The month must be a number from 1 to 12."),  # month first
    (("25", "00", "1970"), ("month",), "The month must be a number from 1 to 12."),
    (("25", "3", "70"), ("year",), "The year must have 4 numbers, like 1970."),
    (("31", "02", "21958"), ("year",), "The year must have 4 numbers"),  # what a date box kept
    (("45", "45", "1970"), ("day", "month"), "Date of birth must be a real date."),
    (("31", "2", "1958"), ("day",), "Date of birth must be a real date. Check the day."),
    (("29", "2", "1957"), ("day",), "Date of birth must be a real date. Check the day."),
    (("31", "4", "1970"), ("day",), "Date of birth must be a real date. Check the day."),
    (typed(years_ago(0, days=1)), PARTS, "Your date of birth must be in the past."),
    (typed(years_ago(18, days=1)), PARTS, "for adults aged 18 or over"),
    (typed(years_ago(111)), ("year",), "Please check the year of your date of birth."),
]


@pytest.mark.parametrize(("typed", "wrong", "message"), REFUSED)
def test_a_wrong_date_of_birth_is_named_on_the_wrong_boxes_and_kept(
    client, app, typed, wrong, message
):
    html = post_about_you(client, *typed).text
    assert message in error_text(html)
    assert "<title>Error: About you" in html
    # The summary links to the first wrong box; only the wrong boxes are marked.
    assert re.search(rf'<a href="#date_of_birth-{wrong[0]}">[^<]*{re.escape(message)}', html)
    assert invalid_parts(html) == list(wrong)
    assert "date_of_birth-error" in fieldset_described_by(html)
    assert [box["value"] for box in boxes(html).values()] == [part.strip() for part in typed]
    assert only_submission(app).patient is None


@pytest.mark.parametrize(
    ("typed", "born"),
    [
        (("25", "3", "1970"), BORN),
        (("07", "03", "1970"), date(1970, 3, 7)),
        ((" 25 ", "3 ", "\t1970"), BORN),
        (("29", "2", "2000"), date(2000, 2, 29)),
        (typed(years_ago(18)), years_ago(18)),
        (typed(years_ago(110)), years_ago(110)),
    ],
)
def test_a_real_adult_date_of_birth_is_stored_as_a_date(client, app, typed, born):
    begin(client, {**IDENTITY, **typed_dob(*typed)})
    assert only_submission(app).patient.date_of_birth == born


def test_the_stored_date_of_birth_fills_the_boxes_again(started):
    html = started.get("/step/about-you").text
    assert [box["value"] for box in boxes(html).values()] == ["25", "3", "1970"]
    assert invalid_parts(html) == []
    assert error_text(html) == ""


@pytest.mark.parametrize(
    ("lang", "labels", "hint"),
    [
        ("en", ["Day", "Month", "Year"], "For example, 25 3 1970."),
        ("es", ["Día", "Mes", "Año"], "Por ejemplo, 25 3 1970."),
    ],
)
def test_the_three_boxes_are_labelled_in_a_fieldset_with_one_hint(client, lang, labels, hint):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    client.post("/", data={"privacy": "y"})
    html = client.get("/step/about-you").text
    group = html[html.index('id="date_of_birth-group"') : html.index("</fieldset>")]
    assert re.search(r"<legend>(Date of birth|Fecha de nacimiento)</legend>", group)
    (shown_hint,) = re.findall(r'<p class="hint" id="date_of_birth-hint">([^<]*)</p>', group)
    assert shown_hint.startswith(hint)
    assert fieldset_described_by(html) == ["date_of_birth-hint"]
    for (part, box), label in zip(boxes(html).items(), labels, strict=True):
        assert f'<label for="date_of_birth-{part}">{label}</label>' in group
        assert box["id"] == box["name"] == f"date_of_birth-{part}"
        assert box["type"] == "text" and box["inputmode"] == "numeric"
        assert box["autocomplete"] == f"bday-{part}"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (("31", "2", "1958"), "La fecha de nacimiento debe ser una fecha real. Revise el día."),
        (("25", "3", ""), "Escriba el año de su fecha de nacimiento."),
        (("25", "13", "1970"), "El mes debe ser un número del 1 al 12. Por ejemplo, 3 para marzo."),
    ],
)
def test_the_date_of_birth_errors_are_in_spanish(client, typed, message):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    html = post_about_you(client, *typed).text
    assert error_text(html) == f"Error: {message}"
    assert f">{message}</a>" in html  # the summary


@pytest.mark.parametrize("typed", [("31", "2", ""), ("31", "2", "1958"), ("", "", "19")])
def test_switching_language_keeps_what_is_in_the_boxes(client, app, typed):
    html = post_about_you(client, *typed, switch_lang="es").text
    assert '<html lang="es">' in html and '<label for="date_of_birth-day">Día</label>' in html
    assert [box["value"] for box in boxes(html).values()] == list(typed)
    assert invalid_parts(html) == [] and 'id="error-summary"' not in html
    assert only_submission(app).patient is None


def test_switching_language_with_a_whole_date_keeps_it_and_saves_nothing(client, app):
    html = post_about_you(client, "07", "03", "1970", switch_lang="es").text
    assert [box["value"] for box in boxes(html).values()] == ["07", "03", "1970"]
    assert only_submission(app).patient is None


def test_the_resume_page_asks_for_the_date_in_the_same_three_boxes(client):
    html = client.get("/resume").text
    assert [box["autocomplete"] for box in boxes(html).values()] == [
        "bday-day",
        "bday-month",
        "bday-year",
    ]
    assert "For example, 25 3 1970." in html
    response = client.post("/resume", data={"code": "ABCD-EFGH", **typed_dob("31", "2", "1958")})
    assert response.status_code == 200
    html = response.text
    assert "Date of birth must be a real date. Check the day." in error_text(html)
    assert '<a href="#date_of_birth-day">' in html
    assert invalid_parts(html) == ["day"]
    assert [box["value"] for box in boxes(html).values()] == ["31", "2", "1958"]


def test_resuming_compares_dates_not_what_was_typed(started, app):
    _link, code = save_later(started)
    other = app.test_client()
    response = other.post("/resume", data={"code": code, **typed_dob("25", "03", "1970")})
    assert response.location == "/step/safety"  # the first step not yet done
