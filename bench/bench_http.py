"""Benchmark questionnaire steps over HTTP against a plain Flask app doing the same work.

Usage: .venv/bin/python bench/bench_http.py [--seconds N] [--rounds N] [--patients N] [--think S]

Serves three apps the same way (gunicorn, the same number of sync workers, 127.0.0.1, no access
log, SQLite in WAL mode in a temporary folder) and loads each with wrk (Debian: `apt-get
install wrk`) in one run:

- the reference (reference_app.py), the yardstick: GET /step reads a draft and renders a
  FlaskForm of eight questions; POST /step validates it, stores the answers and redirects;
- the screener, with a database built by its migrations and drafts started over HTTP as a
  patient starts them (start page, privacy notice, About you):
  - blank step GET: GET /step/safety of a draft with nothing stored on that step;
  - answered step GET: the same page once its answers are stored (Back, or Change);
  - step POST: POST /step/safety with the CSRF token, the draft token and eight answers,
    which redirects to the next step;
- hello: a bare Flask route, for context only.

The apps are measured in rounds (3 by default), each on fresh drafts. In a round each screener
request is measured right next to the reference request it is compared with (the reference's
GET for the GETs, its POST for the POST), the reference first in odd rounds and second in even
ones; each measurement follows a short warm-up of the same requests that is not counted. Each
ratio is the median of the rounds' ratios: a shared machine's speed drifts by a fifth within
minutes. Target: each of the three screener rows at least 0.75 × the reference's requests per
second.

Last, a mix: many simulated patients at once (200 by default) each doing one whole journey
(tests/load/journeys.py: every page fetched, then posted, review, submit, confirmation), each
pausing before every request as a person does (--think, 0 for none), within a time cap.
Prints its latency percentiles; target: p95 under 100 ms. The patients are Python threads on
the same cores as the server, so their own scheduling counts in the latency they measure.

wrk, the patients and the servers share the machine: compare ratios within one run, never
absolute figures across machines or runs.
"""

import argparse
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from statistics import median
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

import reference_app  # noqa: E402
from flask import Flask, session  # noqa: E402
from flask_wtf.csrf import generate_csrf  # noqa: E402

from tests.load.journeys import (  # noqa: E402
    CSRF_RE,
    TOKEN_RE,
    TRANSIENT,
    Browser,
    JourneyError,
    OutOfTime,
    Stats,
    make_patient,
    run_journey,
)
from tests.load.server import Gunicorn, app_environment, migrate  # noqa: E402

TARGET = 0.75  # of the reference's requests per second
P95_TARGET_MS = 100
STEP = "/step/safety"
INPUT_RE = re.compile(r"<input\b[^>]*>")
NAME_RE = re.compile(r'\bname="([^"]+)"')

# wrk script: each thread loops over its share of prepared requests, a Cookie header and a
# form body (empty for a GET) per line, and counts responses whose status is not the expected.
LUA = """
local threads, counter = {}, 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  path, expected = args[1], tonumber(args[3])
  items, index, unexpected = {}, 0, 0
  local n, stride = 0, tonumber(args[4])
  for line in io.lines(args[2]) do
    if n % stride == id then table.insert(items, line) end
    n = n + 1
  end
end
function request()
  index = index % #items + 1
  local cookie, body = items[index]:match("([^\\t]*)\\t(.*)")
  local headers = {["Cookie"] = cookie}
  if body == "" then return wrk.format("GET", path, headers) end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  return wrk.format("POST", path, headers, body)
end
function response(status, headers, body)
  if status ~= expected then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local unexpected = 0
  for _, thread in ipairs(threads) do unexpected = unexpected + thread:get("unexpected") end
  io.write(string.format("unexpected: %d\\n", unexpected))
end
"""


def hello_app() -> Flask:
    """A bare Flask app with one route, for context."""
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
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p99": float(p99.group(1)) * units[p99.group(2)],
        "problems": ", ".join(
            text
            for text in (
                errors and f"socket errors {errors.group(1)}",
                non_2xx and f"{non_2xx.group(1)} non-2xx/3xx",
                unexpected and int(unexpected.group(1)) and f"{unexpected.group(1)} unexpected",
            )
            if text
        ),
    }


def wrk(args, port: int, path: str, requests: Path | None, expected: int, seconds: int) -> dict:
    command = [
        "wrk",
        f"--threads={args.threads}",
        f"--connections={args.connections}",
        f"--duration={seconds}s",
        "--timeout=10s",
        "--latency",
    ]
    if requests:
        command += ["--script", str(args.script)]
    command.append(f"http://127.0.0.1:{port}{path}")
    if requests:
        command += ["--", path, str(requests), str(expected), str(args.threads)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(done.stderr or done.stdout)
    return parse_wrk(done.stdout)


def measure(args, port: int, path: str, requests: Path | None = None, expected=200) -> dict:
    """A measurement after a short warm-up of the same requests (not counted), so that each
    server has imported, compiled and cached what these requests use."""
    wrk(args, port, path, requests, expected, args.warm_up)
    return wrk(args, port, path, requests, expected, args.seconds)


def write_requests(path: Path, lines: list[tuple[str, str]]) -> Path:
    """A file of requests for the wrk script: a Cookie header and a form body per line."""
    path.write_text("".join(f"{cookie}\t{body}\n" for cookie, body in lines))
    return path


def cookie_header(browser: Browser) -> str:
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def start_draft(port: int, number: int) -> tuple[str, str, str]:
    """Start a screener draft over HTTP, up to the safety step; return its Cookie header, the
    CSRF and draft tokens from the safety page, and the page itself."""
    browser = Browser(port, "en", Stats(), time.monotonic() + 60, retry=False, timeout=10)
    csrf = [("csrf_token", CSRF_RE.search(browser.get("/").text).group(1))]
    browser.post("/", [*csrf, ("privacy", "y")], "/step/about-you")
    about_you = [
        ("full_name", f"Bench Patient {number}"),
        ("date_of_birth-day", "1"),
        ("date_of_birth-month", "1"),
        ("date_of_birth-year", "1970"),
    ]
    browser.post("/step/about-you", [*csrf, *about_you, ("action", "continue")], STEP)
    page = browser.get(STEP).text
    hidden = [("csrf_token", CSRF_RE.search(page).group(1)), ("token", TOKEN_RE.search(page)[1])]
    return cookie_header(browser), urlencode(hidden), page


def screener_requests(folder: Path, port: int, count: int, name: str) -> tuple[Path, Path]:
    """`count` fresh drafts at the safety step: a file of step GETs and one of step POSTs."""
    with ThreadPoolExecutor(4) as pool:
        drafts = list(pool.map(lambda number: start_draft(port, number), range(count)))
    # The page's questions, in order: the names of its radio buttons.
    inputs = INPUT_RE.findall(drafts[0][2])
    radios = dict.fromkeys(NAME_RE.search(tag)[1] for tag in inputs if 'type="radio"' in tag)
    answers = urlencode([("action", "continue"), *((key, "no") for key in radios)])
    gets = write_requests(folder / f"{name}-get.txt", [(c, "") for c, _h, _p in drafts])
    posts = [(cookie, f"{hidden}&{answers}") for cookie, hidden, _page in drafts]
    return gets, write_requests(folder / f"{name}-post.txt", posts)


def reference_requests(folder: Path, app: Flask, count: int, name: str) -> tuple[Path, Path]:
    """`count` fresh reference drafts: a file of GETs and one of POSTs answering every question,
    each with a session cookie holding the draft's token and a CSRF token, signed as the server
    signs them."""
    Draft, db = reference_app.Draft, reference_app.db
    tokens = [secrets.token_urlsafe(32) for _ in range(count)]
    with app.app_context():
        db.session.add_all(Draft(token_hash=reference_app.token_digest(t)) for t in tokens)
        db.session.commit()
    serializer = app.session_interface.get_signing_serializer(app)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    gets, posts = [], []
    for token in tokens:
        with app.test_request_context():  # a `g` of its own for each draft's CSRF token
            session[reference_app.TOKEN_KEY] = token
            csrf = generate_csrf()
            cookie = f"{cookie_name}={serializer.dumps(dict(session))}"
            radios = [f.name for f in reference_app.SafetyForm() if f.type == "RadioField"]
        fields = [("csrf_token", csrf), ("action", "continue"), *((n, "no") for n in radios)]
        gets.append((cookie, ""))
        posts.append((cookie, urlencode(fields)))
    gets = write_requests(folder / f"{name}-get.txt", gets)
    return gets, write_requests(folder / f"{name}-post.txt", posts)


class MixStats(Stats):
    """Stats that also keep each request's own, to name the slowest."""

    def __init__(self):
        super().__init__()
        self.pages: dict[str, Stats] = {}

    def record(self, method: str, path: str, status: int, seconds: float) -> None:
        super().record(method, path, status, seconds)
        with self.lock:
            page = self.pages.setdefault(f"{method} {path}", Stats())
        page.record(method, path, status, seconds)

    def slowest(self, count: int) -> list[tuple[str, Stats]]:
        """The `count` requests with the highest p95."""
        ranked = sorted(self.pages.items(), key=lambda item: item[1].percentile_ms(0.95))
        return ranked[::-1][:count]


class PatientBrowser(Browser):
    """A patient's browser, the patient pausing before each request (reading, answering)."""

    def __init__(self, *args, think: float, rng: random.Random, **kwargs):
        super().__init__(*args, **kwargs)
        self.think = think
        self.rng = rng

    def request(self, method: str, path: str, form: list | None = None):
        time.sleep(self.rng.uniform(0, 2 * self.think))
        return super().request(method, path, form)


def run_mix(port: int, patients: int, think: float, seconds: float) -> dict:
    """`patients` threads at once, each one whole journey; the time cap ends what is left."""
    stats = MixStats()
    deadline = time.monotonic() + seconds
    outcomes = {"done": 0, "failed": [], "out of time": 0}
    lock = threading.Lock()

    def journey(number: int) -> None:
        rng = random.Random(f"mix-{number}")
        patient = make_patient(rng, number)
        browser = PatientBrowser(
            port, patient.language, stats, deadline, False, 30.0, think=think, rng=rng
        )
        try:
            run_journey(browser, patient)
            outcome = "done"
        except OutOfTime:
            outcome = "out of time"
        except (JourneyError, *TRANSIENT) as exc:
            with lock:
                outcomes["failed"].append(f"journey {number}: {exc!r}"[:500])
            return
        with lock:
            outcomes[outcome] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(patients) as pool:
        list(pool.map(journey, range(patients)))
    elapsed = time.monotonic() - started
    return {"stats": stats, "seconds": elapsed, **outcomes}


def run_round(args, folder: Path, number: int, reference: Flask, ref_port: int, port: int):
    """One round on fresh drafts: each screener request measured next to the reference request
    it is compared with, the reference first in odd rounds and second in even ones. Returns
    each row's (screener's, reference's) figures."""
    ref_get, ref_post = reference_requests(folder, reference, args.drafts, f"ref-{number}")
    gets, posts = screener_requests(folder, port, args.drafts, f"step-{number}")
    reference_get = (ref_port, "/step", ref_get, 200)
    pairs = {
        "blank step GET": ((port, STEP, gets, 200), reference_get),
        "step POST": ((port, STEP, posts, 302), (ref_port, "/step", ref_post, 302)),
        # The POSTs stored these drafts' safety answers: now a return visit.
        "answered step GET": ((port, STEP, gets, 200), reference_get),
    }
    measured = {}
    for name, (screener, yardstick) in pairs.items():
        if number % 2:
            on_reference = measure(args, *yardstick)
            on_screener = measure(args, *screener)
        else:
            on_screener = measure(args, *screener)
            on_reference = measure(args, *yardstick)
        measured[name] = (on_screener, on_reference)
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="per measurement")
    parser.add_argument("--warm-up", type=int, default=2, help="seconds before each measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of reference and screener")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=20, help="wrk connections")
    parser.add_argument("--drafts", type=int, default=50, help="drafts each round rotates over")
    parser.add_argument("--patients", type=int, default=200, help="in the mix (0: no mix)")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause per request, s")
    parser.add_argument("--mix-seconds", type=int, default=90, help="time cap of the mix")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install wrk (Debian/Ubuntu), brew install wrk (macOS).")
        return 1

    rounds, mix = [], None
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        args.script = folder / "requests.lua"
        args.script.write_text(LUA)
        screener_url = f"sqlite:///{folder / 'screener.sqlite3'}"
        migrate(screener_url)
        reference_url = f"sqlite:///{folder / 'reference.sqlite3'}"
        secret_key = app_environment(reference_url)["SECRET_KEY"]  # what the servers sign with
        reference = reference_app.create_app(
            {"SECRET_KEY": secret_key, "SQLALCHEMY_DATABASE_URI": reference_url}
        )
        with reference.app_context():
            reference_app.db.create_all()

        servers = []

        def serve(name: str, url: str, app: str, ready_path: str = "/", **options) -> Gunicorn:
            # One after the other: each picks a free port when built.
            server = Gunicorn(
                url,
                folder / f"{name}.log",
                workers=args.workers,
                app=app,
                access_log=False,
                **options,
            )
            servers.append(server)
            server.start(ready_path=ready_path)
            return server

        try:
            # All stay up; the ones not being measured are idle.
            hello = serve("hello", screener_url, "bench_http:hello_app()", pythonpath=str(BENCH))
            ref = serve(
                "reference",
                reference_url,
                "reference_app:create_app()",
                "/static/site.css",
                pythonpath=str(BENCH),
            )
            server = serve(
                "screener", screener_url, "screener:create_app()", "/about-si-joint-fusion"
            )
            for number in range(1, args.rounds + 1):
                rounds.append(run_round(args, folder, number, reference, ref.port, server.port))
            context = measure(args, hello.port, "/")
            if args.patients:
                mix = run_mix(server.port, args.patients, args.think, args.mix_seconds)
        finally:
            for running in servers:
                running.stop()
            with reference.app_context():
                reference_app.db.engine.dispose()

    report(args, rounds, context, mix)
    return 0


def report(args, rounds: list[dict], context: dict, mix: dict | None) -> None:
    print(
        f"gunicorn {args.workers} sync workers; wrk {args.threads} threads, "
        f"{args.connections} connections; {args.warm_up} s warm-up + {args.seconds} s each; "
        f"{len(rounds)} rounds; SQLite (WAL); one machine"
    )
    for number, measured in enumerate(rounds, 1):
        print(
            f"round {number}, req/s of screener / reference: "
            + "; ".join(
                f"{name} {mine['rps']:.0f} / {theirs['rps']:.0f}"
                for name, (mine, theirs) in measured.items()
            )
        )
    print(
        f"{'median of the rounds':20} {'req/s':>7} {'p99 ms':>7} {'ref req/s':>10} "
        f"{'ref p99':>8} {'× ref':>6}  target (req/s)"
    )
    for name in rounds[0]:
        mine = [m[name][0] for m in rounds]
        theirs = [m[name][1] for m in rounds]
        ratio = median(a["rps"] / b["rps"] for a, b in zip(mine, theirs, strict=True))
        problems = ", ".join(f["problems"] for f in mine + theirs if f["problems"])
        print(
            f"{name:20} {median(f['rps'] for f in mine):7.0f} {median(f['p99'] for f in mine):7.1f}"
            f" {median(f['rps'] for f in theirs):10.0f} {median(f['p99'] for f in theirs):8.1f}"
            f" {ratio:6.2f}  >= {TARGET} {'met' if ratio >= TARGET else 'MISSED'}"
            + (f"  ({problems})" if problems else "")
        )
    print(
        f"{'hello (context)':20} {context['rps']:7.0f} {context['p99']:7.1f}"
        + (f"  ({context['problems']})" if context["problems"] else "")
    )
    if mix is None:
        return
    stats = mix["stats"]
    p95 = stats.percentile_ms(0.95)
    pauses = f"pausing 0-{2 * args.think:g} s before each request" if args.think else "no pauses"
    print(
        f"mix: {args.patients} patients at once, one journey each, {pauses}; "
        f"{mix['done']} journeys done, {len(mix['failed'])} failed, "
        f"{mix['out of time']} out of time ({args.mix_seconds} s cap) in {mix['seconds']:.0f} s"
    )
    print(
        f"mix: {stats.requests} requests ({stats.requests / mix['seconds']:.0f}/s); "
        f"p50 {stats.percentile_ms(0.5):.1f} ms, p95 {p95:.1f} ms, "
        f"p99 {stats.percentile_ms(0.99):.1f} ms; 5xx: {len(stats.server_errors)}; "
        f"p95 < {P95_TARGET_MS} ms: {'met' if p95 < P95_TARGET_MS else 'MISSED'}"
    )
    slowest = ", ".join(
        f"{name} {page.percentile_ms(0.95):.0f} ms" for name, page in stats.slowest(4)
    )
    print(f"mix: highest p95 (requests): {slowest}")
    for failure in mix["failed"][:3]:
        print(f"  {failure}")


if __name__ == "__main__":
    sys.exit(main())
