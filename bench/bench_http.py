"""Benchmark questionnaire requests over HTTP, each as a ratio to a bare Flask "hello" route.

Usage: .venv/bin/python bench/bench_http.py [--seconds N] [--rounds N] [--workers N]
       [--connections N]

Serves a one-route Flask app and the screener app the same way (gunicorn, the same number
of sync workers, 127.0.0.1, no access log, a SQLite database built by the migrations in a
temporary folder) and loads each with wrk (Debian: `apt-get install wrk`) in one run:

- hello: GET of the bare route, the yardstick;
- step GET: GET /step/safety of a live draft with nothing stored on that step yet, as a
  patient first sees it after Continue (the page is rendered once per process and language,
  then only the patient's tokens are put in; see patient.views._blank_step);
- step POST: POST /step/safety with the CSRF token and eight answers, spread over many drafts
  (each post is checked, stored and reassessed, then redirects to the next step);
- step GET, answered: the same page once its answers are stored (going Back, or Change from
  the review), rendered in full with the stored answers; no target, shown for comparison;
- submit: POST /review, sending drafts prepared beforehand with complete answers, each once.

hello, step GET and step POST are measured in rounds (3 by default, each on fresh drafts), and
each ratio is the median of the rounds' ratios, hello measured just before in the same round:
a shared machine's speed drifts by a fifth within minutes. The answered GET and the submit are
measured once, after the rounds, against the median hello. Each measurement but the submit's
follows a short warm-up of the same requests that is not counted.

Prints requests per second and the 99th-percentile latency of each, with their ratios to hello
(targets: step GET >= 0.4, step POST >= 0.2, in requests per second). wrk and the server share
the machine: compare the ratios within one run, never absolute figures across machines or runs.
"""

import argparse
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask, session  # noqa: E402
from flask_wtf.csrf import generate_csrf  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from screener import create_app  # noqa: E402
from screener.extensions import db  # noqa: E402
from screener.models import Patient, Status, Submission, token_digest, utcnow  # noqa: E402
from screener.patient.views import remember_draft  # noqa: E402
from screener.questions import STEPS  # noqa: E402
from screener.scoring import RED_FLAG_KEYS, assess, validate  # noqa: E402
from tests.load.journeys import make_patient  # noqa: E402
from tests.load.server import Gunicorn, app_environment, migrate  # noqa: E402

TARGETS = {"step GET": 0.4, "step POST": 0.2}
SAFE = [(key, "no") for key in RED_FLAG_KEYS]

# wrk script: each thread sends its share of prepared requests (a cookie and a form body per
# line); with "once" it stops when its share is used up, so every submit is a first submit.
LUA = """
local threads, counter = {}, 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  path, expected, once = args[1], tonumber(args[3]), args[5] == "once"
  items, index, unexpected, repeated = {}, 0, 0, 0
  local n, stride = 0, tonumber(args[4])
  for line in io.lines(args[2]) do
    if n % stride == id then table.insert(items, line) end
    n = n + 1
  end
end
function request()
  index = index + 1
  if index > #items then
    index = once and #items or 1
    if once then repeated = repeated + 1 end
  end
  local cookie, body = items[index]:match("([^\\t]*)\\t(.*)")
  local headers = {["Cookie"] = "session=" .. cookie}
  if body == "" then return wrk.format("GET", path, headers) end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  return wrk.format("POST", path, headers, body)
end
function response(status, headers, body)
  if status ~= expected then unexpected = unexpected + 1 end
  if once and index >= #items then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local unexpected, repeated = 0, 0
  for _, thread in ipairs(threads) do
    unexpected = unexpected + thread:get("unexpected")
    repeated = repeated + thread:get("repeated")
  end
  io.write(string.format("unexpected: %d\\nrepeated: %d\\n", unexpected, repeated))
end
"""


def hello_app() -> Flask:
    """The yardstick: a bare Flask app with one route."""
    app = Flask(__name__)
    app.add_url_rule("/", "hello", lambda: "Hello, World!")
    return app


def parse_wrk(output: str) -> dict:
    """Requests per second, p99 latency in ms, and errors from wrk's --latency output."""
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    errors = re.search(r"Socket errors: (.*)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    unexpected = re.search(r"^unexpected: (\d+)", output, re.MULTILINE)
    repeated = re.search(r"^repeated: (\d+)", output, re.MULTILINE)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p99": float(p99.group(1)) * units[p99.group(2)],
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "problems": ", ".join(
            text
            for text in (
                errors and f"socket errors {errors.group(1)}",
                non_2xx and f"{non_2xx.group(1)} non-2xx/3xx",
                unexpected and int(unexpected.group(1)) and f"{unexpected.group(1)} unexpected",
                repeated and int(repeated.group(1)) and f"{repeated.group(1)} repeated",
            )
            if text
        ),
    }


def wrk(
    args, port: int, path: str, script: Path | None = None, script_args=(), seconds=None
) -> dict:
    seconds = seconds or args.seconds
    command = [
        "wrk",
        f"--threads={args.threads}",
        f"--connections={args.connections}",
        f"--duration={seconds}s",
        "--timeout=10s",
        "--latency",
    ]
    if script:
        command += ["--script", str(script)]
    command.append(f"http://127.0.0.1:{port}{path}")
    if script:
        command += ["--", path, *map(str, script_args)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(done.stderr or done.stdout)
    return parse_wrk(done.stdout)


def measure(args, port: int, path: str, script: Path | None = None, script_args=()) -> dict:
    """A measurement after a short warm-up of the same requests (not counted), so that each
    server has imported, compiled and cached what these requests use."""
    wrk(args, port, path, script, script_args, seconds=args.warm_up)
    return wrk(args, port, path, script, script_args)


def prepare_drafts(app: Flask, count: int, complete: bool, seed: int) -> list[tuple[str, str]]:
    """Store `count` drafts with a patient (and, if `complete`, every answer); return each one's
    session cookie and CSRF token, signed as the server signs them."""
    serializer = app.session_interface.get_signing_serializer(app)
    rng = random.Random(seed)
    now = utcnow()
    slugs = [step.slug for step in STEPS]
    tokens = []
    with app.app_context():
        for number in range(count):
            patient = make_patient(rng, number)
            answers = validate(patient.answers if complete else {})
            token = secrets.token_urlsafe(32)
            submission = Submission(
                reference=Submission.new_reference(),
                token_hash=token_digest(token),
                status=Status.DRAFT,
                answers=answers,
                steps_done=slugs if complete else ["about-you"],
                created_at=now,
                expires_at=now + timedelta(days=30),
                patient=Patient(
                    full_name=patient.identity["full_name"],
                    name_search=patient.identity["full_name"].casefold(),
                    date_of_birth=now.date().replace(year=1970),
                ),
            )
            submission.apply_assessment(assess(answers).to_dict())
            db.session.add(submission)
            tokens.append(token)
        db.session.commit()
    drafts = []
    for token in tokens:
        # A request context of its own (and so its own `g`) for each draft's CSRF token.
        with app.test_request_context():
            remember_draft(token)  # the session as the app keeps it
            csrf = generate_csrf()
            drafts.append((serializer.dumps(dict(session)), csrf, token))
    return drafts


def submitted_count(app: Flask) -> int:
    with app.app_context():
        query = select(func.count()).where(Submission.status == Status.SUBMITTED)
        return db.session.scalar(query)


def step_requests(folder: Path, app: Flask, args, seed: int) -> tuple[Path, Path]:
    """Fresh drafts with nothing stored on the safety step: a file of GETs and one of POSTs."""
    steps = prepare_drafts(app, args.drafts, complete=False, seed=seed)
    gets = folder / f"step-get-{seed}.txt"
    gets.write_text("".join(f"{cookie}\t\n" for cookie, _csrf, _token in steps))
    posts = folder / f"step-post-{seed}.txt"
    lines = []
    for cookie, csrf, token in steps:
        fields = [("csrf_token", csrf), ("token", token), ("action", "continue"), *SAFE]
        lines.append(f"{cookie}\t" + "&".join(f"{k}={v}" for k, v in fields) + "\n")
    posts.write_text("".join(lines))
    return gets, posts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of hello, step GET, POST")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=20, help="wrk connections")
    parser.add_argument("--drafts", type=int, default=50, help="drafts the step POSTs rotate over")
    parser.add_argument("--warm-up", type=int, default=2, help="seconds before each measurement")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install wrk (Debian/Ubuntu), brew install wrk (macOS).")
        return 1

    rounds, extra = [], {}
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
        migrate(url)
        script = folder / "requests.lua"
        script.write_text(LUA)
        env = app_environment(url)
        app = create_app(
            {"SECRET_KEY": env["SECRET_KEY"], "SQLALCHEMY_DATABASE_URI": url, "TESTING": False}
        )
        hello = Gunicorn(
            url,
            folder / "hello.log",
            workers=args.workers,
            app="bench_http:hello_app()",
            access_log=False,
            pythonpath=str(ROOT / "bench"),
        )
        server = None
        stride = args.threads
        try:
            hello.start(ready_path="/")
            # Built once hello serves: each picks a free port when built.
            server = Gunicorn(url, folder / "screener.log", workers=args.workers, access_log=False)
            server.start()  # both stay up; a server not being measured is idle
            for number in range(1, args.rounds + 1):
                gets, posts = step_requests(folder, app, args, seed=number)
                rounds.append(
                    {
                        "hello": measure(args, hello.port, "/"),
                        "step GET": measure(
                            args, server.port, "/step/safety", script, (gets, 200, stride, "loop")
                        ),
                        "step POST": measure(
                            args, server.port, "/step/safety", script, (posts, 302, stride, "loop")
                        ),
                    }
                )
            # The last round's POSTs stored the safety answers of its drafts: a return visit.
            extra["step GET, answered"] = measure(
                args, server.port, "/step/safety", script, (gets, 200, stride, "loop")
            )
            # Enough fresh drafts for the whole run at the step POST's rate, and then some.
            count = int(rounds[-1]["step POST"]["rps"] * args.seconds * 1.5) + args.connections
            started = time.perf_counter()
            ready = prepare_drafts(app, count, complete=True, seed=0)
            prepared = time.perf_counter() - started
            submits = folder / "submit.txt"
            submits.write_text(
                "".join(
                    f"{cookie}\tcsrf_token={csrf}&token={token}\n" for cookie, csrf, token in ready
                )
            )
            before = submitted_count(app)
            extra["submit"] = wrk(
                args, server.port, "/review", script, (submits, 302, stride, "once")
            )
            sent = submitted_count(app) - before
        finally:
            if server is not None:
                server.stop()
            hello.stop()
            with app.app_context():
                db.engine.dispose()

    print(
        f"gunicorn {args.workers} sync workers; wrk {args.threads} threads, "
        f"{args.connections} connections; {args.warm_up} s warm-up + {args.seconds} s each; "
        f"SQLite; one machine"
    )
    print(f"(prepared {count} complete drafts in {prepared:.1f} s; {sent} were sent)")
    for number, measured in enumerate(rounds, 1):
        base = measured["hello"]["rps"]
        print(
            f"round {number}: "
            + "; ".join(
                f"{name} {figures['rps']:.0f} req/s ({figures['rps'] / base:.2f} × hello), "
                f"p99 {figures['p99']:.1f} ms"
                for name, figures in measured.items()
            )
        )
    heading = f"{'req/s':>7} {'× hello':>8} {'p99 ms':>8} {'× hello':>8}"
    print(f"{'median of the rounds':20} {heading}  target")
    hello_rps = median(measured["hello"]["rps"] for measured in rounds)
    hello_p99 = median(measured["hello"]["p99"] for measured in rounds)
    for name in rounds[0]:
        rps = median(measured[name]["rps"] for measured in rounds)
        ratio = median(measured[name]["rps"] / measured["hello"]["rps"] for measured in rounds)
        p99 = median(measured[name]["p99"] for measured in rounds)
        p99_ratio = median(measured[name]["p99"] / measured["hello"]["p99"] for measured in rounds)
        problems = ", ".join(m[name]["problems"] for m in rounds if m[name]["problems"])
        print_row(name, rps, ratio, p99, p99_ratio, problems)
    for name, figures in extra.items():
        print_row(
            name,
            figures["rps"],
            figures["rps"] / hello_rps,
            figures["p99"],
            figures["p99"] / hello_p99,
            figures["problems"],
        )
    return 0


def print_row(name: str, rps: float, ratio: float, p99: float, p99_ratio: float, problems: str):
    target = TARGETS.get(name)
    verdict = "" if target is None else f">= {target}  {'met' if ratio >= target else 'MISSED'}"
    print(
        f"{name:20} {rps:7.0f} {ratio:8.2f} {p99:8.1f} {p99_ratio:8.1f}  {verdict}"
        + (f"  ({problems})" if problems else "")
    )


if __name__ == "__main__":
    sys.exit(main())
