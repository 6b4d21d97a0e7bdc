"""The app served as the README deploys it: gunicorn with 4 workers, the rate limits in Redis,
behind a proxy (PROXY_HOPS=1), on the pass's database (PostgreSQL in the PostgreSQL pass).

Each limit must hold exactly across the workers, whichever worker answers each request.
"""

import http.client
import os
import re
import socket
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest
import redis

from screener import create_app
from screener.extensions import db
from screener.models import Role, User
from tests.answers import BORN, IDENTITY, SAFE, dob_parts
from tests.conftest import PASSWORD

from .conftest import migrated_database
from .server import Gunicorn

pytestmark = pytest.mark.db  # it reaches TEST_DATABASE_URL through migrated_database
WORKERS = 4
HIDDEN_INPUT = re.compile(r'<input[^>]*type="hidden"[^>]*>')
NAME = re.compile(r'name="([^"]+)"')
VALUE = re.compile(r'value="([^"]*)"')
RESUME_LINK = re.compile(r'class="resume-link" href="([^"]+)"')


def redis_url() -> str:
    """The Redis database scripts/test gives this pass; the test cannot run without one."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.fail("TEST_REDIS_URL is not set: run the tests with scripts/test (it starts Redis)")
    return url


@dataclass
class Response:
    status: int
    location: str
    text: str
    headers: http.client.HTTPMessage


@dataclass
class Visitor:
    """A browser at one address, reaching the app through the proxy (X-Forwarded-For), with a
    cookie jar; a new connection per request, so that any of the workers may answer."""

    port: int
    address: str
    host: str = ""
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict | None = None, **headers) -> Response:
        sent = {
            "Host": self.host or f"127.0.0.1:{self.port}",
            "X-Forwarded-For": self.address,
            **headers,
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["expires"] and "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        location = urlsplit(response.headers.get("Location", "")).path
        return Response(response.status, location, text, response.headers)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post_form(self, page: str, form: dict, path: str | None = None) -> Response:
        """Open page, then post form to it (or to path) with the page's hidden fields (its
        CSRF token, a draft's token), as a browser does."""
        opened = self.get(page)
        assert opened.status == 200, (page, opened.status)
        hidden = {}
        for tag in HIDDEN_INPUT.findall(opened.text):
            if (name := NAME.search(tag)) and (value := VALUE.search(tag)):
                hidden[name.group(1)] = value.group(1)
        return self.request("POST", path or page, {**hidden, **form})


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """gunicorn with 4 workers, limits in Redis, one proxy hop, on a migrated database."""
    directory = tmp_path_factory.mktemp("deployed")
    limits = redis_url()
    with migrated_database(directory) as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            user = User(email="doc@clinic.example", role=Role.ADMIN)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
        server = Gunicorn(
            url,
            directory / "server.log",
            workers=WORKERS,
            env={
                "RATELIMIT_ENABLED": "1",
                "RATELIMIT_STORAGE_URI": limits,
                "PROXY_HOPS": "1",
            },
        )
        server.start()
        try:
            yield server
        finally:
            server.stop()
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def port(deployed):
    """The server's port, with every rate-limit count cleared before the test."""
    redis.Redis.from_url(redis_url()).flushdb()
    return deployed.port


def sign_in(visitor: Visitor, password: str) -> Response:
    return visitor.post_form("/clinic/login", {"email": "doc@clinic.example", "password": password})


def test_the_sixth_failed_sign_in_from_one_address_is_refused_on_any_worker(port):
    stranger = Visitor(port, "203.0.113.9")
    # Eight tries and one more: under the address's own limit of ten posts a minute.
    statuses = [sign_in(stranger, "wrong password!").status for _ in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    refused = sign_in(stranger, PASSWORD)
    assert refused.status == 429  # even the right password, from there, for now
    assert 14 * 60 < int(refused.headers["Retry-After"]) <= 15 * 60
    # The clinician, at another address, is not kept out by the stranger's failures.
    assert sign_in(Visitor(port, "198.51.100.4"), PASSWORD).status == 302


def test_a_host_other_than_the_public_url_gets_400(port):
    assert Visitor(port, "203.0.113.9", host="evil.example").get("/").status == 400
    assert Visitor(port, "203.0.113.9").get("/").status == 200


def test_a_chunked_body_over_the_limit_gets_413(port):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(
            f"POST /clinic/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Transfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        piece = b"a" * 8192
        try:
            for _ in range(10):  # 80 KiB, over the default 64 KiB
                connection.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            connection.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may answer and close before reading it all
        status = connection.recv(4096).split(b"\r\n", 1)[0]
    assert status == b"HTTP/1.1 413 REQUEST ENTITY TOO LARGE"


def start(visitor: Visitor, identity: dict = IDENTITY) -> Response:
    """Tick the privacy notice and save About you; the second post's response."""
    started = visitor.post_form("/", {"privacy": "y"})
    assert started.status == 302, started.text[:500]
    return visitor.post_form("/step/about-you", identity)


def test_a_resume_links_sender_never_sees_what_its_opener_types(port):
    attacker = Visitor(port, "203.0.113.9")
    sender = {**IDENTITY, "full_name": "Mallory Sender", **dob_parts(date(1980, 1, 2))}
    assert start(attacker, sender).status == 302
    link = urlsplit(RESUME_LINK.search(attacker.get("/saved").text).group(1))
    assert f"{link.scheme}://{link.netloc}" == f"http://127.0.0.1:{port}"  # PUBLIC_URL's
    victim = Visitor(port, "198.51.100.4")
    asked = victim.get(link.path)
    assert asked.status == 200 and "Mallory" not in asked.text
    # The victim is talked into typing the sender's date of birth, then their own identity.
    opened = victim.post_form(link.path, dob_parts(date(1980, 1, 2)))
    assert opened.status == 302
    victim_identity = {**IDENTITY, "full_name": "Victoria Private"}
    assert victim.post_form("/step/about-you", victim_identity).status == 302
    assert "Victoria Private" in victim.get("/review").text
    for path in ("/review", "/step/about-you", "/saved", "/done", link.path):
        assert "Victoria" not in attacker.get(path).text
    assert attacker.get(link.path).status == 404  # the link's token was replaced


def test_the_eleventh_failed_resume_from_one_address_is_refused_on_any_worker(port):
    visitor = Visitor(port, "203.0.113.9")
    wrong = {**dob_parts(BORN)}
    statuses = [
        visitor.post_form("/resume", {"code": f"ABCD-EF{n:02d}", **wrong}).status for n in range(13)
    ]
    assert statuses == [200] * 10 + [429] * 3
    # A patient elsewhere is not affected.
    other = Visitor(port, "198.51.100.4").post_form("/resume", {"code": "ABCD-EFGH", **wrong})
    assert other.status == 200


def test_a_copied_clinic_session_stops_working_at_sign_out(port):
    clinician = Visitor(port, "198.51.100.4")
    assert sign_in(clinician, PASSWORD).status == 302
    export = "/clinic/export.csv?identity=1"
    # A copy used from another address is refused at once (Flask-Login's strong protection);
    # one used from the same address (the same office, the same computer) works, until...
    elsewhere = Visitor(port, "203.0.113.9", cookies=dict(clinician.cookies)).get(export)
    assert elsewhere.status == 302 and elsewhere.location == "/clinic/login"
    copied = Visitor(port, "198.51.100.4", cookies=dict(clinician.cookies))
    assert copied.get(export).status == 200
    assert clinician.post_form("/clinic/", {}, path="/clinic/logout").status == 302
    replayed = copied.get(export)
    assert replayed.status == 302 and replayed.location == "/clinic/login"


def test_starting_is_limited_per_address_and_flagged_drafts_stay_apart(port):
    flooder = "203.0.113.9"
    emergency = {**SAFE, "rf_bladder_bowel": "yes"}
    for n in range(30):
        visitor = Visitor(port, flooder)
        assert start(visitor).status == 302, n
        if n < 3:  # a few fake emergencies
            assert visitor.post_form("/step/safety", emergency).location == "/urgent"
    refused = Visitor(port, flooder).post_form("/", {"privacy": "y"})
    assert refused.status == 429
    assert "Please call" in refused.text
    # A patient at another address starts as usual, and sends their questionnaire.
    assert start(Visitor(port, "198.51.100.7")).status == 302
    clinician = Visitor(port, "198.51.100.4")
    assert sign_in(clinician, PASSWORD).status == 302
    queue = clinician.get("/clinic/").text
    sent, still_answering = queue.split('id="still-answering"', 1)
    assert "3 flagged questionnaires still being answered" in sent
    assert sent.count("Emergency") <= 1  # at most the outcome filter's own word
    assert still_answering.count("/clinic/submissions/") == 3
