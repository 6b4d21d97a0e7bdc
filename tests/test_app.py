"""The factory, configuration and security headers."""

import pytest

from config import database_url
from screener import ROOT, create_app
from screener.models import User


def test_start_page_is_served(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'<html lang="en"' in response.data


def test_production_without_secret_key_fails_fast(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": None}, instance_path=tmp_path)


def test_debug_without_secret_key_keeps_a_generated_one_in_the_instance_folder(tmp_path):
    config = {"SECRET_KEY": None, "DEBUG": True, "TESTING": True}
    first = create_app(config, instance_path=tmp_path)
    second = create_app(config, instance_path=tmp_path)
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").read_text() == first.config["SECRET_KEY"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        (None, None),
    ],
)
def test_database_url_uses_the_installed_driver(given, expected):
    assert database_url(given) == expected


def test_default_database_is_sqlite_in_instance_folder(tmp_path):
    config = {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": None}
    app = create_app(config, instance_path=tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'screener.sqlite3'}"


def test_the_instance_folder_is_the_repositorys_unless_given(app):
    assert app.instance_path == str(ROOT / "instance")


@pytest.mark.parametrize(
    ("config", "method"),
    [
        ({}, "scrypt:"),  # a deployment: werkzeug's default
        ({"TESTING": True}, "pbkdf2:sha256:1000$"),
        ({"TESTING": True, "PASSWORD_HASH_METHOD": "scrypt"}, "scrypt:"),
    ],
)
def test_passwords_are_hashed_cheaply_only_under_testing(tmp_path, config, method):
    deployed = {"SECRET_KEY": "x", "PUBLIC_URL": "https://screener.clinic.example"}
    app = create_app({**deployed, **config}, instance_path=tmp_path)
    with app.app_context():
        user = User(email="doc@clinic.example")
        user.set_password("correct horse battery staple")
        assert user.password_hash.startswith(method)
        assert user.check_password("correct horse battery staple")
        assert not user.check_password("correct horse battery stapler")


def test_sqlite_runs_with_foreign_keys_wal_and_busy_timeout(app):
    from screener.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas apply to SQLite only")
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_every_response_carries_strict_security_headers(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in headers


def test_a_response_keeps_its_own_headers_and_static_files_their_caching(app, client):
    @app.get("/own-headers")
    def own_headers():
        return "x", {"Cache-Control": "private, max-age=60", "X-Frame-Options": "SAMEORIGIN"}

    headers = client.get("/own-headers").headers
    assert headers.getlist("Cache-Control") == ["private, max-age=60"]
    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert headers.getlist("X-Content-Type-Options") == ["nosniff"]
    static = client.get("/static/css/clinic.css")
    static.close()
    assert "no-store" not in static.headers["Cache-Control"]
    assert static.headers["Content-Security-Policy"]


def test_hsts_is_sent_over_https(client):
    headers = client.get("/", base_url="https://localhost").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_unknown_page_gets_a_plain_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Page not found" in response.data
    assert response.headers["Content-Security-Policy"]
