"""Exports: the queue as CSV.

Pure functions over rows and models; the views add the HTTP around them.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

from ..catalogue import ANSWER_KEYS, IDENTITY, Kind, question
from .queries import RECORD_COLUMNS

# --- CSV --------------------------------------------------------------------------------------

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def safe_text(value: object) -> object:
    """Free text with formula-like content defused by a leading apostrophe; other values as
    they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _joined(values: list) -> str:
    try:
        return ";".join(values)  # codes are strings: joined in one call
    except TypeError:  # ODI scores, and gaps
        return ";".join("" if item is None else str(item) for item in values)


# How each answer becomes a cell; codes and numbers go in as they are (csv writes None as "").
_CELL = {Kind.LIST: _joined, Kind.ODI: _joined, Kind.TEXT: safe_text}
_ANSWER_CELLS = {
    identity: tuple((key, _CELL.get(question(key).kind)) for key in _answer_keys(identity))
    for identity in (False, True)
}


def csv_rows(rows: Sequence, identity: bool) -> Iterator[list]:
    """The cells of each row of a batch from queries.export_rows, read by column name."""
    # The whole batch's answers as one JSON array: one decoder call instead of one per row.
    batch_answers = json.loads("[" + ",".join([row.answers for row in rows]) + "]")
    for row, answers in zip(rows, batch_answers, strict=True):
        record = row._mapping
        cells = [record[name] for name in RECORD_COLUMNS]
        if identity:  # text defused; csv writes the date of birth as ISO 8601
            cells += [safe_text(record[field.key]) for field in IDENTITY]
        for key, convert in _ANSWER_CELLS[identity]:
            value = (answers or {}).get(key)
            cells.append(convert(value) if convert and value is not None else value)
        cells.append(row.odi_percent)
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
