"""Configuration read from the environment."""

import os
from datetime import timedelta


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _optional_flag(name: str) -> bool | None:
    """A yes/no setting, or None when the environment does not give it."""
    return _flag(name, False) if name in os.environ else None


def database_url(url: str | None) -> str | None:
    """Point PostgreSQL URLs at the psycopg 3 driver that the project installs."""
    if url is None:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Settings for a real deployment; every value can come from the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means "a SQLite file in the instance folder"; the factory fills it in.
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))

    # Unset, patient pages say "your care team" and show no phone number (never a made-up one).
    CLINIC_NAME = os.environ.get("CLINIC_NAME", "").strip()
    CLINIC_PHONE = os.environ.get("CLINIC_PHONE", "").strip()
    # Some clinics prefer to tell patients their outcome only at the visit.
    SHOW_OUTCOME_TO_PATIENTS = _flag("SHOW_OUTCOME_TO_PATIENTS", True)
    DRAFT_TTL_DAYS = int(os.environ.get("DRAFT_TTL_DAYS", "30"))
    # The patient's session holds only the draft's token; it lives as long as the draft.
    PERMANENT_SESSION_LIFETIME = timedelta(days=DRAFT_TTL_DAYS)
    # Re-send the cookie only when the session changes, not on every page; patient pages renew
    # it once a day (remember_draft), so it lasts as long after the last visit as a draft does.
    SESSION_REFRESH_EACH_REQUEST = False
    # Static files carry no patient data; an hour's caching spares a phone ~30 requests a visit.
    SEND_FILE_MAX_AGE_DEFAULT = 3600
    RESUME_MAX_FAILURES = int(os.environ.get("RESUME_MAX_FAILURES", "5"))
    # New questionnaires started from one address (a clinic's waiting room shares one).
    START_LIMIT = os.environ.get("START_LIMIT", "30 per hour")
    # How clinic passwords are hashed: None is werkzeug's default (scrypt). Under TESTING the
    # factory picks a cheap method unless one is set here.
    PASSWORD_HASH_METHOD = None
    CLINIC_IDLE_MINUTES = int(os.environ.get("CLINIC_IDLE_MINUTES", "30"))
    # However active, a clinic session ends this long after signing in.
    CLINIC_SESSION_HOURS = int(os.environ.get("CLINIC_SESSION_HOURS", "12"))
    # Setting a password or role, and the CSV with names, ask for the password again unless it
    # was typed within this many minutes.
    CLINIC_FRESH_MINUTES = int(os.environ.get("CLINIC_FRESH_MINUTES", "15"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(64 * 1024)))

    # A CSRF token lives as long as the session; an expired one is recovered from, never fatal.
    WTF_CSRF_TIME_LIMIT = int(os.environ.get("WTF_CSRF_TIME_LIMIT", str(8 * 3600)))
    # Every request that can change something is still checked: see screener.check_csrf.
    WTF_CSRF_CHECK_DEFAULT = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Cookies go over HTTPS only, outside development and tests (the factory decides when the
    # environment does not): SECURE_COOKIES=0 serves plain HTTP, for a trial on one machine.
    SESSION_COOKIE_SECURE = _optional_flag("SECURE_COOKIES")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    # Where patients and staff reach the app, as https://screener.clinic.example: the only host
    # it answers (any other gets 400) and the base of every absolute link. Required outside
    # development.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "").strip().rstrip("/")
    # The canonical base of the FHIR resources (default PUBLIC_URL + /fhir) and the identifier
    # systems of reference codes and medical record numbers (defaults under it); see README.
    FHIR_BASE = os.environ.get("FHIR_BASE", "").strip()
    FHIR_REFERENCE_SYSTEM = os.environ.get("FHIR_REFERENCE_SYSTEM", "").strip()
    FHIR_MRN_SYSTEM = os.environ.get("FHIR_MRN_SYSTEM", "").strip()
    # How many reverse proxies in front of the app set X-Forwarded-For and X-Forwarded-Proto
    # (0: none, the client's address is the connection's).
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))

    # Sign-in, resume and start attempts are limited (screener.ratelimit). With several workers
    # or machines the counts must be shared: redis://host:6379/0. memory:// counts in each
    # process, so gunicorn refuses to start more than one worker with it (gunicorn.conf.py).
    RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")

    # The clinic's own time zone (an IANA name such as America/Chicago): clinic pages show times
    # in it, and appointments are entered in it. Exports stay in UTC.
    CLINIC_TIMEZONE = os.environ.get("CLINIC_TIMEZONE", "UTC").strip() or "UTC"
    # How often an open queue asks whether new urgent questionnaires came in (static/js/queue.js).
    QUEUE_POLL_SECONDS = float(os.environ.get("QUEUE_POLL_SECONDS", "30"))

    # Who is emailed when a questionnaire first becomes urgent: addresses separated by commas.
    ALERT_EMAILS = [
        address.strip()
        for address in os.environ.get("ALERT_EMAILS", "").split(",")
        if address.strip()
    ]
    # The mail server `flask deliver` sends the outbox through (Flask-Mail's settings).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _flag("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _flag("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "screener@localhost")
    # How often an idle `flask deliver` looks for new messages, and the first wait after a
    # failed try (doubled after each further failure, up to OUTBOX_MAX_BACKOFF_SECONDS).
    OUTBOX_POLL_SECONDS = float(os.environ.get("OUTBOX_POLL_SECONDS", "2"))
    OUTBOX_BACKOFF_SECONDS = float(os.environ.get("OUTBOX_BACKOFF_SECONDS", "10"))
    OUTBOX_MAX_BACKOFF_SECONDS = float(os.environ.get("OUTBOX_MAX_BACKOFF_SECONDS", "600"))

    BABEL_DEFAULT_LOCALE = "en"
    LANGUAGES = ("en", "es")
    # Where a clinic places its licensed ODI item text (see instance/README.md).
    ODI_FILE = os.environ.get("ODI_FILE", "odi.json")
