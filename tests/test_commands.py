"""The flask CLI commands: assess, create-user, first-admin."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from screener.extensions import db
from screener.models import User
from screener.scoring import assess
from tests.answers import MINIMAL_REFERRAL


def test_assess_reads_one_object_from_stdin(runner):
    result = runner.invoke(args=["assess", "-"], input="{}")
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["category"] == "incomplete"
    assert out == assess({}).to_dict()


def test_assess_scores_the_typical_patient_as_discuss_referral(runner, tmp_path):
    path = tmp_path / "typical.json"
    path.write_text(json.dumps(MINIMAL_REFERRAL))
    result = runner.invoke(args=["assess", str(path)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["category"] == "discuss_referral"


def test_assess_keeps_the_order_of_a_list(runner):
    batch = [MINIMAL_REFERRAL, {}, {**MINIMAL_REFERRAL, "rf_fever": "yes"}]
    result = runner.invoke(args=["assess", "-"], input=json.dumps(batch))
    assert result.exit_code == 0
    categories = [r["category"] for r in json.loads(result.stdout)]
    assert categories == ["discuss_referral", "incomplete", "urgent"]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"pain_average": "7"}, "pain_average"),
        ({"no_such_key": 1}, "no_such_key"),
        ([{}, {"pt": "lots"}], "[1] pt"),
        ("not json", "not valid JSON"),
    ],
)
def test_assess_refuses_bad_input_naming_the_key(runner, payload, expected):
    text = payload if isinstance(payload, str) else json.dumps(payload)
    result = runner.invoke(args=["assess", "-"], input=text)
    assert result.exit_code != 0
    assert result.stdout == ""
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_assess_runs_as_a_real_subprocess_without_a_secret_key(tmp_path):
    flask = Path(sys.executable).with_name("flask")
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "FLASK_DEBUG"}}
    ok = subprocess.run(
        [str(flask), "--app", "screener", "assess", "-"],
        input=json.dumps(MINIMAL_REFERRAL),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["category"] == "discuss_referral"
    bad = subprocess.run(
        [str(flask), "--app", "screener", "assess", "-"],
        input='{"pain_average": "7"}',
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert bad.returncode != 0
    assert bad.stdout == ""
    assert "pain_average" in bad.stderr


def _users(app):
    with app.app_context():
        return {u.email: u.role for u in db.session.scalars(select(User))}


def test_create_user_reads_the_password_from_the_environment(app, runner, monkeypatch):
    monkeypatch.setenv("SCREENER_PASSWORD", "a long enough password")
    result = runner.invoke(args=["create-user", "Dr.Who@Clinic.example", "--role", "admin"])
    assert result.exit_code == 0, result.output
    assert _users(app) == {"dr.who@clinic.example": "admin"}
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.check_password("a long enough password")
        assert "a long enough password" not in user.password_hash


def test_create_user_prompts_for_a_hidden_password(app, runner, monkeypatch):
    monkeypatch.delenv("SCREENER_PASSWORD", raising=False)
    result = runner.invoke(
        args=["create-user", "nurse@clinic.example"],
        input="another long password\nanother long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "another long password" not in result.output
    assert _users(app) == {"nurse@clinic.example": "clinician"}


@pytest.mark.parametrize(
    ("password", "message"), [("short", "at least 12"), ("a long enough password", "exists")]
)
def test_create_user_refuses_weak_or_duplicate(app, runner, monkeypatch, password, message):
    monkeypatch.setenv("SCREENER_PASSWORD", "a long enough password")
    runner.invoke(args=["create-user", "a@clinic.example"])
    monkeypatch.setenv("SCREENER_PASSWORD", password)
    result = runner.invoke(args=["create-user", "a@clinic.example"])
    assert result.exit_code != 0
    assert message in result.output


def test_first_admin_is_created_once(app, runner, monkeypatch):
    monkeypatch.delenv("SCREENER_PASSWORD", raising=False)
    first = runner.invoke(args=["first-admin"])
    assert first.exit_code == 0
    assert "admin@localhost" in first.output
    second = runner.invoke(args=["first-admin"])
    assert second.exit_code == 0 and second.output == ""
    assert _users(app) == {"admin@localhost": "admin"}


def test_backup_copies_a_consistent_sqlite_database(app, runner, tmp_path, monkeypatch):
    monkeypatch.setenv("SCREENER_PASSWORD", "a long enough password")
    runner.invoke(args=["create-user", "kept@clinic.example"])
    with app.app_context():
        dialect = db.engine.dialect.name
    destination = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["backup", str(destination)])
    if dialect != "sqlite":
        assert result.exit_code != 0
        assert "pg_dump" in result.output
        return
    assert result.exit_code == 0, result.output
    import sqlite3

    copy = sqlite3.connect(destination)
    assert copy.execute("SELECT email FROM users").fetchall() == [("kept@clinic.example",)]
    copy.close()


def test_first_admin_refuses_a_short_screener_password(app, runner, monkeypatch):
    monkeypatch.setenv("SCREENER_PASSWORD", "short")
    result = runner.invoke(args=["first-admin"])
    assert result.exit_code != 0
    assert "at least 12" in result.output
    assert _users(app) == {}
    monkeypatch.setenv("SCREENER_PASSWORD", "a long enough password")
    assert runner.invoke(args=["first-admin"]).exit_code == 0
    assert _users(app) == {"admin@localhost": "admin"}
