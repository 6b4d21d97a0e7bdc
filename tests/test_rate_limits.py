"""Flask-Limiter's documented settings limit requests, and the views' own limits still hold.

The limiter is one object for every app made in a process, and it keeps the limits of the first
app that set RATELIMIT_DEFAULT or RATELIMIT_APPLICATION: those cases run in a fresh interpreter.
(tests/clinic/test_throttling.py and tests/patient/test_resume.py check the views' own limits.)
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Make an app from the given settings, send the given requests, print each status and whether
# any response described its limits in X-RateLimit headers.
SEND = """
import json, sys
from screener import create_app
from screener.extensions import db

settings, instance, requests = json.loads(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
config = {"TESTING": True, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False, **settings}
app = create_app(config, instance_path=instance)
with app.app_context():
    db.create_all()
client = app.test_client()
statuses, headers = [], set()
for method, path, data in requests:
    with client.open(path, method=method, data=data) as response:
        statuses.append(response.status_code)
        headers.update(response.headers.keys())
print(json.dumps({"statuses": statuses, "headers": sorted(headers)}))
"""

LIMITED = {"RATELIMIT_ENABLED": True}
# Failed sign-ins, each for another account (five failures lock an account).
SIGN_INS = [
    ("POST", "/clinic/login", {"email": f"nobody{n}@clinic.example", "password": "x" * 12})
    for n in range(11)
]


def send(tmp_path, settings: dict, requests: list[tuple]) -> list[int]:
    """The statuses of requests sent in order to a new app made in its own interpreter."""
    done = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-c",
            SEND,
            json.dumps(settings),
            str(tmp_path),
            json.dumps(requests),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert not [h for h in result["headers"] if h.startswith("X-RateLimit")]
    return result["statuses"]


def get(path: str) -> tuple:
    return ("GET", path, None)


@pytest.mark.parametrize(
    ("settings", "requests", "expected"),
    [
        # A default limit counts each page on its own; static files are never limited.
        (
            {**LIMITED, "RATELIMIT_DEFAULT": "2 per minute"},
            [get("/"), get("/"), get("/"), get("/about-si-joint-fusion")]
            + [get("/static/css/clinic.css")] * 3,
            [200, 200, 429, 200, 200, 200, 200],
        ),
        # An application limit counts every page together.
        (
            {**LIMITED, "RATELIMIT_APPLICATION": "2 per minute"},
            [get("/"), get("/about-si-joint-fusion"), get("/clinic/login")],
            [200, 200, 429],
        ),
        # Sign-in keeps its own limit (10 a minute per address) instead of the default one.
        (
            {**LIMITED, "RATELIMIT_DEFAULT": "2 per minute"},
            SIGN_INS,
            [200] * 10 + [429],
        ),
    ],
)
def test_documented_settings_limit_requests(tmp_path, settings, requests, expected):
    assert send(tmp_path, settings, requests) == expected


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": False, "RATELIMIT_APPLICATION": "2 per minute"}]
)
def test_rate_limiting_off_turns_every_limit_off(client, app_config):
    # Safe in this process: a limiter that is off takes none of the app's limits.
    assert [client.get("/").status_code for _ in range(3)] == [200] * 3
    statuses = [client.post(path, data=data).status_code for _method, path, data in SIGN_INS]
    assert statuses == [200] * 11
