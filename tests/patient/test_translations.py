"""Spanish for everything a patient sees: each message translated with its placeholders, the
compiled catalogue current, and no word that promises or denies care in either language."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.support import Translations

from screener.catalogue import QUESTIONS

from .rendered import patient_pages, visible_text

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "screener" / "translations"
CATALOGUE = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
# The rubric: patient text never says diagnosis, diagnose, qualify, eligible, candidate or
# approved, in English or in Spanish.
BANNED = re.compile(
    r"\b(diagnos\w*|qualif\w*|eligib\w*|candidat\w*|approv\w*"
    r"|diagn[oó]stic\w*|calific\w*|cualific\w*|elegib\w*|aprob\w*)",
    re.IGNORECASE,
)


def patient_messages() -> dict[tuple[str | None, str | tuple], str]:
    """Every message in the patient-facing sources (babel.cfg says which): (context, message)
    to the first file it appears in."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = {}
    for filename, _line, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        found.setdefault((context, message), filename)
    return found


@pytest.fixture(scope="module")
def catalogue():
    with open(CATALOGUE, "rb") as po:
        return read_po(po)


def _forms(value) -> list[str]:
    return list(value) if isinstance(value, tuple | list) else [value]


def test_patient_messages_are_found_and_clinic_files_are_left_out():
    found = patient_messages()
    # The question catalogue and the patient templates are read, wherever their files are.
    assert {str(question.label) for question in QUESTIONS.values()} <= {m for _c, m in found}
    files = set(found.values())
    assert any(name.startswith("templates/patient/") for name in files)
    staff = ("screener/clinic/", "screener/auth/", "templates/clinic/", "templates/auth/")
    assert not [f for f in files if f.startswith(staff)]


def test_every_patient_message_has_a_spanish_translation(catalogue):
    untranslated = []
    for (context, message), filename in patient_messages().items():
        msgid = _forms(message)[0]
        entry = catalogue.get(msgid, context)
        if entry is None or entry.fuzzy or not all(_forms(entry.string)):
            untranslated.append(f"{filename}: {msgid!r}")
    assert not untranslated, (
        f"{len(untranslated)} patient messages lack Spanish (run scripts/translations, then "
        "translate them in " + str(CATALOGUE.relative_to(ROOT)) + "):\n" + "\n".join(untranslated)
    )


def test_translations_keep_every_placeholder(catalogue):
    wrong = []
    for entry in catalogue:
        if not entry.id:
            continue
        expected = set().union(*(PLACEHOLDER.findall(m) for m in _forms(entry.id)))
        for text in _forms(entry.string):
            if set(PLACEHOLDER.findall(text)) != expected:
                wrong.append((entry.id, text))
    assert not wrong


def _compiled(compiled: Translations, entry):
    """What the compiled catalogue gives for a .po entry, in the entry's own shape."""
    if entry.pluralizable:
        return tuple(compiled.ngettext(*entry.id, n) for n in (1, 2))
    if entry.context:
        return compiled.pgettext(entry.context, entry.id)
    return compiled.gettext(entry.id)


def test_the_compiled_catalogue_matches_the_po_file(catalogue):
    compiled = Translations.load(str(TRANSLATIONS), ["es"])
    assert isinstance(compiled, Translations), (
        "no compiled Spanish catalogue: run `.venv/bin/pybabel compile -d screener/translations`"
    )
    stale = [
        entry.id for entry in catalogue if entry.id and _compiled(compiled, entry) != entry.string
    ]
    assert not stale, "the .mo is out of date: run scripts/translations"


def test_no_catalogue_entry_uses_a_banned_word(catalogue):
    texts = [t for entry in catalogue if entry.id for t in _forms(entry.id) + _forms(entry.string)]
    assert [t for t in texts if BANNED.search(t)] == []


@pytest.mark.parametrize("lang", ["en", "es"])
def test_no_patient_page_uses_a_banned_word(app, lang):
    found = {}
    for name, html in patient_pages(app, lang).items():
        assert f'<html lang="{lang}">' in html, name
        if words := BANNED.findall(visible_text(html)):
            found[name] = words
    assert found == {}


def test_spanish_pages_are_in_spanish(app):
    pages = patient_pages(app, "es")
    english = ("Continue", "Your answers", "Save and finish later", "care team")
    leftovers = {
        name: [phrase for phrase in english if phrase in visible_text(html)]
        for name, html in pages.items()
    }
    assert {name: found for name, found in leftovers.items() if found} == {}


# Answer codes and keys joined with "_": the others (yes, left, nicotine...) are words too.
_CODES = {code for q in QUESTIONS.values() for code in (q.key, *q.codes) if "_" in code}
RAW_CODES = re.compile(r"\b(" + "|".join(sorted(_CODES, key=len, reverse=True)) + r")\b")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_no_patient_page_shows_a_raw_answer_code(app, lang):
    found = {}
    for name, html in patient_pages(app, lang).items():
        if codes := RAW_CODES.findall(visible_text(html)):
            found[name] = codes
    assert found == {}
