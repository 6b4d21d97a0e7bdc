"""Application factory for the SI-joint screening questionnaire."""

import logging
import secrets
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import Flask, current_app, request, session
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config

from . import fhir
from .extensions import babel, csrf, db, login_manager, mail, migrate

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
# A checkout (and its editable install) keeps templates/, static/ and migrations/ beside the
# package, and instance/ too; a wheel carries the three inside it (setup.py), and an installed
# app keeps its instance folder where Flask puts one by default (<prefix>/var/screener-instance).
CHECKOUT = (ROOT / "pyproject.toml").is_file()
SHARED = ROOT if CHECKOUT else PACKAGE


def create_app(
    test_config: dict | None = None, *, instance_path: str | Path | None = None
) -> Flask:
    """Create and configure an instance of the app (tests may give their own instance folder)."""
    if instance_path is None and CHECKOUT:
        instance_path = ROOT / "instance"
    app = Flask(
        __name__,
        instance_path=None if instance_path is None else str(instance_path),
        instance_relative_config=True,
        template_folder=str(SHARED / "templates"),
        static_folder=str(SHARED / "static"),
    )
    app.config.from_object(Config)
    if test_config is not None:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    configure_deployment(app)
    configure_database(app)
    configure_password_hashing(app)
    register_request_checks(app)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_hooks(app)
    register_proxy(app)
    return app


def _serves_requests() -> bool:
    """Whether this app is about to serve requests: loaded by gunicorn or another WSGI server,
    or by `flask run`, rather than for a command such as `flask db upgrade` or `flask assess`."""
    context = click.get_current_context(silent=True)
    return context is None or (context.command.name == "run")


def configure_deployment(app: Flask) -> None:
    """Outside development and tests, refuse to serve without SECRET_KEY and PUBLIC_URL; set
    the trusted host and the cookies' Secure flag from them."""
    development = app.debug or app.testing
    missing = [name for name in ("SECRET_KEY", "PUBLIC_URL") if not app.config.get(name)]
    if missing and not development and _serves_requests():
        raise RuntimeError(
            f"{' and '.join(missing)} must be set to serve the app (see README: Deploying)."
        )
    if not app.config.get("SECRET_KEY") and development:
        app.config["SECRET_KEY"] = _development_secret(app)
    zone = app.config.get("CLINIC_TIMEZONE", "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        # Refused at start: a page or an urgent alert must never be the first to find out.
        raise RuntimeError(
            f"CLINIC_TIMEZONE must be a time zone name such as America/Chicago, not {zone!r}."
        ) from None
    public_url = app.config.get("PUBLIC_URL") or ""
    if public_url:
        parts = urlsplit(public_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path.strip("/"):
            raise RuntimeError(
                f"PUBLIC_URL must be a scheme and a host, as https://screener.clinic.example, "
                f"not {public_url!r}."
            )
        # Flask answers 400 to a request for any other host (werkzeug ignores the port).
        app.config["TRUSTED_HOSTS"] = [parts.hostname]
        app.config["PREFERRED_URL_SCHEME"] = parts.scheme
    secure = app.config.get("SESSION_COOKIE_SECURE")
    if secure is None:
        secure = not development
        if secure and public_url.startswith("http://") and _serves_requests():
            raise RuntimeError(
                "PUBLIC_URL is plain http, and cookies are sent over HTTPS only: use https, or "
                "set SECURE_COOKIES=0 for a trial that no patient uses."
            )
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = secure
    fhir.configure(app)


def _development_secret(app: Flask) -> str:
    """A secret generated once for this checkout and kept in instance/ (development only)."""
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


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
    migrate.init_app(app, db, directory=str(SHARED / "migrations"))
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(PACKAGE / "translations"),
    )
    check_catalogues(app)
    mail.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.refresh_view = "auth.confirm"
    login_manager.needs_refresh_message = "Enter your password again to go on."
    login_manager.needs_refresh_message_category = "info"
    login_manager.session_protection = "strong"

    from .models import User

    # The session's id carries a version (User.get_id): an ended session no longer loads.
    login_manager.user_loader(User.from_session_id)


def check_catalogues(app: Flask) -> None:
    """Refuse to start when a language in LANGUAGES has no compiled catalogue, rather than
    serve its patients English text in pages that say they are in that language."""
    with app.app_context():
        compiled = {str(locale) for locale in babel.list_translations()}
    missing = [language for language in app.config["LANGUAGES"] if language not in compiled]
    if missing:
        raise RuntimeError(
            f"No compiled catalogue for {', '.join(missing)}: run `bash scripts/translations` "
            "(a wheel compiles them as it is built), or leave the language out of LANGUAGES."
        )


def register_blueprints(app: Flask) -> None:
    """Attach one blueprint per audience, and the clinic's licensed ODI text if it has one."""
    from .auth.views import bp as auth_bp
    from .clinic.views import bp as clinic_bp
    from .fhir import bp as fhir_bp
    from .patient import odi
    from .patient.views import bp as patient_bp

    odi.init_app(app)
    app.register_blueprint(patient_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(clinic_bp)
    app.register_blueprint(fhir_bp)


def register_commands(app: Flask) -> None:
    """Add the project's flask CLI commands."""
    from . import commands

    commands.init_app(app)


def register_proxy(app: Flask) -> None:
    """Behind PROXY_HOPS reverse proxies, take the client's address and scheme from their
    X-Forwarded-For and X-Forwarded-Proto headers (the host is always PUBLIC_URL's)."""
    hops = app.config.get("PROXY_HOPS", 0)
    if hops:
        # Flask's documented way to add WSGI middleware, which mypy reads as assigning a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=0
        )


def register_hooks(app: Flask) -> None:
    """Security headers, error pages and quiet logging."""
    from . import errors, security

    security.init_app(app)
    errors.init_app(app)
    # Request lines carry query strings (a clinician's name search): keep them out of logs.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
