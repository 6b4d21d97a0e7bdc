"""Every clinic user can change their own password; their other sessions end, this one stays."""

import re

import pytest
from sqlalchemy import select

from screener.extensions import db
from screener.models import AuditEvent
from tests.conftest import PASSWORD, make_user

from .conftest import sign_in

URL = "/clinic/account/password"
NEW = "a brand new passphrase"


def change(client, current=PASSWORD, password=NEW, confirm=None):
    data = {"current": current, "password": password, "confirm": confirm or password}
    return client.post(URL, data=data)


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_header_links_to_the_page(clinician):
    html = clinician.get("/clinic/").text
    assert f'<a href="{URL}">Change password</a>' in html
    page = clinician.get(URL).text
    assert "<h1>Change your password</h1>" in page
    assert 'autocomplete="current-password"' in page
    assert f'<a href="{URL}" aria-current="page">' in page


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get(URL).location.startswith("/clinic/login")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"current": "not my password"}, "current", "This is not your current password."),
        ({"current": ""}, "current", "Enter your current password."),
        ({"confirm": "another passphrase"}, "confirm", "The two passwords are not the same."),
        ({"password": "too short", "confirm": "too short"}, "password", "Use at least 12"),
    ],
)
def test_a_refused_change_says_why_next_to_the_field(app, clinician, data, field, message):
    response = change(clinician, **data)
    assert response.status_code == 200
    html = response.text
    error = html.split(f'id="{field}-error"')[1].split("</p>")[0]
    assert message in error
    assert re.search(f'aria-describedby="[^"]*{field}-error"', html)
    # Nothing changed: the old password still works, and this session goes on.
    assert sign_in(app.test_client(), "doc@clinic.example").status_code == 302
    assert clinician.get("/clinic/").status_code == 200


def test_a_wrong_current_password_is_audited(app, clinician):
    change(clinician, current="not my password")
    assert actions(app)[-1] == "login_confirm_failed"


def test_a_change_ends_the_other_sessions_and_keeps_this_one(app, clinician):
    laptop = app.test_client()
    assert sign_in(laptop, "doc@clinic.example").status_code == 302
    response = change(clinician)
    assert response.location == "/clinic/"
    page = clinician.get("/clinic/").text
    assert "Your password is changed. You were signed out everywhere else." in page
    assert laptop.get("/clinic/").location.startswith("/clinic/login")
    assert sign_in(app.test_client(), "doc@clinic.example").status_code == 200
    assert sign_in(app.test_client(), "doc@clinic.example", NEW).status_code == 302
    assert "password_change" in actions(app)


def test_an_admin_changes_their_own_password_too(app, admin):
    make_user(app, "doc@clinic.example")
    assert change(admin).location == "/clinic/"
    assert admin.get("/clinic/admin/users").status_code == 200
