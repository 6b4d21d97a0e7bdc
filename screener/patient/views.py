"""Patient questionnaire views."""

from flask import Blueprint, render_template

bp = Blueprint("patient", __name__)


@bp.get("/")
def start():
    """The start page: what the questionnaire is for and who sees the answers."""
    return render_template("patient/start.html")
