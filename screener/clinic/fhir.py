"""The clinic's FHIR routes: one response, many at once (a searchset Bundle), and what is served."""

from importlib.metadata import version as package_version

from flask import Blueprint, abort, request
from flask_login import current_user

from .. import audit, fhir
from ..auth.guards import password_is_recent
from ..catalogue import VERSIONS
from ..extensions import db, login_manager
from ..fhir import resources
from ..models import Submission
from ..security import absolute_url
from . import forms, queries

bp = Blueprint("fhir", __name__)

PER_PAGE, MAX_PER_PAGE = 50, 200
REVINCLUDE = "Observation:derived-from"
# The search parameters the Bundle takes: the queue's filters, under the queue's own names.
SEARCH_PARAMS = (
    ("identifier", "token", "A reference code, as the queue's search takes it."),
    ("category", "token", "The screening outcome, as in the queue's filter."),
    ("review", "token", "new or reviewed."),
    ("contact", "token", "no (not contacted yet) or yes."),
    ("date_from", "date", "Sent on or after this day (the clinic's time zone)."),
    ("date_to", "date", "Sent on or before this day (the clinic's time zone)."),
    ("q", "string", "Part of a name, a reference code or a medical record number."),
    ("_count", "number", f"Responses per page, up to {MAX_PER_PAGE} (default {PER_PAGE})."),
    ("page", "number", "The page of results, from 1."),
    ("identity", "token", "1 adds the patient as a contained Patient (recent sign-in needed)."),
)


def _identity() -> bool:
    """Whether the patient's identity is asked for (`identity=1`)."""
    return request.args.get("identity") == "1"


def _number(name: str, default: int, highest: int) -> int:
    value = request.args.get(name, "")
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= highest:
        abort(400, f"{name} must be a whole number from 1 to {highest}.")
    return int(value)


def _entries(found: list[Submission], identity: bool, observations: bool) -> list:
    canonical = fhir.canonical()
    entries = [
        (
            "match",
            fhir.response_of(each, identity),
            absolute_url(".response", reference=each.reference),
        )
        for each in found
    ]
    if observations:
        for each in found:
            entries += [
                ("include", o, resources.observation_url(o))
                for o in resources.observations(each, canonical)
            ]
    return entries


@bp.get("/submissions/<reference>/fhir.json")
def response(reference: str):
    """One submission's answers as a QuestionnaireResponse; the patient too with `identity=1`."""
    found = queries.submission_or_404(reference)
    identity = _identity()
    if identity and not password_is_recent():
        return login_manager.needs_refresh()
    audit.record(
        current_user, "export_fhir", found, detail=f"identity={'yes' if identity else 'no'}"
    )
    db.session.commit()
    return fhir.fhir_json(fhir.response_of(found, identity))


@bp.get("/fhir/QuestionnaireResponse")
def responses():
    """The responses the queue's filters match, as a searchset Bundle paged by `next` links;
    `_revinclude=Observation:derived-from` adds each one's observations."""
    form, filters = forms.read_filters()
    if form.errors:
        field, errors = next(iter(form.errors.items()))
        abort(400, f"{field}: {errors[0]}")
    identity = _identity()
    if identity and not password_is_recent():
        return login_manager.needs_refresh()
    revinclude = request.args.get("_revinclude")
    if revinclude not in (None, REVINCLUDE):
        abort(400, f"_revinclude takes only {REVINCLUDE}.")
    identifier = request.args.get("identifier", "").rpartition("|")[2].strip().upper()
    per_page = _number("_count", PER_PAGE, MAX_PER_PAGE)
    page = queries.submissions_page(filters, identifier, _number("page", 1, 10**6), per_page)
    kept = {**forms.filter_args(form)}
    for name in ("identifier", "identity", "_revinclude"):
        if request.args.get(name):
            kept[name] = request.args[name]

    def link(number: int) -> str:
        return absolute_url(".responses", **kept, _count=per_page, page=number)

    links = {"self": link(page.number)}
    if page.has_next:
        links["next"] = link(page.number + 1)
    if page.has_prev:
        links["previous"] = link(page.number - 1)
    entries = _entries(list(page.items), identity, revinclude is not None)
    bundle = resources.searchset(entries, page.total, links)
    detail = "; ".join(
        [f"identity={'yes' if identity else 'no'}", *forms.filter_detail(filters)]
        + [f"bundle={len(page.items)}"]
    )
    audit.record(current_user, "export_fhir_bundle", detail=detail)
    db.session.commit()
    return fhir.fhir_json(bundle)


@bp.get("/fhir/metadata")
def metadata():
    """A CapabilityStatement of what is served."""
    statement = resources.capability_statement(
        fhir.canonical(), package_version("screener"), VERSIONS[max(VERSIONS)], SEARCH_PARAMS
    )
    return fhir.fhir_json(statement)
