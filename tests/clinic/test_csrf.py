"""With CSRF protection on (as in production), every clinic form needs its token."""

import re

import pytest

from screener.models import Role
from tests.conftest import PASSWORD, csrf_token, make_user

from .conftest import add_submission
from .test_access import clinic_rules


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def signed_in_admin(app, client):
    make_user(app, "boss@clinic.example", Role.ADMIN)
    token = csrf_token(client.get("/clinic/login").get_data(as_text=True))
    response = client.post(
        "/clinic/login",
        data={"email": "boss@clinic.example", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    return client


def test_sign_in_without_a_token_is_refused(app, client):
    make_user(app, "doc@clinic.example")
    response = client.post(
        "/clinic/login", data={"email": "doc@clinic.example", "password": PASSWORD}
    )
    assert response.status_code == 400


def test_every_clinic_post_without_a_token_is_refused(app, client):
    signed_in_admin(app, client)
    reference = add_submission(app)
    other = make_user(app, "other@clinic.example")
    posts = [(rule, url) for rule, url, methods in clinic_rules(app) if "POST" in methods]
    assert len(posts) >= 7
    for rule, url in posts:
        url = url.replace("ABCD-EFGH", reference).replace("/users/1/", f"/users/{other}/")
        data = {"body": "a note", "password": "x" * 20, "confirm": "x" * 20, "email": "a@b.c"}
        response = client.post(url, data=data)
        assert response.status_code == 400, rule.endpoint
    # Nothing above changed anything: still signed in, nothing reviewed.
    assert client.get("/clinic/").status_code == 200
    page = client.get(f"/clinic/submissions/{reference}").get_data(as_text=True)
    assert "Not reviewed yet." in page
    assert "No notes yet." in page


def test_every_clinic_form_carries_a_token(app, client):
    signed_in_admin(app, client)
    reference = add_submission(app)
    other = make_user(app, "other@clinic.example")
    for url in (
        "/clinic/",
        f"/clinic/submissions/{reference}",
        "/clinic/admin/users",
        "/clinic/admin/users/new",
        "/clinic/admin/users/1/password",
        f"/clinic/admin/users/{other}/deactivate",
        "/clinic/account/password",
    ):
        html = client.get(url).get_data(as_text=True)
        for form in re.findall(r'<form[^>]*method="post".*?</form>', html, re.S):
            assert 'name="csrf_token"' in form, url


def test_a_form_with_its_token_works(app, client):
    signed_in_admin(app, client)
    reference = add_submission(app)
    page = client.get(f"/clinic/submissions/{reference}").get_data(as_text=True)
    response = client.post(
        f"/clinic/submissions/{reference}/review", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302


def test_deactivating_from_the_confirmation_page_with_its_token_works(app, client):
    signed_in_admin(app, client)
    other = make_user(app, "other@clinic.example")
    page = client.get(f"/clinic/admin/users/{other}/deactivate").get_data(as_text=True)
    response = client.post(
        f"/clinic/admin/users/{other}/deactivate", data={"csrf_token": csrf_token(page)}
    )
    assert response.location == "/clinic/admin/users"
    assert "Deactivated" in client.get("/clinic/admin/users").get_data(as_text=True)
