"""The app as deployed: required settings, the trusted host, proxies, cookies, request bodies."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from screener import ROOT, create_app
from tests.conftest import PASSWORD, make_user

BIN = Path(sys.executable).parent
PUBLIC = "https://screener.clinic.example"


def deployed_app(tmp_path, **settings):
    """An app configured as a deployment is (not TESTING, not debug), on a new SQLite file."""
    config = {
        "SECRET_KEY": "deployment-secret",
        "PUBLIC_URL": PUBLIC,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite3'}",
        "RATELIMIT_ENABLED": False,
        **settings,
    }
    app = create_app(config, instance_path=tmp_path)
    from screener.extensions import db

    with app.app_context():
        db.create_all()
    return app


@pytest.mark.parametrize("missing", ["SECRET_KEY", "PUBLIC_URL"])
def test_serving_without_a_required_setting_is_refused(tmp_path, missing):
    with pytest.raises(RuntimeError, match=f"{missing} must be set"):
        deployed_app(tmp_path, **{missing: ""})


def test_flask_run_without_them_refuses_to_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "SECRET_KEY"))}
    env.pop("PUBLIC_URL", None)
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "screener", "run", "--port", "0"],
        cwd=tmp_path,
        env={**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "SECRET_KEY and PUBLIC_URL must be set" in done.stderr


def test_a_command_that_serves_nothing_needs_neither(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "SECRET_KEY"))}
    env.pop("PUBLIC_URL", None)
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "screener", "assess", "-"],
        input='{"pain_average": 7}',
        cwd=ROOT,
        env={**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert '"rubric_version"' in done.stdout


@pytest.mark.parametrize("public_url", ["screener.clinic.example", "https://", f"{PUBLIC}/app"])
def test_public_url_must_be_a_scheme_and_a_host(tmp_path, public_url):
    with pytest.raises(RuntimeError, match="PUBLIC_URL must be a scheme and a host"):
        deployed_app(tmp_path, PUBLIC_URL=public_url)


@pytest.mark.parametrize("zone", ["America/Chikago", "Central", "../etc/passwd"])
def test_a_clinic_time_zone_that_does_not_exist_is_refused_at_start(tmp_path, zone):
    # Refused before any page, or an urgent alert, has to show a time in it.
    with pytest.raises(RuntimeError, match="CLINIC_TIMEZONE must be a time zone name"):
        deployed_app(tmp_path, CLINIC_TIMEZONE=zone)


def test_another_host_gets_400(tmp_path):
    client = deployed_app(tmp_path).test_client()
    assert client.get("/", base_url="https://screener.clinic.example").status_code == 200
    refused = client.get("/", base_url="https://evil.example")
    assert refused.status_code == 400
    assert b"evil.example" not in refused.data


def test_resume_links_are_built_on_the_public_url_whatever_the_request_said(tmp_path):
    app = deployed_app(tmp_path, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    # A request that reached the app over plain HTTP (no proxy header): the link is still https.
    base = "http://screener.clinic.example"
    assert client.post("/", data={"privacy": "y"}, base_url=base).status_code == 302
    page = client.get("/saved", base_url=base).get_data(as_text=True)
    assert f"{PUBLIC}/resume" in page
    assert "http://screener.clinic.example/resume" not in page


def test_cookies_are_secure_outside_development(tmp_path):
    app = deployed_app(tmp_path)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    response = app.test_client().get("/clinic/login", base_url=PUBLIC)
    assert "Secure" in response.headers["Set-Cookie"]


def test_plain_http_public_url_needs_secure_cookies_turned_off_by_name(tmp_path):
    with pytest.raises(RuntimeError, match="SECURE_COOKIES=0"):
        deployed_app(tmp_path, PUBLIC_URL="http://screener.clinic.example")
    app = deployed_app(
        tmp_path, PUBLIC_URL="http://screener.clinic.example", SESSION_COOKIE_SECURE=False
    )
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_behind_a_proxy_the_forwarded_address_and_scheme_are_used(tmp_path):
    app = deployed_app(tmp_path, PROXY_HOPS=1, RATELIMIT_ENABLED=True)
    make_user(app, "doc@clinic.example")
    client = app.test_client()

    def sign_in_from(address: str, password: str):
        return client.post(
            "/clinic/login",
            data={"email": "doc@clinic.example", "password": password},
            base_url="http://screener.clinic.example",
            headers={"X-Forwarded-For": address, "X-Forwarded-Proto": "https"},
            environ_base={"REMOTE_ADDR": "10.0.0.2"},  # the proxy
        )

    app.config["WTF_CSRF_ENABLED"] = False
    for _ in range(5):
        assert sign_in_from("203.0.113.9", "wrong password!").status_code == 200
    assert sign_in_from("203.0.113.9", "wrong password!").status_code == 429
    # Every patient and clinician comes through the same proxy, but each has their own count.
    signed_in = sign_in_from("198.51.100.4", PASSWORD)
    assert signed_in.status_code == 302
    # The proxy said https: the response carries HSTS, as over HTTPS.
    assert "Strict-Transport-Security" in signed_in.headers


def _raw_post(port: int, path: str, body: bytes) -> bytes:
    """POST body chunked, as a client without Content-Length does; the status line back."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n".encode()
        )
        try:
            for start in range(0, len(body), 8192):
                piece = body[start : start + 8192]
                connection.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            connection.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may answer and close before reading it all
        return connection.recv(4096).split(b"\r\n", 1)[0]


@pytest.fixture
def app_config():
    return {"MAX_CONTENT_LENGTH": 4096}


def test_a_chunked_body_is_read_and_one_over_the_limit_refused(app, live_server):
    port = int(live_server.rsplit(":", 1)[1])
    make_user(app, "doc@clinic.example")
    form = f"email=doc%40clinic.example&password={PASSWORD.replace(' ', '+')}".encode()
    assert _raw_post(port, "/clinic/login", form).endswith(b"302 FOUND")
    assert _raw_post(port, "/clinic/login", form + b"&x=" + b"a" * 5000).endswith(
        b"413 REQUEST ENTITY TOO LARGE"
    )


def test_gunicorn_refuses_several_workers_counting_limits_in_memory(tmp_path):
    env = {
        **os.environ,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_ENABLED": "1",
        "SECRET_KEY": "x",
        "PUBLIC_URL": PUBLIC,
    }
    done = subprocess.run(
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", "127.0.0.1:0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "RATELIMIT_STORAGE_URI is memory://" in done.stderr
    assert "would start 2 workers" in done.stderr
