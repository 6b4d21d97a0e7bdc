"""flask CLI commands: assess answers, manage users, back up."""

import json
import os
import secrets
import sqlite3
import sys
from typing import cast

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select

from .extensions import db
from .models import Role, User
from .scoring import AnswerError, assess


@click.command("assess")
@click.argument("path", type=click.File("r", encoding="utf-8"))
def assess_command(path) -> None:
    """Score answers from a JSON file (or - for stdin): one object or a list of them."""
    try:
        data = json.load(path)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"not valid JSON: {exc}") from None
    many = isinstance(data, list)
    results = []
    for index, answers in enumerate(data if many else [data]):
        try:
            results.append(assess(answers).to_dict())
        except AnswerError as exc:
            where = f"[{index}] " if many else ""
            raise click.ClickException(f"{where}{exc}") from None
    # One string, one write: json.dump would write it piece by piece.
    sys.stdout.write(json.dumps(results if many else results[0], ensure_ascii=False) + "\n")


def _check_password_length(password: str) -> None:
    if len(password) < User.MIN_PASSWORD:
        raise click.ClickException(f"the password must be at least {User.MIN_PASSWORD} characters")


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.CLINICIAN.value)
@with_appcontext
def create_user_command(email: str, role: str) -> None:
    """Add a clinic user; the password comes from SCREENER_PASSWORD or a hidden prompt."""
    email = User.normalize_email(email)
    password = os.environ.get("SCREENER_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    _check_password_length(password)
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise click.ClickException(f"a user with email {email} already exists")
    user = User(email=email, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email}.")


@click.command("first-admin")
@with_appcontext
def first_admin_command() -> None:
    """On a new install with no users, create admin@localhost and print its password once."""
    if db.session.scalar(select(func.count()).select_from(User)):
        return
    password = os.environ.get("SCREENER_PASSWORD") or secrets.token_urlsafe(12)
    _check_password_length(password)
    user = User(email="admin@localhost", role=Role.ADMIN)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(
        "\nFirst clinic sign-in: http://127.0.0.1:5000/clinic/login\n"
        f"  email: admin@localhost\n  password: {password}\n"
        "Change it after signing in (Users page).\n"
    )


@click.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(destination: str) -> None:
    """Copy the SQLite database to DESTINATION while the app keeps running."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise click.ClickException(
            "this database is PostgreSQL: back it up with pg_dump, for example\n"
            '  pg_dump --format=custom --file=screener.dump "$DATABASE_URL"\n'
            'and restore with pg_restore --clean --dbname="$DATABASE_URL" screener.dump'
        )
    target = sqlite3.connect(destination)
    try:
        with engine.connect() as conn:
            # SQLite's online backup copies a consistent snapshot, pages at a time.
            driver = cast(sqlite3.Connection, conn.connection.driver_connection)
            driver.backup(target)
        check = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
    if check != "ok":
        raise click.ClickException(f"the copy failed its integrity check: {check}")
    click.echo(f"Backed up to {destination} (integrity check: ok).")


@click.command("demo-data")
@click.option("--count", default=60, show_default=True, help="How many submissions to create.")
@click.option("--seed", default=0, show_default=True, help="Seed for repeatable answers.")
@with_appcontext
def demo_data_command(count: int, seed: int) -> None:
    """Add synthetic submissions across every outcome and urgency (for trying the clinic side)."""
    from . import demo

    if count < 1:
        raise click.BadParameter("must be at least 1", param_hint="--count")
    reviewer = db.session.scalar(select(User.id).where(User.active).order_by(User.id))
    counts = demo.seed(count, seed=seed, reviewer_id=reviewer)
    summary = ", ".join(f"{category} {n}" for category, n in sorted(counts.items()))
    click.echo(f"Created {count} demo submissions ({summary}).")


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    from . import ops_commands, outbox

    ops_commands.init_app(app)
    outbox.init_app(app)
    for command in (
        assess_command,
        create_user_command,
        first_admin_command,
        backup_command,
        demo_data_command,
    ):
        app.cli.add_command(command)
