"""Patient questionnaire views: parse the form, call the submissions service, redirect."""

from dataclasses import dataclass
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import Markup

from .. import ratelimit, submissions
from ..catalogue import ABOUT_YOU, ODI_STEP, QUESTIONS
from ..extensions import csrf
from ..models import Status, Submission
from ..scoring import AnswerError
from ..security import safe_next
from . import odi, pages
from .forms import (
    CHOICE_MESSAGE,
    TOKEN_PROBLEM,
    AboutYouForm,
    ActionForm,
    PatientForm,
    ResumeForm,
    StartForm,
    odi_data,
    odi_form,
    questions_form,
)

bp = Blueprint("patient", __name__)
bp.add_app_template_global(pages.pain_area_labels)  # the clinic draws the body diagram too
# The patient's forms report a missing or expired CSRF token themselves (check_form_token), so
# that the same page comes back with what was typed, instead of an error page.
csrf.exempt(bp)

TOKEN_KEY = "draft"  # the bearer token of this browser's questionnaire
DAY_KEY = "day"  # the day the cookie was last renewed (see remember_draft)
CODE_KEY = "resume_code"  # the last resume code given, to show it again on the saved page
LANGUAGE_KEY = "lang"  # the language the patient chose (else the browser's, see select_locale)
STEP_FORM = "step-form"  # the id of a step's form, which the language switch submits
# Each language named in itself, as a reader of that language looks for it.
LANGUAGE_NAMES = {"en": "English", "es": "Español"}


@bp.before_request
def check_form_token() -> None:
    """Check the CSRF token of a post; a failure is kept for its form to report."""
    if not current_app.config["WTF_CSRF_ENABLED"]:
        return
    try:
        csrf.protect()
    except CSRFError:
        setattr(g, TOKEN_PROBLEM, True)


@bp.context_processor
def clinic_contact() -> dict:
    """How patient pages name the clinic: its name, else "your care team"; and its phone
    number as a link, or None when the clinic has not set one (no number is made up)."""
    name = current_app.config["CLINIC_NAME"]
    phone = current_app.config["CLINIC_PHONE"]
    link = None
    if phone:
        href = "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")
        link = Markup('<a href="{}">{}</a>').format(href, phone)
    return {"clinic": name or _("your care team"), "phone_link": link}


def _language() -> str:
    return str(get_locale() or "en")


@bp.app_template_global()
def other_languages() -> list[tuple[str, str]]:
    """The languages a patient page can switch to: (code, name in that language)."""
    current = _language()
    return [
        (code, LANGUAGE_NAMES.get(code, code))
        for code in current_app.config["LANGUAGES"]
        if code != current
    ]


def _choose_language(code: str) -> None:
    """Show this and every later patient page in `code`."""
    if code not in current_app.config["LANGUAGES"]:
        abort(400)
    session[LANGUAGE_KEY] = code
    refresh()  # the locale of this request was already chosen


def remember_draft(token: str) -> None:
    """Keep the bearer token in this browser's session (besides each step form)."""
    # The session is written (and the cookie signed and sent again) only when this changes,
    # and once a day, so that the cookie lasts as long after the last visit as a draft does.
    if session.get(TOKEN_KEY) != token:
        session.pop(CODE_KEY, None)
        session[TOKEN_KEY] = token
    today = date.today().toordinal()
    if session.get(DAY_KEY) != today:
        session[DAY_KEY] = today
        session.permanent = True


def _current() -> tuple[Submission, str] | None:
    """This browser's questionnaire and its token: from the posted form's token, else from the
    session."""
    candidates = [session.get(TOKEN_KEY)]
    if request.method == "POST":
        candidates.insert(0, request.form.get("token"))
    for token in candidates:
        submission = submissions.find_by_token(token)
        if token and submission is not None:
            remember_draft(token)
            return submission, token
    return None


def _page(template: str, status: int = 200, **context):
    return make_response(render_template(template, **context), status)


def _open_draft() -> tuple[Submission, str]:
    """This browser's draft and its token, when it is open to answer; otherwise the page to
    show instead ends the request."""
    found = _current()
    if found is None:
        flash(
            _(
                "We could not find your questions on this device. Use your resume link or code, "
                "or start again."
            )
        )
        abort(redirect(url_for(".start")))
    if found[0].status == Status.SUBMITTED:
        abort(redirect(url_for(".done")))
    if submissions.is_expired(found[0]):
        abort(_page("patient/problem.html", 410, problem="expired"))
    return found


def _continue_url(submission: Submission) -> str:
    slug = pages.first_unfinished(submission)
    return url_for(".step", slug=slug) if slug else url_for(".review")


# --- Start and information pages ---------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
def start():
    """What the questionnaire is for, who sees the answers, and the privacy notice."""
    form = StartForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        # Acknowledging the privacy notice starts the draft; its created_at records when.
        _, token = submissions.create_draft(_language())
        remember_draft(token)
        return redirect(url_for(".step", slug=ABOUT_YOU))
    found = _current()
    resumable = (
        found is not None
        and found[0].status == Status.DRAFT
        and not submissions.is_expired(found[0])
    )
    return render_template(
        "patient/start.html",
        form=form,
        resume_url=_continue_url(found[0]) if found and resumable else None,
    )


@bp.get("/about-si-joint-fusion")
def about():
    """A short page about the SI joint and the operation."""
    return render_template("patient/about.html")


@bp.get("/language/<code>")
def language(code: str):
    """Switch language, then show the same page again (answers are kept on the server)."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    _choose_language(code)
    return redirect(safe_next(request.args.get("next"), url_for(".start")))


# --- Steps -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepAction:
    """What a step's buttons asked for."""

    later: bool  # Save and finish later, or a language switch: the required checks wait
    switch: str | None  # the language to show the step in again
    review: bool  # came from the review page's Change link, so goes back there


def _read_action() -> StepAction:
    switch = request.form.get("switch_lang")
    return StepAction(
        later=request.form.get("action") == "later" or switch is not None,
        switch=switch,
        review=request.values.get("return_to") == "review",
    )


def _form_for(slug: str, submission: Submission, formdata) -> PatientForm:
    """The step's form: from what was posted, else from what is stored (never both: an
    unticked box or unchosen radio is absent from a post and must not fall back)."""
    stored = formdata is None
    if slug == ABOUT_YOU:
        return AboutYouForm(formdata=formdata, obj=submission.patient if stored else None)
    if slug == ODI_STEP:
        form_class = odi_form(odi.licensed())
        return form_class(formdata=formdata, data=odi_data(submission.answers) if stored else {})
    form_class = questions_form(slug)
    done = slug in submission.steps_done
    data = form_class.data_from(submission.answers, done) if stored else {}
    return form_class(formdata=formdata, data=data)


def _render_step(slug: str, token: str, form: PatientForm):
    number, step = pages.numbered_step(slug)
    previous = pages.previous_slug(slug)
    return render_template(
        "patient/step.html",
        step=step,
        number=number,
        total=len(pages.steps()),
        form=form,
        token=token,
        return_to="review" if request.values.get("return_to") == "review" else None,
        back_url=url_for(".step", slug=previous) if previous else url_for(".start"),
        instrument=odi.instrument() if slug == ODI_STEP else None,
        language_form=STEP_FORM,
    )


def _save(slug: str, submission: Submission, form, complete: bool) -> bool:
    """Store a step's checked input; False (with the error on its field) when the merged
    answers break the rubric, which the form's own checks leave to the whole set."""
    language = _language()
    if slug == ABOUT_YOU:
        identity = submissions.Identity(
            full_name=form.full_name.data,
            date_of_birth=form.date_of_birth.data,
            phone=form.phone.data or None,
            email=form.email.data or None,
        )
        submissions.save_identity(submission, identity, language, complete=complete)
        return True
    try:
        submissions.save_step(submission, slug, form.answers(), language, complete=complete)
    except AnswerError as exc:
        if exc.key not in form:
            raise
        form[exc.key].errors.append(str(CHOICE_MESSAGE))
        return False
    return True


def _after_step(slug: str, submission: Submission, action: StepAction) -> str:
    """Where a saved step goes next."""
    if slug == "safety" and submission.urgency:
        return url_for(".urgent")  # red flags always win
    if action.switch is not None:
        return url_for(".step", slug=slug, return_to="review" if action.review else None)
    if action.later:
        return url_for(".saved")
    following = pages.next_slug(slug)
    if action.review or following is None:
        return url_for(".review")
    return url_for(".step", slug=following)


def _give_resume_code(submission: Submission) -> None:
    session[CODE_KEY] = submissions.issue_resume_code(submission)


@bp.route("/step/<slug>", methods=["GET", "POST"])
def step(slug: str):
    """One page of questions: Back, Continue, Save and finish later, and the language switch."""
    if not pages.is_step(slug):
        abort(404)
    submission, token = _open_draft()
    if slug != ABOUT_YOU and not submission.identified:
        return redirect(url_for(".step", slug=ABOUT_YOU))
    if request.method == "GET":
        return _render_step(slug, token, _form_for(slug, submission, None))
    action = _read_action()
    if action.switch is not None:
        _choose_language(action.switch)
    form = _form_for(slug, submission, request.form)
    # Switching language keeps what was typed: saved like "finish later", without the
    # required checks, and the same step shown again in the new language.
    if form.validate(partial=action.later):
        if _save(slug, submission, form, complete=not action.later):
            if action.later and action.switch is None:
                _give_resume_code(submission)
            return redirect(_after_step(slug, submission, action))
    elif action.switch is not None and not form.expired:
        # Not savable yet (About you needs a name and a date of birth): show the input
        # again in the new language, without errors the patient did not ask for.
        form = _form_for(slug, submission, request.form)
    return _render_step(slug, token, form)


@bp.get("/urgent")
def urgent():
    """Calm guidance after a red-flag answer: what to do now."""
    found = _current()
    if found is None or found[0].urgency is None:
        return redirect(url_for(".start"))
    submission, token = found
    draft = submission.status == Status.DRAFT and not submissions.is_expired(submission)
    return render_template(
        "patient/urgent.html",
        submission=submission,
        flagged=pages.flagged_questions(submission),
        continue_url=_continue_url(submission) if draft else None,
        token=token,
    )


# --- Save and finish later, resume ---------------------------------------------------------------


@bp.route("/saved", methods=["GET", "POST"])
def saved():
    """The resume link and code; POST gives a new code."""
    submission, token = _open_draft()
    if request.method == "POST":
        form = ActionForm()
        if form.validate():
            _give_resume_code(submission)
        else:
            flash(_("This page was open for a long time. Please try again."))
        return redirect(url_for(".saved"))
    code = session.get(CODE_KEY)
    return render_template(
        "patient/saved.html",
        submission=submission,
        resume_url=url_for(".resume_link", token=token, _external=True),
        code=submissions.format_code(code) if code else None,
        continue_url=_continue_url(submission),
        token=token,
    )


@bp.get("/resume/<token>")
@ratelimit.limit("30 per 10 minutes")
def resume_link(token: str):
    """Open a saved questionnaire from its resume link."""
    submission = submissions.find_by_token(token)
    if submission is None:
        return _page("patient/problem.html", 404, problem="bad_link")
    remember_draft(token)
    if submission.status == Status.SUBMITTED:
        return redirect(url_for(".done"))
    if submissions.is_expired(submission):
        return _page("patient/problem.html", 410, problem="expired")
    return redirect(_continue_url(submission))


@bp.route("/resume", methods=["GET", "POST"])
@ratelimit.limit("10 per 10 minutes", methods=["POST"])
def resume():
    """Open a saved questionnaire with its resume code and the date of birth."""
    form = ResumeForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            submission, token = submissions.resume_by_code(form.code.data, form.date_of_birth.data)
        except submissions.ResumeError as exc:
            if exc.reason == submissions.ResumeError.MISMATCH:
                form.code.errors.append(
                    _(
                        "That code and date of birth do not match saved answers. Check them "
                        "and try again."
                    )
                )
            else:
                reference = exc.submission.reference if exc.submission else None
                return _page("patient/problem.html", 403, problem=exc.reason, reference=reference)
        else:
            remember_draft(token)
            return redirect(_continue_url(submission))
    return render_template("patient/resume.html", form=form)


@bp.errorhandler(429)
def too_many_tries(error):
    return _page("patient/problem.html", 429, problem="rate_limited")


# --- Review, submit, confirmation ----------------------------------------------------------------


@bp.route("/review", methods=["GET", "POST"])
def review():
    """Every answer in words with a Change link per step, then Send."""
    submission, token = _open_draft()
    if not submission.identified:
        return redirect(url_for(".step", slug=ABOUT_YOU))
    form = ActionForm(formdata=request.form if request.method == "POST" else None)
    unanswered = []
    if request.method == "POST" and form.validate():
        unanswered = pages.unanswered_safety(submission)
        if not unanswered:
            submissions.submit(submission, language=_language())
            return redirect(url_for(".done"))
    return render_template(
        "patient/review.html",
        form=form,
        submission=submission,
        sections=pages.sections(submission),
        missing=pages.missing_questions(submission),
        errors=[(key, _(QUESTIONS[key].label)) for key in unanswered],
        token=token,
    )


@bp.get("/done")
def done():
    """The confirmation: reference code, outcome in plain words, what happens next."""
    found = _current()
    if found is None:
        return redirect(url_for(".start"))
    submission = found[0]
    if submission.status != Status.SUBMITTED:
        return redirect(url_for(".review"))
    return render_template(
        "patient/done.html",
        submission=submission,
        flagged=pages.flagged_questions(submission),
        sections=pages.sections(submission),
        missing=pages.missing_questions(submission),
        not_yet=pages.not_yet_reasons(submission),
    )
