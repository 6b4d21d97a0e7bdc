"""The clinic's invitations: the form, the list, an invitation's page, its QR code, letter and
email."""

import html
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from sqlalchemy import select

from screener import invitations
from screener.extensions import db
from screener.models import AuditEvent, Invitation, OutboxMessage, Submission
from tests.conftest import PASSWORD, csrf_token, make_user

from .conftest import add_submission

CHICAGO = ZoneInfo("America/Chicago")
FORBIDDEN = re.compile(
    r"diagnos|qualif|eligib|candidat|approv|diagnóstico|califica|elegible|candidato|aprobado",
    re.I,
)


@pytest.fixture
def app_config():
    return {"CLINIC_TIMEZONE": "America/Chicago", "CLINIC_NAME": "Spine Clinic"}


def chicago_today() -> date:
    return datetime.now(CHICAGO).date()


def next_day(month: int, day: int) -> date:
    """The next such day from today on (within a year)."""
    today = chicago_today()
    found = date(today.year, month, day)
    return found if found > today else date(today.year + 1, month, day)


def next_spring_forward() -> date:
    """The next second Sunday of March: Chicago's clocks skip 2:00 to 3:00 that night."""
    march = next_day(3, 1)
    first_sunday = march + timedelta(days=(6 - march.weekday()) % 7)
    return first_sunday + timedelta(days=7)


def form_data(**change) -> dict:
    data = {
        "full_name": "  Ana María López ",
        "date_of_birth-day": "3",
        "date_of_birth-month": "4",
        "date_of_birth-year": "1960",
        "phone": "555 010 0199",
        "email": " ana@example.com ",
        "mrn": "MRN-0042",
        "appointment_day": next_day(7, 1).isoformat(),
        "appointment_time": "09:30",
        "clinician": "Dr. Ruiz",
        "language": "es",
    }
    return data | change


def stored(app) -> list[Invitation]:
    with app.app_context():
        return list(db.session.scalars(select(Invitation).order_by(Invitation.id)))


def add_invitation(
    app,
    name: str = "Pat Example",
    at: datetime | None = None,
    language: str = "en",
    email: str | None = "pat@example.com",
    **fields,
) -> int:
    """Store an invitation as the form does; returns its id."""
    at = at or datetime.combine(next_day(7, 1), time(9, 30), tzinfo=CHICAGO).astimezone(UTC)
    with app.app_context():
        invitation = invitations.create(
            invitations.InvitationDetails(
                full_name=name,
                date_of_birth=date(1960, 4, 3),
                appointment_at=at,
                clinician="Dr. Ruiz",
                language=language,
                phone="555 010 0199",
                email=email,
                mrn="MRN-0042",
            ),
            None,
        )
        for key, value in fields.items():
            setattr(invitation, key, value)
        db.session.commit()
        return invitation.id


def personal_link(client, invitation_id: int) -> str:
    page = client.get(f"/clinic/invitations/{invitation_id}").get_data(as_text=True)
    return html.unescape(re.search(r'id="personal-link" value="([^"]+)"', page).group(1))


def actions(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.action, e.detail) for e in db.session.scalars(select(AuditEvent))]


def test_a_new_invitation_stores_the_appointment_in_utc_from_the_clinic_clock(app, clinician):
    summer, winter = next_day(7, 1), next_day(1, 15)
    response = clinician.post("/clinic/invitations/new", data=form_data())
    first = stored(app)[0]
    assert response.location == f"/clinic/invitations/{first.id}"
    # 9:30 in Chicago is 14:30 UTC in summer (CDT) and 15:30 UTC in winter (CST).
    assert first.appointment_at == datetime.combine(summer, time(14, 30), tzinfo=UTC)
    clinician.post("/clinic/invitations/new", data=form_data(appointment_day=winter.isoformat()))
    assert stored(app)[1].appointment_at == datetime.combine(winter, time(15, 30), tzinfo=UTC)
    assert (first.full_name, first.date_of_birth) == ("Ana María López", date(1960, 4, 3))
    assert (first.email, first.phone, first.mrn) == ("ana@example.com", "555 010 0199", "MRN-0042")
    assert (first.clinician, first.language) == ("Dr. Ruiz", "es")
    assert ("invitation_create", f"invitation {first.id}") in actions(app)
    page = clinician.get(response.location).get_data(as_text=True)
    assert "Invitation created." in page
    assert f"{summer.isoformat()} 09:30 CDT" in page  # shown on the clinic's clock


def test_the_form_is_optional_about_contact_details_and_the_clinician(app, clinician):
    data = form_data(phone="", email="", mrn="", clinician="", language="en")
    assert clinician.post("/clinic/invitations/new", data=data).status_code == 302
    (invitation,) = stored(app)
    assert (invitation.phone, invitation.email, invitation.mrn) == (None, None, None)
    assert invitation.clinician == ""


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"full_name": "   "}, "full_name", "Enter the patient's full name."),
        ({"full_name": "1234"}, "full_name", "must have at least one letter"),
        ({"full_name": "Ana\u202eLópez"}, "full_name", "a character we cannot use"),
        (
            {"date_of_birth-day": "", "date_of_birth-month": "", "date_of_birth-year": ""},
            "date_of_birth",
            "Enter the patient's date of birth.",
        ),
        ({"date_of_birth-day": "31", "date_of_birth-month": "2"}, "date_of_birth", "real date"),
        ({"date_of_birth-year": "2020"}, "date_of_birth", "adults aged 18 or over"),
        ({"email": "ana at example"}, "email", "Enter an email address like name@example.com."),
        ({"phone": "call me"}, "phone", "Enter a phone number using numbers only"),
        (
            {"appointment_day": (date.today() - timedelta(days=2)).isoformat()},
            "appointment_day",
            "This day has passed: enter today or a later day.",
        ),
        ({"appointment_day": ""}, "appointment_day", "Enter the appointment's day."),
        (
            {"appointment_day": (date.today() + timedelta(days=800)).isoformat()},
            "appointment_day",
            "more than a year away",
        ),
        ({"appointment_time": ""}, "appointment_time", "Enter the appointment's time."),
        (
            {"appointment_day": next_spring_forward().isoformat(), "appointment_time": "02:30"},
            "appointment_time",
            "this time does not exist that day",
        ),
        ({"language": "fr"}, "language", "Not a valid choice"),
    ],
)
def test_the_form_says_what_is_wrong_next_to_the_field_and_keeps_the_input(
    app, clinician, change, field, message
):
    response = clinician.post("/clinic/invitations/new", data=form_data(**change))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', page, re.S)
    assert error, f"no error next to {field}"
    assert message in html.unescape(error.group(1))
    assert stored(app) == []
    # What was typed is still there (the failing field's own value too).
    kept = form_data(**change)
    assert 'value="MRN-0042"' in page
    assert f'value="{html.escape(kept["full_name"].strip(), quote=True)}"' in page
    assert f'value="{kept["date_of_birth-year"]}"' in page
    assert f'value="{html.escape(kept["email"].strip())}"' in page


def test_the_form_takes_today_whatever_the_time(app, clinician):
    data = form_data(appointment_day=chicago_today().isoformat(), appointment_time="00:05")
    assert clinician.post("/clinic/invitations/new", data=data).status_code == 302


def test_the_list_shows_upcoming_appointments_soonest_first_with_their_status(app, clinician):
    now = datetime.now(UTC)
    reference = add_submission(app, name="Sent Patient")
    with app.app_context():
        submission_id = db.session.scalar(
            select(Submission.id).where(Submission.reference == reference)
        )
    add_invitation(app, "Later Patient", now + timedelta(days=9))
    add_invitation(app, "Sooner Patient", now + timedelta(days=2), opened_at=now)
    add_invitation(app, "Sent Patient", now + timedelta(days=5), submission_id=submission_id)
    add_invitation(app, "Expired Patient", now + timedelta(days=7), expires_at=now)
    add_invitation(app, "Past Patient", now - timedelta(days=3))
    page = clinician.get("/clinic/invitations/").get_data(as_text=True)
    rows = re.findall(r"<tr>.*?</tr>", page.split("<tbody>")[1], re.S)
    names = [re.search(r"(\w+) Patient</a>", row).group(1) for row in rows]
    assert names == ["Sooner", "Sent", "Expired", "Later"]
    statuses = [re.sub(r"<[^>]+>|\s+", " ", row.split("invitation-status")[1]) for row in rows]
    assert "Opened" in statuses[0]
    assert f'href="/clinic/submissions/{reference}"' in rows[1] and "Sent" in statuses[1]
    assert "Expired" in statuses[2]
    assert "Not opened" in statuses[3]
    assert "born 1960-04-03" in rows[0] and "Dr. Ruiz" in rows[0] and "English" in rows[0]
    assert "4 upcoming appointments, soonest first" in page
    past = clinician.get("/clinic/invitations/?when=past").get_data(as_text=True)
    assert "Past Patient" in past and "Later Patient" not in past
    assert ("invitation_list", "upcoming") in actions(app)


def test_the_list_is_paginated(app, clinician):
    start = datetime.now(UTC) + timedelta(days=1)
    for n in range(51):
        add_invitation(app, f"Patient {n:02d}", start + timedelta(hours=n))
    first = clinician.get("/clinic/invitations/").get_data(as_text=True)
    assert "Patient 49" in first and "Patient 50" not in first
    assert "Page 1 of 2" in first
    second = clinician.get("/clinic/invitations/?page=2").get_data(as_text=True)
    assert "Patient 50" in second and "Patient 00" not in second


def test_the_invitation_page_has_the_link_the_qr_code_and_ready_texts_in_the_patients_language(
    app, clinician
):
    invitation_id = add_invitation(app, language="es")
    page = clinician.get(f"/clinic/invitations/{invitation_id}").get_data(as_text=True)
    link = personal_link(clinician, invitation_id)
    assert re.fullmatch(r"http://localhost/i/([A-Z2-9]{4}-){3}[A-Z2-9]{4}", link)
    assert f'src="/clinic/invitations/{invitation_id}/qr.svg"' in page
    assert f'href="/clinic/invitations/{invitation_id}/letter"' in page
    sms = html.unescape(re.search(r'id="sms-text"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    body = html.unescape(re.search(r'id="email-body"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    year = next_day(7, 1).year
    for text in (sms, body):
        assert link in text and "Spine Clinic" in text
        assert f"1 de julio de {year} a las 9:30" in text
        assert "fecha de nacimiento" in text
        assert not FORBIDDEN.search(text)
    assert "911" in body
    assert ("invitation_view", f"invitation {invitation_id}") in actions(app)


def qr_pixels(svg: bytes, pixels_per_module: int = 4) -> memoryview:
    """Draw segno's SVG path (rows of `h` strokes, one module high) as a grayscale image."""
    width = int(re.search(rb'width="(\d+)"', svg).group(1))
    scale = int(re.search(rb'transform="scale\((\d+)\)"', svg).group(1))
    modules = width // scale
    dark = [[False] * modules for _ in range(modules)]
    x = y = 0.0
    path = re.search(rb' d="([^"]+)"', svg).group(1).decode()
    for command, numbers in re.findall(r"([MmHh])([-\d. ]+)", path.replace(",", " ")):
        values = [float(n) for n in numbers.split()]
        if command in "Mm":
            x, y = (values[0], values[1]) if command == "M" else (x + values[0], y + values[1])
        else:
            length = values[0] if command == "h" else values[0] - x
            for column in range(int(x), int(x + length)):
                dark[int(y)][column] = True
            x += length
    size = modules * pixels_per_module
    image = bytearray(b"\xff" * size * size)
    for row in range(size):
        for column in range(size):
            if dark[row // pixels_per_module][column // pixels_per_module]:
                image[row * size + column] = 0
    return memoryview(bytes(image)).cast("B", (size, size))


def test_the_qr_code_scans_back_to_the_invitations_link(app, clinician):
    invitation_id = add_invitation(app)
    link = personal_link(clinician, invitation_id)
    response = clinician.get(f"/clinic/invitations/{invitation_id}/qr.svg")
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == "no-store"  # the code carries the secret
    svg = response.data
    assert b"style" not in svg and b"<script" not in svg
    (found,) = zxingcpp.read_barcodes(qr_pixels(svg), formats=zxingcpp.BarcodeFormat.QRCode)
    assert found.text == link
    other = add_invitation(app, "Someone Else")
    (theirs,) = zxingcpp.read_barcodes(
        qr_pixels(clinician.get(f"/clinic/invitations/{other}/qr.svg").data)
    )
    assert theirs.text == personal_link(clinician, other) != link


@pytest.mark.parametrize(
    ("language", "day", "at", "words"),
    [
        ("en", "July 1, {year}", "9:30 AM", ("Hello Pat Example,", "your date of birth")),
        ("es", "1 de julio de {year}", "a las 9:30", ("Hola, Pat Example:", "fecha de nacimiento")),
    ],
)
def test_the_letter_is_in_the_invitations_language(app, clinician, language, day, at, words):
    invitation_id = add_invitation(app, language=language)
    link = personal_link(clinician, invitation_id)
    response = clinician.get(f"/clinic/invitations/{invitation_id}/letter")
    page = html.unescape(response.get_data(as_text=True))
    assert f'<html lang="{language}">' in page
    assert link in page
    assert day.format(year=next_day(7, 1).year) in page and at in page
    assert f'<img class="letter-qr" src="/clinic/invitations/{invitation_id}/qr.svg"' in page
    assert "Spine Clinic" in page
    for word in (*words, "911"):
        assert word in page
    assert not FORBIDDEN.search(page.split('<article class="letter">')[1])
    assert 'href="/static/css/letter.css' in page and 'src="/static/js/print.js' in page
    assert "style=" not in page and "<style" not in page
    assert ("invitation_letter", f"invitation {invitation_id}") in actions(app)
    # The clinic's own pages stay in English.
    assert 'lang="en"' in clinician.get(f"/clinic/invitations/{invitation_id}").get_data(
        as_text=True
    )


def test_the_letter_without_a_clinic_name_is_from_your_care_team(app, clinician):
    app.config.update(CLINIC_NAME="", CLINIC_PHONE="555 010 0100")
    invitation_id = add_invitation(app, language="es")
    page = clinician.get(f"/clinic/invitations/{invitation_id}/letter").get_data(as_text=True)
    assert "Su equipo de atención" in page
    assert "Llame al 555 010 0100" in page


def test_send_by_email_queues_one_message_without_the_patients_name(app, clinician):
    invitation_id = add_invitation(app, "Ana López", language="es", email="ana@example.com")
    link = personal_link(clinician, invitation_id)
    response = clinician.post(f"/clinic/invitations/{invitation_id}/email", follow_redirects=True)
    assert "Queued: it is sent within a minute." in response.get_data(as_text=True)
    with app.app_context():
        (message,) = db.session.scalars(select(OutboxMessage)).all()
        assert (message.kind, message.recipient) == ("invitation", "ana@example.com")
        assert message.invitation_id == invitation_id and message.submission_id is None
        year = next_day(7, 1).year
        assert message.subject.startswith("Antes de su cita del ")
        assert message.subject.endswith(f"1 de julio de {year}")
        assert link in message.body and f"1 de julio de {year} a las 9:30" in message.body
        for private in ("Ana", "López", "1960", "555 010 0199", "MRN-0042", "ana@example"):
            assert private not in message.body and private not in message.subject
    assert ("invitation_email", f"invitation {invitation_id}") in actions(app)


def test_a_second_send_within_minutes_queues_no_second_email(app, clinician):
    invitation_id = add_invitation(app, email="ana@example.com")
    url = f"/clinic/invitations/{invitation_id}/email"
    clinician.post(url)
    again = clinician.post(url, follow_redirects=True).get_data(as_text=True)
    assert "queued a few minutes ago: not queued again" in again
    with app.app_context():
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 1
        message = db.session.scalars(select(OutboxMessage)).one()
        message.created_at -= invitations.EMAIL_AGAIN_AFTER
        db.session.commit()
    clinician.post(url)  # later, the patient lost it: sent again
    with app.app_context():
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 2


def test_an_invitation_without_email_has_no_send_button_and_queues_nothing(app, clinician):
    invitation_id = add_invitation(app, email=None)
    page = clinician.get(f"/clinic/invitations/{invitation_id}").get_data(as_text=True)
    assert "Send by email" not in page and "No email address" in page
    clinician.post(f"/clinic/invitations/{invitation_id}/email")
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage)).all() == []


def test_every_invitation_page_needs_sign_in(app, client):
    invitation_id = add_invitation(app)
    for url in (
        "/clinic/invitations/",
        "/clinic/invitations/new",
        f"/clinic/invitations/{invitation_id}",
        f"/clinic/invitations/{invitation_id}/qr.svg",
        f"/clinic/invitations/{invitation_id}/letter",
    ):
        assert client.get(url).location.startswith("/clinic/login"), url
    for url in ("/clinic/invitations/new", f"/clinic/invitations/{invitation_id}/email"):
        assert client.post(url, data=form_data()).location.startswith("/clinic/login"), url
    assert len(stored(app)) == 1


def test_the_nav_links_to_the_invitations_whose_times_are_the_clinics(app, clinician):
    page = clinician.get("/clinic/invitations/").get_data(as_text=True)
    nav = page.split('class="clinic-nav"')[1].split("</nav>")[0]
    assert nav.index(">Queue<") < nav.index(">Invitations<")
    assert 'href="/clinic/invitations/" aria-current="page">Invitations' in nav
    assert "Times are America/Chicago." in page


def test_posts_need_their_csrf_token(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    make_user(app, "doc@clinic.example")
    token = csrf_token(client.get("/clinic/login").get_data(as_text=True))
    response = client.post(
        "/clinic/login",
        data={"email": "doc@clinic.example", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    invitation_id = add_invitation(app)
    assert client.post("/clinic/invitations/new", data=form_data()).status_code == 400
    assert client.post(f"/clinic/invitations/{invitation_id}/email").status_code == 400
    token = csrf_token(client.get("/clinic/invitations/new").get_data(as_text=True))
    data = form_data(csrf_token=token)
    assert client.post("/clinic/invitations/new", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage)).all() == []
