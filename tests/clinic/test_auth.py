"""Sign-in, sign-out and expiry after inactivity."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from screener.extensions import db
from screener.models import AuditEvent, User
from tests.conftest import PASSWORD, make_user

from .conftest import sign_in


def audit_actions(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.action, e.detail) for e in db.session.scalars(select(AuditEvent))]


def test_login_page_has_email_and_password_fields(client):
    html = client.get("/clinic/login").get_data(as_text=True)
    assert 'name="email"' in html
    assert 'name="password"' in html
    assert 'type="password"' in html
    assert '<html lang="en"' in html


def test_a_clinician_signs_in_and_lands_on_the_queue(app, client):
    make_user(app, "Doc@Clinic.example")
    response = sign_in(client, " DOC@clinic.example ")
    assert response.status_code == 302
    assert response.location == "/clinic/"
    assert client.get("/clinic/").status_code == 200
    assert ("login", "") in audit_actions(app)
    with app.app_context():
        assert db.session.scalar(select(User.last_login_at)) is not None


@pytest.mark.parametrize(
    ("email", "password"),
    [("doc@clinic.example", "wrong password here"), ("nobody@clinic.example", PASSWORD)],
)
def test_a_failed_sign_in_does_not_say_which_part_was_wrong(app, client, email, password):
    make_user(app, "doc@clinic.example")
    response = sign_in(client, email, password)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The email or password is not right." in html
    assert client.get("/clinic/").status_code == 302
    assert [action for action, _ in audit_actions(app)] == ["login_failed"]


def test_a_failed_sign_in_keeps_an_unknown_email_only_as_a_hash(app, client):
    make_user(app, "doc@clinic.example")
    sign_in(client, "doc@clinic.example", "wrong password here")
    # Typed in the email box by mistake, a password must not reach the audit log.
    sign_in(client, "  My Secret Password 1 ", PASSWORD)
    sign_in(client, "my secret password 1", PASSWORD)
    [known, typed, again] = audit_actions(app)
    assert known == ("login_failed", "doc@clinic.example")
    assert typed[1].startswith("unknown:") and len(typed[1]) == len("unknown:") + 16
    assert "secret" not in typed[1].lower()
    assert typed == again  # the same email, however typed, gives the same hash


def test_an_unknown_account_still_costs_a_password_check(app, client, monkeypatch):
    import screener.models as models

    user_id = make_user(app, "doc@clinic.example")
    with app.app_context():
        method = db.session.get(User, user_id).password_hash.split("$")[0]
    checked = []
    real = models.check_password_hash
    monkeypatch.setattr(models, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    sign_in(client, "nobody@clinic.example", PASSWORD)
    # One check, against a hash made the way real ones are, so that it takes as long.
    assert [h.split("$")[0] for h in checked] == [method]


def test_a_deactivated_account_cannot_sign_in(app, client):
    user_id = make_user(app, "gone@clinic.example")
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    response = sign_in(client, "gone@clinic.example")
    assert "The email or password is not right." in response.get_data(as_text=True)


def test_empty_fields_are_named(client):
    html = client.post("/clinic/login", data={}).get_data(as_text=True)
    assert "Enter your email address." in html
    assert "Enter your password." in html


def test_signing_in_starts_a_fresh_session(app, client):
    make_user(app, "doc@clinic.example")
    with client.session_transaction() as session:
        session["planted"] = "from before sign-in"
    sign_in(client, "doc@clinic.example")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"]


def test_sign_out_ends_the_session(app, clinician):
    response = clinician.post("/clinic/logout")
    assert response.location == "/clinic/login"
    assert "You are signed out." in clinician.get("/clinic/login").get_data(as_text=True)
    assert clinician.get("/clinic/").status_code == 302
    assert ("logout", "") in audit_actions(app)


def test_sign_out_needs_a_post(clinician):
    assert clinician.get("/clinic/logout").status_code == 405


def test_the_session_expires_after_30_idle_minutes(app, clinician):
    with clinician.session_transaction() as session:
        session["clinic_seen"] -= 31 * 60
    response = clinician.get("/clinic/?review=new")
    assert response.status_code == 302
    where = urlsplit(response.location)
    assert where.path == "/clinic/login"
    assert parse_qs(where.query) == {"next": ["/clinic/?review=new"]}
    html = clinician.get(response.location).get_data(as_text=True)
    assert "signed out after 30 minutes of inactivity" in html
    assert clinician.get("/clinic/").status_code == 302
    assert ("session_expired", "") in audit_actions(app)


def test_activity_keeps_the_session_alive(clinician):
    with clinician.session_transaction() as session:
        session["clinic_seen"] -= 29 * 60
    assert clinician.get("/clinic/").status_code == 200
    with clinician.session_transaction() as session:
        session["clinic_seen"] -= 29 * 60
    assert clinician.get("/clinic/").status_code == 200


@pytest.mark.parametrize("app_config", [{"CLINIC_IDLE_MINUTES": 5}])
def test_the_idle_limit_is_configurable(clinician):
    with clinician.session_transaction() as session:
        session["clinic_seen"] -= 6 * 60
    assert clinician.get("/clinic/").status_code == 302


def test_a_post_after_expiry_is_not_carried_out(app, clinician):
    from .conftest import add_submission

    reference = add_submission(app)
    with clinician.session_transaction() as session:
        session["clinic_seen"] -= 31 * 60
    response = clinician.post(f"/clinic/submissions/{reference}/notes", data={"body": "late"})
    assert response.location == "/clinic/login"
    assert ("note", "") not in audit_actions(app)
