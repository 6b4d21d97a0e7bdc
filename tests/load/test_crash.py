"""SIGKILL the server again and again under load: every acknowledged submission survives whole."""

import random
import sqlite3
import threading

import psycopg
from sqlalchemy.engine import make_url

from .conftest import check_acknowledged, logged_secrets
from .journeys import run_load, summary

JOURNEYS = 200  # at least; more run until the last kill is done
CLIENTS = 16
KILLS = 5
MAX_SECONDS = 180


def killer(server, stop: threading.Event, rng: random.Random, errors: list) -> None:
    """Kill the server (master and workers at once) every 1 to 2.5 s of serving, then restart
    it on the same port; KILLS times, then leave it running."""
    try:
        while server.kills < KILLS and not stop.wait(rng.uniform(1.0, 2.5)):
            server.kill()
            server.start()
    except Exception as exc:  # reported by the test, not lost in this thread
        errors.append(exc)


def database_problems(url: str) -> list[str]:
    """The database's own integrity checks: SQLite's, or PostgreSQL's amcheck on every index."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connection = sqlite3.connect(parsed.database)
        try:
            integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            foreign_keys = connection.execute("PRAGMA foreign_key_check").fetchall()
        finally:
            connection.close()
        return ([] if integrity == ["ok"] else integrity) + [str(row) for row in foreign_keys]
    with psycopg.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, dbname=parsed.database
    ) as connection:
        connection.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        indexes = connection.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
        ).fetchall()
        for (index,) in indexes:
            # Raises on a corrupt B-tree; heapallindexed also checks every row is indexed.
            connection.execute("SELECT bt_index_check(%s::regclass, true)", (index,))
        orphans = connection.execute(
            "SELECT count(*) FROM patients p LEFT JOIN submissions s ON s.id = p.submission_id "
            "WHERE s.id IS NULL"
        ).fetchone()[0]
    return [f"{orphans} patients without a submission"] if orphans else []


def test_acknowledged_submissions_survive_repeated_sigkill(server, stored, database_url, capsys):
    server.start()
    stop = threading.Event()
    errors: list[Exception] = []
    thread = threading.Thread(target=killer, args=(server, stop, random.Random(7), errors))
    thread.start()
    try:
        result = run_load(
            server.port,
            JOURNEYS,
            CLIENTS,
            MAX_SECONDS,
            retry=True,
            timeout=10,
            browse_every=4,
            keep_going=lambda started: server.kills < KILLS and not errors,
        )
    finally:
        stop.set()
        thread.join(timeout=90)
    server.kill()  # the last one too: nothing is shut down cleanly
    rows = stored()
    lost = check_acknowledged(result.acknowledged, rows)
    with capsys.disabled():
        print(f"\ncrash: {server.kills} SIGKILLs; {summary(result)}; lost: {len(lost)}")

    assert errors == []
    assert server.kills >= KILLS
    assert not result.out_of_time, f"not done within {MAX_SECONDS} s"
    assert len(result.acknowledged) >= JOURNEYS
    assert database_problems(database_url) == []
    assert lost == []
    assert result.stats.server_errors == []
    assert result.failures == []
    assert logged_secrets(server.log.read_text(), result.acknowledged.values()) == []
