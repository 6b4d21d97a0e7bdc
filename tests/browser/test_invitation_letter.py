"""An invitation made through the form on a phone-sized screen: the form, its page and its
letter pass the accessibility checks, the letter prints on one page, and both QR codes scan back
to the link."""

import re
import struct
import zlib
from datetime import date, timedelta

import pytest
import zxingcpp
from playwright.sync_api import expect

from tests.conftest import make_user

from .conftest import ARTIFACTS, screenshot
from .test_accessibility import problems
from .test_clinic import sign_in


@pytest.fixture
def app_config():
    # The longest letter: a clinic phone and a clinician's name to fit on the page as well.
    return {
        "CLINIC_TIMEZONE": "America/Chicago",
        "CLINIC_NAME": "Spine Clinic",
        "CLINIC_PHONE": "555 010 0100",
    }


def png_gray(png: bytes) -> memoryview:
    """An 8-bit RGB or RGBA PNG (as Chromium writes screenshots) as grayscale pixels."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    offset, data = 8, b""
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind, body = png[offset + 4 : offset + 8], png[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0
        elif kind == b"IDAT":
            data += body
        offset += 12 + length
    channels = 3 if colour == 2 else 4
    stride = width * channels
    raw, rows, previous = zlib.decompress(data), [], bytearray(stride)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + best) & 255
        rows.append(bytes(line[1::channels]))  # the green channel: black and white either way
        previous = line
    return memoryview(b"".join(rows)).cast("B", (height, width))


def scanned(element) -> str:
    """What a QR reader finds in a screenshot of the element, as the browser drew it."""
    (code,) = zxingcpp.read_barcodes(
        png_gray(element.screenshot()), formats=zxingcpp.BarcodeFormat.QRCode
    )
    return code.text


def pdf_page_count(page, paper: str) -> int:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    data = page.pdf(path=str(ARTIFACTS / f"invitation-letter-{paper}.pdf"), format=paper)
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


def test_an_invitation_made_on_a_phone_prints_as_a_one_page_letter_whose_code_scans(
    app, live_server, browser
):
    make_user(app, "doc@clinic.example")
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2)
    page = context.new_page()
    sign_in(page, live_server)
    page.get_by_role("link", name="Invitations").click()
    page.get_by_role("link", name="New invitation").click()
    page.get_by_label("Full name").fill("Rosa Quintero")
    page.fill("#date_of_birth-day", "14")
    page.fill("#date_of_birth-month", "3")
    page.fill("#date_of_birth-year", "1958")
    page.get_by_label("Email (optional)").fill("rosa@example.com")
    page.get_by_label("Appointment day").fill((date.today() - timedelta(days=2)).isoformat())
    page.get_by_label("Appointment time").fill("09:30")
    page.get_by_label("Clinician (optional)").fill("Dr. Ruiz")
    page.get_by_label("Español").check()
    page.get_by_role("button", name="Create invitation").click()
    # A day that has passed: said beside the field, the rest kept.
    expect(page.locator("#appointment_day-error")).to_contain_text("This day has passed")
    expect(page.get_by_label("Full name")).to_have_value("Rosa Quintero")
    expect(page.get_by_label("Español")).to_be_checked()
    screenshot(page, "invitation-375-form-error")
    assert problems(page, "en", errors=True) == []
    page.get_by_label("Appointment day").fill((date.today() + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Create invitation").click()
    expect(page.get_by_role("heading", name="Invitation for Rosa Quintero")).to_be_visible()
    link = page.locator("#personal-link").input_value()
    assert "/i/" in link
    screenshot(page, "invitation-375-page")
    assert problems(page, "en") == []
    assert scanned(page.locator("img.qr-code")) == link
    page.get_by_role("link", name="← Invitations").click()
    expect(page.get_by_role("cell", name="Not opened")).to_be_visible()
    screenshot(page, "invitation-375-list")
    assert problems(page, "en") == []
    page.get_by_role("link", name="Rosa Quintero").click()

    page.get_by_role("link", name="Print letter").click()
    expect(page.get_by_role("heading", name="Antes de su cita")).to_be_visible()
    expect(page.get_by_role("button", name="Print")).to_be_visible()  # print.js shows it
    screenshot(page, "invitation-375-letter")
    assert problems(page, "es") == []
    assert scanned(page.locator("img.letter-qr")) == link
    assert page.locator(".letter-link").inner_text() == link
    assert pdf_page_count(page, "Letter") == 1
    assert pdf_page_count(page, "A4") == 1
    # What the printer gets, as a picture for reviewers: US Letter's width at 96 dpi.
    page.set_viewport_size({"width": 816, "height": 1056})
    page.emulate_media(media="print")
    screenshot(page, "invitation-letter-printed")
    context.close()
