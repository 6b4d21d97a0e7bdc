"""The idle sign-out warns first and can be put off."""

import time

from screener.auth.guards import LAST_SEEN


def test_clinic_pages_carry_the_idle_warning_with_its_timing(app, clinician):
    html = clinician.get("/clinic/").text
    assert 'id="idle-warning"' in html
    assert f'data-idle-seconds="{app.config["CLINIC_IDLE_MINUTES"] * 60}"' in html
    assert "js/idle.js" in html


def test_the_countdown_is_for_the_eye_and_a_live_region_speaks(clinician):
    html = clinician.get("/clinic/").text
    assert '<p class="idle-countdown" aria-hidden="true">' in html
    assert 'aria-describedby="idle-text"' in html
    assert '<p id="idle-text" class="visually-hidden" aria-live="polite"' in html


def test_the_sign_in_page_has_no_idle_warning(client):
    assert 'id="idle-warning"' not in client.get("/clinic/login").text


def test_staying_signed_in_resets_the_idle_clock(app, clinician):
    with clinician.session_transaction() as session:
        session[LAST_SEEN] = int(time.time()) - 28 * 60
    assert clinician.post("/clinic/session/extend").status_code == 204
    with clinician.session_transaction() as session:
        assert time.time() - session[LAST_SEEN] < 5
    assert clinician.get("/clinic/").status_code == 200


def test_staying_signed_in_is_too_late_after_the_limit(clinician):
    with clinician.session_transaction() as session:
        session[LAST_SEEN] = int(time.time()) - 31 * 60
    response = clinician.post("/clinic/session/extend")
    assert response.status_code == 302
    assert "/clinic/login" in response.location
