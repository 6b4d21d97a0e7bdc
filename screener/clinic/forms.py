"""Clinic forms: the queue's filters (a GET form), review and notes."""

from flask_wtf import FlaskForm
from wtforms import DateField, Form, SearchField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .labels import CATEGORY_LABELS

NOTE_MAX = 5000


class QueueFilterForm(Form):
    """Filters read from the query string; no CSRF token, since they change nothing."""

    category = SelectField(
        "Outcome",
        choices=[SelectChoice("", "All outcomes")]
        + [SelectChoice(code, label) for code, label in CATEGORY_LABELS.items()],
        default="",
    )
    review = SelectField(
        "Review",
        choices=[
            SelectChoice("", "New and reviewed"),
            SelectChoice("new", "New"),
            SelectChoice("reviewed", "Reviewed"),
        ],
        default="",
    )
    date_from = DateField("Submitted from", validators=[Optional()])
    date_to = DateField("Submitted to", validators=[Optional()])
    q = SearchField("Name or reference", validators=[Optional(), Length(max=100)])


class ReviewForm(FlaskForm):
    """The mark-reviewed button."""


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Add a note",
        validators=[
            DataRequired("Write the note first."),
            Length(max=NOTE_MAX, message=f"A note can be at most {NOTE_MAX:,} characters."),
        ],
    )
