"""The rate limits' settings, and what a limit counts (tests/clinic/test_throttling.py and
tests/patient/test_resume.py check each view's own limits)."""

import pytest
from flask import Flask, g, request

from screener import ratelimit

# Failed sign-ins, each for another account (five failures lock an account).
SIGN_INS = [{"email": f"nobody{n}@clinic.example", "password": "x" * 12} for n in range(11)]


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True}


def test_limits_are_kept_apart_per_app(app, client):
    """Each app has counters of its own, so one app's traffic never limits another's."""
    statuses = [client.post("/clinic/login", data=data).status_code for data in SIGN_INS]
    assert statuses == [200] * 10 + [429]
    other = Flask(__name__)
    other.config.update(RATELIMIT_STORAGE_URI="memory://", RATELIMIT_ENABLED=True)
    ratelimit.init_app(other)
    assert other.extensions[ratelimit.EXTENSION_KEY] is not app.extensions[ratelimit.EXTENSION_KEY]


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": False}])
def test_rate_limiting_off_turns_every_limit_off(client, app_config):
    statuses = [client.post("/clinic/login", data=data).status_code for data in SIGN_INS]
    assert statuses == [200] * 11


def test_a_limit_counts_only_its_methods_and_what_it_is_told_to(app):
    calls = []

    @ratelimit.limit("2 per minute", methods=["POST"], counts=lambda r: r.status_code == 400)
    def view():
        calls.append(1)
        return "no", 400 if len(calls) != 2 else 200

    def statuses(method: str, times: int) -> list[int]:
        out = []
        for _ in range(times):
            with app.test_request_context("/", method=method):
                try:
                    out.append(app.make_response(view()).status_code)
                except Exception as refused:  # werkzeug's 429
                    out.append(refused.code)
        return out

    assert 429 not in statuses("GET", 4)  # not limited, not counted
    calls.clear()
    # The second post succeeds and is not counted; the limit is reached by the 1st and 3rd.
    assert statuses("POST", 4) == [400, 200, 400, 429]


def test_stacked_limits_count_apart_per_their_own_key(app):
    """Per address and per entered code, as the resume form is limited; only what the view
    marks as a failure counts."""

    @ratelimit.limit("3 per minute", counts=lambda r: g.get("failed", False))
    @ratelimit.limit(
        "2 per minute", key=lambda: "code:" + request.form["code"], counts=lambda r: g.failed
    )
    def view():
        g.failed = request.form["code"] != "right"
        return "ok"

    def status(address: str, code: str) -> int:
        environ = {"REMOTE_ADDR": address}
        form = {"code": code}
        with app.test_request_context("/", method="POST", data=form, environ_base=environ):
            try:
                return app.make_response(view()).status_code
            except Exception as refused:  # werkzeug's 429
                return refused.code

    # One code from many addresses: refused after two failures.
    assert [status(f"10.0.0.{n}", "one") for n in range(3)] == [200, 200, 429]
    # Many codes from one address: refused after three failures.
    assert [status("10.0.1.1", code) for code in "abcd"] == [200, 200, 200, 429]
    # Tries that do not fail never count, however many.
    assert {status("10.0.2.1", "right") for _ in range(6)} == {200}


def test_the_storage_comes_from_the_settings(app):
    limiter = app.extensions[ratelimit.EXTENSION_KEY]
    assert type(limiter.storage).__name__ == "MemoryStorage"
    with pytest.raises(Exception, match="nowhere"):
        broken = Flask(__name__)
        broken.config["RATELIMIT_STORAGE_URI"] = "nowhere://"
        ratelimit.init_app(broken)
