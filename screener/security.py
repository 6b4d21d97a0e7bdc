"""Security headers and safe redirects."""

from urllib.parse import urlsplit

from flask import Flask, current_app, url_for

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


def absolute_url(endpoint: str, **values) -> str:
    """A full link to a page, on PUBLIC_URL when it is set (else this request's own host), for
    links that leave the page: resume links, FHIR references, emails."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    return base + url_for(endpoint, **values)


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


class SecurityHeaders:
    """WSGI middleware: strict headers on every response (a view's own value wins), HSTS over
    HTTPS, and pages never cached (static files keep their own caching)."""

    def __init__(self, wsgi_app, static_url_path: str):
        self.wsgi_app = wsgi_app
        self.static_prefix = static_url_path.rstrip("/") + "/"

    def __call__(self, environ, start_response):
        wanted = [*HEADERS.items()]
        if environ.get("wsgi.url_scheme") == "https":
            wanted.append(("Strict-Transport-Security", HSTS))
        if not environ.get("PATH_INFO", "").startswith(self.static_prefix):
            wanted.append(("Cache-Control", "no-store"))

        def start_with_headers(status, headers, exc_info=None):
            present = {name.lower() for name, _value in headers}
            headers.extend(item for item in wanted if item[0].lower() not in present)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_with_headers)


def init_app(app: Flask) -> None:
    """Add the security headers and give templates the page's language."""
    from flask_babel import get_locale

    # Flask's documented way to add WSGI middleware, which mypy reads as assigning a method.
    app.wsgi_app = SecurityHeaders(  # type: ignore[method-assign]
        app.wsgi_app, app.static_url_path or "/static"
    )

    app.add_template_global(absolute_url)

    @app.context_processor
    def language():
        return {"current_lang": str(get_locale() or "en")}
