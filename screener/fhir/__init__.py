"""FHIR: the canonical Questionnaire and CodeSystem, served to anyone at FHIR_BASE, and the
helpers the clinic's FHIR routes share. The resources themselves are built in `resources`."""

from flask import Blueprint, Flask, Response, current_app, json

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


@bp.get("/Questionnaire/si-joint-screening")
def questionnaire():
    """The Questionnaire every QuestionnaireResponse points to; it holds no patient's data."""
    return fhir_json(resources.questionnaire(canonical().questionnaire_url))
