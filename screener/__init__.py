"""Application factory for the SI-joint screening questionnaire."""

import functools
import logging
import secrets
from pathlib import Path

import click
from babel import Locale
from flask import Flask, current_app, request, session
from flask_limiter import Limiter
from sqlalchemy import event

from config import Config

from .extensions import babel, csrf, db, limiter, login_manager, migrate

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


@functools.cache
def _parsed(code: str) -> Locale:
    # Flask-Babel parses a returned code on every request; a Locale is taken as it is.
    return Locale.parse(code)


def select_locale() -> Locale:
    """The language the patient chose, else the browser's best match; clinic pages are English."""
    if is_staff_page():
        return _parsed("en")
    languages = current_languages()
    chosen = session.get("lang")
    if chosen in languages:
        return _parsed(chosen)
    return _parsed(request.accept_languages.best_match(languages) or languages[0])


def current_languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def register_extensions(app: Flask) -> None:
    """Bind every extension to this app."""
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    app.before_request(check_csrf)
    limiter.init_app(app)
    _narrow_limiter_hooks(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "screener" / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"

    from .models import User

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None


def _narrow_limiter_hooks(app: Flask) -> None:
    """Keep Flask-Limiter's per-request hooks to the requests that need them.

    - Its check before every request goes: no limit applies app-wide, and the few limited
      views each check their own in their decorator. It cost a tenth of a questionnaire page.
    - Its after-request hook runs for the sign-in pages only. It adds rate-limit headers
      (switched off here) and counts the limits that count only some responses
      (`deduct_when`), which only sign-in has.
    - Its teardown hook goes: it only clears per-request state, which goes with the request.
      With the after-request hook, it had cost 7 % of a questionnaire step (170 k of 2.26 M
      instructions, counted in process).
    """
    before = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in before:  # init_app adds its hooks once per app
        before.remove(limiter._check_request_limit)
    after = app.after_request_funcs.get(None, [])
    inject = [
        hook for hook in after if getattr(hook, "func", None) is Limiter._Limiter__inject_headers
    ]
    for hook in inject:
        after.remove(hook)
        app.after_request_funcs.setdefault("auth", []).append(hook)
    teardown = app.teardown_request_funcs.get(None, [])
    if limiter._Limiter__release_context in teardown:
        teardown.remove(limiter._Limiter__release_context)


def check_csrf() -> None:
    """Flask-WTF's CSRF check, on every request whose method it checks (POST and the like).

    Its own before-request hook (off: WTF_CSRF_CHECK_DEFAULT) first works out whether the view
    is exempt, which on a GET had cost 4 % of a questionnaire step (75 k instructions) before
    it found that GETs are never checked.
    """
    config = current_app.config
    if request.method in config["WTF_CSRF_METHODS"] and config["WTF_CSRF_ENABLED"]:
        csrf.protect(apply_exemptions=True)


def register_blueprints(app: Flask) -> None:
    """Attach one blueprint per audience."""
    from .auth.views import bp as auth_bp
    from .clinic.views import bp as clinic_bp
    from .patient.views import bp as patient_bp

    app.register_blueprint(patient_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(clinic_bp)


def register_commands(app: Flask) -> None:
    """Add the project's flask CLI commands."""
    from . import commands

    commands.init_app(app)


def register_hooks(app: Flask) -> None:
    """Security headers, error pages and quiet logging."""
    from . import errors, input_guard, security

    input_guard.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    # Request lines carry query strings (a clinician's name search): keep them out of logs.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
