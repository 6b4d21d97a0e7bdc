"""How patient pages name the clinic and its phone number, set or not."""

import re

import pytest

from screener.catalogue import step
from tests.answers import SAFE

from .conftest import answer_steps, begin

# Pages that tell the patient to call: the education page, resume, the urgent page.
PAGES = ("/about-si-joint-fusion", "/resume")


def _urgent_page(client) -> str:
    begin(client)
    answer_steps(client, {**SAFE, "rf_weight_loss": "yes"}, steps=[step("safety")])
    return client.get("/urgent").text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_unset_details_name_the_care_team_and_no_number(app, client, lang):
    app.config.update(CLINIC_NAME="", CLINIC_PHONE="")
    client.get(f"/language/{lang}")
    care_team = {"en": "your care team", "es": "su equipo de atención"}[lang]
    for html in [client.get(path).text for path in PAGES] + [_urgent_page(client)]:
        assert 'href="tel:' not in html.replace('href="tel:911"', "")
        assert care_team in html
        assert not re.search(r"\d{3}-\d{4}", html)  # no made-up number
        assert "Your clinic" not in html


def test_set_details_are_shown_with_a_phone_link(app, client):
    app.config.update(CLINIC_NAME="Hillside Spine Clinic", CLINIC_PHONE="(555) 010-0199")
    for html in [client.get(path).text for path in PAGES] + [_urgent_page(client)]:
        assert '<a href="tel:5550100199">(555) 010-0199</a>' in html
        assert "Hillside Spine Clinic" in html
