"""Browser fixtures: Debian's chromium driven by Playwright (live_server: tests/conftest.py)."""

import json
import os
from datetime import date
from pathlib import Path

import pytest

from tests.answers import BORN, dob_parts
from tests.patient.test_odi import synthetic

CHROMIUM = "/usr/bin/chromium"
# scripts/test runs the SQLite and PostgreSQL passes at once: each keeps its own artifacts.
ARTIFACTS = (
    Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
    / "screenshots"
)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Browser tests never skip: without chromium the suite fails and says how to get it.
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test, which installs Debian's chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def phone_in(browser):
    """A function opening a 375-pixel phone page whose browser asks for a language; the pages
    close after the test."""
    contexts = []

    def open_page(locale: str):
        context = browser.new_context(
            viewport={"width": 375, "height": 740}, device_scale_factor=2, locale=locale
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def licensed_odi_config(tmp_path) -> dict:
    """App settings with a synthetic licensed ODI file, so that its step is shown too."""
    path = tmp_path / "odi.json"
    path.write_text(json.dumps(synthetic()), encoding="utf-8")
    return {"ODI_FILE": str(path)}


@pytest.fixture
def phone_page(browser):
    """A page 375 pixels wide, like a small phone."""
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot where the test command keeps it for reviewers."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def fill_date_of_birth(page, born: date = BORN) -> None:
    """Fill in the three date of birth boxes (About you, or the resume page)."""
    for box, value in dob_parts(born).items():
        page.fill(f"#{box}", value)
