"""Patient questionnaire views: parse the form, call the submissions service, redirect."""

import functools
import secrets
from collections.abc import Mapping
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
from flask_babel import get_locale, ngettext, refresh
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from .. import invitations, ratelimit, submissions
from ..catalogue import ABOUT_YOU, ODI_STEP, QUESTIONS
from ..extensions import csrf
from ..models import Status, Submission
from ..scoring import AnswerError, Urgency
from ..security import absolute_url, safe_next
from . import odi, pages
from .forms import (
    CHOICE_MESSAGE,
    TOKEN_PROBLEM,
    AboutYouForm,
    ActionForm,
    ContactForm,
    LinkForm,
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
SENT_KEY = "sent"  # once /done has been shown: its reference code and urgency, and nothing else
LANGUAGE_KEY = "lang"  # the language the patient chose (else the browser's, see select_locale)
STEP_FORM = "step-form"  # the id of a step's form, which the language switch submits
START_FORM = "start-form"  # the start page's form, which the language switch submits too
TICK_KEY = "privacy_ticked"  # the start page's tick, kept over a language switch
# Each language named in itself, as a reader of that language looks for it.
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
# Set on `g` by a resume try that named a code and did not open it (counted by the rate limits).
RESUME_FAILED = "resume_failed"
BROWSER_KEY = "browser"  # this session's secret (see _browser_secret)
# Set on `g` when a new draft was created (counted by START_LIMIT).
DRAFT_STARTED = "draft_started"
# Resume codes and links share one count of failed tries per address; only failures count,
# and a clinic's waiting room shares one address.
RESUME_SCOPE = "patient.resume"
RESUME_PER_ADDRESS = "10 per 10 minutes"


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
    href = link = None
    if phone:
        href = "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")
        link = Markup('<a href="{}">{}</a>').format(href, phone)
    return {"clinic": name or _("your care team"), "phone_link": link, "phone_href": href}


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
        session.pop(SENT_KEY, None)
        session[TOKEN_KEY] = token
    today = date.today().toordinal()
    if session.get(DAY_KEY) != today:
        session[DAY_KEY] = today
        session.permanent = True


def _current() -> tuple[Submission, str] | None:
    """This browser's questionnaire and its token: from the posted form's token, else from the
    session."""
    kept = session.get(TOKEN_KEY)
    candidates = [kept]
    if request.method == "POST":
        candidates.insert(0, request.form.get("token"))
    for token in candidates:
        submission = submissions.find_by_token(token)
        if token and submission is not None:
            # A page left open after /done must not bring a sent questionnaire back into the
            # browser that has forgotten it (see done).
            if submission.status == Status.DRAFT or token == kept:
                remember_draft(token)
            return submission, token
    # The identity was saved, and the draft's token replaced, but the answer with the new
    # token never arrived: this browser (only) can derive it.
    if kept and (browser := session.get(BROWSER_KEY)):
        successor = submissions.successor_token(kept, browser)
        submission = submissions.find_by_token(successor)
        if submission is not None and submission.status == Status.DRAFT:
            remember_draft(successor)
            return submission, successor
    return None


def _browser_secret() -> str:
    """A secret of this browser's session, made when it starts a draft (see _current)."""
    if BROWSER_KEY not in session:
        session[BROWSER_KEY] = secrets.token_urlsafe(16)
    return session[BROWSER_KEY]


def _forget_questionnaire(submission: Submission) -> None:
    """Keep in this browser only what a later /done shows: the reference code and urgency."""
    for key in (TOKEN_KEY, CODE_KEY, DAY_KEY):
        session.pop(key, None)
    session[SENT_KEY] = {"reference": submission.reference, "urgency": submission.urgency}
    session.permanent = False  # and that only until the browser closes


def _page(template: str, status: int = 200, **context):
    return make_response(render_template(template, **context), status)


def _open_draft() -> tuple[Submission, str]:
    """This browser's draft and its token, when it is open to answer; otherwise the page to
    show instead ends the request."""
    found = _current()
    if found is None:
        if SENT_KEY not in session:  # otherwise the start page says the answers were sent
            flash(
                _(
                    "We could not find your questions on this device. Use your resume link or "
                    "code, or start again."
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


def _in_progress() -> Submission | None:
    """This browser's draft, when it is open and has answers to lose (About you is saved)."""
    found = _current()
    if found is None:
        return None
    submission = found[0]
    if (
        submission.status != Status.DRAFT
        or submissions.is_expired(submission)
        or not submission.identified
    ):
        return None
    return submission


def _draft_started(response) -> bool:
    return bool(g.get(DRAFT_STARTED))


@functools.cache
def _limited_start(rate: str):
    """The start view under START_LIMIT (a rate is fixed when its limit is made, so one per
    setting)."""
    return ratelimit.limit(rate, methods=["POST"], counts=_draft_started)(_start)


@bp.route("/", methods=["GET", "POST"])
def start():
    """What the questionnaire is for, who sees the answers, and the privacy notice. With
    answers in progress, carrying on comes first; starting again asks first. Each address may
    start START_LIMIT questionnaires."""
    return _limited_start(current_app.config["START_LIMIT"])()


def _start():
    form = StartForm(formdata=request.form if request.method == "POST" else None)
    earlier = _in_progress()
    switch = request.form.get("switch_lang") if request.method == "POST" else None
    if switch is not None:
        # The language switch submits this form so that the tick is kept: the same page
        # again, by a GET, in the other language.
        _choose_language(switch)
        session[TICK_KEY] = bool(form.privacy.data)
        return redirect(url_for(".start"), 303)
    if request.method == "GET" and session.pop(TICK_KEY, False):
        form.privacy.data = True
    if request.method == "POST" and form.validate():
        if earlier is not None and request.form.get("again") != "yes":
            # The new draft replaces the earlier one in this browser: give its code first.
            if not session.get(CODE_KEY):
                _give_resume_code(earlier)
            return render_template(
                "patient/start_again.html",
                code=submissions.format_code(session[CODE_KEY]),
                continue_url=_continue_url(earlier),
            )
        # Acknowledging the privacy notice starts the draft; its created_at records when.
        _, token = submissions.create_draft(_language())
        setattr(g, DRAFT_STARTED, True)
        remember_draft(token)
        _browser_secret()
        return redirect(url_for(".step", slug=ABOUT_YOU))
    return render_template(
        "patient/start.html",
        form=form,
        continue_url=_continue_url(earlier) if earlier else None,
        sent=session.get(SENT_KEY),
        language_form=START_FORM,
    )


@bp.get("/about-si-joint-fusion")
def about():
    """A short page about the SI joint and the operation, with a way back to the questions:
    to the step named in ?step= (a real step only, so never another site), else to where this
    browser's draft carries on, else to the start."""
    slug = request.args.get("step", "")
    back_url = url_for(".start")
    if pages.is_step(slug):
        back_url = url_for(".step", slug=slug)
    elif (found := _current()) is not None:
        submission = found[0]
        if submission.status == Status.DRAFT and not submissions.is_expired(submission):
            back_url = _continue_url(submission)
    return render_template("patient/about.html", back_url=back_url)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico without reading the page: send them to the SVG icon."""
    return redirect(url_for("static", filename="img/favicon.svg"), 301)


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

    later: bool  # Save and finish later: the required checks wait
    switch: str | None  # the language to show the step in again (nothing is saved)
    review: bool  # came from the review page's Change link, so goes back there

    @property
    def intent(self) -> str:
        return "later" if self.later else "continue"


def _read_action() -> StepAction:
    return StepAction(
        later=request.form.get("action") == "later",
        switch=request.form.get("switch_lang"),
        review=request.values.get("return_to") == "review",
    )


def _form_for(slug: str, submission: Submission, formdata) -> PatientForm:
    """The step's form: from what was posted, else from what is stored (never both: an
    unticked box or unchosen radio is absent from a post and must not fall back)."""
    stored = formdata is None
    if slug == ABOUT_YOU:
        # Invited: the clinic entered the name and date of birth; only contact details change.
        form_class = ContactForm if submission.invitation is not None else AboutYouForm
        return form_class(formdata=formdata, obj=submission.patient if stored else None)
    if slug == ODI_STEP:
        form_class = odi_form(odi.licensed())
        return form_class(formdata=formdata, data=odi_data(submission.answers) if stored else {})
    form_class = questions_form(slug)
    done = slug in submission.steps_done
    data = form_class.data_from(submission.answers, done) if stored else {}
    return form_class(formdata=formdata, data=data)


def _posted_fields(form: PatientForm) -> dict[str, list[str]]:
    """What was posted for the form's own fields (a field may post several inputs, named
    after it with a dash), to show the step again from it."""
    names = [field.name for field in form]
    return {
        key: request.form.getlist(key)
        for key in request.form
        if any(key == name or key.startswith(name + "-") for name in names)
    }


def _check(slug: str, submission: Submission, form: PatientForm, later: bool) -> bool:
    """Run the form's checks, then the rubric's on the merged answers (which the form leaves to
    the whole set); a refusal puts its error on its field."""
    if not form.validate(partial=later):
        return False
    if slug == ABOUT_YOU:
        return True
    try:
        submissions.check_step(submission, form.answers())
    except AnswerError as exc:
        if exc.key not in form:
            raise
        form[exc.key].errors.append(str(CHOICE_MESSAGE))
        return False
    return True


def _form_shown(slug: str, submission: Submission) -> PatientForm:
    """The form a step is shown with: what was posted and not saved yet (with its errors, when
    it was refused), else what is stored."""
    kept = submissions.kept_input(submission, slug)
    if kept is None:
        return _form_for(slug, submission, None)
    form = _form_for(slug, submission, MultiDict(kept.fields))
    if kept.intent is not None:
        _check(slug, submission, form, later=kept.intent == "later")
    return form


def _render_step(slug: str, submission: Submission, token: str, form: PatientForm):
    number, step = pages.numbered_step(slug)
    # The identity the clinic entered, shown as it is (see ContactForm).
    clinic_identity = submission.patient if isinstance(form, ContactForm) else None
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
        clinic_identity=clinic_identity,
    )


def _save(slug: str, submission: Submission, form, complete: bool) -> None:
    """Store a step's checked input (see _check)."""
    language = _language()
    if isinstance(form, ContactForm):
        phone, email = form.phone.data or None, form.email.data or None
        submissions.save_contact(submission, phone, email, language, complete=complete)
    elif slug == ABOUT_YOU:
        identity = submissions.Identity(
            full_name=form.full_name.data,
            date_of_birth=form.date_of_birth.data,
            phone=form.phone.data or None,
            email=form.email.data or None,
        )
        successor = submissions.successor_token(session[TOKEN_KEY], _browser_secret())
        token = submissions.save_identity(
            submission, identity, language, complete=complete, new_token=successor
        )
        if token is not None:  # identity saved the first time: the draft has a new token
            remember_draft(token)
    else:
        submissions.save_step(submission, slug, form.answers(), language, complete=complete)


def _after_step(slug: str, submission: Submission, action: StepAction) -> str:
    """Where a saved step goes next."""
    if slug == "safety" and submission.urgency:
        return url_for(".urgent")  # red flags always win
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
    """One page of questions: Back, Continue, Save and finish later, and the language switch.

    A post is answered with a redirect, whatever happens, so that Back and reload never post
    it again: a language switch or input that needs fixing is kept (see StepInput) and the
    same step shown again from it. Only Continue and Save and finish later save answers, so
    only they can raise a red flag.
    """
    if not pages.is_step(slug):
        abort(404)
    submission, token = _open_draft()
    if slug != ABOUT_YOU and not submission.identified:
        return redirect(url_for(".step", slug=ABOUT_YOU))
    if request.method == "GET":
        return _render_step(slug, submission, token, _form_shown(slug, submission))
    action = _read_action()
    if action.switch is not None:
        _choose_language(action.switch)
    form = _form_for(slug, submission, request.form)
    if form.expired:
        # Nothing was checked: say so, keep the input.
        return _render_step(slug, submission, token, form)
    if action.switch is None and _check(slug, submission, form, action.later):
        _save(slug, submission, form, complete=not action.later)
        if action.later:
            _give_resume_code(submission)
        return redirect(_after_step(slug, submission, action))
    intent = None if action.switch is not None else action.intent
    submissions.keep_input(submission, slug, _posted_fields(form), intent)
    again = url_for(".step", slug=slug, return_to="review" if action.review else None)
    return redirect(again, 303)


@bp.get("/urgent")
def urgent():
    """Calm guidance after a red-flag answer: what to do now."""
    found = _current()
    if found is None or found[0].urgency is None:
        return redirect(url_for(".start"))
    submission, token = found
    draft = submission.status == Status.DRAFT and not submissions.is_expired(submission)
    code = None
    if draft and submission.urgency == Urgency.EMERGENCY:
        # No way to keep answering now: a code to finish with once they have been seen (the
        # same one on a reload, so that a code written down still works).
        if not session.get(CODE_KEY):
            _give_resume_code(submission)
        code = submissions.format_code(session[CODE_KEY])
    return render_template(
        "patient/urgent.html",
        submission=submission,
        flagged=pages.flagged_questions(submission),
        continue_url=_continue_url(submission) if draft else None,
        code=code,
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
        resume_url=absolute_url(".resume_link", token=token),
        code=submissions.format_code(code) if code else None,
        continue_url=_continue_url(submission),
        token=token,
    )


def _resume_failed(response) -> bool:
    return bool(g.get(RESUME_FAILED))


def _entered_code() -> str:
    """Rate-limit key for one resume code, as it is looked up (from any address)."""
    return "code:" + submissions.normalize_code(request.form.get("code", ""))[:32]


def _tries_left(tries: int) -> str:
    return ngettext(
        "You have %(num)d more try before these answers are locked.",
        "You have %(num)d more tries before these answers are locked.",
        tries,
    )


def _link_tries_left(tries: int) -> str:
    return ngettext(
        "You have %(num)d more try before this link is locked.",
        "You have %(num)d more tries before this link is locked.",
        tries,
    )


def _resume_refused(
    exc: submissions.ResumeError,
    field,
    mismatch: str,
    problems: Mapping[str, str] | None = None,
    tries_left=_tries_left,
) -> object | None:
    """Report a refused resume try: `mismatch` and `tries_left` words next to `field`, else
    the problem page to show (`problems` names another page for a reason). Wrong tries are
    marked for the rate limits."""
    if exc.reason in (submissions.ResumeError.MISMATCH, submissions.ResumeError.LOCKED):
        setattr(g, RESUME_FAILED, True)
    if exc.reason != submissions.ResumeError.MISMATCH:
        reference = exc.submission.reference if exc.submission else None
        problem = (problems or {}).get(exc.reason, exc.reason)
        return _page("patient/problem.html", 403, problem=problem, reference=reference)
    if exc.tries_left is not None:
        mismatch += " " + tries_left(exc.tries_left)
    field.errors.append(mismatch)
    return None


def _opened(submission: Submission, token: str):
    remember_draft(token)
    return redirect(_continue_url(submission))


@bp.route("/resume/<token>", methods=["GET", "POST"])
@ratelimit.limit(RESUME_PER_ADDRESS, counts=_resume_failed, scope=RESUME_SCOPE)
def resume_link(token: str):
    """Open a saved questionnaire from its resume link, once the date of birth saved with it
    is confirmed (then the link stops working). Never swaps this browser's questionnaire
    without asking."""
    submission = submissions.find_by_token(token)
    if submission is None:
        setattr(g, RESUME_FAILED, True)
        return _page("patient/problem.html", 404, problem="bad_link")
    if token == session.get(TOKEN_KEY):  # this browser's own: nothing to confirm
        if submission.status == Status.SUBMITTED:
            return redirect(url_for(".done"))
        return redirect(_continue_url(submission))
    if submissions.is_expired(submission):
        return _page("patient/problem.html", 410, problem="expired")
    if not submission.identified:
        # No date of birth to confirm: only the browser that started it can carry on.
        return _page("patient/problem.html", 403, problem="not_identified")
    form = LinkForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            submission, new_token = submissions.resume_by_link(token, form.date_of_birth.data)
        except submissions.ResumeError as exc:
            mismatch = _(
                "That date of birth does not match these saved answers. Check it and try again."
            )
            if (problem := _resume_refused(exc, form.date_of_birth, mismatch)) is not None:
                return problem
        else:
            return _opened(submission, new_token)
    keep_url, code = _other_in_progress(submission.id)
    return render_template(
        "patient/resume_link.html", form=form, token=token, keep_url=keep_url, code=code
    )


def _other_in_progress(opening: int | None) -> tuple[str | None, str | None]:
    """Where this browser's other answers in progress carry on, and their resume code, when
    opening the questionnaire `opening` would replace them here (the code is given first)."""
    mine = _in_progress()
    if mine is None or mine.id == opening:
        return None, None
    if not session.get(CODE_KEY):
        _give_resume_code(mine)
    return _continue_url(mine), submissions.format_code(session[CODE_KEY])


# A refused invitation shows these problem pages instead of a resume link's.
INVITATION_PROBLEMS = {submissions.ResumeError.LOCKED: "invitation_locked"}


@bp.route("/i/<token>", methods=["GET", "POST"])
@ratelimit.limit(RESUME_PER_ADDRESS, counts=_resume_failed, scope=RESUME_SCOPE)
def invitation(token: str):
    """Open the questionnaire of a clinic's invitation, once the date of birth the clinic
    entered is confirmed: until then the page says nothing about the patient. Wrong tries lock
    it and count as a resume link's do. Never swaps this browser's questionnaire without
    asking."""
    invited = invitations.find(token)
    if invited is None:
        setattr(g, RESUME_FAILED, True)
        return _page("patient/problem.html", 404, problem="bad_link")
    if LANGUAGE_KEY not in session and invited.language in current_app.config["LANGUAGES"]:
        _choose_language(invited.language)
    if invitations.is_expired(invited):
        return _page("patient/problem.html", 410, problem="invitation_expired")
    found = _current()
    if found is not None and found[0].id == invited.submission_id:  # this browser's own
        if found[0].status == Status.SUBMITTED:
            return redirect(url_for(".done"))
        return redirect(_continue_url(found[0]))
    if invited.failures >= current_app.config["RESUME_MAX_FAILURES"]:
        return _page("patient/problem.html", 403, problem="invitation_locked")
    form = LinkForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            submission, new_token = submissions.open_invitation(
                invited, form.date_of_birth.data, _language()
            )
        except submissions.ResumeError as exc:
            mismatch = _(
                "That date of birth does not match our invitation. Check it and try again."
            )
            refused = _resume_refused(
                exc, form.date_of_birth, mismatch, INVITATION_PROBLEMS, _link_tries_left
            )
            if refused is not None:
                return refused
        else:
            _browser_secret()
            return _opened(submission, new_token)
    keep_url, code = _other_in_progress(invited.submission_id)
    return render_template(
        "patient/invitation.html",
        form=form,
        token=token,
        keep_url=keep_url,
        code=code,
        appointment=pages.appointment_words(invited.appointment_at),
    )


@bp.route("/resume", methods=["GET", "POST"])
@ratelimit.limit(RESUME_PER_ADDRESS, methods=["POST"], counts=_resume_failed, scope=RESUME_SCOPE)
@ratelimit.limit("10 per 10 minutes", key=_entered_code, methods=["POST"], counts=_resume_failed)
def resume():
    """Open a saved questionnaire with its resume code and the date of birth."""
    form = ResumeForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            submission, token = submissions.resume_by_code(form.code.data, form.date_of_birth.data)
        except submissions.ResumeError as exc:
            mismatch = _(
                "That code and date of birth do not match saved answers. Check them and try again."
            )
            if (problem := _resume_refused(exc, form.code, mismatch)) is not None:
                return problem
        else:
            return _opened(submission, token)
    return render_template("patient/resume.html", form=form)


@bp.errorhandler(429)
def too_many_tries(error):
    problem = "too_many_starts" if request.endpoint == "patient.start" else "rate_limited"
    response = _page("patient/problem.html", 429, problem=problem)
    if retry_after := getattr(error, "retry_after", None):
        response.headers["Retry-After"] = str(retry_after)
    return response


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
    """The confirmation: reference code, outcome in plain words, what happens next, and the
    answers to print. Shown in full once; later, only the reference code and what to do."""
    found = _current()
    if found is None:
        sent = session.get(SENT_KEY)
        if sent is None:
            return redirect(url_for(".start"))
        return render_template(
            "patient/done.html", reference=sent["reference"], urgency=sent["urgency"]
        )
    submission = found[0]
    if submission.status != Status.SUBMITTED:
        return redirect(url_for(".review"))
    _forget_questionnaire(submission)  # a shared device: the next person sees none of it
    return render_template(
        "patient/done.html",
        reference=submission.reference,
        urgency=submission.urgency,
        submission=submission,
        flagged=pages.flagged_questions(submission),
        sections=pages.sections(submission),
        missing=pages.missing_questions(submission),
        not_yet=pages.not_yet_reasons(submission),
    )


@bp.post("/finish")
def finish():
    """End the visit in this browser at once: forget everything but the chosen language."""
    if not ActionForm().validate():
        flash(_("This page was open for a long time. Please try again."))
        return redirect(url_for(".done"))
    language = session.get(LANGUAGE_KEY)
    session.clear()
    if language:
        session[LANGUAGE_KEY] = language
    flash(_("You're done. You can close this page."))
    return redirect(url_for(".start"))
