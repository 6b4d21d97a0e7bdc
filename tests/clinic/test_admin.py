"""Admin pages: users and the audit log."""

from sqlalchemy import select

from screener.extensions import db
from screener.models import AuditEvent, User
from tests.conftest import PASSWORD, make_user

from .conftest import add_submission, sign_in

NEW_PASSWORD = "a brand new passphrase"


def user(app, email: str) -> User | None:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_users_page_lists_everyone(app, admin):
    make_user(app, "doc@clinic.example")
    html = admin.get("/clinic/admin/users").get_data(as_text=True)
    assert "boss@clinic.example" in html and "(you)" in html
    assert "doc@clinic.example" in html
    assert "Deactivate" in html


def test_admin_adds_a_user_who_can_sign_in(app, admin, client):
    response = admin.post(
        "/clinic/admin/users/new",
        data={
            "email": " Nurse@Clinic.example ",
            "role": "clinician",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.location == "/clinic/admin/users"
    created = user(app, "nurse@clinic.example")
    assert created.role == "clinician" and created.active
    assert created.check_password(NEW_PASSWORD)
    other = app.test_client()
    assert sign_in(other, "nurse@clinic.example", NEW_PASSWORD).status_code == 302


def test_adding_a_user_checks_the_form(app, admin):
    make_user(app, "doc@clinic.example")
    cases = [
        ({"email": "doc@clinic.example"}, "A user with this email already exists."),
        ({"email": "not an email"}, "Enter an email address"),
        ({"password": "short", "confirm": "short"}, "Use at least 12 characters."),
        ({"confirm": "something else entirely"}, "The two passwords are not the same."),
        ({"role": "superuser"}, "Not a valid choice"),
    ]
    for change, message in cases:
        data = {"email": "new@clinic.example", "role": "admin", "password": NEW_PASSWORD}
        data |= {"confirm": data["password"]} | change
        html = admin.post("/clinic/admin/users/new", data=data).get_data(as_text=True)
        assert message in html, change
    assert user(app, "new@clinic.example") is None


def test_deactivate_and_reactivate(app, admin):
    doc = make_user(app, "doc@clinic.example")
    admin.post(f"/clinic/admin/users/{doc}/deactivate")
    assert not user(app, "doc@clinic.example").active
    assert sign_in(app.test_client(), "doc@clinic.example").status_code == 200
    admin.post(f"/clinic/admin/users/{doc}/reactivate")
    assert user(app, "doc@clinic.example").active
    assert sign_in(app.test_client(), "doc@clinic.example").status_code == 302


def test_deactivating_asks_to_confirm_first(app, admin):
    doc = make_user(app, "doc@clinic.example")
    users = admin.get("/clinic/admin/users").get_data(as_text=True)
    assert f'href="/clinic/admin/users/{doc}/deactivate"' in users
    html = admin.get(f"/clinic/admin/users/{doc}/deactivate").get_data(as_text=True)
    assert "Deactivate doc@clinic.example?" in html
    assert (
        "They will be signed out at once and cannot sign in until reactivated. "
        "Their notes and the audit trail stay."
    ) in html
    assert f'<form method="post" action="/clinic/admin/users/{doc}/deactivate"' in html
    assert '<a href="/clinic/admin/users">Cancel</a>' in html
    assert user(app, "doc@clinic.example").active  # asking changed nothing
    response = admin.post(f"/clinic/admin/users/{doc}/deactivate")
    assert response.location == "/clinic/admin/users"
    assert not user(app, "doc@clinic.example").active


def test_deactivation_signs_the_user_out_at_once(app, admin):
    doc = make_user(app, "doc@clinic.example")
    other = app.test_client()
    sign_in(other, "doc@clinic.example")
    assert other.get("/clinic/").status_code == 200
    admin.post(f"/clinic/admin/users/{doc}/deactivate")
    assert other.get("/clinic/").location.startswith("/clinic/login")


def test_no_confirmation_page_for_oneself_or_an_inactive_user(app, admin):
    me = user(app, "boss@clinic.example")
    response = admin.get(f"/clinic/admin/users/{me.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    doc = make_user(app, "doc@clinic.example")
    admin.post(f"/clinic/admin/users/{doc}/deactivate")
    response = admin.get(f"/clinic/admin/users/{doc}/deactivate")
    assert response.location == "/clinic/admin/users"
    assert admin.get("/clinic/admin/users/999/deactivate").status_code == 404


def test_an_admin_cannot_deactivate_themselves(app, admin):
    me = user(app, "boss@clinic.example")
    response = admin.post(f"/clinic/admin/users/{me.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert user(app, "boss@clinic.example").active


def test_reset_a_password(app, admin):
    doc = make_user(app, "doc@clinic.example")
    response = admin.post(
        f"/clinic/admin/users/{doc}/password",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.location == "/clinic/admin/users"
    assert sign_in(app.test_client(), "doc@clinic.example", PASSWORD).status_code == 200
    assert sign_in(app.test_client(), "doc@clinic.example", NEW_PASSWORD).status_code == 302


def test_unknown_user_is_404(admin):
    assert admin.get("/clinic/admin/users/999/password").status_code == 404
    assert admin.post("/clinic/admin/users/999/deactivate").status_code == 404


def test_user_admin_actions_are_audited_without_passwords(app, admin):
    doc = make_user(app, "doc@clinic.example")
    admin.post(f"/clinic/admin/users/{doc}/deactivate")
    admin.post(f"/clinic/admin/users/{doc}/reactivate")
    admin.post(
        f"/clinic/admin/users/{doc}/password",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    with app.app_context():
        events = db.session.execute(select(AuditEvent.action, AuditEvent.detail)).all()
    assert ("user_deactivate", "doc@clinic.example") in events
    assert ("user_reactivate", "doc@clinic.example") in events
    assert ("user_password", "doc@clinic.example") in events
    assert not any(NEW_PASSWORD in detail or PASSWORD in detail for _a, detail in events)


def test_audit_log_shows_who_did_what_to_which_submission(app, admin):
    reference = add_submission(app)
    admin.get(f"/clinic/submissions/{reference}")
    admin.post(f"/clinic/submissions/{reference}/review")
    admin.post(f"/clinic/submissions/{reference}/notes", data={"body": "Seen."})
    admin.get("/clinic/export.csv?identity=1")
    admin.get(f"/clinic/submissions/{reference}/fhir.json")
    html = admin.get("/clinic/admin/audit").get_data(as_text=True)
    for words in (
        "Signed in",
        "Viewed a summary",
        "Marked reviewed",
        "Added a note",
        "Exported CSV",
        "Exported FHIR",
    ):
        assert words in html
    assert reference in html
    assert "identity=yes" in html
    assert "boss@clinic.example" in html
    assert "Seen." not in html  # the note's text stays on the summary


def test_audit_log_filters_by_action_and_pages(app, admin):
    reference = add_submission(app)
    for _ in range(105):
        admin.get(f"/clinic/submissions/{reference}")
    html = admin.get("/clinic/admin/audit?action=view").get_data(as_text=True)
    assert "105 events." in html
    assert "Page 1 of 2" in html
    assert "Signed in" not in html.split("<tbody>")[1]
    html = admin.get("/clinic/admin/audit?action=view&page=2").get_data(as_text=True)
    assert html.split("<tbody>")[1].count("<tr>") == 5
    assert admin.get("/clinic/admin/audit?action=bogus").status_code == 404


def test_admins_see_admin_links_and_clinicians_do_not(app, admin, client):
    assert "Audit log" in admin.get("/clinic/").get_data(as_text=True)
    make_user(app, "doc@clinic.example")
    other = app.test_client()
    sign_in(other, "doc@clinic.example")
    html = other.get("/clinic/").get_data(as_text=True)
    assert "Audit log" not in html and "Users" not in html
