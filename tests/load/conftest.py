"""Load-test fixtures: a migrated database of its own, and the app served by gunicorn."""

import contextlib
import os
import re
import secrets
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from screener import create_app
from screener.extensions import db
from screener.models import Submission
from screener.scoring import assess, validate

from .journeys import EMAIL_DOMAIN, PHONE_PATTERN, SURNAMES, Patient
from .server import Gunicorn, migrate

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "load: serves the app with gunicorn and sends it many patients at once"
    )


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/load" in str(item.fspath):
            item.add_marker(pytest.mark.load)


def _postgres(url):
    return psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname="postgres",
        autocommit=True,
    )


@contextlib.contextmanager
def migrated_database(directory: Path):
    """A database built by the migrations: a SQLite file in directory, or a new database on
    the PostgreSQL server of TEST_DATABASE_URL (apart from the one the other tests create and
    drop tables in); yields its URL."""
    if not TEST_DATABASE_URL:
        url = f"sqlite:///{directory / 'load.sqlite3'}"
        migrate(url)
        yield url
        return
    server = make_url(TEST_DATABASE_URL)
    name = f"screener_load_{secrets.token_hex(4)}"
    with _postgres(server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        migrate(url)
        yield url
    finally:
        with _postgres(server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(tmp_path):
    """A migrated database of this test's own."""
    with migrated_database(tmp_path) as url:
        yield url


@pytest.fixture
def server(database_url, tmp_path):
    """gunicorn serving the app with three workers on 127.0.0.1; its log is `server.log`."""
    gunicorn = Gunicorn(database_url, tmp_path / "server.log")
    try:
        yield gunicorn
    finally:
        gunicorn.stop()


@pytest.fixture
def stored(database_url):
    """A function returning every submission in the database as plain values."""

    def read() -> dict[str, list[SimpleNamespace]]:
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_url}
        )
        try:
            with app.app_context():
                rows: dict[str, list[SimpleNamespace]] = {}
                for submission in db.session.scalars(select(Submission)):
                    patient = submission.patient
                    rows.setdefault(submission.reference, []).append(
                        SimpleNamespace(
                            status=submission.status,
                            language=submission.language,
                            answers=submission.answers,
                            assessment=submission.assessment,
                            category=submission.category,
                            urgency=submission.urgency,
                            submitted_at=submission.submitted_at,
                            full_name=patient.full_name if patient else None,
                            date_of_birth=patient.date_of_birth.isoformat() if patient else None,
                        )
                    )
                return rows
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()

    return read


def check_acknowledged(acknowledged: dict[str, Patient], rows: dict) -> list[str]:
    """Problems with the acknowledged submissions: each must be stored once, sent and complete,
    with the patient's identity, the answers as given and the assessment of those answers."""
    problems = []
    for reference, patient in acknowledged.items():
        found = rows.get(reference, [])
        if len(found) != 1:
            problems.append(f"{reference}: stored {len(found)} times")
            continue
        (row,) = found
        expected = validate(patient.answers)
        checks = {
            "status": row.status == "submitted",
            "submitted_at": row.submitted_at is not None,
            "language": row.language == patient.language,
            "identity": row.full_name == patient.identity["full_name"]
            and row.date_of_birth == patient.identity["date_of_birth"],
            "answers": row.answers == expected,
            "assessment": row.assessment == assess(row.answers).to_dict(),
            "category": row.category == assess(expected).category.value,
        }
        problems += [f"{reference}: {name} wrong" for name, ok in checks.items() if not ok]
    return problems


def logged_secrets(log: str, patients) -> list[str]:
    """Which patients' names, emails, phone numbers or dates of birth appear in a log."""
    identity = "|".join([*map(re.escape, SURNAMES), re.escape(EMAIL_DOMAIN), PHONE_PATTERN])
    found = re.findall(identity, log)[:5]
    logged_dates = set(re.findall(r"\d{4}-\d{2}-\d{2}", log))
    found += [
        p.identity["date_of_birth"] for p in patients if p.identity["date_of_birth"] in logged_dates
    ]
    return found
