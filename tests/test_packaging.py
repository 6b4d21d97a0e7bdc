"""The app outside a checkout: a wheel carries its templates, static files, migrations and the
compiled catalogues, and no page says it is in a language whose catalogue is missing."""

import http.client
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from importlib.metadata import version
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from markupsafe import escape

from screener import create_app

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "screener" / "translations" / "es" / "LC_MESSAGES" / "messages.po"
# The wheel is built from a copy: setuptools' build/ keeps files that the checkout has since
# lost, and leaving the checkout's .mo behind shows that the build compiles the catalogues.
# What the other test pass writes meanwhile (scripts/test runs two at once) is left out too.
NOT_COPIED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "*.egg-info",
    "__pycache__",
    "*.mo",
    "instance",
    "bench",
    "test-artifacts",
    "test-results",
    ".hypothesis",
    ".coverage*",
)


def test_an_app_whose_translations_lack_spanish_refuses_to_start(tmp_path):
    config = {"TESTING": True, "SECRET_KEY": "x", "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path)}
    with pytest.raises(RuntimeError, match=r"catalogue for es: run `bash scripts/translations`"):
        create_app(config, instance_path=tmp_path / "instance")


def test_an_english_only_app_starts_without_catalogues(tmp_path):
    config = {
        "TESTING": True,
        "SECRET_KEY": "x",
        "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path),
        "LANGUAGES": ("en",),
    }
    app = create_app(config, instance_path=tmp_path / "instance")
    assert b'<html lang="en"' in app.test_client().get("/", headers={"Accept-Language": "es"}).data


def run(*command, **options) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, **options)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, **headers: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def wait_until_served(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            get(port, "/static/css/site.css")
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("the installed app was not served within 30 s:\n" + log.read_text())


def install_wheel(tmp_path: Path) -> Path:
    """Build the wheel from a copy of the checkout and install it into a fresh venv that sees
    this venv's third-party packages but not the checkout; returns that venv's site-packages."""
    setuptools = tuple(int(part) for part in version("setuptools").split(".")[:2])
    if setuptools < (70, 1):
        pytest.fail("setuptools 70.1+ builds the wheel: run scripts/test (it installs [test])")
    source, dist, venv = tmp_path / "source", tmp_path / "dist", tmp_path / "venv"
    shutil.copytree(ROOT, source, ignore=NOT_COPIED)
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check", "-q")
    run(*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, source)
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    site_packages = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip()
    )
    # A .pth line only adds its directory to sys.path: the editable install's .pth there is
    # not run, so the checkout stays out of sight.
    shared = [entry for entry in sys.path if Path(entry).name == "site-packages"]
    (site_packages / "shared.pth").write_text("\n".join(shared) + "\n")
    (wheel,) = dist.glob("screener-*.whl")
    run(*pip, "--python", python, "install", "--no-deps", "--no-index", wheel)
    return site_packages


@contextmanager
def gunicorn(python: Path, cwd: Path, env: dict[str, str]) -> Iterator[int]:
    """Serve screener:create_app() from that Python on a free loopback port; yields the port."""
    port, log = free_port(), cwd / "gunicorn.log"
    # Plain HTTP on loopback, for this test only.
    env = {**env, "PUBLIC_URL": f"http://127.0.0.1:{port}", "SECURE_COOKIES": "0"}
    command = [python, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, "--no-control-socket", "screener:create_app()"],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_served(port, server, log)
        yield port
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)


def test_the_installed_wheel_migrates_and_serves_spanish_pages(tmp_path):
    site_packages = install_wheel(tmp_path)
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("FLASK_")}
    env.update(SECRET_KEY="packaging-test", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    # Run from outside the checkout, so that the current folder cannot find it either.
    where = run(
        python,
        "-c",
        "import config, screener; print(screener.__file__, config.__file__)",
        cwd=tmp_path,
        env=env,
    )
    assert where.split() == [
        str(site_packages / "screener" / "__init__.py"),
        str(site_packages / "config.py"),
    ]

    run(python, "-m", "flask", "--app", "screener", "db", "upgrade", cwd=tmp_path, env=env)
    with closing(sqlite3.connect(tmp_path / "db.sqlite3")) as database:
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master")}
    assert {"alembic_version", "submissions", "patients"} <= tables

    with gunicorn(python, tmp_path, env) as port:
        status, html = get(port, "/", **{"Accept-Language": "es"})

    with CATALOGUE.open("rb") as po:
        title = read_po(po).get("Questions before your visit")
    assert status == 200
    assert '<html lang="es"' in html
    assert str(escape(title.string)) in html
    assert "Questions before your visit" not in html
    # An installed app keeps its instance folder under the venv, not in site-packages.
    assert (venv / "var" / "screener-instance").is_dir()
    assert not (site_packages / "instance").exists()
