"""Security headers and safe redirects."""

from urllib.parse import urlsplit

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def safe_next(target: str | None, default: str) -> str:
    """Return target if it is a path on this site, else default (no open redirects)."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Resume links carry a secret token: never send a URL to another site. Same-origin
    # requests keep their Referer, which Flask-WTF's CSRF check requires over HTTPS.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=63072000; includeSubDomains"


def set_headers(response):
    """Strict headers on every response (a view's own value wins); pages are never cached."""
    headers = response.headers
    present = {key.lower() for key in headers.keys()}
    headers.extend([(k, v) for k, v in HEADERS.items() if k.lower() not in present])
    if request.is_secure and "strict-transport-security" not in present:
        headers["Strict-Transport-Security"] = HSTS
    if request.endpoint != "static" and "cache-control" not in present:
        headers["Cache-Control"] = "no-store"
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its signing serializer built once per set of keys
    rather than on every request."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, object] = {}

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]


def init_app(app: Flask) -> None:
    """Register the session interface, the header hook and the page language for templates."""
    from flask_babel import get_locale

    app.session_interface = SessionInterface()
    app.after_request(set_headers)

    @app.context_processor
    def language():
        return {"current_lang": str(get_locale() or "en")}
