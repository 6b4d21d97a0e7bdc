"""Every clinic route refuses anonymous visitors, admin pages refuse clinicians, `next` stays."""

import pytest

from screener.models import Role
from tests.conftest import make_user

from .conftest import add_submission, sign_in

PUBLIC = {"auth.login"}
ARGS = {"reference": "ABCD-EFGH", "user_id": 1, "invitation_id": 1, "message_id": 1}


def clinic_rules(app):
    """(rule, url, methods) for every clinic and auth route."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith(("clinic.", "auth.")) or rule.endpoint in PUBLIC:
                continue
            url = app.url_map.bind("localhost").build(
                rule.endpoint, {a: ARGS[a] for a in rule.arguments}
            )
            methods = sorted(rule.methods & {"GET", "POST"})
            found.append((rule, url, methods))
    return found


def test_the_url_map_has_the_expected_clinic_routes(app):
    endpoints = {rule.endpoint for rule, _url, _methods in clinic_rules(app)}
    assert {
        "auth.logout",
        "clinic.queue",
        "clinic.submission",
        "clinic.review",
        "clinic.add_note",
        "clinic.export_csv",
        "clinic.export_dictionary",
        "clinic.fhir.response",
        "clinic.fhir.responses",
        "clinic.fhir.metadata",
        "clinic.admin.users",
        "clinic.admin.new_user",
        "clinic.admin.deactivate",
        "clinic.admin.reactivate",
        "clinic.admin.reset_password",
        "clinic.admin.audit_log",
    } <= endpoints


def test_every_clinic_route_refuses_anonymous_visitors(app, client):
    add_submission(app)
    checked = 0
    for rule, url, methods in clinic_rules(app):
        for method in ("GET", "POST"):
            response = client.open(url, method=method)
            if method not in methods:
                assert response.status_code == 405, (rule.endpoint, method)
                continue
            assert response.status_code in (302, 401), (rule.endpoint, method)
            if response.status_code == 302:
                assert response.location.startswith("/clinic/login"), (rule.endpoint, method)
            checked += 1
    assert checked >= 15


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get("/clinic/?category=urgent")
    assert response.location == "/clinic/login?next=%2Fclinic%2F%3Fcategory%3Durgent"


def test_a_clinician_cannot_reach_any_admin_page(app, clinician):
    other = make_user(app, "other@clinic.example")
    admin_rules = [r for r in clinic_rules(app) if r[0].endpoint.startswith("clinic.admin.")]
    assert len(admin_rules) >= 6
    for rule, url, methods in admin_rules:
        for method in methods:
            url = url.replace("/users/1/", f"/users/{other}/")
            assert clinician.open(url, method=method).status_code == 403, (rule.endpoint, method)


def test_an_admin_reaches_the_admin_pages(admin):
    assert admin.get("/clinic/admin/users").status_code == 200
    assert admin.get("/clinic/admin/audit").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        " //evil.example",
    ],
)
def test_next_cannot_leave_the_site(app, client, target):
    make_user(app, "doc@clinic.example")
    response = client.post(
        "/clinic/login",
        query_string={"next": target},
        data={"email": "doc@clinic.example", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert response.location == "/clinic/"


def test_next_on_this_site_is_followed(app, client):
    make_user(app, "doc@clinic.example")
    response = client.post(
        "/clinic/login?next=/clinic/admin/audit?page=2",
        data={"email": "doc@clinic.example", "password": "correct horse battery staple"},
    )
    assert response.location == "/clinic/admin/audit?page=2"


def test_signed_in_visit_to_login_goes_to_a_safe_next(clinician):
    assert clinician.get("/clinic/login?next=//evil.example").location == "/clinic/"


def test_a_deactivated_user_loses_access_at_once(app, client):
    from screener.extensions import db
    from screener.models import User

    user_id = make_user(app, "doc@clinic.example", Role.CLINICIAN)
    sign_in(client, "doc@clinic.example")
    assert client.get("/clinic/").status_code == 200
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    assert client.get("/clinic/").status_code == 302
