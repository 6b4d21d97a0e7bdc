"""The app served as the README deploys it: gunicorn with 4 workers, the rate limits in Redis,
behind a proxy (PROXY_HOPS=1), on the pass's database (PostgreSQL in the PostgreSQL pass).

Each limit must hold exactly across the workers, whichever worker answers each request.
"""

import http.client
import os
import re
import socket
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest
import redis

from screener import create_app
from screener.extensions import db
from screener.models import Role, User
from tests.conftest import PASSWORD

from .conftest import migrated_database
from .server import Gunicorn

pytestmark = pytest.mark.db  # it reaches TEST_DATABASE_URL through migrated_database
WORKERS = 4
CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]+)"')


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
        """Open page, then post form to it (or to path) with the page's CSRF token."""
        opened = self.get(page)
        assert opened.status == 200, (page, opened.status)
        token = VALUE.search(CSRF_INPUT.search(opened.text).group()).group(1)
        return self.request("POST", path or page, {"csrf_token": token, **form})


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
    return visitor.post_form(
        "/clinic/login", {"email": "doc@clinic.example", "password": password}
    )


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
