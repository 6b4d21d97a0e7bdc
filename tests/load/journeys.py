"""Patients answering the questionnaire over real HTTP, many at once, for the load tests.

Each simulated patient has its own cookie jar and does what a browser does: it opens each page
(reading the CSRF token and the draft token from the form), posts it, follows the redirect, and
finally reads its reference code on the confirmation page. That reference is the
acknowledgement: only a reference the patient has seen counts as a submission that must exist.
"""

import http.client
import random
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from screener.catalogue import STEPS, Question
from screener.scoring import FIELDS, RED_FLAG_KEYS, Kind, assess
from tests.answers import SAFE, dob_parts

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
TOKEN_RE = re.compile(r'name="token" value="([^"]*)"')
REFERENCE_RE = re.compile(r'<strong class="code">([A-Z2-9]{4}-[A-Z2-9]{4})</strong>')
CLINICAL_STEPS = [step for step in STEPS if step.questions]

# Distinctive names, so that finding one in a log cannot be a coincidence.
FIRST_NAMES = ("Zebulon", "Ottoline", "Marguerite", "Évariste", "Søren", "Ximena", "Zoë")
SURNAMES = ("Quillfeather", "Marchbanks", "Fairweather-Núñez", "Brightwater", "Oakenshield")
EMAIL_DOMAIN = "loadtest.example"
PHONE_PATTERN = r"555 01\d\d \d{4}"
COMMENTS = (
    "It hurts most when I get out of the car.",
    'Sitting > 20 min hurts & "driving" is worse; <b>not</b> at night.',
    "Me duele al levantarme de la silla. Año tras año.",
    "Schmerzen beim Treppensteigen — seit 2 Jahren. 腰が痛い。",
)
# What a failed request looks like while the server is being killed and restarted.
TRANSIENT = (OSError, http.client.HTTPException)


@dataclass(frozen=True)
class Patient:
    """Who a simulated patient is and what they answer, step by step."""

    identity: dict[str, str]
    steps: dict[str, dict]
    language: str

    @property
    def answers(self) -> dict:
        """The answers the clinic must end up with."""
        return {key: value for answers in self.steps.values() for key, value in answers.items()}

    @property
    def secrets(self) -> list[str]:
        """The identity strings that must never be logged."""
        return [value for value in self.identity.values() if value]


def _answer(rng: random.Random, question: Question):
    spec = FIELDS[question.key]
    if spec.kind is Kind.LIST:
        if "none" in spec.codes and rng.random() < 0.1:
            return ["none"]
        codes = [code for code in spec.codes if code != "none"]
        return rng.sample(codes, rng.randint(1, min(3, len(codes))))
    if spec.kind is Kind.INT:
        return rng.randint(spec.minimum, spec.maximum)
    if spec.kind is Kind.TEXT:
        return rng.choice(COMMENTS)
    return rng.choice(spec.codes)


def _safety(rng: random.Random) -> dict:
    answers = dict(SAFE)
    if rng.random() < 0.15:  # about one patient in seven raises a red flag
        answers[rng.choice(RED_FLAG_KEYS)] = rng.choice(["yes", "yes", "unsure"])
    return answers


def make_patient(rng: random.Random, number: int) -> Patient:
    """A patient with realistic, varied answers (some skipped, some red flags)."""
    born = date(1935, 1, 1) + timedelta(days=rng.randint(0, 365 * 65))
    identity = {
        "full_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} {number}",
        "date_of_birth": born.isoformat(),
        "phone": f"555 01{rng.randint(0, 99):02d} {number:04d}" if rng.random() < 0.8 else "",
        "email": f"patient{number}@{EMAIL_DOMAIN}" if rng.random() < 0.6 else "",
    }
    steps = {"safety": _safety(rng)}
    for step in CLINICAL_STEPS[1:]:
        answers = {}
        for question in step.questions:
            condition = question.shown_if
            if condition and answers.get(condition[0]) != condition[1]:
                continue
            # A list with a "None of these" box must be answered to continue its step.
            if rng.random() < 0.9 or question.none_label:
                answers[question.key] = _answer(rng, question)
        steps[step.slug] = answers
    return Patient(identity, steps, "es" if rng.random() < 0.2 else "en")


def form_data(answers: dict) -> list[tuple[str, str]]:
    """Answers as a browser posts them: one pair per ticked box, numbers as digits."""
    pairs = []
    for key, value in answers.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, str(item)))
    return pairs


class Stats:
    """Counts and timings of every request, shared by all the patients' threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.server_errors: list[str] = []
        self.connection_errors = 0

    def record(self, method: str, path: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if status >= 500:
                self.server_errors.append(f"{status} {method} {path}")

    def failed_connection(self) -> None:
        with self.lock:
            self.connection_errors += 1

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def percentile_ms(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Response:
    """What a request got back: its status, where it redirects, and the page."""

    status: int
    location: str
    text: str


class JourneyError(AssertionError):
    """The server answered something a browser would not expect at this point."""


class OutOfTime(Exception):
    """The run's deadline passed in the middle of a journey."""


class Browser:
    """One patient's browser: a cookie jar and a new connection per request.

    With `retry`, a request that fails to connect or is cut off is sent again (the server is
    being killed and restarted), until the deadline.
    """

    def __init__(
        self, port: int, language: str, stats: Stats, deadline: float, retry: bool, timeout: float
    ):
        self.port = port
        self.language = language
        self.stats = stats
        self.deadline = deadline
        self.retry = retry
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def _once(self, method: str, path: str, body: str | None) -> Response:
        headers = {"Accept-Language": self.language}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            elapsed = time.perf_counter() - started
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["expires"] and "1970" in morsel["expires"]:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            location = urlsplit(response.headers.get("Location", "")).path
        finally:
            connection.close()
        self.stats.record(method, path, response.status, elapsed)
        return Response(response.status, location, text)

    def request(self, method: str, path: str, form: list | None = None) -> Response:
        body = None if form is None else urlencode(form)
        while True:
            if time.monotonic() > self.deadline:
                raise OutOfTime(f"{method} {path}")
            try:
                return self._once(method, path, body)
            except TRANSIENT:
                if not self.retry:
                    raise
                self.stats.failed_connection()
                time.sleep(0.05)

    def get(self, path: str, expect: int = 200) -> Response:
        response = self.request("GET", path)
        if response.status != expect:
            raise JourneyError(f"GET {path}: {response.status}")
        return response

    def post(self, path: str, form: list, expect_location: str) -> Response:
        response = self.request("POST", path, form)
        if response.status != 302 or response.location != expect_location:
            raise JourneyError(
                f"POST {path}: {response.status} to {response.location!r}, "
                f"expected 302 to {expect_location!r}\n{response.text[:2000]}"
            )
        return response


def _hidden(page: Response) -> list[tuple[str, str]]:
    """The form's hidden CSRF and draft tokens, as the browser posts them back."""
    fields = [("csrf_token", CSRF_RE.search(page.text).group(1))]
    if token := TOKEN_RE.search(page.text):
        fields.append(("token", token.group(1)))
    return fields


def run_journey(browser: Browser, patient: Patient, browse: bool = True) -> str:
    """Answer the whole questionnaire and send it; returns the reference code shown.

    With `browse`, every page is fetched before it is posted, as a browser does; without, the
    patient posts each page straight after the last (with the CSRF token of the first page),
    which sends the same data with half the requests.
    """
    start = browser.get("/")
    fields = _hidden(start)
    browser.post("/", [*fields, ("privacy", "y")], "/step/about-you")

    def form(path: str) -> list[tuple[str, str]]:
        return _hidden(browser.get(path)) if browse else fields

    identity = [(key, value) for key, value in patient.identity.items() if key != "date_of_birth"]
    born = dob_parts(date.fromisoformat(patient.identity["date_of_birth"]))
    about_you = [*form("/step/about-you"), *identity, *born.items()]
    browser.post("/step/about-you", about_you, "/step/safety")
    for number, step in enumerate(CLINICAL_STEPS):
        path = f"/step/{step.slug}"
        answers = patient.steps[step.slug]
        following = CLINICAL_STEPS[number + 1] if number + 1 < len(CLINICAL_STEPS) else None
        expect = f"/step/{following.slug}" if following else "/review"
        if step.slug == "safety" and assess(answers).urgency is not None:
            expect = "/urgent"
        browser.post(path, [*form(path), ("action", "continue"), *form_data(answers)], expect)
        if expect == "/urgent" and browse:
            browser.get("/urgent")
    browser.post("/review", form("/review"), "/done")
    match = REFERENCE_RE.search(browser.get("/done").text)
    if match is None:
        raise JourneyError("no reference code on the confirmation page")
    return match.group(1)


@dataclass
class LoadResult:
    """What a run of many journeys produced."""

    stats: Stats
    seconds: float
    acknowledged: dict[str, Patient] = field(default_factory=dict)
    started: int = 0
    failures: list[str] = field(default_factory=list)
    out_of_time: bool = False


def run_load(
    port: int,
    journeys: int,
    clients: int,
    seconds: float,
    *,
    retry: bool = False,
    timeout: float = 30.0,
    browse_every: int = 1,
    keep_going=lambda started: False,
    seed: int = 0,
) -> LoadResult:
    """Run `journeys` journeys from `clients` threads (more while `keep_going(started)`, up to
    twice as many), stopping at the deadline `seconds` from now. One journey in `browse_every`
    fetches every page as a browser does; the others post straight through."""
    stats = Stats()
    deadline = time.monotonic() + seconds
    result = LoadResult(stats, 0.0)
    lock = threading.Lock()

    def next_number() -> int | None:
        with lock:
            wanted = result.started < journeys or (
                keep_going(result.started) and result.started < 2 * journeys
            )
            if not wanted or time.monotonic() > deadline:
                return None
            result.started += 1
            return result.started

    def client() -> None:
        while (number := next_number()) is not None:
            patient = make_patient(random.Random(f"{seed}-{number}"), number)
            browser = Browser(port, patient.language, stats, deadline, retry, timeout)
            try:
                reference = run_journey(browser, patient, browse=number % browse_every == 0)
            except OutOfTime:
                result.out_of_time = True
                return
            except (JourneyError, *TRANSIENT) as exc:
                with lock:
                    result.failures.append(f"journey {number}: {exc!r}"[:3000])
                continue
            with lock:
                result.acknowledged[reference] = patient

    started = time.monotonic()
    threads = [threading.Thread(target=client, name=f"patient-{n}") for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + 2 * timeout)
    result.seconds = time.monotonic() - started
    if any(thread.is_alive() for thread in threads):
        result.out_of_time = True
    return result


def summary(result: LoadResult) -> str:
    """One line of figures for the test's output."""
    stats = result.stats
    rate = len(result.acknowledged) / result.seconds if result.seconds else 0.0
    return (
        f"{len(result.acknowledged)} journeys acknowledged of {result.started} started in "
        f"{result.seconds:.1f} s ({rate:.0f}/s); {stats.requests} requests "
        f"({stats.requests / result.seconds:.0f}/s), p50 {stats.percentile_ms(0.5):.0f} ms, "
        f"p99 {stats.percentile_ms(0.99):.0f} ms; 5xx: {len(stats.server_errors)}; "
        f"failed connections: {stats.connection_errors}"
    )
