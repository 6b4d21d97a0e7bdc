"""The yardstick for bench_http.py: a plain Flask app doing the work of one questionnaire step.

Flask, Flask-SQLAlchemy and Flask-WTF used as their documentation shows: a FlaskForm with CSRF
and eight yes/no/unsure questions, one ORM read of the draft by the token kept in the session,
a template extending a layout; a valid POST stores the answers, commits and redirects.

    gunicorn --pythonpath bench 'reference_app:create_app()'   (SECRET_KEY, DATABASE_URL set)
"""

import hashlib
import os
from datetime import UTC, datetime

from flask import Flask, redirect, render_template, session, url_for
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import FlaskForm
from sqlalchemy import JSON, DateTime, String, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from wtforms import RadioField, SelectChoice
from wtforms.validators import InputRequired

TOKEN_KEY = "draft"


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    return datetime.now(UTC)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Draft(db.Model):
    """A patient's unsent answers, found by the hash of the token their browser holds."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


YES_NO_UNSURE = [
    SelectChoice("yes", "Yes"),
    SelectChoice("no", "No"),
    SelectChoice("unsure", "I'm not sure"),
]


def question(label: str, hint: str = "") -> RadioField:
    return RadioField(label, choices=YES_NO_UNSURE, description=hint, validators=[InputRequired()])


class SafetyForm(FlaskForm):
    """Eight yes/no/unsure questions, each required (the screener's safety step)."""

    rf_bladder_bowel = question(
        "Is it newly hard to control when you pee or poo?",
        "For example, leaking, or not being able to go.",
    )
    rf_saddle_numbness = question(
        "Is there new numbness between your legs or around your bottom?",
        "The parts that would touch a bike saddle.",
    )
    rf_leg_weakness_worsening = question("Is one or both of your legs getting weaker?")
    rf_fever = question(
        "Do you have a fever or chills along with this pain?",
        "A fever is 38 °C (100.4 °F) or more.",
    )
    rf_recent_trauma = question(
        "Did this pain start or get much worse after a recent bad fall or accident?",
        "Answer yes for a small fall too if you have thin bones (osteoporosis) or have taken "
        "steroid tablets for a long time.",
    )
    rf_immune_risk = question(
        "Is your immune system weak, or have you injected drugs, and is this pain new or much "
        "worse?",
        "For example, from cancer treatment, an organ transplant or HIV.",
    )
    rf_cancer_history = question(
        "Have you had cancer in the past, and is this pain new or different?"
    )
    rf_weight_loss = question(
        "Have you lost about 5 kg (10 lb) or more in recent months without trying?"
    )

    def answers(self) -> dict:
        """The answers as stored: question name to code."""
        return {name: value for name, value in self.data.items() if name != "csrf_token"}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """The screener's SQLite settings that bear on speed."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app, configured from the environment as the screener is."""
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL"),
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 30}},
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    db.init_app(app)
    with app.app_context():
        event.listen(db.engine, "connect", _sqlite_pragmas)

    @app.route("/step", methods=["GET", "POST"])
    def step():
        """Show the draft's questions; store valid answers and redirect (Post/Redirect/Get)."""
        query = select(Draft).filter_by(token_hash=token_digest(session.get(TOKEN_KEY, "")))
        draft = db.one_or_404(query)
        form = SafetyForm(data=draft.answers)
        if form.validate_on_submit():
            draft.answers = {**draft.answers, **form.answers()}
            draft.updated_at = utcnow()  # written on every save, as the screener renews a draft
            db.session.commit()
            return redirect(url_for("step"))
        return render_template("step.html", form=form)

    return app
