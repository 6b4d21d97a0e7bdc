"""The licensed ODI step, driven by a synthetic item file in place of the clinic's text."""

import json
import logging
import re

import pytest

from screener.patient import odi
from screener.scoring import assess
from tests.answers import REFERRAL

from .conftest import answer_steps, checked, inputs, only_submission, refused


def synthetic(sections: int = 10, statements: int = 6) -> dict:
    return {
        "sections": [
            {
                "heading": f"Section {s}",
                "statements": [f"Section {s} statement {i}" for i in range(statements)],
            }
            for s in range(1, sections + 1)
        ]
    }


@pytest.fixture
def app_config(tmp_path):
    path = tmp_path / "odi.json"
    path.write_text(json.dumps(synthetic()), encoding="utf-8")
    return {"ODI_FILE": str(path)}


def test_the_odi_step_follows_daily_life_and_the_count_becomes_nine(started):
    html = started.get("/step/odi").text
    assert "Step 6 of 9" in html
    assert "More about your daily life" in html
    assert '<a class="back-link" href="/step/daily-life">' in html
    assert "Step 7 of 9" in started.get("/step/treatments").text
    assert started.post("/step/daily-life", data={}).location == "/step/odi"
    assert started.post("/step/odi", data={}).location == "/step/treatments"


def test_each_section_asks_its_six_statements_scored_0_to_5(started):
    html = started.get("/step/odi").text
    for number in range(1, 11):
        options = inputs(html, f"odi_{number}")
        assert [o["value"] for o in options] == [str(i) for i in range(6)]
        assert f"Section {number} statement 5" in html
        assert re.search(rf"<legend[^>]*>Section {number}</legend>", html)


def test_on_a_page_in_another_language_the_odi_text_is_marked_with_its_own(started):
    english = started.get("/step/odi").text
    assert 'lang="en"' not in english.split("<main", 1)[1]
    started.get("/language/es?next=/")
    spanish = started.get("/step/odi").text
    assert "Más sobre su vida diaria" in spanish  # our default title, translated, not marked
    assert '<div lang="en">' in spanish
    assert spanish.index('<div lang="en">') < spanish.index("Section 1 statement 0")


def test_odi_answers_are_stored_as_the_rubric_list_and_scored(started, app):
    answer_steps(started, REFERRAL)
    scores = {f"odi_{n}": str(n % 6) for n in range(1, 9)}  # sections 9 and 10 left out
    assert started.post("/step/odi", data=scores).status_code == 302
    stored = only_submission(app)
    assert stored.answers["odi"] == [1, 2, 3, 4, 5, 0, 1, 2, None, None]
    assert stored.assessment["odi_percent"] == assess(stored.answers).odi_percent == 45.0
    assert stored.category == assess(stored.answers).category
    assert checked(started.get("/step/odi").text, "odi_3") == ["3"]
    assert "Section 2 statement 2" in started.get("/review").text
    assert "odi" in stored.steps_done


def test_an_unanswered_odi_step_stores_nothing(started, app):
    started.post("/step/odi", data={})
    assert "odi" not in only_submission(app).answers


def test_an_odi_score_outside_0_to_5_is_refused(started, app):
    response = refused(started, "/step/odi", data={"odi_1": "6"})
    assert 'id="odi_1-error"' in response.text
    assert "odi" not in only_submission(app).answers


class TestWithoutAFile:
    @pytest.fixture
    def app_config(self, tmp_path):
        return {"ODI_FILE": str(tmp_path / "missing.json")}

    def test_there_is_no_odi_step(self, started):
        assert started.get("/step/odi").status_code == 404
        assert "Step 5 of 8" in started.get("/step/daily-life").text
        assert started.post("/step/daily-life", data={}).location == "/step/treatments"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (synthetic(sections=9), "exactly 10 sections"),
        (synthetic(statements=5), "exactly 6 statements"),
        ({"sections": "no"}, '"sections" list'),
        ({**synthetic(), "title": ""}, "title must be non-empty"),
        ({**synthetic(), "language": 7}, "language must be non-empty"),
    ],
)
def test_an_invalid_file_is_logged_and_left_out(tmp_path, caplog, data, reason):
    from screener import create_app

    path = tmp_path / "odi.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="screener.patient.odi"):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                "ODI_FILE": str(path),
            }
        )
    with app.app_context():
        assert odi.instrument() is None
    assert reason in caplog.text


def test_a_file_that_is_not_json_is_left_out(tmp_path):
    path = tmp_path / "odi.json"
    path.write_text("{not json", encoding="utf-8")
    app = type("App", (), {"instance_path": str(tmp_path), "config": {"ODI_FILE": "odi.json"}})
    assert odi.load(app) is None


def test_a_relative_file_name_is_read_from_the_instance_folder(tmp_path):
    (tmp_path / "clinic-odi.json").write_text(json.dumps(synthetic()), encoding="utf-8")
    app = type(
        "App", (), {"instance_path": str(tmp_path), "config": {"ODI_FILE": "clinic-odi.json"}}
    )
    instrument = odi.load(app)
    assert len(instrument.sections) == 10
    assert instrument.sections[0].statements[5] == "Section 1 statement 5"
