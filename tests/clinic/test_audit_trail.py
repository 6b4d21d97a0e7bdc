"""What the audit log keeps of queue views and CSV exports (and what it leaves out)."""

from sqlalchemy import select

from screener.extensions import db
from screener.models import AuditEvent

from .conftest import add_submission


def events(app, *names: str) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (e.action, e.detail)
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action.in_(names)).order_by(AuditEvent.id)
            )
        ]


def test_queue_views_are_logged_with_their_filters_but_never_the_search_text(app, clinician):
    clinician.get("/clinic/")
    clinician.get("/clinic/?q=Rosa+Quintero&review=new&date_from=2026-05-01&page=2")
    assert events(app, "queue_view") == [
        ("queue_view", ""),
        ("queue_view", "review=new; date_from=2026-05-01; search=yes"),
    ]
    with app.app_context():
        details = " ".join(db.session.scalars(select(AuditEvent.detail)))
    assert "Rosa" not in details


def test_head_requests_are_not_logged_nor_counted_as_exports(app, clinician):
    reference = add_submission(app)
    for url in (
        "/clinic/",
        "/clinic/export.csv",
        "/clinic/export.csv?identity=1",
        f"/clinic/submissions/{reference}",
    ):
        assert clinician.head(url).status_code == 200
    assert (
        events(app, "queue_view", "view", "export_csv", "export_csv_identified", "export_failed")
        == []
    )


def test_an_export_is_logged_once_its_last_row_is_out(app, clinician):
    for _ in range(3):
        add_submission(app)
    response = clinician.get("/clinic/export.csv", buffered=False)
    chunks = iter(response.response)
    next(chunks)  # the header: the rows are still to come
    assert events(app, "export_csv") == []
    rest = list(chunks)
    response.close()
    assert rest
    assert events(app, "export_csv") == [("export_csv", "identity=no; rows=3")]


def test_a_cut_export_is_logged_as_failed_not_done(app, clinician):
    add_submission(app)
    response = clinician.get("/clinic/export.csv?identity=1", buffered=False)
    next(iter(response.response))  # the download stops after the header
    response.close()
    assert events(app, "export_csv_identified", "export_failed") == [
        ("export_failed", "identity=yes; rows=0")
    ]
