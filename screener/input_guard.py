"""Refuse requests carrying a NUL character before any view sees them.

No browser sends one from a form field or link, and PostgreSQL cannot store or compare text
that holds one (it raises an error, which would be a 500 from any query or insert).
"""

from flask import Flask, abort, request


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in vals) for key, vals in values.lists())


def refuse_nul() -> None:
    """400 for a NUL anywhere in the path, the query string or a posted form."""
    if "\x00" in request.path or _has_nul(request.args):
        abort(400)
    if request.method in {"POST", "PUT", "PATCH"} and _has_nul(request.form):
        abort(400)


def init_app(app: Flask) -> None:
    """Check every request; register this before the other request checks."""
    app.before_request(refuse_nul)
