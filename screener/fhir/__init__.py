"""FHIR: the canonical Questionnaire and CodeSystem, served to anyone at FHIR_BASE, and the
helpers the clinic's FHIR routes share. The resources themselves are built in `resources`."""

from flask import Blueprint, Flask, Response, abort, current_app, json, request
from flask_babel import force_locale, gettext
from werkzeug.exceptions import HTTPException

from ..catalogue import VERSIONS
from ..models import Submission
from ..patient import odi
from . import resources
from .resources import Canonical

bp = Blueprint("fhir", __name__, url_prefix="/fhir")

# Where FHIR_BASE points when neither it nor PUBLIC_URL is set (development and tests only:
# a deployment must set PUBLIC_URL): the address scripts/serve listens on.
DEVELOPMENT_BASE = "http://127.0.0.1:5000/fhir"


def configure(app: Flask) -> None:
    """Fix the canonical base and the identifier systems at start, from the settings alone."""
    public_url = app.config.get("PUBLIC_URL") or ""
    base = (
        app.config.get("FHIR_BASE") or (public_url and public_url + "/fhir") or DEVELOPMENT_BASE
    ).rstrip("/")
    app.config["FHIR_BASE"] = base
    app.config["FHIR_REFERENCE_SYSTEM"] = (
        app.config.get("FHIR_REFERENCE_SYSTEM") or f"{base}/sid/screening-reference"
    )
    app.config["FHIR_MRN_SYSTEM"] = app.config.get("FHIR_MRN_SYSTEM") or f"{base}/sid/mrn"


def canonical() -> Canonical:
    """The canonical names of this deployment's FHIR resources."""
    config = current_app.config
    return Canonical(
        base=config["FHIR_BASE"],
        reference_system=config["FHIR_REFERENCE_SYSTEM"],
        mrn_system=config["FHIR_MRN_SYSTEM"],
        publisher=config.get("CLINIC_NAME") or "",
    )


def fhir_json(resource: dict, status: int = 200) -> Response:
    """A FHIR resource as application/fhir+json."""
    return Response(
        json.dumps(resource, ensure_ascii=False), status=status, mimetype="application/fhir+json"
    )


def is_fhir_request() -> bool:
    """Whether this request is for a FHIR route (its errors are OperationOutcomes)."""
    return request.path.startswith(("/fhir/", "/clinic/fhir/")) or request.path.endswith(
        ("/fhir.json", "/documentreference.json")
    )


def error_outcome(error: HTTPException) -> Response:
    """An HTTP error on a FHIR route as an OperationOutcome."""
    code = {404: "not-found", 403: "forbidden", 400: "invalid", 429: "throttled"}
    text = error.description or "The request could not be served."
    outcome = resources.operation_outcome(code.get(error.code or 500, "exception"), text)
    return fhir_json(outcome, error.code or 500)


def response_of(submission: Submission, identity: bool = False) -> dict:
    """A submission's QuestionnaireResponse, in the language the patient answered in."""
    with force_locale(submission.language or resources.LANGUAGE):
        return resources.questionnaire_response(submission, canonical(), gettext, identity)


def questionnaire_of(version: str) -> dict:
    """The Questionnaire of a rubric version this app knows, in English and Spanish."""
    with force_locale(resources.TRANSLATED):
        return resources.questionnaire(
            canonical(), gettext, version, odi_installed=odi.instrument() is not None
        )


@bp.get("/Questionnaire/si-joint-screening")
def questionnaire():
    """The Questionnaire every QuestionnaireResponse points to (`version=` for an earlier
    rubric's); it holds no patient's data, so it needs no sign-in."""
    version = request.args.get("version") or max(VERSIONS)
    if version not in VERSIONS:
        abort(404, f"No version {version} of this Questionnaire: known are {', '.join(VERSIONS)}.")
    return fhir_json(questionnaire_of(version))


@bp.get("/CodeSystem/si-joint-screening")
def code_system():
    """The codes of every answer, outcome and observation."""
    return fhir_json(resources.code_system(canonical()))


@bp.get("/Questionnaire")
def questionnaires():
    """Search by canonical `url` (`url|version` too) and `version`: a Bundle of the matches."""
    url, _, pinned = request.args.get("url", "").partition("|")
    version = request.args.get("version") or pinned
    matches = [] if url and url != canonical().questionnaire_url else list(VERSIONS)
    found = [questionnaire_of(v) for v in matches if not version or v == version]
    self_url = canonical().base + "/Questionnaire"
    entries = [("match", q, f"{self_url}/{q['id']}?version={q['version']}") for q in found]
    return fhir_json(resources.searchset(entries, len(entries), {"self": request.url}))
