"""flask CLI commands for running an installation: delete expired drafts."""

import click
from flask import Flask
from flask.cli import with_appcontext

from . import submissions


@click.command("purge-drafts")
@with_appcontext
def purge_drafts_command() -> None:
    """Delete drafts past their expiry that never reached the clinic (run it daily)."""
    deleted = submissions.purge_expired_drafts()
    click.echo(f"Deleted {deleted} expired draft{'' if deleted == 1 else 's'}.")


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(purge_drafts_command)
