"""Benchmark the clinic queue over many demo submissions.

Usage: .venv/bin/python bench/bench_queue.py [--rows N] [--requests N] [--seed N]

Seeds N demo submissions (default 10,000) into a migrated SQLite database in a temporary folder
(bench/seeded.py), signs a clinician in with the test client, then times GET requests of the
queue: the first page in each order (the default, by appointment, is the one with a target:
p95 under 50 ms at 100,000 rows), a deep page, an outcome filter, a name search, the poll for
new urgent ones and the Patients view. Prints the median and 95th percentile in milliseconds for
each. The CSV export is bench/bench_exports.py's.

`--rows 100000` is the size the target is for.
"""

import argparse
import sys
import tempfile
from datetime import UTC, datetime, timedelta

from seeded import make_app, seed_database, signed_in_client, time_get

TARGET_MS = 50  # the queue's first page, p95, at 100,000 submissions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url, seeded, counts = seed_database(folder, args.rows, args.seed)
        print(f"seeded {args.rows:,} demo submissions in {seeded:.1f} s: {dict(counts)}")
        client = signed_in_client(make_app(url))
        deep = max(1, args.rows // 50 // 2)
        recently = (datetime.now(UTC) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%MZ")
        cases = [
            ("queue, first page", "/clinic/", TARGET_MS),
            ("  sorted by submitted", "/clinic/?sort=submitted", None),
            ("  sorted by outcome", "/clinic/?sort=outcome", None),
            (f"queue, page {deep}", f"/clinic/?page={deep}", None),
            ("queue, outcome filter", "/clinic/?category=discuss_referral&review=new", None),
            ("queue, name search", "/clinic/?q=garza", None),
            # As a queue loaded ten minutes ago asks.
            ("new urgent count (poll)", f"/clinic/queue/urgent-count?since={recently}", None),
            ("patients, first page", "/clinic/patients", None),
        ]
        print(f"{args.requests} GETs each (test client, one process, SQLite):")
        for label, path, target in cases:
            median, p95 = time_get(client, path, args.requests)
            verdict = ""
            if target is not None:
                verdict = f"   target p95 < {target} ms: {'met' if p95 < target else 'MISSED'}"
            print(f"  {label:26} median {median:6.1f} ms   p95 {p95:6.1f} ms{verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
