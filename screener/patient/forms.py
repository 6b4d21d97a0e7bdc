"""Forms for the questionnaire, built from the question catalogue.

Every clinical field is named by its rubric key and every option's value is its rubric code.
Each patient post's CSRF token is checked before its view runs (patient.views.check_form_token);
a failed check makes the form invalid, so the page comes back with everything typed still there.
"""

import re
from functools import cache

from flask import g
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
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
from .pages import Need, need, said_none

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
            if said_none(question, answers, done):
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


class OptionalDateField(DateField):
    """An HTML date input (ISO format) where a blank value is simply missing."""

    def process_formdata(self, valuelist):
        if valuelist and not valuelist[0].strip():
            # Blank counts as not given, so InputRequired asks for it again.
            self.data = None
            self.raw_data = []
            return
        super().process_formdata(valuelist)


def _adult_age(form, field):
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
        raise ValidationError(_("Please check the year of your date of birth."))


def _phone(form, field):
    digits = sum(ch.isdigit() for ch in field.data or "")
    if field.data and (not PHONE_RE.match(field.data) or not 7 <= digits <= 15):
        raise ValidationError(_("Enter a phone number using numbers only, like 555 010 0123."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


DOB_LABEL = _l("Date of birth")
DOB_REQUIRED = _l("Enter your date of birth.")
DOB_INVALID = _l("Enter your date of birth as a real date, for example 1970-03-25.")


class AboutYouForm(PatientForm):
    full_name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(_l("Enter your full name.")),
            Length(max=200, message=_l("Your name must be 200 characters or fewer.")),
        ],
        filters=[_strip],
    )
    date_of_birth = OptionalDateField(
        DOB_LABEL,
        validators=[InputRequired(DOB_REQUIRED), _adult_age],
        invalid_value_message=DOB_INVALID,
    )
    phone = TelField(
        _l("Phone number (optional)"),
        validators=[Optional(), _phone, Length(max=40)],
        filters=[_strip],
    )
    email = EmailField(
        _l("Email address (optional)"),
        validators=[
            Optional(),
            Length(max=254, message=_l("Your email address must be 254 characters or fewer.")),
            Email(_l("Enter an email address like name@example.com.")),
        ],
        filters=[_strip],
    )


class StartForm(PatientForm):
    privacy = BooleanField(
        _l("I have read how my answers are used and kept private."),
        validators=[InputRequired(_l("Tick the box to say you have read the privacy notice."))],
    )


class ActionForm(PatientForm):
    """A button whose post carries nothing but its tokens."""


class ResumeForm(PatientForm):
    code = StringField(
        _l("Resume code"),
        validators=[DataRequired(_l("Enter your resume code."))],
        filters=[_strip],
    )
    date_of_birth = OptionalDateField(
        DOB_LABEL,
        validators=[InputRequired(DOB_REQUIRED)],
        invalid_value_message=DOB_INVALID,
    )
