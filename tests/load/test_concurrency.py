"""Many patients at once against gunicorn: nothing lost, nothing doubled, no server error."""

from .conftest import check_acknowledged, logged_secrets
from .journeys import run_load, summary

JOURNEYS = 1000
CLIENTS = 16
MAX_SECONDS = 480  # 2,000 journeys took 196 s (SQLite) and 341 s (PostgreSQL) side by side
BROWSE_EVERY = 10  # one journey in ten fetches every page first, as a browser does


def test_a_thousand_parallel_journeys_are_each_stored_exactly_once(server, stored, capsys):
    server.start()
    result = run_load(server.port, JOURNEYS, CLIENTS, MAX_SECONDS, browse_every=BROWSE_EVERY)
    server.stop()
    with capsys.disabled():
        print(f"\nload ({server.workers} gunicorn workers, {CLIENTS} clients): {summary(result)}")

    assert not result.out_of_time, f"not done within {MAX_SECONDS} s"
    assert result.failures == []
    assert result.stats.server_errors == []
    assert result.stats.connection_errors == 0
    assert len(result.acknowledged) == JOURNEYS
    rows = stored()
    assert check_acknowledged(result.acknowledged, rows) == []
    sent = sum(row.status == "submitted" for found in rows.values() for row in found)
    assert sent == len(result.acknowledged)
    assert logged_secrets(server.log.read_text(), result.acknowledged.values()) == []
