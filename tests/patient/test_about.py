"""The education page: each topic in English and Spanish, a way back to the step the patient
left (never to another site), and the site's icon."""

import re

import pytest

from tests.answers import REFERRAL

from .conftest import answer_steps
from .rendered import visible_text

ABOUT = "/about-si-joint-fusion"

# A few facts from each section, in the order the page gives them.
TOPICS = {
    "en": [
        "sacroiliac joint is where the bottom of your spine (the sacrum) meets your hip bone",
        "joins the sacrum and the hip bone, so the joint no longer moves",
        "made of titanium",
        "months of care without surgery have not helped enough",
        "physical therapy, medicines and shots (injections)",
        "a numbing shot into the joint",
        "you and your care team decide together",
        "small cuts on the side of the buttock",
        "general anesthesia",
        "same day or the next day",
        "Many people have less pain",
        "Not everyone gets better.",
        "serious problems happen rarely. In rare cases, people have:",
        "an infection",
        "a nerve that gets irritated or hurt",
        "an implant in the wrong place, which may need another operation",
        "bones that do not grow together",
        "a blood clot",
        "(anesthesia)",
        "You will often use a walker, crutches or a cane",
        "heavier than 10 pounds (4.5 kg)",
        "do not sit for long periods",
        "physical therapy to help you get strong again",
        "Full recovery often takes 3 to 4 months.",
        "Some pain is normal for a few weeks.",
        "acetaminophen",
        "a fever over 101 °F (38.3 °C)",
        "fluid coming out of the cut (incision)",
        "bleeding from the cut",
        "other signs of infection",
        "go to the emergency room. In an emergency, call 911.",
    ],
    "es": [
        "La articulación sacroilíaca es donde la parte de abajo de la columna (el sacro)",
        "une el sacro con el hueso de la cadera. Así la articulación ya no se mueve.",
        "son de titanio",
        "meses de tratamiento sin cirugía no han ayudado lo suficiente",
        "terapia física, medicinas e inyecciones",
        "una inyección para adormecer la articulación",
        "usted y su equipo de atención deciden juntos",
        "cortes pequeños al costado de la nalga",
        "anestesia general",
        "el mismo día o al día siguiente",
        "Muchas personas tienen menos dolor",
        "No todas las personas mejoran.",
        "los problemas graves pasan rara vez. En casos raros, las personas tienen:",
        "una infección",
        "un nervio irritado o lastimado",
        "un implante fuera de lugar, que puede necesitar otra operación",
        "huesos que no se unen",
        "un coágulo de sangre",
        "(anestesia)",
        "A menudo usará un andador, muletas o un bastón",
        "más de 10 libras (4.5 kg)",
        "no pase mucho tiempo seguido en una silla",
        "terapia física para recuperar la fuerza",
        "a menudo toma de 3 a 4 meses.",
        "Es normal tener algo de dolor por unas semanas.",
        "acetaminofén",
        "fiebre de más de 101 °F (38.3 °C)",
        "líquido que sale del corte (incisión)",
        "sangrado del corte",
        "otras señales de infección",
        "vaya a la sala de emergencias. En una emergencia, llame al 911.",
    ],
}


def back_links(html: str) -> list[str]:
    """The hrefs of the page's two ways back to the questions: the link at the top and the
    button at the bottom."""
    return re.findall(r'<a class="(?:back-link|button)" href="([^"]*)">', html)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_about_page_covers_each_topic_in_order(client, lang):
    text = visible_text(client.get(ABOUT, headers={"Accept-Language": lang}).text)
    flat = " ".join(text.split())
    at = 0
    for fact in TOPICS[lang]:
        found = flat.find(fact, at)
        assert found >= 0, (fact, flat[at : at + 200])
        at = found + len(fact)


def test_the_spanish_page_names_the_sacroiliac_joint_in_full(client):
    html = client.get(ABOUT, headers={"Accept-Language": "es"}).text
    assert "Sobre la fusión de la articulación sacroilíaca" in html
    assert "articulación SI" not in html


def test_the_about_page_has_one_h1_then_h2_sections(client):
    levels = re.findall(r"<h([1-6])[ >]", client.get(ABOUT).text)
    assert levels == ["1"] + ["2"] * 9


def test_a_step_links_to_the_about_page_with_its_slug(started):
    assert f'href="{ABOUT}?step=where"' in started.get("/step/where").text
    assert f'href="{ABOUT}"' in started.get("/").text  # not a step: nothing to return to


def test_back_to_the_questions_returns_to_the_step_given(started):
    response = started.get(ABOUT + "?step=how-much")
    assert response.status_code == 200
    assert back_links(response.text) == ["/step/how-much", "/step/how-much"]


@pytest.mark.parametrize(
    "given",
    ["", "no-such-step", "https://evil.example/", "//evil.example", "/review", "where/../x"],
)
def test_anything_but_a_step_goes_back_where_the_draft_carries_on(started, given):
    response = started.get(ABOUT, query_string={"step": given})
    assert response.status_code == 200
    # About you is done, so the draft carries on at the safety questions.
    assert back_links(response.text) == ["/step/safety", "/step/safety"]
    assert not re.search(r'href="(?:[a-z]+:)?//', response.text)  # no link off the site


def test_without_a_draft_back_goes_to_the_start(client):
    assert back_links(client.get(ABOUT + "?step=https://evil.example/").text) == ["/", "/"]


def test_a_sent_questionnaire_is_not_carried_on(started):
    answer_steps(started, REFERRAL)
    assert started.post("/review").status_code == 302
    assert back_links(started.get(ABOUT).text) == ["/", "/"]


@pytest.mark.parametrize("path", ["/", "/login"])
def test_every_page_names_the_svg_icon(client, path):
    html = client.get(path).text
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html


def test_favicon_ico_leads_to_the_svg_icon_with_static_caching(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.location == "/static/img/favicon.svg"
    with client.get(response.location) as icon:
        assert icon.status_code == 200
        assert icon.mimetype == "image/svg+xml"
        assert icon.text.startswith("<svg ")
        assert icon.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" in icon.headers
        assert icon.cache_control.max_age and not icon.cache_control.no_store
