"""Plain language: every patient page's English reads at US school grade 8 or below (aim: 6)."""

import os
from pathlib import Path

import pytest
import textstat

from .rendered import patient_pages, visible_text

MAX_GRADE = 8
REPORT = (
    Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
    / "readability.txt"
)


def grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(text)


@pytest.fixture
def grades(app) -> dict[str, tuple[float, float]]:
    """Each page's grade over all its visible text, and over its longer sentences only (six
    words or more: the prose, without headings, answer labels and buttons)."""
    textstat.set_lang("en_US")
    result = {}
    for name, html in patient_pages(app, "en").items():
        text = visible_text(html)
        prose = "\n".join(line for line in text.splitlines() if len(line.split()) >= 6)
        result[name] = (grade(text), grade(prose))
    return result


def test_every_patient_page_reads_at_grade_8_or_below(grades):
    width = max(map(len, grades))
    lines = [f"{'page':<{width}}  all text  prose (sentences of 6+ words)"]
    lines += [
        f"{name:<{width}}  {full:8.1f}  {prose:5.1f}" for name, (full, prose) in grades.items()
    ]
    means = [sum(g[i] for g in grades.values()) / len(grades) for i in (0, 1)]
    lines.append(f"{'mean':<{width}}  {means[0]:8.1f}  {means[1]:5.1f}")
    table = "Flesch-Kincaid grade of each patient page's English (textstat)\n" + "\n".join(lines)
    print("\n" + table)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(table + "\n", encoding="utf-8")
    too_hard = {name: g for name, g in grades.items() if max(g) > MAX_GRADE}
    assert not too_hard, f"above grade {MAX_GRADE}: {too_hard}"


def test_the_text_measured_is_what_a_reader_sees():
    html = (
        "<html><head><title>T</title><script>var x = 1;</script></head><body>"
        "<h1>Where it hurts</h1><p>Tick <a href='/x'>all</a> that apply.</p>"
        "<p hidden>Secret text</p><p><a href='tel:5550100'>555-0100</a></p>"
        "<label><span>7</span></label><p class='code'>ABCD-EFGH</p></body></html>"
    )
    assert visible_text(html) == "Where it hurts.\nTick all that apply."
