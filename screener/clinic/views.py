"""Clinic views: the queue, a submission's summary, review, notes and exports."""

import re
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from .. import audit, times
from ..auth.guards import expire_idle_session, passive, password_is_recent, require_login
from ..extensions import db, login_manager
from ..models import ReviewNote, utcnow
from ..scoring import RUBRIC_VERSION
from . import exports, forms, queries, summary
from .admin import bp as admin_bp
from .fhir import bp as fhir_bp
from .forms import ContactedForm, NoteForm, PatientSearchForm, QueueFilterForm, ReviewForm
from .invitations import bp as invitations_bp
from .labels import CATEGORY_LABELS, LANGUAGE_NAMES, URGENCY_LABELS

bp = Blueprint("clinic", __name__, url_prefix="/clinic")
bp.before_request(expire_idle_session)
bp.before_request(require_login)
bp.register_blueprint(admin_bp)
bp.register_blueprint(invitations_bp)
bp.register_blueprint(fhir_bp)


bp.add_app_template_filter(times.clinic_time, "clinic_time")


@bp.app_template_filter("tel")
def tel_href(phone: str) -> str:
    """A phone number as a tel: link's target: its digits, and a leading plus."""
    return "tel:" + re.sub(r"(?!^\+)[^0-9]", "", phone.strip())


@bp.app_context_processor
def clinic_zone_name():
    """The clinic's time zone's name, for the footer of every clinic page (sign-in too)."""
    return {"clinic_zone": current_app.config["CLINIC_TIMEZONE"]}


@bp.context_processor
def clinic_words():
    return {
        "category_labels": CATEGORY_LABELS,
        "urgency_labels": URGENCY_LABELS,
        "language_names": LANGUAGE_NAMES,
    }


def _render_queue(form: QueueFilterForm, filters: queries.QueueFilter, status: int = 200):
    # Taken before the queries: a questionnaire flagged while they run is counted as new.
    loaded_at = utcnow()
    counts = queries.outcome_counts(filters)
    total = queries.queue_total(filters, counts)
    page = queries.queue_page(filters, request.args.get("page", 1, type=int), total)
    return render_template(
        "clinic/queue.html",
        form=form,
        filters=filters,
        page=page,
        still_answering=queries.still_answering(filters),
        counts=counts,
        filter_args=forms.filter_args(form),
        sorts=queries.SORTS,
        loaded_at=loaded_at.isoformat(),
    ), status


@bp.get("/queue/urgent-count")
@passive
def urgent_count():
    """How many questionnaires became urgent since `since` (an ISO time), for static/js/queue.js;
    polled by the page, so it does not keep an unattended screen signed in."""
    try:
        since = datetime.fromisoformat(request.args.get("since", ""))
    except ValueError:
        return jsonify(error="since: an ISO 8601 time is needed"), 400
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return jsonify(count=queries.new_urgent_count(since))


@bp.get("/")
def queue():
    """Sent questionnaires, urgent first, then newest; flagged ones still being answered apart."""
    form, filters = forms.read_filters()
    audit.record(current_user, "queue_view", detail="; ".join(forms.filter_detail(filters)))
    db.session.commit()
    return _render_queue(form, filters)


@bp.get("/submissions/<reference>")
def submission(reference: str):
    """The one-page summary of one submission."""
    found = queries.submission_or_404(reference)
    audit.record(current_user, "view", found)
    db.session.commit()
    return _render_summary(found, NoteForm(formdata=None))


def _render_summary(found, note_form: NoteForm, status: int = 200):
    return render_template(
        "clinic/submission.html",
        s=summary.build(found),
        note_form=note_form,
        others=[
            row
            for row in queries.questionnaires_of(found.patient.person_key if found.patient else "")
            if row.reference != found.reference
        ],
    ), status


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


@bp.post("/submissions/<reference>/contacted")
def contacted(reference: str):
    """Record that the care team reached the patient (once: the first time and who are kept)."""
    found = queries.submission_or_404(reference)
    if ContactedForm().validate_on_submit():
        if found.mark_contacted(current_user):
            audit.record(current_user, "contacted", found)
            db.session.commit()
        flash("Marked as contacted.", "info")
    return redirect(url_for("clinic.submission", reference=found.reference))


@bp.post("/submissions/<reference>/notes")
def add_note(reference: str):
    """Add a note; notes are kept as written (there is no edit or delete)."""
    found = queries.submission_or_404(reference)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render_summary(found, form, 400)
    db.session.add(ReviewNote(submission=found, author_id=current_user.id, body=form.body.data))
    audit.record(current_user, "note", found)
    db.session.commit()
    flash("Note added.", "info")
    return redirect(url_for("clinic.submission", reference=found.reference, _anchor="notes"))


@bp.get("/patients")
def patients():
    """One row per person (Patient.person_key), the latest questionnaire first; searchable."""
    form = PatientSearchForm(request.args)
    search = form.q.data if form.validate() and form.q.data else ""
    audit.record(current_user, "patients_view", detail="search=yes" if search else "")
    db.session.commit()
    return render_template(
        "clinic/patients.html",
        form=form,
        search=search,
        page=queries.patients_page(search, request.args.get("page", 1, type=int)),
    )


@bp.get("/patients/<reference>")
def patient(reference: str):
    """Every questionnaire of the person who sent this one (the URL names no one)."""
    found = queries.submission_or_404(reference)
    audit.record(current_user, "patient_view", found)
    db.session.commit()
    return render_template(
        "clinic/patient.html",
        found=found,
        questionnaires=queries.questionnaires_of(found.patient.person_key if found.patient else ""),
    )


@bp.get("/export.csv")
def export_csv():
    """The filtered queue as CSV, streamed: de-identified, or with names and the patients'
    comments (`identity=1`, after a recent password). Values are written as stored, for
    analysis software; `spreadsheet=1` guards text a spreadsheet would run as a formula.
    Audited once the last row is out."""
    form, filters = forms.read_filters()
    if form.errors:
        # Refused before the download starts, rather than cut off in the middle of it.
        return _render_queue(form, filters, 400)
    identity = request.args.get("identity") == "1"
    spreadsheet = request.args.get("spreadsheet") == "1"
    if identity and not password_is_recent():
        return login_manager.needs_refresh()
    action = "export_csv_identified" if identity else "export_csv"
    detail = "; ".join(
        [
            f"identity={'yes' if identity else 'no'}",
            *(["spreadsheet=yes"] if spreadsheet else []),
            *forms.filter_detail(filters),
        ]
    )

    def chunks():
        rows = 0

        def counted(batches):
            nonlocal rows
            for batch in batches:
                rows += len(batch)
                yield batch

        try:
            # The query runs while the response streams (a server-side cursor on PostgreSQL).
            batches = counted(queries.export_rows(filters, identity))
            yield from exports.csv_chunks(batches, identity, spreadsheet)
        except BaseException:  # an error, or the download stopped (GeneratorExit)
            db.session.rollback()
            audit.record(current_user, "export_failed", detail=f"{detail}; rows={rows}")
            db.session.commit()
            raise
        audit.record(current_user, action, detail=f"{detail}; rows={rows}")
        db.session.commit()

    stamp = utcnow().strftime("%Y%m%d-%H%M")
    kind = ("with-names" if identity else "deidentified") + ("-spreadsheet" if spreadsheet else "")
    return Response(
        stream_with_context(chunks()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="screener-{kind}-{stamp}.csv"'},
    )


@bp.get("/export-dictionary.csv")
def export_dictionary():
    """What each column of the CSV export holds, as a REDCap data dictionary (no patient data,
    so not audited)."""
    return Response(
        exports.dictionary_csv(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": (
                f'attachment; filename="screener-data-dictionary-{RUBRIC_VERSION}.csv"'
            )
        },
    )


@bp.post("/session/extend")
def extend_session():
    """Keep a clinician signed in: the idle check before this request notes the activity."""
    return "", 204
