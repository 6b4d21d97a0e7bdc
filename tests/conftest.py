"""Shared fixtures: an app on a fresh database per test, its client, CLI runner and server."""

import os
import re
import threading

import pytest
from werkzeug.serving import make_server

from screener import create_app
from screener.extensions import db
from screener.models import Role, User
from tests.smtp import SMTPServer

# The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set
# (scripts/test starts a throwaway server and runs the suite once more against it).
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
PASSWORD = "correct horse battery staple"
# The fixtures that give a test that database: `app` and, for the load tests, `database_url`.
DATABASE_FIXTURES = frozenset({"app", "database_url"})


def _database_test(item) -> bool:
    """Whether a test runs again on PostgreSQL: it uses the database, and is not a browser test
    (those check pages, which the client tests already drive against PostgreSQL page by page)."""
    return bool(item.get_closest_marker("db")) and not item.nodeid.startswith("tests/browser/")


def pytest_collection_modifyitems(config, items):
    """Mark `db` every test that uses a database fixture, directly or through other fixtures;
    on PostgreSQL, deselect the rest: they would only run the same code again.

    A test that reaches TEST_DATABASE_URL some other way is marked `db` by hand.
    """
    for item in items:
        if DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)
    if not TEST_DATABASE_URL:
        return
    kept = [item for item in items if _database_test(item)]
    deselected = [item for item in items if not _database_test(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture
def app_config() -> dict:
    """Extra configuration for the app fixture; override in a module to change it."""
    return {}


@pytest.fixture
def app(tmp_path, app_config):
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.sqlite3'}"
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        **app_config,
    }
    app = create_app(config)
    with app.app_context():
        if TEST_DATABASE_URL:
            db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if TEST_DATABASE_URL:
            db.drop_all()
        db.engine.dispose()


@pytest.fixture
def live_server(app):
    """Serve the test app with werkzeug's server, request logging and all, on a free loopback
    port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def smtp():
    """A real SMTP server on loopback that keeps what it receives (tests/smtp.py)."""
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def make_user(app, email: str, role: str = Role.CLINICIAN, password: str = PASSWORD) -> int:
    """Create a user and return its id."""
    with app.app_context():
        user = User(email=email, role=role)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user.id


def csrf_token(html: str) -> str:
    """The CSRF token from a rendered form."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no csrf_token in the page"
    return match.group(1)
