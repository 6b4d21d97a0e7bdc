"""FHIR R4 resources built from the question catalogue, the rubric and a submission.

Pure functions (no Flask): the views pass in the canonical names, the Spanish words and the
patient's identity when it is asked for. Everything is named from FHIR_BASE, never from a request.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from ..catalogue import (
    CODE_MEANINGS,
    ODI,
    ODI_AFTER,
    ODI_SECTIONS,
    STEPS,
    VERSIONS,
    Kind,
    Question,
    Widget,
    applicable,
    question,
)
from ..clinic.labels import CATEGORY_LABELS, URGENCY_LABELS
from ..models import Patient, Submission

QUESTIONNAIRE_ID = "si-joint-screening"
CODE_SYSTEM_ID = "si-joint-screening"
LANGUAGE = "en"
TRANSLATED = "es"

# Extensions and code systems FHIR defines.
EXT = "http://hl7.org/fhir/StructureDefinition/"
ITEM_CONTROL = EXT + "questionnaire-itemControl"
ITEM_CONTROL_CODES = "http://hl7.org/fhir/questionnaire-item-control"
TRANSLATION = EXT + "translation"
ORDINAL = EXT + "ordinalValue"
MIN_VALUE = EXT + "minValue"
MAX_VALUE = EXT + "maxValue"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
MRN_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"

# Standard codes, only where one names exactly what an item asks (LOINC 72514-3: pain severity,
# 0-10 verbal numeric rating, reported).
PAIN_SEVERITY = {
    "system": LOINC,
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}
ITEM_CODES: dict[str, list[dict]] = {"pain_average": [PAIN_SEVERITY], "pain_worst": [PAIN_SEVERITY]}

# The screening's own results, coded in the app's CodeSystem beside the answer codes.
OBSERVATION_CODES = {
    "screening-outcome": "SI-joint screening outcome",
    "odi-percent": "Oswestry Disability Index, percent",
    "pain_average": "Average pain, past 7 days (0-10)",
    "pain_worst": "Worst pain, past 7 days (0-10)",
}

COPYRIGHT = (
    "The questions are the clinic's own plain-language items and may be reused freely. They "
    "are not the Oswestry Disability Index or PROMIS. Where a clinic holds an ODI licence, the "
    "ODI's sections carry only their scores here; its text belongs to its rights holder."
)
DESCRIPTION = (
    "Pre-visit questionnaire that helps a care team decide whether an evaluation for "
    "SI-joint fusion is worth discussing. A screening aid, never a diagnosis."
)

Translate = Callable[[str], str]


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
    def code_system(self) -> str:
        """The one CodeSystem of every answer code and of the screening's own observations."""
        return f"{self.base}/CodeSystem/{CODE_SYSTEM_ID}"


def instant(moment: datetime | None) -> str | None:
    """A FHIR instant in UTC to the second, e.g. 2026-05-01T14:03:00Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds")[:19] + "Z"


def _narrative(*paragraphs: str) -> dict:
    """A generated narrative, in English whatever the resource's language (it says so)."""
    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    div = f'<div xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">{body}</div>'
    return {"status": "generated", "div": div}


def _translated(text: str, spanish: Translate) -> dict:
    """The `_text` (or `_display`) element carrying a text's Spanish words."""
    return {
        "extension": [
            {
                "url": TRANSLATION,
                "extension": [
                    {"url": "lang", "valueCode": TRANSLATED},
                    {"url": "content", "valueString": spanish(text)},
                ],
            }
        ]
    }


def _item_control(code: str) -> dict:
    return {
        "url": ITEM_CONTROL,
        "valueCodeableConcept": {"coding": [{"system": ITEM_CONTROL_CODES, "code": code}]},
    }


def _asked_in(asked: Question, version: str) -> bool:
    return asked.since <= version


def _coding(canonical: Canonical, asked: Question, code: str) -> dict:
    return {"system": canonical.code_system, "code": code, "display": asked.label_of(code)}


def _is_scaled(asked: Question) -> bool:
    """A numbered answer offered as words (the daily-life items): a choice with ordinal values."""
    return asked.kind is Kind.INT and asked.widget is not Widget.SCALE


def _item_type(asked: Question) -> str:
    if asked.kind is Kind.TEXT:
        return "text"
    if asked.kind is Kind.INT and not _is_scaled(asked):
        return "integer"
    return "choice"


def _text_item(link_id: str, text: str, spanish: Translate, **fields) -> dict:
    return {"linkId": link_id, "text": text, "_text": _translated(text, spanish), **fields}


def _question_item(asked: Question, canonical: Canonical, spanish: Translate) -> dict:
    item = _text_item(asked.key, asked.label, spanish, type=_item_type(asked))
    extensions = []
    if asked.key in ITEM_CODES:
        item["code"] = ITEM_CODES[asked.key]
    if asked.required:
        item["required"] = True
    if asked.kind is Kind.LIST:
        item["repeats"] = True
    if item["type"] == "choice":
        extensions.append(_item_control("check-box" if asked.kind is Kind.LIST else "radio-button"))
        item["answerOption"] = []
        for option in asked.options:
            coding = {
                **_coding(canonical, asked, option.code),
                "_display": _translated(option.label, spanish),
            }
            if _is_scaled(asked):
                coding["extension"] = [{"url": ORDINAL, "valueDecimal": int(option.code)}]
            item["answerOption"].append({"valueCoding": coding})
    elif item["type"] == "integer":
        extensions += [
            {"url": MIN_VALUE, "valueInteger": asked.minimum},
            {"url": MAX_VALUE, "valueInteger": asked.maximum},
        ]
    else:
        item["maxLength"] = asked.max_length
    if extensions:
        item["extension"] = extensions
    if asked.shown_if:
        other, value = asked.shown_if
        item["enableWhen"] = [
            {
                "question": other,
                "operator": "=",
                "answerCoding": _coding(canonical, question(other), value),
            }
        ]
    if asked.hint:
        item["item"] = [_text_item(f"{asked.key}.hint", asked.hint, spanish, type="display")]
    return item


def _odi_group() -> dict:
    """The ODI's sections as scores only: its words are the clinic's licensed text."""
    return {
        "linkId": ODI.key,
        "text": f"{ODI.label} (scores only: the clinic's licensed text is not shared)",
        "type": "group",
        "item": [
            {
                "linkId": f"odi-{n}",
                "text": f"ODI section {n} (0-5)",
                "type": "integer",
                "extension": [
                    {"url": MIN_VALUE, "valueInteger": ODI.minimum},
                    {"url": MAX_VALUE, "valueInteger": ODI.maximum},
                ],
            }
            for n in range(1, ODI_SECTIONS + 1)
        ],
    }


def _steps(version: str) -> Iterable[tuple[Any, tuple[Question, ...]]]:
    """The steps with clinical questions, and those the version asks."""
    for each in STEPS:
        asked = tuple(q for q in each.questions if _asked_in(q, version))
        if asked:
            yield each, asked


def questionnaire(
    canonical: Canonical, spanish: Translate, version: str, odi_installed: bool
) -> dict:
    """The Questionnaire of one rubric version: a group per step, opened by its intro."""
    groups = []
    count = 0
    for each, asked in _steps(version):
        intro = _text_item(f"{each.slug}.intro", each.intro, spanish, type="display")
        questions = [_question_item(q, canonical, spanish) for q in asked]
        count += len(questions)
        groups.append(
            _text_item(each.slug, each.title, spanish, type="group", item=[intro, *questions])
        )
        if each.slug == ODI_AFTER and odi_installed:
            groups.append(_odi_group())
    resource = {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "language": LANGUAGE,
        "text": _narrative(
            f"SI-joint pain screening questionnaire, version {version}.",
            f"{count} questions in {len(groups)} sections, in English and Spanish.",
            DESCRIPTION,
        ),
        "url": canonical.questionnaire_url,
        "version": version,
        "name": "SIJointScreening",
        "title": "SI-joint pain screening questionnaire",
        "status": "active",
        "subjectType": ["Patient"],
        "date": VERSIONS[version].isoformat(),
        "description": DESCRIPTION,
        "copyright": COPYRIGHT,
        "item": groups,
    }
    if canonical.publisher:
        resource["publisher"] = canonical.publisher
    return resource


def code_system(canonical: Canonical) -> dict:
    """The CodeSystem of every answer code (one meaning per code) and of the observations."""
    labels: dict[str, str] = {}
    for each in STEPS:
        for asked in each.questions:
            if _item_type(asked) == "choice":
                for option in asked.options:
                    labels.setdefault(option.code, CODE_MEANINGS.get(option.code, option.label))
    for category, label in CATEGORY_LABELS.items():
        labels[str(category)] = f"Outcome: {label}"
    for urgency, label in URGENCY_LABELS.items():
        labels[str(urgency)] = label
    labels |= OBSERVATION_CODES
    version = max(VERSIONS)
    return {
        "resourceType": "CodeSystem",
        "id": CODE_SYSTEM_ID,
        "language": LANGUAGE,
        "text": _narrative(
            f"The answer codes of the SI-joint screening questionnaire ({len(labels)} codes), "
            "the screening outcomes and the app's observation codes."
        ),
        "url": canonical.code_system,
        "version": version,
        "name": "SIJointScreeningCodes",
        "title": "SI-joint screening codes",
        "status": "active",
        "date": VERSIONS[version].isoformat(),
        **({"publisher": canonical.publisher} if canonical.publisher else {}),
        "caseSensitive": True,
        "content": "complete",
        "count": len(labels),
        "concept": [{"code": code, "display": label} for code, label in labels.items()],
    }


# --- Responses ------------------------------------------------------------------------------


def _answer(canonical: Canonical, asked: Question, value, translate: Translate) -> list[dict]:
    kind = _item_type(asked)
    if kind == "integer":
        return [{"valueInteger": value}]
    if kind == "text":
        return [{"valueString": value}]
    values = value if isinstance(value, list) else [value]
    return [
        {"valueCoding": {**coding, "display": translate(coding["display"])}}
        for coding in (_coding(canonical, asked, str(code)) for code in values)
    ]


def _response_items(
    answers: Mapping[str, Any], canonical: Canonical, version: str, translate: Translate
) -> list[dict]:
    groups = []
    for each, asked in _steps(version):
        items = [
            {
                "linkId": q.key,
                "text": translate(q.label),
                "answer": _answer(canonical, q, answers[q.key], translate),
            }
            for q in asked
            if answers.get(q.key) not in (None, [], "")
        ]
        if items:
            groups.append({"linkId": each.slug, "text": translate(each.title), "item": items})
        odi = answers.get(ODI.key)
        if each.slug == ODI_AFTER and odi:
            groups.append(
                {
                    "linkId": ODI.key,
                    "item": [
                        {"linkId": f"odi-{n}", "answer": [{"valueInteger": score}]}
                        for n, score in enumerate(odi, 1)
                        if score is not None
                    ],
                }
            )
    return groups


def reference_of(submission: Submission) -> str:
    """The relative reference of a submission's QuestionnaireResponse."""
    return f"QuestionnaireResponse/{submission.reference}"


def _identifier(canonical: Canonical, submission: Submission) -> dict:
    return {"system": canonical.reference_system, "value": submission.reference}


def patient(canonical: Canonical, person: Patient) -> dict:
    """The patient as a contained Patient: name, birth date, phone, email and the MRN."""
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": "patient",
        "name": [{"text": person.full_name}],
        "birthDate": person.date_of_birth.isoformat(),
    }
    telecom = [
        {"system": system, "value": value, "use": "home" if system == "phone" else None}
        for system, value in (("phone", person.phone), ("email", person.email))
        if value
    ]
    if telecom:
        resource["telecom"] = [{k: v for k, v in t.items() if v} for t in telecom]
    if person.mrn:
        resource["identifier"] = [
            {
                "type": {
                    "coding": [{"system": MRN_TYPE, "code": "MR"}],
                    "text": "Medical record number",
                },
                "system": canonical.mrn_system,
                "value": person.mrn,
            }
        ]
    return resource


def _status(submission: Submission) -> str:
    return "completed" if submission.status == "submitted" else "in-progress"


def questionnaire_response(
    submission: Submission, canonical: Canonical, translate: Translate, identity: bool = False
) -> dict:
    """A QuestionnaireResponse of the clinical answers in the words the patient read (their
    language's, through `translate`); the patient only when `identity`."""
    answers = applicable(submission.answers or {})
    version = submission.rubric_version if submission.rubric_version in VERSIONS else max(VERSIONS)
    items = _response_items(answers, canonical, version, translate)
    answered = sum(len(group["item"]) for group in items)
    status = _status(submission)
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": submission.reference,
        "language": submission.language or LANGUAGE,
        "text": _narrative(
            f"SI-joint screening {submission.reference}: {answered} answers, "
            f"{'sent by the patient' if status == 'completed' else 'still being answered'}.",
            f"Outcome: {CATEGORY_LABELS[submission.category or '']}.",
        ),
        "identifier": _identifier(canonical, submission),
        "questionnaire": f"{canonical.questionnaire_url}|{submission.rubric_version}",
        "status": status,
        "authored": instant(submission.submitted_at or submission.updated_at),
        "item": items,
    }
    if identity and submission.patient is not None:
        resource["contained"] = [patient(canonical, submission.patient)]
        resource["subject"] = {"reference": "#patient", "display": submission.patient.full_name}
    return resource


# --- Observations, search results, capabilities, errors ------------------------------------


def _observation(
    canonical: Canonical, submission: Submission, key: str, value: dict, codes: Iterable[dict] = ()
) -> dict:
    coding = [{"system": canonical.code_system, "code": key, "display": OBSERVATION_CODES[key]}]
    return {
        "resourceType": "Observation",
        "id": f"{submission.reference}-{key.replace('_', '-')}",
        "status": "final" if submission.status == "submitted" else "preliminary",
        "category": [
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
        ],
        "code": {"coding": [*codes, *coding], "text": OBSERVATION_CODES[key]},
        "effectiveDateTime": instant(submission.submitted_at or submission.updated_at),
        "derivedFrom": [{"reference": reference_of(submission)}],
        **value,
    }


def _concept(canonical: Canonical, code: str, display: str) -> dict:
    return {"coding": [{"system": canonical.code_system, "code": code, "display": display}]}


def observations(submission: Submission, canonical: Canonical) -> list[dict]:
    """The outcome, the pain scores and the ODI % as Observations derived from the response."""
    category = submission.category or ""
    outcome = _concept(canonical, category, f"Outcome: {CATEGORY_LABELS[category]}")
    value: dict[str, Any] = {"valueCodeableConcept": {**outcome, "text": CATEGORY_LABELS[category]}}
    if submission.urgency:
        value["interpretation"] = [
            _concept(canonical, submission.urgency, URGENCY_LABELS[submission.urgency])
        ]
    found = [_observation(canonical, submission, "screening-outcome", value)]
    answers = submission.answers or {}
    for key in ("pain_average", "pain_worst"):
        if answers.get(key) is not None:
            score = {"valueInteger": answers[key]}
            found.append(_observation(canonical, submission, key, score, ITEM_CODES[key]))
    odi = (submission.assessment or {}).get("odi_percent")
    if odi is not None:
        percent = {"valueQuantity": {"value": odi, "unit": "%", "system": UCUM, "code": "%"}}
        found.append(_observation(canonical, submission, "odi-percent", percent))
    return found


def searchset(entries: list[tuple[str, dict, str]], total: int, links: Mapping[str, str]) -> dict:
    """A searchset Bundle of (search mode, resource, full URL) entries, with its paging links."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": [{"relation": relation, "url": url} for relation, url in links.items()],
        "entry": [
            {"fullUrl": full_url, "resource": resource, "search": {"mode": mode}}
            for mode, resource, full_url in entries
        ],
    }


def observation_url(observation: dict) -> str:
    """A stable URN for an observation the app does not serve on its own."""
    return f"urn:uuid:{uuid5(NAMESPACE_URL, observation['id'])}"


def operation_outcome(code: str, text: str) -> dict:
    """An error as FHIR returns one."""
    return {
        "resourceType": "OperationOutcome",
        "text": _narrative(text),
        "issue": [{"severity": "error", "code": code, "diagnostics": text}],
    }


def capability_statement(
    canonical: Canonical,
    software_version: str,
    when: date,
    search_params: Iterable[tuple[str, str, str]],
) -> dict:
    """What the app serves, in FHIR's words."""
    return {
        "resourceType": "CapabilityStatement",
        "language": LANGUAGE,
        "text": _narrative(
            "Read-only FHIR R4 exports of the SI-joint screening questionnaire and its responses."
        ),
        "status": "active",
        "date": when.isoformat(),
        **({"publisher": canonical.publisher} if canonical.publisher else {}),
        "kind": "instance",
        "software": {"name": "screener", "version": software_version},
        "implementation": {"description": "SI-joint screening", "url": canonical.base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "resource": [
                    {
                        "type": "Questionnaire",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {"name": "url", "type": "uri"},
                            {"name": "version", "type": "token"},
                        ],
                    },
                    {"type": "CodeSystem", "interaction": [{"code": "read"}]},
                    {
                        "type": "QuestionnaireResponse",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchRevInclude": ["Observation:derived-from"],
                        "searchParam": [
                            {"name": name, "type": kind, "documentation": text}
                            for name, kind, text in search_params
                        ],
                    },
                    {"type": "Observation", "interaction": [{"code": "search-type"}]},
                    {"type": "DocumentReference", "interaction": [{"code": "read"}]},
                ],
            }
        ],
    }
