"""Forms for the questionnaire, built from the question catalogue.

Every clinical field is named by its rubric key and every option's value is its rubric code.
Each patient post's CSRF token is checked before its view runs (patient.views.check_form_token);
a failed check makes the form invalid, so the page comes back with everything typed still there.
"""

import re
import unicodedata
from datetime import date
from functools import cache

from flask import g
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    RadioField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .. import catalogue
from ..catalogue import ADULT_AGE, MAX_AGE, Kind, Question, Step, age_on
from ..models import utcnow
from .odi import OdiInstrument
from .pages import Need, need

PHONE_RE = re.compile(r"^\+?[0-9 ()./-]+$")


# Set on `g` when a post's CSRF token is missing or expired (patient.views.check_form_token).
TOKEN_PROBLEM = "csrf_failed"


class PatientForm(FlaskForm):
    """A form on a patient page. The token is checked for the whole post before the view runs;
    a failed check makes the form invalid, and the page shown again says why."""

    class Meta:
        csrf = False  # the templates render a fresh token each time

    # The questions left unanswered that had to be answered: the error summary names each once,
    # under summary_note, instead of repeating their message.
    unanswered: tuple[str, ...] = ()
    summary_note: str | None = None

    @property
    def expired(self) -> bool:
        """Whether this post's CSRF token was missing or expired (nothing is checked then)."""
        return bool(g.get(TOKEN_PROBLEM)) and self.is_submitted()

    def validate(self, extra_validators=None, partial: bool = False) -> bool:
        """Check the input; `partial` (save and finish later) may relax what is required."""
        if self.expired:
            return False
        return super().validate(extra_validators)

    def summary_label(self, name: str) -> str | None:
        """The question a choice field's error belongs to, for the error summary."""
        field = self[name]
        return (
            str(field.label.text) if isinstance(field, RadioField | SelectMultipleField) else None
        )


class CodeRadioField(RadioField):
    """One answer code; leaving it unanswered is allowed (required-ness is checked per form)."""

    def pre_validate(self, form):
        if self.data is not None:
            super().pre_validate(form)


class CodeCheckboxField(SelectMultipleField):
    """Any number of codes, as real checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _normalize_newlines(value):
    # Browsers send a line break as CR LF; count it once, as people (and the counter) do.
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _max_chars(limit: int):
    def check(form, field):
        if field.data and len(field.data) > limit:
            raise ValidationError(
                _(
                    "Your note has %(count)s characters. Please shorten it to %(limit)s or fewer.",
                    count=format_decimal(len(field.data)),
                    limit=format_decimal(limit),
                )
            )

    return check


NONE = "none"  # the value of a list's "None of these" box, and of the medicines' "None"


def _none_alone(label: str):
    def check(form, field):
        if field.data and NONE in field.data and len(field.data) > 1:
            raise ValidationError(_("Check “%(none)s” on its own, or uncheck it.", none=_(label)))

    return check


CHOICE_MESSAGE = _l("Choose one of the answers shown.")
REQUIRED_MESSAGE = _l("Choose an answer. If you are not sure, choose “I'm not sure”.")
UNANSWERED_NOTE = _l("Please answer these questions. If you are not sure, choose “I'm not sure”.")


def field_for(question: Question):
    """The form field that asks one catalogue question (its words translated when shown)."""
    label = _l(question.label)
    if need(question) is Need.OPTIONAL:
        label = _l("%(question)s (optional)", question=label)
    if question.kind is Kind.TEXT:
        return TextAreaField(
            label,
            validators=[Optional(), _max_chars(question.max_length)],
            filters=[_normalize_newlines],
        )
    choices = [SelectChoice(option.code, _l(option.label)) for option in question.options]
    if question.kind is Kind.LIST:
        none_label = question.none_label
        if none_label:
            choices.append(SelectChoice(NONE, _l(none_label)))
        elif NONE in question.codes:
            none_label = question.label_of(NONE)
        validators = [_none_alone(none_label)] if none_label else []
        return CodeCheckboxField(
            label, validators=validators, choices=choices, invalid_choice_message=CHOICE_MESSAGE
        )
    return CodeRadioField(label, choices=choices, invalid_choice_message=CHOICE_MESSAGE)


class QuestionsForm(PatientForm):
    """A step of catalogue questions."""

    step: Step

    def validate(self, extra_validators=None, partial: bool = False) -> bool:
        """Check every field; unless `partial` (save and finish later), required ones too, and
        that a list with a "None of these" box has a box ticked."""
        valid = super().validate(extra_validators)  # codes and lengths, always
        if partial or self.expired:
            return valid
        unanswered = []
        for question in self.step.questions:
            field = self[question.key]
            if field.errors or field.data not in (None, "", []):
                continue
            if question.required:
                field.errors.append(str(REQUIRED_MESSAGE))
                unanswered.append(question.key)
                valid = False
            elif question.none_label:
                none = _(question.none_label)
                field.errors.append(
                    _("Check each one that applies, or check “%(none)s”.", none=none)
                )
                valid = False
        self.unanswered = tuple(unanswered)
        self.summary_note = str(UNANSWERED_NOTE) if unanswered else None
        return valid

    def answers(self) -> dict:
        """This step's answers as rubric codes (numbers as ints); unanswered ones, and a ticked
        "None of these" box, as None."""
        result = {}
        for question in self.step.questions:
            value = self[question.key].data
            if question.kind is Kind.INT and value not in (None, ""):
                value = int(value)
            if question.none_label and value == [NONE]:
                value = None
            result[question.key] = value
        return result

    @classmethod
    def data_from(cls, answers: dict, done: bool = False) -> dict:
        """Stored codes as form data; `done` (the step was completed) ticks a "None of these"
        box whose list has no answer."""
        data = {}
        for question in cls.step.questions:
            value = answers.get(question.key)
            if question.kind is Kind.INT and value is not None:
                value = str(value)
            if question.said_none(answers, done):
                value = [NONE]
            data[question.key] = value
        return data


@cache
def questions_form(slug: str) -> type[QuestionsForm]:
    """The form class for one catalogue step (labels are lazy, so one class serves all)."""
    step = catalogue.step(slug)
    fields = {q.key: field_for(q) for q in step.questions}
    name = "".join(part.title() for part in step.slug.split("-")) + "Form"
    return type(name, (QuestionsForm,), {"step": step, **fields})


def odi_field_name(number: int) -> str:
    return f"odi_{number}"


def odi_form(instrument: OdiInstrument) -> type[PatientForm]:
    """A form with one radio group per ODI section; statement i scores i."""
    fields = {
        odi_field_name(number): CodeRadioField(
            section.heading,
            choices=[SelectChoice(str(i), text) for i, text in enumerate(section.statements)],
            invalid_choice_message=CHOICE_MESSAGE,
        )
        for number, section in enumerate(instrument.sections, 1)
    }
    count = len(instrument.sections)

    def answers(self) -> dict:
        scores = [self[odi_field_name(n)].data for n in range(1, count + 1)]
        values = [None if s is None else int(s) for s in scores]
        return {"odi": values if any(v is not None for v in values) else None}

    return type("OdiForm", (PatientForm,), {**fields, "answers": answers})


def odi_data(answers: dict) -> dict:
    """Stored ODI scores as form data."""
    scores = answers.get("odi") or []
    return {odi_field_name(n): None if s is None else str(s) for n, s in enumerate(scores, 1)}


DATE_PARTS = ("day", "month", "year")
DOB_LABEL = _l("Date of birth")
DOB_REQUIRED = _l("Enter your date of birth.")
DOB_MISSING = {
    ("day",): _l("Date of birth must include a day."),
    ("month",): _l("Date of birth must include a month."),
    ("year",): _l("Date of birth must include a year."),
    ("day", "month"): _l("Date of birth must include a day and a month."),
    ("day", "year"): _l("Date of birth must include a day and a year."),
    ("month", "year"): _l("Date of birth must include a month and a year."),
}
DOB_OUT_OF_RANGE = {
    "day": _l("The day must be a number from 1 to 31."),
    "month": _l("The month must be a number from 1 to 12. For example, 3 for March."),
    "year": _l("The year must have 4 numbers, like 1970."),
}


class DateProblem(ValueError):
    """What is wrong with a date typed in three boxes, and in which of them."""

    def __init__(self, message, parts: tuple[str, ...] = DATE_PARTS):
        super().__init__(str(message))
        self.parts = parts


def read_date(day: str, month: str, year: str) -> date:
    """The date typed as day, month and year (leading zeros allowed, the year in full)."""
    typed = {"day": day, "month": month, "year": year}
    missing = tuple(part for part in DATE_PARTS if not typed[part])
    if len(missing) == len(DATE_PARTS):
        raise DateProblem(DOB_REQUIRED)
    if missing:
        raise DateProblem(DOB_MISSING[missing], missing)
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    not_numbers = tuple(p for p in DATE_PARTS if not (typed[p].isascii() and typed[p].isdigit()))
    if not_numbers:
        raise DateProblem(_("Date of birth must be numbers only, like 25 3 1970."), not_numbers)
    # Lengths first: int() refuses a string of thousands of digits.
    out_of_range = tuple(
        part
        for part, ok in (
            ("day", len(day) <= 4 and 1 <= int(day) <= 31),
            ("month", len(month) <= 4 and 1 <= int(month) <= 12),
            ("year", len(year) == 4),
        )
        if not ok
    )
    if len(out_of_range) == 1:
        raise DateProblem(DOB_OUT_OF_RANGE[out_of_range[0]], out_of_range)
    if out_of_range:
        raise DateProblem(_("Date of birth must be a real date."), out_of_range)
    try:
        return date(int(year), int(month), int(day))
    except ValueError:  # a day the month does not have, like 31 2 or 29 2 1957
        message = _("Date of birth must be a real date. Check the day.")
        raise DateProblem(message, ("day",)) from None


class DateOfBirthField(Field):
    """A date typed in three boxes, posted as `<name>-day`, `<name>-month` and `<name>-year`.

    `data` is a `date` (None until a real one is typed); `parts` is what the boxes show, as
    typed or from the stored date. A check that blames some boxes sets `problem_parts`.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.parts = dict.fromkeys(DATE_PARTS, "")
        self.problem_parts: tuple[str, ...] = ()

    @property
    def wrong_parts(self) -> tuple[str, ...]:
        """The boxes the error is about, in page order: all three unless a check named some."""
        if not self.errors:
            return ()
        return self.problem_parts or DATE_PARTS

    def process(self, formdata, *args, **kwargs):
        # WTForms' advice for a field with several inputs is to override process: here the
        # three boxes become this field's value list, in order, for process_formdata.
        if formdata is not None:
            boxes = [formdata.get(f"{self.name}-{part}", "") for part in DATE_PARTS]
            formdata = MultiDict({self.name: boxes})
        super().process(formdata, *args, **kwargs)

    def process_data(self, value):
        self.data = value
        if value is not None:
            self.parts = {"day": str(value.day), "month": str(value.month), "year": str(value.year)}

    def process_formdata(self, valuelist):
        self.parts = dict(zip(DATE_PARTS, (value.strip() for value in valuelist), strict=True))
        self.data = None
        try:
            self.data = read_date(**self.parts)
        except DateProblem as problem:
            self.problem_parts = problem.parts
            raise


def adult_age(form, field):
    if field.data is None:
        return
    today = utcnow().date()
    if field.data > today:
        raise ValidationError(_("Your date of birth must be in the past."))
    age = age_on(field.data, today)
    if age < ADULT_AGE:
        raise ValidationError(
            _("This questionnaire is for adults aged %(age)s or over.", age=ADULT_AGE)
        )
    if age > MAX_AGE:
        field.problem_parts = ("year",)
        raise ValidationError(_("Please check the year of your date of birth."))


def phone_number(form, field):
    digits = sum(ch.isdigit() for ch in field.data or "")
    if field.data and (not PHONE_RE.match(field.data) or not 7 <= digits <= 15):
        raise ValidationError(_("Enter a phone number using numbers only, like 555 010 0123."))


def strip(value):
    return value.strip() if isinstance(value, str) else value


def nfc(value):
    """One way of writing each accented letter, whichever way the keyboard typed it."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


# Control and format characters (escape codes, text-direction overrides, zero-width spaces)
# are invisible or rearrange what the care team reads.
HIDDEN_CATEGORIES = ("Cc", "Cf")


def real_name(form, field):
    if not field.data:
        return
    if any(unicodedata.category(ch) in HIDDEN_CATEGORIES for ch in field.data):
        raise ValidationError(
            _(
                "Your name has a character we cannot use, maybe a hidden one. Please type "
                "your name again."
            )
        )
    if not any(ch.isalpha() for ch in field.data):
        raise ValidationError(_("Your name must have at least one letter."))


class AboutYouForm(PatientForm):
    full_name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(_l("Enter your full name.")),
            Length(max=200, message=_l("Your name must be 200 characters or fewer.")),
            real_name,
        ],
        filters=[strip, nfc],
    )
    date_of_birth = DateOfBirthField(DOB_LABEL, validators=[adult_age])
    phone = TelField(
        _l("Phone number (optional)"),
        validators=[Optional(), phone_number, Length(max=40)],
        filters=[strip],
    )
    email = EmailField(
        _l("Email address (optional)"),
        validators=[
            Optional(),
            Length(max=254, message=_l("Your email address must be 254 characters or fewer.")),
            Email(_l("Enter an email address like name@example.com.")),
        ],
        filters=[strip],
    )


class ContactForm(PatientForm):
    """About you for a questionnaire the clinic invited the patient to: the clinic entered the
    name and date of birth (shown, not asked), so only the contact details can be corrected."""

    phone = AboutYouForm.phone
    email = AboutYouForm.email


class StartForm(PatientForm):
    privacy = BooleanField(
        _l("I have read how my answers are used and kept private."),
        validators=[InputRequired(_l("Check the box to say you have read the privacy notice."))],
    )


class ActionForm(PatientForm):
    """A button whose post carries nothing but its tokens."""


class ResumeForm(PatientForm):
    code = StringField(
        _l("Resume code"),
        validators=[DataRequired(_l("Enter your resume code."))],
        filters=[strip],
    )
    date_of_birth = DateOfBirthField(DOB_LABEL)


class LinkForm(PatientForm):
    """A resume link's confirmation: the date of birth saved with the answers."""

    date_of_birth = DateOfBirthField(DOB_LABEL)
