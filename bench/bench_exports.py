"""Benchmark the clinic queue page and the full CSV export over 100,000 submissions.

Usage: .venv/bin/python bench/bench_exports.py [--rows N] [--requests N] [--seed N]

Builds a SQLite database with the migrations in a temporary folder and seeds it with synthetic
submissions (bench/seeded.py: every outcome and urgency, about half reviewed). Then, side by side:

- the queue: GET /clinic/ (first page, no filter) as a signed-in clinician, through the test
  client in this process; prints p50 and p95 over `--requests` requests (target p95 < 50 ms);
- the CSV export of every row with the identity columns, run in a fresh process that signs in
  and streams /clinic/export.csv to the end; prints the wall time (target < 5 s) and that
  process's peak resident memory from the kernel (VmHWM: the whole interpreter, app and export;
  target < 150 MB), and how much of it the export added.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from seeded import make_app, seed_database, signed_in_client, time_get

from screener.extensions import db

TARGETS = {"queue p95 ms": 50, "csv seconds": 5, "csv peak MB": 150}


def memory_mb(field: str) -> float:
    """A line of /proc/self/status (VmRSS now, VmHWM the peak so far) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def export_once(url: str) -> None:
    """In a fresh process: stream the whole CSV export and print figures as JSON."""
    app = make_app(url)
    client = signed_in_client(app)
    client.get("/clinic/")  # load what the first request loads, before measuring
    before = memory_mb("VmRSS")
    start = time.perf_counter()
    response = client.get("/clinic/export.csv?identity=1", buffered=False)
    size = lines = 0
    for chunk in response.response:
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "status": response.status_code,
                "rows": lines - 1,
                "mb": size / 1e6,
                "seconds": seconds,
                "before_mb": before,
                "peak_mb": memory_mb("VmHWM"),
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--export-only", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_only:
        export_once(args.export_only)
        return 0

    with tempfile.TemporaryDirectory() as folder:
        url, seeded, _counts = seed_database(folder, args.rows, args.seed)
        print(f"seeded {args.rows:,} submissions in {seeded:.1f} s (SQLite, migrated schema)")
        app = make_app(url)
        median, p95 = time_get(signed_in_client(app), "/clinic/", args.requests)
        with app.app_context():
            db.engine.dispose()
        done = subprocess.run(
            [sys.executable, __file__, "--export-only", url],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            print(done.stderr)
            return 1
        export = json.loads(done.stdout.strip().splitlines()[-1])

    figures = {
        "queue p95 ms": p95,
        "csv seconds": export["seconds"],
        "csv peak MB": export["peak_mb"],
    }
    print(f"queue page GET /clinic/ ({args.requests} requests, test client): ")
    print(f"  p50 {median:.1f} ms, p95 {p95:.1f} ms")
    print(
        f"CSV export with identity: {export['rows']:,} rows, {export['mb']:.1f} MB, "
        f"status {export['status']}"
    )
    print(
        f"  {export['seconds']:.2f} s; peak memory of the exporting process "
        f"{export['peak_mb']:.0f} MB (it held {export['before_mb']:.0f} MB before the export)"
    )
    for name, value in figures.items():
        verdict = "met" if value < TARGETS[name] else "MISSED"
        print(f"  target {name} < {TARGETS[name]}: {value:.1f} {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
