"""What the queue and export benchmarks share: a seeded clinic database and a signed-in client.

The database is SQLite in a folder the caller owns, built by the migrations as a deployment
builds it, with one clinician and synthetic submissions from screener.demo (every outcome and
urgency, about half of the older ones reviewed; most with an appointment from an invitation,
three in four of those in the next two weeks and the rest past, as screener.demo makes them).
Importing this module puts the project on sys.path, so the benchmarks import it before the
screener.
"""

import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from screener import create_app, demo  # noqa: E402
from screener.extensions import db  # noqa: E402
from screener.models import Role, Submission, User, utcnow  # noqa: E402
from tests.load.server import migrate  # noqa: E402

EMAIL, PASSWORD = "bench@clinic.example", "benchmark password"


def make_app(url: str):
    return create_app(
        {
            "SECRET_KEY": "bench",
            # The test client asks for localhost; serving needs PUBLIC_URL outside development.
            "PUBLIC_URL": "http://localhost",
            "SESSION_COOKIE_SECURE": False,
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )


def seed_database(folder: Path, rows: int, seed: int) -> tuple[str, float, Counter]:
    """A migrated SQLite database in `folder` with a clinician and `rows` demo submissions.

    Returns its URL, the seconds the submissions took to store and their count per outcome,
    with "appointments" (how many have one) and "upcoming" (how many from now on).
    """
    url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
    migrate(url)
    app = make_app(url)
    with app.app_context():
        user = User(email=EMAIL, role=Role.CLINICIAN)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        start = time.perf_counter()
        counts = demo.seed(rows, seed=seed, reviewer_id=user.id)
        seconds = time.perf_counter() - start
        appointments = select(func.count(Submission.id)).where(
            Submission.appointment_at.is_not(None)
        )
        counts["appointments"] = db.session.scalar(appointments)
        counts["upcoming"] = db.session.scalar(
            appointments.where(Submission.appointment_at >= utcnow())
        )
        db.session.remove()
        db.engine.dispose()
    return url, seconds, counts


def signed_in_client(app):
    client = app.test_client()
    response = client.post("/clinic/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 302, "sign-in failed"
    return client


def time_get(client, url: str, requests: int) -> tuple[float, float]:
    """Median and 95th percentile of `requests` GETs in ms (after three warm-up requests)."""
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return statistics.median(timings), statistics.quantiles(timings, n=20)[-1]
