"""Repeated sign-in failures are throttled per account and per address."""

import pytest

from tests.conftest import PASSWORD, make_user

from .conftest import sign_in


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True}


def test_five_failures_lock_the_account_for_a_while(app, client):
    make_user(app, "doc@clinic.example")
    for _ in range(5):
        assert sign_in(client, "doc@clinic.example", "wrong password!").status_code == 200
    response = sign_in(client, "DOC@clinic.example", PASSWORD)
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.get_data(as_text=True)
    # Another account from the same address is not affected.
    make_user(app, "nurse@clinic.example")
    assert sign_in(client, "nurse@clinic.example").status_code == 302


def test_successful_sign_ins_do_not_count_as_failures(app, client):
    make_user(app, "doc@clinic.example")
    for _ in range(6):
        assert sign_in(client, "doc@clinic.example").status_code == 302
        client.post("/clinic/logout")


def test_one_address_gets_ten_attempts_a_minute(app, client):
    for n in range(10):
        assert sign_in(client, f"user{n}@clinic.example", "wrong password!").status_code == 200
    response = sign_in(client, "user99@clinic.example", "wrong password!")
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.get_data(as_text=True)


def test_viewing_the_login_page_is_not_throttled(client):
    for _ in range(15):
        assert client.get("/clinic/login").status_code == 200


def test_the_refusal_says_how_long_to_wait(app, client):
    make_user(app, "doc@clinic.example")
    for _ in range(5):
        sign_in(client, "doc@clinic.example", "wrong password!")
    response = sign_in(client, "doc@clinic.example", "wrong password!")
    assert response.status_code == 429
    # The five failures fill a moving 15-minute window: the first leaves it in 15 minutes.
    assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "Try again in 15 minutes" in response.get_data(as_text=True)


def test_failures_from_elsewhere_do_not_keep_the_clinician_out(app, client):
    make_user(app, "doc@clinic.example")
    stranger = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(5):
        client.post(
            "/clinic/login",
            data={"email": "doc@clinic.example", "password": "wrong password!"},
            environ_base=stranger,
        )
    refused = client.post(
        "/clinic/login",
        data={"email": "doc@clinic.example", "password": PASSWORD},
        environ_base=stranger,
    )
    assert refused.status_code == 429
    # The clinician, from their own address, signs in as usual.
    assert sign_in(client, "doc@clinic.example").status_code == 302


def test_the_password_prompt_is_not_a_way_to_guess_the_password(app, client):
    make_user(app, "doc@clinic.example")
    assert sign_in(client, "doc@clinic.example").status_code == 302
    for _ in range(5):
        wrong = client.post("/clinic/confirm", data={"password": "a guess at it"})
        assert wrong.status_code == 200
    assert client.post("/clinic/confirm", data={"password": PASSWORD}).status_code == 429


def test_wrong_current_passwords_count_with_the_password_prompt(app, client):
    make_user(app, "doc@clinic.example")
    assert sign_in(client, "doc@clinic.example").status_code == 302
    url = "/clinic/account/password"
    new = {"password": "a brand new passphrase", "confirm": "a brand new passphrase"}
    # Mistakes in the new password are not guesses: they do not count.
    for _ in range(5):
        client.post(url, data={"current": PASSWORD, "password": "short", "confirm": "short"})
    for _ in range(3):
        assert client.post(url, data={"current": "a guess at it", **new}).status_code == 200
    for _ in range(2):
        assert client.post("/clinic/confirm", data={"password": "a guess"}).status_code == 200
    assert client.post(url, data={"current": PASSWORD, **new}).status_code == 429
    assert client.post("/clinic/confirm", data={"password": PASSWORD}).status_code == 429
