"""FHIR R4 resources built from the question catalogue, the rubric and a submission.

Pure functions (no Flask): the views pass in the canonical names and the Spanish words.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..catalogue import ODI, ODI_SECTIONS, QUESTIONS, Kind
from ..models import Submission
from ..scoring import RUBRIC_VERSION

QUESTIONNAIRE_ID = "si-joint-screening"
CODE_SYSTEM_ID = "si-joint-screening-answers"


@dataclass(frozen=True)
class Canonical:
    """Where this deployment's FHIR resources live: FHIR_BASE and the identifier systems."""

    base: str
    reference_system: str
    mrn_system: str
    publisher: str = ""

    @property
    def questionnaire_url(self) -> str:
        return f"{self.base}/Questionnaire/{QUESTIONNAIRE_ID}"

    @property
    def answers_system(self) -> str:
        """The one CodeSystem of every answer code (and of the screening's own observations)."""
        return f"{self.base}/CodeSystem/{CODE_SYSTEM_ID}"


def instant(moment: datetime | None) -> str | None:
    """A FHIR instant in UTC to the second, e.g. 2026-05-01T14:03:00Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds")[:19] + "Z"


# --- FHIR ---------------------------------------------------------------------------------------

_ITEM_TYPE = {
    Kind.YN: "choice",
    Kind.YNU: "choice",
    Kind.CHOICE: "choice",
    Kind.LIST: "choice",
    Kind.INT: "integer",
    Kind.TEXT: "text",
}


def answer_system(questionnaire_url: str, key: str) -> str:
    """The code system of one question's answer codes."""
    return f"{questionnaire_url}/answers/{key}"


def _coding(questionnaire_url: str, key: str, code: str) -> dict:
    return {
        "system": answer_system(questionnaire_url, key),
        "code": code,
        "display": QUESTIONS[key].label_of(code),
    }


def questionnaire(url: str) -> dict:
    """The FHIR R4 Questionnaire built from the question catalogue; version = rubric version."""
    items = []
    for key, asked in QUESTIONS.items():
        kind = asked.kind
        item: dict[str, Any] = {"linkId": key, "text": asked.label, "type": _ITEM_TYPE[kind]}
        if asked.required:
            item["required"] = True
        if kind is Kind.LIST:
            item["repeats"] = True
        if item["type"] == "choice":
            item["answerOption"] = [
                {"valueCoding": _coding(url, key, code)} for code in asked.codes
            ]
        if asked.shown_if:
            other, value = asked.shown_if
            item["enableWhen"] = [
                {"question": other, "operator": "=", "answerCoding": _coding(url, other, value)}
            ]
        items.append(item)
    items.append(
        {
            "linkId": ODI.key,
            "text": f"{ODI.label} (the clinic's licensed text; sections scored 0-5)",
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
    kind = QUESTIONS[key].kind
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
    for key, asked in QUESTIONS.items():
        value = answers.get(key)
        if value is None or value == [] or value == "":
            continue
        items.append(
            {
                "linkId": key,
                "text": asked.label,
                "answer": _answers(questionnaire_url, key, value),
            }
        )
    odi = answers.get(ODI.key)
    if odi:
        items.append(
            {
                "linkId": ODI.key,
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
        "authored": instant(submission.submitted_at or submission.updated_at),
        "item": items,
    }
