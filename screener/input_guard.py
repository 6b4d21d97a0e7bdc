"""Checks on what a request carries, before any view sees it.

- A NUL character is refused: no browser sends one from a form field or link, and PostgreSQL
  cannot store or compare text that holds one (it raises an error, which would be a 500).
- A chunked body (no Content-Length) is read up to MAX_CONTENT_LENGTH and then handled like
  any other: werkzeug reads no body the server does not mark as terminated, so without this a
  chunked post arrived empty, and one over the limit was cut instead of refused with 413.
"""

import io

from flask import Flask, abort, request


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in vals) for key, vals in values.lists())


def refuse_nul() -> None:
    """400 for a NUL anywhere in the path, the query string or a posted form."""
    if "\x00" in request.path or _has_nul(request.args):
        abort(400)
    if request.method in {"POST", "PUT", "PATCH"} and _has_nul(request.form):
        abort(400)


class ChunkedBody:
    """WSGI middleware: give a chunked body a Content-Length, reading at most one byte past
    MAX_CONTENT_LENGTH; a longer one gets that length, so that Flask answers 413."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ, start_response):
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            limit = self.app.config["MAX_CONTENT_LENGTH"]
            body = _read_at_most(environ["wsgi.input"], limit + 1)
            del environ["HTTP_TRANSFER_ENCODING"]
            environ.pop("wsgi.input_terminated", None)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ["wsgi.input"] = io.BytesIO(b"" if len(body) > limit else body)
        return self.wsgi_app(environ, start_response)


def _read_at_most(stream, size: int) -> bytes:
    """Read from stream until size bytes or its end (a read may return fewer bytes)."""
    parts: list[bytes] = []
    left = size
    while left > 0:
        part = stream.read(left)
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def init_app(app: Flask) -> None:
    """Check every request; register this before the other request checks."""
    # Flask's documented way to add WSGI middleware, which mypy reads as assigning a method.
    app.wsgi_app = ChunkedBody(app.wsgi_app, app)  # type: ignore[method-assign]
    app.before_request(refuse_nul)
