"""Sessions end on the server: sign-out, password, role and active changes end every copy of a
session; sessions have an overall lifetime; sensitive pages ask for the password again."""

import time

import pytest
from sqlalchemy import select

from screener.auth.guards import PASSWORD_AT, SIGNED_IN
from screener.extensions import db
from screener.models import AuditEvent, Role, User
from tests.conftest import PASSWORD, make_user

from .conftest import add_submission, sign_in

IDENTIFIED = "/clinic/export.csv?identity=1"


def copy_session(app, client):
    """Another browser holding a copy of client's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def opens_identified_export(client) -> bool:
    response = client.get(IDENTIFIED)
    return response.status_code == 200 and response.mimetype == "text/csv"


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_copied_cookie_opens_the_export_until_sign_out_then_never(app, clinician):
    add_submission(app, name="Rosa Quintero")
    thief = copy_session(app, clinician)
    assert opens_identified_export(thief)  # the copy works while the session does
    clinician.post("/clinic/logout")
    response = thief.get(IDENTIFIED)
    assert response.status_code == 302
    assert response.location.startswith("/clinic/login")
    assert "Rosa" not in response.get_data(as_text=True)


NEW_PASSWORD = "a brand new passphrase"


@pytest.mark.parametrize(
    ("posts", "password"),
    [
        ([("password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})], NEW_PASSWORD),
        ([("role", {"role": "admin"})], PASSWORD),
        ([("deactivate", {}), ("reactivate", {})], PASSWORD),
    ],
    ids=["password-reset", "role-change", "deactivate-and-reactivate"],
)
def test_an_admins_change_to_a_user_ends_their_sessions(app, admin, posts, password):
    uid = make_user(app, "doc@clinic.example")
    doc = app.test_client()
    sign_in(doc, "doc@clinic.example")
    thief = copy_session(app, doc)
    assert doc.get("/clinic/").status_code == 200
    for page, data in posts:
        assert admin.post(f"/clinic/admin/users/{uid}/{page}", data=data).status_code == 302
    for old in (doc, thief):
        assert old.get("/clinic/").status_code == 302
        assert not opens_identified_export(old)
    # The user signs in again as usual (with the new password where there is one).
    fresh = app.test_client()
    assert sign_in(fresh, "doc@clinic.example", password).status_code == 302
    assert fresh.get("/clinic/").status_code == 200


def test_an_admin_who_sets_their_own_password_signs_in_again(app, admin):
    with app.app_context():
        me = db.session.scalar(select(User.id).where(User.email == "boss@clinic.example"))
    thief = copy_session(app, admin)
    new = "my own new passphrase"
    admin.post(f"/clinic/admin/users/{me}/password", data={"password": new, "confirm": new})
    assert admin.get("/clinic/").status_code == 302
    assert thief.get("/clinic/").status_code == 302
    assert sign_in(app.test_client(), "boss@clinic.example", new).status_code == 302


def test_a_session_from_before_session_versions_loads_no_user(app, clinician):
    # A cookie whose user id has no version (as before) opens nothing.
    with clinician.session_transaction() as session:
        session["_user_id"] = session["_user_id"].partition(".")[0]
    assert clinician.get("/clinic/").status_code == 302


def test_a_session_ends_after_its_hours_however_active(app, clinician):
    with clinician.session_transaction() as session:
        session[SIGNED_IN] = int(time.time()) - 12 * 3600 - 1
    response = clinician.get("/clinic/?review=new")
    assert response.status_code == 302
    assert response.location.startswith("/clinic/login")
    page = clinician.get(response.location).get_data(as_text=True)
    assert "a session lasts at most 12 hours" in page
    assert actions(app)[-1] == "session_ended"
    assert clinician.get("/clinic/").status_code == 302


def test_a_session_within_its_hours_goes_on(app, clinician):
    with clinician.session_transaction() as session:
        session[SIGNED_IN] = int(time.time()) - 12 * 3600 + 60
    assert clinician.get("/clinic/").status_code == 200


def make_password_old(client):
    with client.session_transaction() as session:
        session[PASSWORD_AT] = int(time.time()) - 15 * 60 - 1


def test_the_export_with_names_asks_for_the_password_again_then_returns(app, clinician):
    add_submission(app, name="Rosa Quintero")
    assert opens_identified_export(clinician)  # just signed in: the password is recent
    make_password_old(clinician)
    asked = clinician.get(IDENTIFIED)
    assert asked.status_code == 302
    assert asked.location.startswith("/clinic/confirm?next=")
    assert "Enter your password again" in clinician.get(asked.location).get_data(as_text=True)
    wrong = clinician.post(asked.location, data={"password": "not my password!"})
    assert "This is not your password." in wrong.get_data(as_text=True)
    right = clinician.post(asked.location, data={"password": PASSWORD})
    assert right.location == IDENTIFIED
    assert "Rosa Quintero" in clinician.get(right.location).get_data(as_text=True)
    assert actions(app)[-3:] == ["login_confirm_failed", "login_confirmed", "export_csv_identified"]


def test_the_de_identified_export_needs_no_fresh_password(app, clinician):
    make_password_old(clinician)
    assert clinician.get("/clinic/export.csv").status_code == 200


@pytest.mark.parametrize("page", ["password", "role"])
def test_setting_a_password_or_role_asks_for_the_password_again(app, admin, page):
    uid = make_user(app, "doc@clinic.example")
    url = f"/clinic/admin/users/{uid}/{page}"
    assert admin.get(url).status_code == 200
    make_password_old(admin)
    for response in (admin.get(url), admin.post(url, data={"role": "admin"})):
        assert response.status_code == 302
        assert response.location.startswith("/clinic/confirm?next=")
    with app.app_context():
        assert db.session.get(User, uid).role == Role.CLINICIAN


def test_the_confirm_page_does_not_go_on_to_another_site(app, clinician):
    response = clinician.post(
        "/clinic/confirm?next=https://evil.example/", data={"password": PASSWORD}
    )
    assert response.location == "/clinic/"


def test_an_admin_changes_a_role_audited(app, admin):
    uid = make_user(app, "doc@clinic.example")
    page = admin.get(f"/clinic/admin/users/{uid}/role").get_data(as_text=True)
    assert 'name="role"' in page
    response = admin.post(f"/clinic/admin/users/{uid}/role", data={"role": "admin"})
    assert response.location == "/clinic/admin/users"
    with app.app_context():
        assert db.session.get(User, uid).role == Role.ADMIN
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user_role"))
        assert event.detail == "doc@clinic.example: clinician to admin"


def test_the_last_admin_cannot_demote_themselves(app, admin):
    with app.app_context():
        me = db.session.scalar(select(User.id).where(User.email == "boss@clinic.example"))
    response = admin.post(f"/clinic/admin/users/{me}/role", data={"role": "clinician"})
    assert response.status_code == 200
    assert "The clinic needs an active admin" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, me).role == Role.ADMIN
    # With a second admin, an admin may step down.
    make_user(app, "other@clinic.example", Role.ADMIN)
    response = admin.post(f"/clinic/admin/users/{me}/role", data={"role": "clinician"})
    assert response.location == "/clinic/admin/users"
    with app.app_context():
        assert db.session.get(User, me).role == Role.CLINICIAN


def test_clinicians_cannot_change_roles(app, clinician):
    uid = make_user(app, "other@clinic.example")
    assert (
        clinician.post(f"/clinic/admin/users/{uid}/role", data={"role": "admin"}).status_code == 403
    )
