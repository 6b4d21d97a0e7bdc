"""Clinic forms: the queue's filters (a GET form), review and notes."""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, Form, SearchField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from .labels import CATEGORY_LABELS
from .queries import DEFAULT_SORT, SORTS

NOTE_MAX = 5000


# The days the date filters accept: nothing was submitted before, and later ones are typos.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def _plausible_day(_form, field) -> None:
    if field.data is not None and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(f"Enter a day from {FIRST_DAY} to {LAST_DAY}.")


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
    contact = SelectField(
        "Contacted",
        choices=[
            SelectChoice("", "Contacted or not"),
            SelectChoice("no", "Not contacted yet"),
            SelectChoice("yes", "Contacted"),
        ],
        default="",
    )
    date_from = DateField(
        "Submitted from",
        validators=[Optional(), _plausible_day],
        render_kw={"min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()},
    )
    date_to = DateField(
        "Submitted to",
        validators=[Optional(), _plausible_day],
        render_kw={"min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()},
    )
    q = SearchField("Name, reference or MRN", validators=[Optional(), Length(max=100)])
    sort = SelectField(
        "Sort by",
        choices=[SelectChoice(code, label) for code, label in SORTS.items()],
        default=DEFAULT_SORT,
    )

    def validate_date_to(self, field) -> None:
        start = self.date_from.data
        if field.data and start and not self.date_from.errors and start > field.data:
            raise ValidationError("This day is before the “Submitted from” day.")


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


class ContactedForm(FlaskForm):
    """The mark-contacted button ("Called the patient" on an urgent submission)."""


class PatientSearchForm(Form):
    """The Patients view's search, read from the query string."""

    q = SearchField("Name, reference or MRN", validators=[Optional(), Length(max=100)])
