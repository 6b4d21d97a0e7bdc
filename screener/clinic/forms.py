"""Clinic forms: the queue's filters (a GET form), review, notes and invitations."""

from datetime import UTC, date, datetime, timedelta

from flask import current_app, request
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    Form,
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from .. import invitations, times
from ..models import utcnow
from ..patient.forms import (
    DateOfBirthField,
    DateProblem,
    adult_age,
    nfc,
    phone_number,
    real_name,
    strip,
)
from . import queries
from .labels import CATEGORY_LABELS, REVIEW_LABELS
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
        choices=[SelectChoice("", "New and reviewed")]
        + [SelectChoice(code, label) for code, label in REVIEW_LABELS.items()],
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


# --- Invitations ---

# An appointment this far ahead is more likely a typo in the year than a booking.
APPOINTMENT_MAX_AHEAD = timedelta(days=400)
LANGUAGE_CHOICES = {"en": "English", "es": "Español"}


class PatientDateOfBirthField(DateOfBirthField):
    """The patient's three date boxes, with the empty case worded for the clinic."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except DateProblem:
            if not any(self.parts.values()):
                raise ValueError("Enter the patient's date of birth.") from None
            raise


class InvitationForm(FlaskForm):
    """A new invitation; the appointment is typed on the clinic's clock (CLINIC_TIMEZONE)."""

    full_name = StringField(
        "Full name",
        validators=[
            DataRequired("Enter the patient's full name."),
            Length(max=200, message="A name can be at most 200 characters."),
            real_name,
        ],
        filters=[strip, nfc],
    )
    date_of_birth = PatientDateOfBirthField("Date of birth", validators=[adult_age])
    phone = TelField(
        "Phone (optional)", validators=[Optional(), phone_number, Length(max=40)], filters=[strip]
    )
    email = EmailField(
        "Email (optional)",
        validators=[
            Optional(),
            Length(max=254, message="An email address can be at most 254 characters."),
            Email("Enter an email address like name@example.com."),
        ],
        filters=[strip],
    )
    mrn = StringField(
        "Medical record number (optional)",
        validators=[Optional(), Length(max=64, message="At most 64 characters.")],
        filters=[strip],
    )
    appointment_day = DateField(
        "Appointment day",
        validators=[InputRequired("Enter the appointment's day.")],
        render_kw={"min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()},
    )
    appointment_time = TimeField(
        "Appointment time", validators=[InputRequired("Enter the appointment's time.")]
    )
    clinician = StringField(
        "Clinician (optional)",
        validators=[Optional(), Length(max=120, message="At most 120 characters.")],
        filters=[strip, nfc],
    )
    language = RadioField("Language of the letter and messages", default="en")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [
            SelectChoice(code, LANGUAGE_CHOICES.get(code, code))
            for code in current_app.config["LANGUAGES"]
        ]

    def validate_appointment_day(self, field) -> None:
        if field.data is None:
            return
        today = times.today(utcnow())
        if field.data < today:
            raise ValidationError("This day has passed: enter today or a later day.")
        if field.data > today + APPOINTMENT_MAX_AHEAD:
            raise ValidationError("Check the year: this day is more than a year away.")

    def validate_appointment_time(self, field) -> None:
        moment = self._appointment_local()
        if moment is None:
            return
        # A time the clocks skip (spring forward) comes back from UTC as another time.
        back = moment.astimezone(UTC).astimezone(moment.tzinfo)
        if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
            raise ValidationError("The clocks change then: this time does not exist that day.")

    def _appointment_local(self) -> datetime | None:
        day, at = self.appointment_day.data, self.appointment_time.data
        if day is None or at is None or self.appointment_day.errors:
            return None
        return datetime.combine(day, at, tzinfo=times.clinic_zone())

    def details(self) -> invitations.InvitationDetails:
        """The valid form's values, the appointment in UTC."""
        moment = self._appointment_local()
        assert moment is not None  # validated
        return invitations.InvitationDetails(
            full_name=self.full_name.data,
            date_of_birth=self.date_of_birth.data,
            appointment_at=moment.astimezone(UTC),
            clinician=self.clinician.data or "",
            language=self.language.data,
            phone=self.phone.data or None,
            email=self.email.data or None,
            mrn=self.mrn.data or None,
        )


class ContactedForm(FlaskForm):
    """The mark-contacted button ("Called the patient" on an urgent submission)."""


class PatientSearchForm(Form):
    """The Patients view's search, read from the query string."""

    q = SearchField("Name, reference or MRN", validators=[Optional(), Length(max=100)])


def read_filters() -> tuple[QueueFilterForm, queries.QueueFilter]:
    """The queue's filters from the query string; a value that does not pass is ignored (the
    form shows why next to its field)."""
    form = QueueFilterForm(request.args)
    form.validate()

    def value(name: str):
        return None if form[name].errors else (form[name].data or None)

    return form, queries.QueueFilter(
        category=value("category"),
        review=value("review"),
        contact=value("contact"),
        date_from=value("date_from"),
        date_to=value("date_to"),
        search=value("q") or "",
        sort=value("sort") or queries.DEFAULT_SORT,
    )


def filter_args(form: QueueFilterForm) -> dict[str, str]:
    """The filter form's own valid, non-empty values as given, for links that keep them."""
    return {
        field.name: request.args[field.name]
        for field in form
        if request.args.get(field.name) and not field.errors
    }


def filter_detail(filters: queries.QueueFilter) -> list[str]:
    """The filters in use, for the audit log, without the search text (it may be a name)."""
    parts = [
        f"{name}={getattr(filters, name)}"
        for name in ("category", "review", "contact", "date_from", "date_to")
        if getattr(filters, name)
    ]
    if filters.sort != queries.DEFAULT_SORT:
        parts.append(f"sort={filters.sort}")
    if filters.search:
        parts.append("search=yes")
    return parts
