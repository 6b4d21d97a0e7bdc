"""Calm error pages in the visitor's language."""

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, SecurityError

MESSAGES = {
    400: (
        _l("Something went wrong"),
        _l("We could not read what was sent. Please go back and try again."),
    ),
    403: (_l("You can't open this page"), _l("Your account does not give access to this page.")),
    404: (_l("Page not found"), _l("Check the web address, or go back to the start.")),
    405: (_l("Something went wrong"), _l("Please go back and try again.")),
    413: (
        _l("Too much text"),
        _l("What you sent is too long. Please go back, shorten it and try again."),
    ),
    429: (
        _l("Please wait a moment"),
        _l("There were too many tries. Please wait a few minutes and try again."),
    ),
    500: (
        _l("Sorry, something went wrong"),
        _l("Your saved answers are safe. Please try again in a few minutes."),
    ),
}


def render_error(error: HTTPException):
    """Render an HTTP error with a short explanation, in the patient's layout (with its
    language switch) unless the page belongs to the clinic."""
    from . import fhir, is_staff_page

    if isinstance(error, SecurityError):
        # A host outside TRUSTED_HOSTS: no link can be built for it, so no page either.
        return "This address is not served here.\n", 400, {"Content-Type": "text/plain"}
    if fhir.is_fhir_request():
        return fhir.error_outcome(error)
    code = error.code or 500
    title, text = MESSAGES.get(code, MESSAGES[500])
    layout = "base.html" if is_staff_page() else "patient/layout.html"
    page = render_template("errors.html", title=title, text=text, code=code, layout=layout)
    return page, code


def init_app(app: Flask) -> None:
    """Register the error pages."""
    for code in MESSAGES:
        app.register_error_handler(code, render_error)
