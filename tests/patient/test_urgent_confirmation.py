"""The confirmation after urgent answers leads with what to do, not with a success panel."""

import re

import pytest

from tests.answers import REFERRAL, URGENT

from .conftest import answer_steps, only_submission
from .rendered import visible_blocks

LEADS = {
    "emergency": "Call 911 now, or go to the nearest emergency room now.",
    "same_day": "Please call your care team today.",
    "soon": "Please tell your care team within the next few days.",
}


def send(client, answers: dict) -> str:
    answer_steps(client, answers)
    assert client.post("/review").location == "/done"
    return client.get("/done").text


@pytest.mark.parametrize("level", URGENT)
def test_what_to_do_comes_first_then_a_plain_line_that_the_answers_were_sent(started, app, level):
    html = send(started, {**REFERRAL, **URGENT[level]})
    reference = only_submission(app).reference
    main = html.split("<main", 1)[1].split(">", 1)[1]
    assert re.search(r"<h1>\s*What to do now\s*</h1>", main)
    assert 'class="panel"' not in main and "Your answers have been sent" not in main
    blocks = visible_blocks(main)
    assert blocks[0] == "What to do now"
    guidance = blocks.index(LEADS[level])
    sent = next(i for i, b in enumerate(blocks) if b.startswith("We sent your answers to"))
    assert guidance < sent
    assert f'Your reference code is <strong class="code">{reference}</strong>' in main
    assert "<title>What to do now" in html


def test_the_next_steps_after_an_emergency_do_not_begin_with_the_visit(started):
    html = send(started, {**REFERRAL, **URGENT["emergency"]})
    steps = html.split("What happens next</h2>", 1)[1].split("</ul>", 1)[0]
    first = re.search(r"<li>(.*?)</li>", steps, re.S).group(1)
    assert "reference code" not in first and "visit" not in first
    assert "Bring your reference code" in steps  # routine steps follow


def test_a_routine_confirmation_keeps_its_success_panel(started):
    html = send(started, REFERRAL)
    assert re.search(r'<div class="panel">\s*<h1>Your answers have been sent</h1>', html)
    assert "What to do now" not in html


def test_a_reload_keeps_what_to_do_but_not_which_answers_raised_it(started):
    first = send(started, {**REFERRAL, **URGENT["emergency"]})
    assert "This is because of your answer to:" in first
    again = started.get("/done").text
    assert LEADS["emergency"] in again
    assert "This is because of your answer to:" not in again
