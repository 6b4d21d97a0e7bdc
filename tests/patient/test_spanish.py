"""The Spanish catalogue's house rules (plain words a US Latino patient reads one way only), and
US spelling in the English it translates."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from screener.catalogue import QUESTIONS

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "screener" / "translations" / "es" / "LC_MESSAGES" / "messages.po"

# "SI" reads as "sí" (yes): the joint is the "articulación sacroilíaca", in full.
SI_ABBREVIATION = re.compile(r"\bS\.? ?I\b")
# "Preguntas de seguridad" reads as account-recovery questions.
SECURITY_QUESTIONS = re.compile(r"preguntas? de seguridad", re.IGNORECASE)
# Words the plain ones replace: "médico" for the whole team, a stiff word for poo, "no puede ir
# al baño" (which reads as not reaching the bathroom), the buttocks for the saddle area.
REPLACED = re.compile(
    r"equipos? médicos?|excremento|ir al baño|alrededor de las nalgas", re.IGNORECASE
)
# "Tú" forms that cannot be "usted" forms: pronouns, possessives, second-person verbs and
# imperatives with "nos". ("Usa", "marca", "llama" are left out: they are "usted" forms too.)
TU_FORMS = re.compile(
    r"\b(tú|tu|tus|te|ti|contigo|tienes|puedes|quieres|necesitas|debes|eres|estás|sabes|has"
    r"|haz|cuéntanos|llámanos|avísanos|dinos)\b",
    re.IGNORECASE,
)
# What an English message says -> the words its Spanish must use.
TERMS = [
    (re.compile(r"\bSI\b"), re.compile(r"articulaci[oó]n(es)? sacroil[ií]acas?", re.IGNORECASE)),
    (re.compile(r"\bsafety\b", re.IGNORECASE), re.compile(r"señales de alarma", re.IGNORECASE)),
    (re.compile(r"\bcare teams?\b", re.IGNORECASE), re.compile(r"equipos? de atención")),
    (
        re.compile(r"\b(bladder|bowels?|pee|poop?)\b", re.IGNORECASE),
        re.compile(r"la orina o el popó"),
    ),
    (re.compile(r"between your legs"), re.compile(r"partes íntimas o alrededor del ano")),
]
# British spellings and words, where US English has its own.
BRITISH = re.compile(
    r"\b((un)?tick(s|ed|ing)?|programmes?|behaviour\w*|centres?|colour\w*|favour\w*"
    r"|organis(e|ed|es|ing|ation)s?|realis(e|ed|es|ing)|whilst|fortnights?|mum)\b",
    re.IGNORECASE,
)
BRITISH_CASED = re.compile(r"\bGP\b|\bA&E\b")


def _forms(value) -> list[str]:
    return list(value) if isinstance(value, tuple | list) else [value]


def spanish_problems(english: str, spanish: str) -> list[str]:
    """What breaks the house rules in one translation ([] when nothing does)."""
    problems = [
        f"{name}: {found.group()!r}"
        for name, pattern in [
            ("abbreviated SI", SI_ABBREVIATION),
            ("security questions", SECURITY_QUESTIONS),
            ("replaced word", REPLACED),
            ("tú form", TU_FORMS),
        ]
        if (found := pattern.search(spanish))
    ]
    problems += [
        f"says {term.pattern!r} without {words.pattern!r}"
        for term, words in TERMS
        if term.search(english) and not words.search(spanish)
    ]
    return problems


def british_words(english: str) -> list[str]:
    return [m.group() for pattern in (BRITISH, BRITISH_CASED) for m in pattern.finditer(english)]


@pytest.fixture(scope="module")
def catalogue():
    with open(CATALOGUE, "rb") as po:
        return [entry for entry in read_po(po) if entry.id]


def test_every_translation_keeps_the_house_rules(catalogue):
    broken = {}
    for entry in catalogue:
        english = " ".join(_forms(entry.id))
        for spanish in _forms(entry.string):
            if problems := spanish_problems(english, spanish):
                broken[spanish] = problems
    assert broken == {}


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        ("What is the SI joint?", "¿Qué es la articulación SI?"),
        ("What is the SI joint?", "¿Qué es la articulación S.I.?"),
        ("About SI-joint fusion", "Sobre la fusión de la articulación"),
        ("Safety questions", "Preguntas de seguridad"),
        ("Please answer this safety question: %(q)s", "Responda esta pregunta: %(q)s"),
        ("Please call your care team today.", "Por favor, llame hoy a su equipo médico."),
        ("Your care team will call you.", "Le llamaremos."),
        ("Is it newly hard to control when you pee or poo?", "¿Le cuesta controlar la orina?"),
        ("For example, leaking, or not being able to go.", "Por ejemplo, no puede ir al baño."),
        (
            "Is there new numbness between your legs or around your bottom?",
            "¿Tiene adormecimiento nuevo entre las piernas o alrededor de las nalgas?",
        ),
        ("You can save your answers.", "Puedes guardar tus respuestas."),
        ("Tell us where it hurts.", "Cuéntanos dónde te duele."),
    ],
)
def test_the_house_rules_catch_what_they_forbid(english, spanish):
    assert spanish_problems(english, spanish)


def test_the_bladder_question_says_what_leaking_and_not_going_mean(catalogue):
    hint = QUESTIONS["rf_bladder_bowel"].hint
    spanish = next(entry.string for entry in catalogue if entry.id == hint)
    assert "se le escapa sin querer" in spanish and "no puede orinar o hacer popó" in spanish


def test_english_messages_use_us_spelling(catalogue):
    english = [text for entry in catalogue for text in _forms(entry.id)]
    english += [question.short for question in QUESTIONS.values()]
    assert {text: found for text in english if (found := british_words(text))} == {}


@pytest.mark.parametrize(
    "english",
    ["Tick all that apply.", "Home exercise programme", "Untick it.", "Behaviour", "See your GP"],
)
def test_british_words_are_caught(english):
    assert british_words(english)
