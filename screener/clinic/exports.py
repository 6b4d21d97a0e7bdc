"""Exports: the queue as CSV, and the data dictionary that describes its columns.

Pure functions over rows and models; the views add the HTTP around them.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from ..catalogue import (
    ABOUT_YOU,
    ANSWER_KEYS,
    IDENTITY,
    ODI,
    ODI_AFTER,
    ODI_STEP,
    STEPS,
    Kind,
    Question,
    question,
)
from ..scoring import THRESHOLDS
from .labels import (
    CATEGORY_LABELS,
    LANGUAGE_NAMES,
    REVIEW_LABELS,
    SUBMISSION_STATUS_LABELS,
    URGENCY_LABELS,
)
from .queries import RECORD_COLUMNS

# --- CSV --------------------------------------------------------------------------------------

# A spreadsheet runs a cell as a formula when it starts with one of these, even after spaces or
# line breaks (CSV injection); a cell that starts with a tab or a carriage return is suspect too.
_FORMULA_START = ("=", "+", "-", "@")
_CONTROL_START = ("\t", "\r")


# Answers typed in the patient's own words (they may name people): only in the CSV with names.
FREE_TEXT_KEYS = tuple(key for key in ANSWER_KEYS if question(key).kind is Kind.TEXT)


def _answer_keys(identity: bool) -> tuple[str, ...]:
    return ANSWER_KEYS if identity else tuple(k for k in ANSWER_KEYS if k not in FREE_TEXT_KEYS)


def csv_header(identity: bool) -> list[str]:
    """The column names: the record, the identity if asked for, the answers (free text only
    with the identity), the ODI %."""
    names = [*RECORD_COLUMNS, *(field.key for field in IDENTITY if identity)]
    return [*names, *_answer_keys(identity), "odi_percent"]


def iso_utc(moment: datetime | None) -> str:
    """ISO 8601 in UTC to the second, e.g. 2026-05-01T14:03:00Z."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).isoformat(timespec="seconds")[:19] + "Z"


def spreadsheet_safe(value: object) -> object:
    """Text that a spreadsheet could run as a formula, behind a leading apostrophe; any other
    value as it is. Only for the spreadsheet download: it changes what the patient typed."""
    if isinstance(value, str) and (
        value.startswith(_CONTROL_START) or value.lstrip().startswith(_FORMULA_START)
    ):
        return "'" + value
    return value


def _joined(values: list) -> str:
    try:
        return ";".join(values)  # codes are strings: joined in one call
    except TypeError:  # ODI scores, and gaps
        return ";".join("" if item is None else str(item) for item in values)


# How each answer becomes a cell; text, codes and numbers go in as they are (csv writes None
# as "").
_CELL = {Kind.LIST: _joined, Kind.ODI: _joined}
_ANSWER_CELLS = {
    identity: tuple((key, _CELL.get(question(key).kind)) for key in _answer_keys(identity))
    for identity in (False, True)
}


def csv_rows(rows: Sequence, identity: bool, spreadsheet: bool = False) -> Iterator[list]:
    """The cells of each row of a batch from queries.export_rows, read by column name; for a
    spreadsheet, every text cell made safe to open (codes never need it: in practice the
    identity and the comments)."""
    # The whole batch's answers as one JSON array: one decoder call instead of one per row.
    batch_answers = json.loads("[" + ",".join([row.answers for row in rows]) + "]")
    for row, answers in zip(rows, batch_answers, strict=True):
        record = row._mapping
        cells = [record[name] for name in RECORD_COLUMNS]
        if identity:  # csv writes the date of birth as ISO 8601
            cells += [record[field.key] for field in IDENTITY]
        for key, convert in _ANSWER_CELLS[identity]:
            value = (answers or {}).get(key)
            cells.append(convert(value) if convert and value is not None else value)
        cells.append(row.odi_percent)
        yield [spreadsheet_safe(cell) for cell in cells] if spreadsheet else cells


def csv_chunks(
    batches: Iterable[Sequence], identity: bool, spreadsheet: bool = False
) -> Iterator[str]:
    """The CSV text: the header, then one chunk per batch of rows, so memory stays flat."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_header(identity))
    yield buffer.getvalue()
    for rows in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(csv_rows(rows, identity, spreadsheet))
        yield buffer.getvalue()


# --- Data dictionary --------------------------------------------------------------------------

# REDCap's data-dictionary columns, in its order (the last five are left empty).
DICTIONARY_HEADER = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)


@dataclass(frozen=True)
class Field:
    """One column of the CSV, as a row of a REDCap data dictionary."""

    name: str
    form: str  # REDCap's form: the step, or "record"
    type: str  # REDCap's field type: text, notes, radio or checkbox
    label: str
    choices: tuple[tuple[str, str], ...] = ()  # (code, words)
    note: str = ""
    validation: str = ""  # REDCap's text validation: integer, number, date_ymd, ...
    minimum: int | None = None
    maximum: int | None = None
    identifier: bool = False
    branching: str = ""
    required: bool = False
    section: str = ""

    def cells(self) -> list[str]:
        """The dictionary row, in DICTIONARY_HEADER's order."""
        return [
            self.name,
            self.form,
            self.section,
            self.type,
            self.label,
            " | ".join(f"{code}, {words}" for code, words in self.choices),
            self.note,
            self.validation,
            "" if self.minimum is None else str(self.minimum),
            "" if self.maximum is None else str(self.maximum),
            "y" if self.identifier else "",
            self.branching,
            "y" if self.required else "",
            *[""] * 5,
        ]


def _pairs(labels: Mapping) -> tuple[tuple[str, str], ...]:
    return tuple((str(code), words) for code, words in labels.items())


RECORD_FORM = "record"
RUBRIC_VERSION_NOTE = (
    "Text, not a number: read it as text (pandas: dtype={'rubric_version': str}; R readr: "
    "col_types = cols(rubric_version = 'c')), or 2026.10 turns into 2026.1. A spreadsheet shows "
    "it as a number: format the column as text when importing. The same version as the FHIR "
    "Questionnaire's."
)

# The record columns (queries.RECORD_COLUMNS), described in their order.
RECORD_FIELDS: tuple[Field, ...] = (
    Field(
        "reference",
        RECORD_FORM,
        "text",
        "Reference code",
        note="The questionnaire's code, as ABCD-EFGH: one row per questionnaire.",
    ),
    Field(
        "submitted_at",
        RECORD_FORM,
        "text",
        "Reached the clinic (UTC)",
        note=(
            "When the patient sent it, or first gave a red-flag answer while still answering "
            "(then kept when sent). UTC, ISO 8601: 2026-05-04T12:00:00Z (for REDCap, write a "
            "space for the T and drop the Z)."
        ),
        validation="datetime_seconds_ymd",
    ),
    Field("status", RECORD_FORM, "radio", "Status", _pairs(SUBMISSION_STATUS_LABELS)),
    Field(
        "category",
        RECORD_FORM,
        "radio",
        "Outcome",
        _pairs(CATEGORY_LABELS),
        note="Computed by the rubric of rubric_version from the answers.",
    ),
    Field(
        "urgency",
        RECORD_FORM,
        "radio",
        "Urgency",
        _pairs(URGENCY_LABELS),
        note="Computed from the safety answers; empty when no answer is a red flag.",
    ),
    Field(
        "review_status",
        RECORD_FORM,
        "radio",
        "Review",
        _pairs(REVIEW_LABELS),
        note="Whether someone on the care team has marked it reviewed.",
    ),
    Field("rubric_version", RECORD_FORM, "text", "Rubric version", note=RUBRIC_VERSION_NOTE),
    Field("language", RECORD_FORM, "radio", "Language answered in", _pairs(LANGUAGE_NAMES)),
)

_ONLY_WITH_NAMES = "Only in the CSV with names and comments (identity=1)."
_IDENTITY_VALIDATION = {"date_of_birth": "date_ymd", "email": "email"}
_LIST_NOTE = (
    "In this CSV the codes ticked share one column, joined by ; (e.g. {example}), rather than "
    "one column per choice as REDCap writes a checkbox field."
)
_NONE_NOTE = (
    'Empty means the patient ticked "{words}" if they completed this step (it cannot be '
    "completed with no box ticked), or that they skipped it; the CSV does not say which steps "
    "were completed."
)


def _form(slug: str) -> str:
    """A step's slug as a REDCap form name (lowercase letters, digits and underscores)."""
    return slug.replace("-", "_")


def _option_pairs(q: Question) -> tuple[tuple[str, str], ...]:
    return tuple((option.code, option.label) for option in q.options)


def _answer_field(q: Question, form: str) -> Field:
    """The dictionary row of one question of the catalogue."""
    asked = f"Asked: “{q.label}”" + ("" if q.label.endswith("?") else ".")
    if q.kind is Kind.TEXT:
        note = f"{asked} As typed, up to {q.max_length:,} characters. {_ONLY_WITH_NAMES}"
        field = Field(q.key, form, "notes", q.short, note=note, identifier=True)
    elif q.kind is Kind.INT:
        named = "; ".join(f"{o.code} = {o.label}" for o in q.options if o.label != o.code)
        note = f"{asked} {named}." if named else asked
        field = Field(
            q.key,
            form,
            "text",
            q.short,
            note=note,
            validation="integer",
            minimum=q.minimum,
            maximum=q.maximum,
        )
    elif q.kind is Kind.LIST:
        note = f"{asked} {_LIST_NOTE.format(example=';'.join(q.codes[:2]))}"
        if q.none_label:
            note += " " + _NONE_NOTE.format(words=q.none_label)
        field = Field(q.key, form, "checkbox", q.short, _option_pairs(q), note)
    else:
        field = Field(q.key, form, "radio", q.short, _option_pairs(q), asked)
    branching = f"[{q.shown_if[0]}] = '{q.shown_if[1]}'" if q.shown_if else ""
    return replace(field, branching=branching, required=q.required)


def _odi_fields() -> list[Field]:
    """The ODI's section scores and the score computed from them."""
    sections = (
        f"The Oswestry Disability Index's section scores, {ODI.minimum} to {ODI.maximum} each, in "
        "section order, joined by ; with an empty place for a section not answered (e.g. "
        "3;3;;3;3;3;3;3;3;3). Empty when the ODI was not asked: it is asked only where the "
        "clinic has installed its licensed text."
    )
    percent = (
        f"Computed from odi: 100 × the sum of the answered sections ÷ ({ODI.maximum} × the number "
        f"answered), not rounded; empty when fewer than {THRESHOLDS.odi_min_answered} sections "
        "are answered."
    )
    return [
        Field(ODI.key, ODI_STEP, "text", ODI.short, note=sections),
        Field(
            "odi_percent",
            ODI_STEP,
            "text",
            "ODI score (%)",
            note=percent,
            validation="number",
            minimum=0,
            maximum=100,
        ),
    ]


def _titled(fields: list[Field], title: str) -> list[Field]:
    """A form's fields, its title as the section header of the first."""
    return [replace(fields[0], section=title), *fields[1:]] if fields else []


def dictionary_fields() -> list[Field]:
    """Every column the CSV can have (csv_header(identity=True)), form by form: the record,
    About you, then each step's answers (odi_percent with the ODI, after daily life)."""
    fields = _titled(list(RECORD_FIELDS), "Record")
    for each in STEPS:
        form = _form(each.slug)
        if each.slug == ABOUT_YOU:
            step_fields = [
                Field(
                    item.key,
                    form,
                    "text",
                    item.label,
                    note=_ONLY_WITH_NAMES,
                    validation=_IDENTITY_VALIDATION.get(item.key, ""),
                    identifier=True,
                )
                for item in IDENTITY
            ]
        else:
            step_fields = [_answer_field(q, form) for q in each.questions]
        fields += _titled(step_fields, each.title)
        if each.slug == ODI_AFTER:
            fields += _titled(_odi_fields(), ODI.label)
    return fields


def dictionary_csv() -> str:
    """The data dictionary as CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(DICTIONARY_HEADER)
    writer.writerows(field.cells() for field in dictionary_fields())
    return buffer.getvalue()
