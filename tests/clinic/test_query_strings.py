"""No query string makes a clinic page fail: filters are checked, bad ones named by the field."""

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from .conftest import NOW, add_submission

ROUTES = [
    "/clinic/",
    "/clinic/export.csv",
    "/clinic/export-dictionary.csv",
    "/clinic/admin/users",
    "/clinic/admin/users/new",
    "/clinic/admin/audit",
    "/fhir/Questionnaire/si-joint-screening",
    "/clinic/confirm",
]
KEYS = [
    "page",
    "q",
    "category",
    "review",
    "date_from",
    "date_to",
    "identity",
    "spreadsheet",
    "action",
    "next",
    "_method",
    "_external",
    "_anchor",
    "_scheme",
    "endpoint",
    "values",
]
VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "-1",
            "0",
            "1",
            str(10**30),
            "9" * 5000,
            "9999-12-31",
            "0001-01-01",
            "2026-05-04",
            "2100-12-31",
            "2101-01-01",
            "urgent",
            "new",
            "login",
            "POST",
            "https://evil.example/",
        ]
    ),
    st.text(max_size=40),
)
QUERIES = st.lists(
    st.tuples(st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=12)), VALUES),
    max_size=6,
)


@pytest.mark.parametrize("route", ROUTES)
@settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pairs=QUERIES)
@example(pairs=[("date_to", "9999-12-31")])
@example(pairs=[("_method", "POST")])
@example(pairs=[("page", "-1"), ("date_from", "2026-05-05"), ("date_to", "2026-05-01")])
def test_no_query_string_gives_a_server_error(app, admin, route, pairs):
    query = urlencode([(k, v.replace("\0", "")) for k, v in pairs])
    response = admin.get(f"{route}?{query}")
    assert response.status_code < 500, (route, query)
    response.get_data()  # a streamed CSV is read to its end without an error


@pytest.fixture
def stored(app):
    return add_submission(app, submitted_at=NOW)


@pytest.mark.parametrize(
    "query",
    [
        "date_to=9999-12-31",
        "date_from=0001-01-01",
        "_method=POST",
        "_external=1&_scheme=javascript",
        "page=-1",
        f"page={10**30}",
    ],
)
def test_awkward_queue_queries_show_the_queue(app, admin, stored, query):
    response = admin.get(f"/clinic/?{query}")
    assert response.status_code == 200
    assert stored in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["9999-12-31", "1999-12-31", "2101-01-01"])
def test_a_day_out_of_range_is_named_next_to_its_field(admin, value):
    html = admin.get(f"/clinic/?date_to={value}").get_data(as_text=True)
    assert "Enter a day from 2000-01-01 to 2100-12-31." in html


def test_a_from_day_after_the_to_day_is_named_next_to_the_to_field(admin):
    html = admin.get("/clinic/?date_from=2026-05-05&date_to=2026-05-01").get_data(as_text=True)
    assert "This day is before the “Submitted from” day." in html


def test_links_keep_only_the_filter_forms_own_fields(app, admin, stored):
    html = admin.get("/clinic/?review=new&_method=POST&evil=1&date_to=9999-12-31").get_data(
        as_text=True
    )
    assert '<input type="hidden" name="review" value="new">' in html  # the export form's
    assert "_method" not in html and "evil" not in html and "9999" not in html.split("<form")[0]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_to=9999-12-31", "Enter a day from 2000-01-01 to 2100-12-31."),
        ("date_from=2026-05-05&date_to=2026-05-01", "This day is before"),
        ("date_from=x", "Not a valid date value."),
    ],
)
def test_a_csv_with_a_bad_filter_is_refused_before_it_starts(admin, stored, query, message):
    response = admin.get(f"/clinic/export.csv?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert message in response.get_data(as_text=True)
