"""A clinic's licensed ODI item text, loaded once from the instance folder (see instance/README.md).

The product ships no ODI text. When the file is present and valid, the questionnaire gains an
extra step whose answers become the rubric's `odi` list.
"""

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from ..catalogue import ODI, ODI_SECTIONS

log = logging.getLogger(__name__)

SECTIONS = ODI_SECTIONS
STATEMENTS = len(ODI.options)  # scored 0 to 5, in file order
EXTENSION_KEY = "screener.odi"


class OdiFileError(ValueError):
    """The licensed ODI file does not follow the documented format."""


@dataclass(frozen=True)
class OdiSection:
    heading: str
    statements: tuple[str, ...]


@dataclass(frozen=True)
class OdiInstrument:
    """The clinic's ODI text: a title, an introduction and ten sections, in one language."""

    title: str | None
    intro: str | None
    sections: tuple[OdiSection, ...]
    language: str = "en"


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise OdiFileError(f"{where} must be non-empty text")
    return value.strip()


def parse(data: object) -> OdiInstrument:
    """Check the file's JSON against the documented format."""
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        raise OdiFileError('the file must be a JSON object with a "sections" list')
    sections = data["sections"]
    if len(sections) != SECTIONS:
        raise OdiFileError(f"there must be exactly {SECTIONS} sections, not {len(sections)}")
    parsed = []
    for number, section in enumerate(sections, 1):
        if not isinstance(section, dict):
            raise OdiFileError(f"section {number} must be an object")
        statements = section.get("statements")
        if not isinstance(statements, list) or len(statements) != STATEMENTS:
            raise OdiFileError(f"section {number} must have exactly {STATEMENTS} statements")
        parsed.append(
            OdiSection(
                _text(section.get("heading"), f"section {number} heading"),
                tuple(
                    _text(s, f"section {number} statement {i}") for i, s in enumerate(statements)
                ),
            )
        )
    title, intro = data.get("title"), data.get("intro")
    return OdiInstrument(
        _text(title, "title") if title is not None else None,
        _text(intro, "intro") if intro is not None else None,
        tuple(parsed),
        _text(data.get("language", "en"), "language"),
    )


def load(app: Flask) -> OdiInstrument | None:
    """Read and check the clinic's file; None when there is none or it is unusable."""
    path = Path(app.instance_path) / app.config.get("ODI_FILE", "odi.json")  # absolute wins
    if not path.is_file():
        return None
    try:
        return parse(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, OdiFileError) as exc:
        # A broken licence file must not take the questionnaire down: it runs without the step.
        log.error("ODI file %s not used: %s", path, exc)
        return None


def init_app(app: Flask) -> None:
    """Load the ODI text once, when the app is made."""
    app.extensions[EXTENSION_KEY] = load(app)


def instrument() -> OdiInstrument | None:
    """This app's ODI text, if the clinic supplied it."""
    return current_app.extensions.get(EXTENSION_KEY)


def licensed() -> OdiInstrument:
    """This app's ODI text, where a page needs it (only apps with the ODI step have one)."""
    found = instrument()
    if found is None:
        raise LookupError("no licensed ODI text is installed")
    return found
