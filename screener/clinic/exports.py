"""Exports: the queue as CSV, a submission as a FHIR R4 QuestionnaireResponse, the Questionnaire.

Pure functions over rows and models; the views add the HTTP around them.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

from ..models import Submission
from ..questions import QUESTIONS
from ..scoring import FIELDS, RUBRIC_VERSION, Kind

QUESTIONNAIRE_ID = "si-joint-screening"
ANSWER_KEYS: tuple[str, ...] = tuple(FIELDS)  # rubric order
IDENTITY_COLUMNS = ("full_name", "date_of_birth", "phone", "email")

# --- CSV --------------------------------------------------------------------------------------

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_header(identity: bool) -> list[str]:
    head = [
        "reference",
        "submitted_at",
        "status",
        "category",
        "urgency",
        "review_status",
        "rubric_version",
        "language",
    ]
    return head + list(IDENTITY_COLUMNS if identity else ()) + list(ANSWER_KEYS) + ["odi_percent"]


def iso_utc(moment: datetime | None) -> str:
    """ISO 8601 in UTC to the second, e.g. 2026-05-01T14:03:00Z."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).isoformat(timespec="seconds")[:19] + "Z"


def safe_text(value: str | None) -> str | None:
    """Free text with formula-like content defused by a leading apostrophe."""
    if value and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _joined(values: list) -> str:
    try:
        return ";".join(values)  # codes are strings: joined in one call
    except TypeError:  # ODI scores, and gaps
        return ";".join("" if item is None else str(item) for item in values)


# How each answer becomes a cell; codes and numbers go in as they are (csv writes None as "").
_CELL = {Kind.LIST: _joined, Kind.ODI: _joined, Kind.TEXT: safe_text}
_CONVERT_AT = tuple(
    (i, _CELL[FIELDS[key].kind]) for i, key in enumerate(ANSWER_KEYS) if FIELDS[key].kind in _CELL
)


def csv_rows(rows: Sequence, identity: bool) -> Iterator[list]:
    """The cells of each row of a batch from queries.export_rows (read by position: fast)."""
    # The whole batch's answers as one JSON array: one decoder call instead of one per row.
    batch_answers = json.loads("[" + ",".join([row[-2] for row in rows]) + "]")
    for row, answers in zip(rows, batch_answers, strict=True):
        cells = list(row[:8])  # reference to language, as they are written
        if identity:
            name, born, phone, email = row[8:12]  # csv writes a date as ISO 8601
            cells += (safe_text(name), born, safe_text(phone), safe_text(email))
        values = list(map((answers or {}).get, ANSWER_KEYS))  # most answers go in as they are
        for i, convert in _CONVERT_AT:
            if values[i] is not None:
                values[i] = convert(values[i])
        cells += values
        cells.append(row[-1])
        yield cells


def csv_chunks(batches: Iterable[Sequence], identity: bool) -> Iterator[str]:
    """The CSV text: the header, then one chunk per batch of rows, so memory stays flat."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_header(identity))
    yield buffer.getvalue()
    for rows in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(csv_rows(rows, identity))
        yield buffer.getvalue()


# --- FHIR ---------------------------------------------------------------------------------------

_ITEM_TYPE = {
    Kind.YN: "choice",
    Kind.YNU: "choice",
    Kind.CHOICE: "choice",
    Kind.LIST: "choice",
    Kind.INT: "integer",
    Kind.TEXT: "text",
}
ODI_SECTIONS = 10


def answer_system(questionnaire_url: str, key: str) -> str:
    """The code system of one question's answer codes."""
    return f"{questionnaire_url}/answers/{key}"


def _coding(questionnaire_url: str, key: str, code: str) -> dict:
    question = QUESTIONS[key]
    return {
        "system": answer_system(questionnaire_url, key),
        "code": code,
        "display": str(question.labels.get(code, code)),
    }


def questionnaire(url: str) -> dict:
    """The FHIR R4 Questionnaire built from the question catalogue; version = rubric version."""
    items = []
    for key, question in QUESTIONS.items():
        kind = question.kind
        item = {"linkId": key, "text": str(question.label), "type": _ITEM_TYPE[kind]}
        if question.required:
            item["required"] = True
        if kind is Kind.LIST:
            item["repeats"] = True
        if item["type"] == "choice":
            item["answerOption"] = [
                {"valueCoding": _coding(url, key, code)} for code in question.codes
            ]
        if question.shown_if:
            other, value = question.shown_if
            item["enableWhen"] = [
                {"question": other, "operator": "=", "answerCoding": _coding(url, other, value)}
            ]
        items.append(item)
    items.append(
        {
            "linkId": "odi",
            "text": "Oswestry Disability Index (the clinic's licensed text; sections scored 0-5)",
            "type": "group",
            "item": [
                {"linkId": f"odi-{n}", "text": f"ODI section {n}", "type": "integer"}
                for n in range(1, ODI_SECTIONS + 1)
            ],
        }
    )
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "url": url,
        "version": RUBRIC_VERSION,
        "name": "SIJointScreening",
        "title": "SI-joint pain screening questionnaire",
        "status": "active",
        "subjectType": ["Patient"],
        "description": (
            "Pre-visit questionnaire that helps a care team decide whether an evaluation for "
            "SI-joint fusion is worth discussing. A screening aid, never a diagnosis."
        ),
        "item": items,
    }


def _answers(url: str, key: str, value) -> list[dict]:
    kind = FIELDS[key].kind
    if kind is Kind.INT:
        return [{"valueInteger": value}]
    if kind is Kind.TEXT:
        return [{"valueString": value}]
    values = value if isinstance(value, list) else [value]
    return [{"valueCoding": _coding(url, key, code)} for code in values]


def questionnaire_response(submission: Submission, questionnaire_url: str) -> dict:
    """A FHIR R4 QuestionnaireResponse of the clinical answers; identity is left out."""
    answers = submission.answers or {}
    items = []
    for key, question in QUESTIONS.items():
        value = answers.get(key)
        if value is None or value == [] or value == "":
            continue
        items.append(
            {
                "linkId": key,
                "text": str(question.label),
                "answer": _answers(questionnaire_url, key, value),
            }
        )
    odi = answers.get("odi")
    if odi:
        items.append(
            {
                "linkId": "odi",
                "item": [
                    {"linkId": f"odi-{n}", "answer": [{"valueInteger": score}]}
                    for n, score in enumerate(odi, 1)
                    if score is not None
                ],
            }
        )
    return {
        "resourceType": "QuestionnaireResponse",
        "id": submission.reference,
        "identifier": {"system": "urn:screener:reference", "value": submission.reference},
        "questionnaire": f"{questionnaire_url}|{submission.rubric_version}",
        "status": "completed" if submission.status == "submitted" else "in-progress",
        "authored": iso_utc(submission.submitted_at or submission.updated_at),
        "item": items,
    }
