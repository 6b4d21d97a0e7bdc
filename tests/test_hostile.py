"""Hostile input: random and malformed posts to every form, and random JSON to `assess`.

Whatever arrives, the answer is a page with a clear message, a redirect (the input happened to
be valid) or a 4xx, never a server error; and what is stored stays valid for the rubric.
"""

import json
from types import MappingProxyType
from urllib.parse import quote_plus

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from screener.catalogue import STEPS
from screener.commands import assess_command
from screener.extensions import db
from screener.models import Submission
from screener.scoring import FIELDS, RED_FLAG_KEYS, assess, validate
from tests.conftest import PASSWORD, csrf_token, make_user

from .answers import BORN, IDENTITY, SAFE, dob_parts, typed_dob
from .patient.conftest import refused
from .scoring.test_validate import outcome

HOSTILE = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
COMMON_FIELDS = ["csrf_token", "token", "action", "return_to"]
DOB_BOXES = list(dob_parts(BORN))
FORMS = {
    "/": ["privacy"],
    "/step/about-you": ["full_name", *DOB_BOXES, "phone", "email"],
    **{f"/step/{s.slug}": [q.key for q in s.questions] for s in STEPS if s.questions},
    "/review": [],
    "/resume": ["code", *DOB_BOXES],
    "/clinic/login": ["email", "password"],
}
# What a page that refuses input shows: an error summary or a message beside a field.
# A message beside the input, or (starting again with answers in progress) the question first.
MESSAGES = ('class="error-summary"', 'class="error-message"', 'id="resume-code"')


def codes(name: str) -> list[str]:
    """The answer codes a field takes (numbers as their digits)."""
    field = FIELDS.get(name)
    return list(field.codes) if field else []


ODD_VALUES = [
    "", " ", "y", "yes", "none", "unsure", "0", "-1", "11", "007", "7.0", "1e9", "٣", "NaN",
    "null", "[]", "{}", "true", "1970-03-25", "1970-02-30", "0000-00-00", "99999-12-31",
    "1970-13-01", "2100-01-01", "25/03/1970", "1970-03-25T00:00", "ABCD-EFGH", "O0I1-O0I1",
    "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "\x00", "a\x00b", "\r\n",
    "\u202eevil", "😀" * 10, "ß" * 300,
]  # fmt: skip


def value(name: str) -> st.SearchStrategy[bytes]:
    """Bytes to post for one field: valid codes, odd values, any text, invalid UTF-8, lone
    surrogates, or a long value."""
    as_text = st.one_of(
        st.sampled_from(codes(name) or ["x"]),
        st.sampled_from(ODD_VALUES),
        st.text(max_size=40),
        st.integers(1_000, 30_000).map(lambda n: "é" * n),
    ).map(str.encode)
    surrogates = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=4).map(
        lambda s: s.encode("utf-8", "surrogatepass")
    )
    return st.one_of(as_text, surrogates, st.binary(max_size=20))


def form_pairs(names: list[str]) -> st.SearchStrategy[list[tuple[bytes, bytes]]]:
    """Fields of the form (each posted 0 to 3 times: lists where one value is expected) and
    made-up ones."""
    known = st.sampled_from(names + COMMON_FIELDS).flatmap(
        lambda name: st.lists(value(name), min_size=1, max_size=3).map(
            lambda values: [(name.encode(), v) for v in values]
        )
    )
    unknown = st.tuples(st.binary(max_size=12) | st.text(max_size=12).map(str.encode), value(""))
    return st.lists(known | unknown.map(lambda pair: [pair]), max_size=8).map(
        lambda groups: [pair for group in groups for pair in group]
    )


def urlencoded(pairs: list[tuple[bytes, bytes]]) -> bytes:
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs).encode()


BODIES = st.one_of(
    st.just("application/x-www-form-urlencoded"),
    st.sampled_from(
        ["application/json", "text/plain", "multipart/form-data; boundary=x", "", "bogus/;;;"]
    ),
)


def check_stored(app) -> None:
    """Every stored questionnaire still passes the rubric and carries its own assessment."""
    with app.app_context():
        for submission in db.session.scalars(select(Submission)):
            assert validate(submission.answers) == submission.answers
            assert submission.assessment == assess(submission.answers).to_dict()
            assert submission.category == submission.assessment["category"]
            patient = submission.patient
            if patient is not None:
                assert patient.full_name.strip() and len(patient.full_name) <= 200
                assert "\x00" not in patient.full_name


def check_answer(response, path: str) -> None:
    """A clear outcome: a refusal page, a message beside the input, or a redirect."""
    assert response.status_code < 500, (path, response.status_code)
    if response.status_code == 200:
        assert any(marker in response.text for marker in MESSAGES), path


@pytest.fixture
def started_client(app):
    """A function returning a new client with a live draft (About you done, and perhaps the
    safety questions)."""

    def start(safety: bool):
        client = app.test_client()
        assert client.post("/", data={"privacy": "y"}).status_code == 302
        assert client.post("/step/about-you", data=IDENTITY).status_code == 302
        if safety:
            assert client.post("/step/safety", data=SAFE).status_code == 302
        return client

    return start


@pytest.mark.parametrize("path", list(FORMS))
def test_random_posts_to_every_form_get_a_clear_answer(app, started_client, path):
    if path == "/clinic/login":
        make_user(app, "hostile@clinic.example")

    @HOSTILE
    @given(pairs=form_pairs(FORMS[path]), content_type=BODIES, safety=st.booleans())
    def post(pairs, content_type, safety):
        client = started_client(safety)
        body = urlencoded(pairs)
        response = client.post(path, data=body, content_type=content_type)
        check_answer(response, path)

    post()
    check_stored(app)


@pytest.mark.parametrize("path", list(FORMS))
def test_malformed_bodies_get_a_clear_answer(app, started_client, path):
    @settings(HOSTILE, max_examples=20)
    @given(body=st.binary(max_size=2_000), content_type=BODIES)
    def post(body, content_type):
        client = started_client(safety=True)
        check_answer(client.post(path, data=body, content_type=content_type), path)

    post()
    check_stored(app)


@pytest.mark.parametrize("path", ["/step/anything-else", "/step/about-you", "/", "/clinic/login"])
def test_an_oversized_request_is_refused(app, started_client, path):
    client = started_client(safety=True)
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post(path, data={"comments": "x" * limit, "full_name": "Ann"})
    assert response.status_code == 413
    assert "Too much text" in response.text
    check_stored(app)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/step/about-you", {**IDENTITY, "full_name": "Ann\x00Example"}),
        ("/step/about-you", {**IDENTITY, "email": "ann\x00@example.com"}),
        ("/step/anything-else", {"comments": "a\x00b"}),
        ("/resume", {"code": "ABCD\x00EFGH", **dob_parts(BORN)}),
        ("/clinic/login", {"email": "a\x00@clinic.example", "password": "x"}),
        ("/step/safety", {"\x00": "no"}),
    ],
)
def test_a_nul_character_in_a_form_is_refused(app, started_client, path, data):
    # PostgreSQL cannot store or compare text holding NUL: it would be a server error.
    response = started_client(safety=True).post(path, data=data)
    assert response.status_code == 400
    assert "We could not read what was sent" in response.text
    check_stored(app)


@pytest.mark.parametrize(
    "url", ["/clinic/?q=a%00b", "/clinic/?category=%00", "/clinic/submissions/AB%00C", "/%00"]
)
def test_a_nul_character_in_a_link_is_refused(app, client, url):
    make_user(app, "nul@clinic.example")
    client.post("/clinic/login", data={"email": "nul@clinic.example", "password": PASSWORD})
    assert client.get(url).status_code == 400


@pytest.mark.parametrize("blank", [" ", "\t", "\u3000"])
def test_a_blank_date_of_birth_is_asked_for_again(app, started_client, blank):
    client = started_client(safety=False)
    data = {**IDENTITY, **typed_dob(blank, blank, blank)}
    response = refused(client, "/step/about-you", data=data)
    assert "Enter your date of birth." in response.text
    check_stored(app)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_random_posts_with_csrf_protection_are_refused_or_recovered(app, app_config):
    @HOSTILE
    @given(
        path=st.sampled_from(list(FORMS)),
        pairs=form_pairs(["csrf_token"]),
        use_real_token=st.booleans(),
        content_type=BODIES,
    )
    def post(path, pairs, use_real_token, content_type):
        client = app.test_client()
        token = csrf_token(client.get("/").text)
        client.post("/", data={"privacy": "y", "csrf_token": token})
        if use_real_token:
            pairs = [(k, v) for k, v in pairs if k != b"csrf_token"] + [
                (b"csrf_token", token.encode())
            ]
        response = client.post(path, data=urlencoded(pairs), content_type=content_type)
        assert response.status_code < 500, path
        if response.status_code == 200:
            notice = 'class="notice"' in response.text
            assert notice or any(marker in response.text for marker in MESSAGES), path

    post()
    check_stored(app)


# --- assess: the rubric function and the command ------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)
answer_like = st.dictionaries(
    st.sampled_from([*FIELDS, *RED_FLAG_KEYS]) | st.text(max_size=10),
    json_values | st.sampled_from([c for f in FIELDS.values() for c in f.codes]),
    max_size=12,
)


@settings(max_examples=300, deadline=None, database=None)
@given(json_values | answer_like)
def test_assess_scores_or_refuses_as_the_full_checks_do(data):
    # validate() takes a fast pass over a plain dict; any other mapping gets the full checks,
    # which the fast pass must agree with: the same answers kept, the same first error.
    # (tests/scoring/test_validate.py walks every rule's edges the same way.)
    full_checks = MappingProxyType(data) if isinstance(data, dict) else data
    assert outcome(data) == outcome(full_checks)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=json_values | answer_like | st.lists(answer_like, max_size=3))
def test_the_assess_command_answers_what_assess_does(runner, data):
    text = json.dumps(data)
    result = runner.invoke(args=["assess", "-"], input=text)
    # What the command reads: one answer set, or a list of them, each scored or refused.
    sent = json.loads(text)
    many = isinstance(sent, list)
    outcomes = [outcome(answers) for answers in (sent if many else [sent])]
    refusals = [
        (index, message) for index, (kind, message) in enumerate(outcomes) if kind == "refused"
    ]
    if refusals:
        index, message = refusals[0]
        where = f"[{index}] " if many else ""
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr == f"Error: {where}{message}\n"
    else:
        assert result.exit_code == 0, result.output
        scored = [scored for _kind, scored in outcomes]
        assert json.loads(result.stdout) == (scored if many else scored[0])


@settings(max_examples=40, deadline=None, database=None)
@given(text=st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_the_assess_command_never_fails_with_a_traceback(text):
    result = CliRunner().invoke(assess_command, ["-"], input=text)
    assert result.exit_code in (0, 1)
    assert result.exception is None or isinstance(result.exception, SystemExit)
