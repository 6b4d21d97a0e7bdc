"""Application factory for the SI-joint screening questionnaire."""

import logging
import secrets
from pathlib import Path

import click
from flask import Flask, current_app, request, session
from sqlalchemy import event

from config import Config

from .extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(
    test_config: dict | None = None, *, instance_path: str | Path | None = None
) -> Flask:
    """Create and configure an instance of the app (tests may give their own instance folder)."""
    app = Flask(
        __name__,
        instance_path=str(instance_path or ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(Config)
    if test_config is not None:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    configure_secret_key(app)
    configure_database(app)
    configure_password_hashing(app)
    register_request_checks(app)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_hooks(app)
    return app


def configure_secret_key(app: Flask) -> None:
    """Require SECRET_KEY in production; keep a generated one in instance/ for development."""
    if app.config.get("SECRET_KEY"):
        return
    if not (app.debug or app.testing):
        # Commands such as `flask assess` or `flask db upgrade` sign no cookies; anything that
        # serves requests outside the flask CLI (gunicorn) must have a real key.
        if click.get_current_context(silent=True) is not None:
            return
        raise RuntimeError("SECRET_KEY must be set (see README: Deploying).")
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    app.config["SECRET_KEY"] = key_file.read_text().strip()


def configure_database(app: Flask) -> None:
    """Default to a SQLite file in instance/, tuned for concurrent use."""
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = Path(app.instance_path) / "screener.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    # A failed statement's error carries its parameters (a patient's name): keep them out of logs.
    options.setdefault("hide_parameters", True)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options.setdefault("connect_args", {}).setdefault("timeout", 30)
    else:
        options.setdefault("pool_pre_ping", True)


def configure_password_hashing(app: Flask) -> None:
    """Under TESTING, hash passwords cheaply unless a method is configured."""
    # The suite sets and checks many passwords; a deployment keeps werkzeug's default (scrypt).
    if app.testing and app.config["PASSWORD_HASH_METHOD"] is None:
        app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# Blueprints whose pages are for the clinic's staff: always in English.
STAFF_BLUEPRINTS = frozenset({"clinic", "auth"})


def is_staff_page() -> bool:
    """Whether this request is for a clinic or sign-in page (nested blueprints included)."""
    return not STAFF_BLUEPRINTS.isdisjoint(request.blueprints)


def select_locale() -> str:
    """The language the patient chose, else the browser's best match; clinic pages are English."""
    if is_staff_page():
        return "en"
    languages = current_languages()
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def current_languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def register_request_checks(app: Flask) -> None:
    """The checks every request passes before its view, in the order they run."""
    from . import input_guard, ratelimit

    input_guard.init_app(app)  # first: no other check reads a NUL
    csrf.init_app(app)
    app.before_request(check_csrf)
    ratelimit.init_app(app)  # counts and checks only in the views that have a limit


def check_csrf() -> None:
    """Flask-WTF's CSRF check on POST and the like, skipping views marked @csrf.exempt."""
    if current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect(apply_exemptions=True)


def register_extensions(app: Flask) -> None:
    """Bind the other extensions to this app."""
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "screener" / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.refresh_view = "auth.confirm"
    login_manager.needs_refresh_message = "Enter your password again to go on."
    login_manager.needs_refresh_message_category = "info"
    login_manager.session_protection = "strong"

    from .models import User

    # The session's id carries a version (User.get_id): an ended session no longer loads.
    login_manager.user_loader(User.from_session_id)


def register_blueprints(app: Flask) -> None:
    """Attach one blueprint per audience, and the clinic's licensed ODI text if it has one."""
    from .auth.views import bp as auth_bp
    from .clinic.views import bp as clinic_bp
    from .patient import odi
    from .patient.views import bp as patient_bp

    odi.init_app(app)
    app.register_blueprint(patient_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(clinic_bp)


def register_commands(app: Flask) -> None:
    """Add the project's flask CLI commands."""
    from . import commands

    commands.init_app(app)


def register_hooks(app: Flask) -> None:
    """Security headers, error pages and quiet logging."""
    from . import errors, security

    security.init_app(app)
    errors.init_app(app)
    # Request lines carry query strings (a clinician's name search): keep them out of logs.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
