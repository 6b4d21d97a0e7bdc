"""Clinic views: the queue, a submission's summary, review, notes and exports."""

import json
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from .. import audit
from ..auth.guards import expire_idle_session, require_login
from ..extensions import db
from ..models import ReviewNote, utcnow
from ..security import absolute_url
from . import exports, queries, summary
from .admin import bp as admin_bp
from .forms import NoteForm, QueueFilterForm, ReviewForm
from .labels import CATEGORY_LABELS, LANGUAGE_NAMES, URGENCY_LABELS

bp = Blueprint("clinic", __name__, url_prefix="/clinic")
bp.before_request(expire_idle_session)
bp.before_request(require_login)
bp.register_blueprint(admin_bp)


@bp.app_template_filter("utc")
def format_utc(moment: datetime | None) -> str:
    """A timestamp for clinic pages: UTC, to the minute."""
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@bp.context_processor
def clinic_words():
    return {
        "category_labels": CATEGORY_LABELS,
        "urgency_labels": URGENCY_LABELS,
        "language_names": LANGUAGE_NAMES,
    }


def _read_filters() -> tuple[QueueFilterForm, queries.QueueFilter]:
    """The queue's filters from the query string; a value that does not parse is ignored."""
    form = QueueFilterForm(request.args)
    form.validate()

    def value(name: str):
        return None if form[name].errors else (form[name].data or None)

    return form, queries.QueueFilter(
        category=value("category"),
        review=value("review"),
        date_from=value("date_from"),
        date_to=value("date_to"),
        search=value("q") or "",
    )


def _filter_args() -> dict[str, str]:
    """The non-empty query parameters except the page, for links that keep the filters."""
    return {k: v for k, v in request.args.items() if v and k not in {"page", "identity"}}


@bp.get("/")
def queue():
    """Submitted questionnaires, urgent first, then newest."""
    form, filters = _read_filters()
    counts = queries.outcome_counts(filters)
    total = queries.queue_total(filters, counts)
    page = queries.queue_page(filters, request.args.get("page", 1, type=int), total)
    return render_template(
        "clinic/queue.html",
        form=form,
        filters=filters,
        page=page,
        counts=counts,
        filter_args=_filter_args(),
    )


@bp.get("/submissions/<reference>")
def submission(reference: str):
    """The one-page summary of one submission."""
    found = queries.submission_or_404(reference)
    audit.record(current_user, "view", found)
    db.session.commit()
    return render_template(
        "clinic/submission.html",
        s=summary.build(found),
        review_form=ReviewForm(),
        note_form=NoteForm(formdata=None),
    )


@bp.post("/submissions/<reference>/review")
def review(reference: str):
    """Mark a submission reviewed (once: the first reviewer and time are kept)."""
    found = queries.submission_or_404(reference)
    if ReviewForm().validate_on_submit():
        if found.mark_reviewed(current_user):
            audit.record(current_user, "review", found)
            db.session.commit()
        flash("Marked as reviewed.", "info")
    return redirect(url_for("clinic.submission", reference=found.reference))


@bp.post("/submissions/<reference>/notes")
def add_note(reference: str):
    """Add a note; notes are kept as written (there is no edit or delete)."""
    found = queries.submission_or_404(reference)
    form = NoteForm()
    if not form.validate_on_submit():
        return render_template(
            "clinic/submission.html",
            s=summary.build(found),
            review_form=ReviewForm(formdata=None),
            note_form=form,
        ), 400
    db.session.add(ReviewNote(submission=found, author_id=current_user.id, body=form.body.data))
    audit.record(current_user, "note", found)
    db.session.commit()
    flash("Note added.", "info")
    return redirect(url_for("clinic.submission", reference=found.reference, _anchor="notes"))


@bp.get("/export.csv")
def export_csv():
    """The filtered queue as CSV, streamed; identity columns only when asked for."""
    _form, filters = _read_filters()
    identity = request.args.get("identity") == "1"
    audit.record(current_user, "export_csv", detail=_export_detail(filters, identity))
    db.session.commit()

    def chunks():
        # The query runs while the response streams (a server-side cursor on PostgreSQL).
        yield from exports.csv_chunks(queries.export_rows(filters, identity), identity)

    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(chunks()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="screener-{stamp}.csv"'},
    )


def _export_detail(filters: queries.QueueFilter, identity: bool) -> str:
    """What was exported, without the search text (it may be a patient's name)."""
    parts = [f"identity={'yes' if identity else 'no'}"]
    for name in ("category", "review", "date_from", "date_to"):
        if getattr(filters, name):
            parts.append(f"{name}={getattr(filters, name)}")
    if filters.search:
        parts.append("search=yes")
    return "; ".join(parts)


def _questionnaire_url() -> str:
    return absolute_url("clinic.fhir_questionnaire")


def _fhir(resource: dict) -> Response:
    return Response(json.dumps(resource, ensure_ascii=False), mimetype="application/fhir+json")


@bp.get("/submissions/<reference>/fhir.json")
def fhir_response(reference: str):
    """The submission's answers as a FHIR R4 QuestionnaireResponse."""
    found = queries.submission_or_404(reference)
    audit.record(current_user, "export_fhir", found)
    db.session.commit()
    return _fhir(exports.questionnaire_response(found, _questionnaire_url()))


@bp.post("/session/extend")
def extend_session():
    """Keep a clinician signed in: the idle check before this request notes the activity."""
    return "", 204


@bp.get("/fhir/Questionnaire/si-joint-screening")
def fhir_questionnaire():
    """The FHIR R4 Questionnaire every QuestionnaireResponse points to."""
    return _fhir(exports.questionnaire(_questionnaire_url()))
