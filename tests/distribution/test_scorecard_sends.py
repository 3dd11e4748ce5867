"""The programme scorecard sent to a list on its schedule: due, frozen once, mailed to each."""

import io
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session, select

from app.config import get_settings
from app.distribution.scorecards import due_period, make_scorecard
from app.distribution.tasks import send_due_scorecards
from app.kit.quarters import Quarter
from app.mail.sender import send_due
from app.models import (
    Delivery,
    DeliveryKind,
    DistributionList,
    RenderedPdf,
    Scorecard,
    ScorecardCadence,
)
from tests.dashboards.scorecard_data import build_company
from tests.distribution.helpers import create_list
from tests.mail.conftest import SmtpServer, free_port

FIRST_OF_OCTOBER = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)  # 11:00 in Paris


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A real SMTP server on loopback that the app sends to."""
    server = SmtpServer(port=free_port())
    server.start()
    monkeypatch.setattr(get_settings(), "smtp_url", server.url())
    try:
        yield server
    finally:
        server.stop()


def _list(cadence: ScorecardCadence, timezone: str = "UTC") -> DistributionList:
    return DistributionList(
        name="Exec", scorecard_cadence=cadence, digest_time=time(8, 0), timezone=timezone
    )


def test_quarterly_is_the_quarter_just_ended_on_the_first_day_of_the_next() -> None:
    quarterly = _list(ScorecardCadence.quarterly)
    period = due_period(quarterly, datetime(2026, 12, 4, 9, tzinfo=UTC))
    assert period is not None
    assert period.quarter == Quarter(2026, 3)
    assert (period.start, period.end) == (
        datetime(2026, 7, 1, tzinfo=UTC),
        datetime(2026, 10, 1, tzinfo=UTC),
    )
    assert period.scheduled == datetime(2026, 10, 1, 8, tzinfo=UTC)
    # Before 08:00 on the first day, the last one scheduled is the quarter before.
    early = due_period(quarterly, datetime(2026, 10, 1, 7, tzinfo=UTC))
    assert early is not None
    assert early.quarter == Quarter(2026, 2)
    assert due_period(_list(ScorecardCadence.off), FIRST_OF_OCTOBER) is None


def test_monthly_is_the_quarter_so_far_on_the_first_of_each_month() -> None:
    monthly = _list(ScorecardCadence.monthly, "Europe/Paris")
    period = due_period(monthly, datetime(2026, 12, 4, 9, tzinfo=UTC))
    assert period is not None
    assert period.quarter == Quarter(2026, 4)
    assert period.end == datetime(2026, 12, 1, tzinfo=UTC)
    assert period.scheduled == datetime(2026, 12, 1, 7, tzinfo=UTC)  # 08:00 in Paris
    # On the first of a quarter's first month, "so far" is the whole quarter just ended.
    january = due_period(monthly, datetime(2027, 1, 1, 9, tzinfo=UTC))
    assert january is not None
    assert (january.quarter, january.end) == (Quarter(2026, 4), datetime(2027, 1, 1, tzinfo=UTC))


def test_due_list_gets_one_email_per_member_with_the_pdf_and_never_twice(
    db: Session, smtp: SmtpServer
) -> None:
    company = build_company(db)
    dlist = create_list(
        db,
        name="Operating committee",
        people=[company.ceo, company.vp1],
        outsiders=["chair@board.example"],
        scorecard_cadence=ScorecardCadence.quarterly,
        created_at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    create_list(db, name="Not on the schedule", people=[company.ic1])

    assert send_due_scorecards(now=FIRST_OF_OCTOBER) == 1
    scorecard = db.exec(select(Scorecard)).one()
    assert scorecard.list_id == dlist.id
    assert scorecard.document["quarter"] == "2026-Q3"
    assert scorecard.document["action_items"]["opened"] == 5
    deliveries = db.exec(
        select(Delivery).where(Delivery.kind == DeliveryKind.scorecard).order_by(Delivery.to_email)
    ).all()
    assert [(d.kind, d.to_email, d.scorecard_id) for d in deliveries] == [
        (DeliveryKind.scorecard, "ceo@example.com", scorecard.id),
        (DeliveryKind.scorecard, "chair@board.example", scorecard.id),
        (DeliveryKind.scorecard, "vp1@example.com", scorecard.id),
    ]

    # Sent once the job's transaction committed (the outbox asks the worker; inline in tests).
    assert send_due().claimed == 0
    assert sorted(smtp.recipients()) == [
        "ceo@example.com",
        "chair@board.example",
        "vp1@example.com",
    ]
    message = smtp.received[0].message
    assert message["Subject"] == "Programme scorecard, 2026-Q3 — Storyroom"
    assert message["List-Id"]
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Sessions held: 2" in text
    assert "Executive participation: 67% (2 of 3)" in text
    assert "Revenue at risk: $150,000 on action items, $80,000 on themes" in text
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "Storyroom-scorecard-2026-Q3.pdf"
    pdf = db.get(RenderedPdf, scorecard.pdf_id)
    assert pdf is not None
    assert attachment.get_content() == pdf.content
    pages = PdfReader(io.BytesIO(attachment.get_content())).pages
    assert "Programme scorecard, 2026-Q3" in " ".join(page.extract_text() for page in pages)

    # The hourly job runs again, later that day and next month: the period is served.
    assert send_due_scorecards(now=FIRST_OF_OCTOBER + timedelta(hours=1)) == 0
    assert make_scorecard(db, list_id=dlist.id or 0, now=datetime(2026, 11, 2, tzinfo=UTC)) is None
    assert len(db.exec(select(Scorecard)).all()) == 1
    assert len(db.exec(select(Delivery).where(Delivery.kind == DeliveryKind.scorecard)).all()) == 3
    assert send_due().claimed == 0


def test_a_list_with_no_one_to_send_to_is_served_without_a_scorecard(db: Session) -> None:
    dlist = create_list(
        db,
        scorecard_cadence=ScorecardCadence.monthly,
        created_at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    assert make_scorecard(db, list_id=dlist.id or 0, now=FIRST_OF_OCTOBER) is None
    assert db.exec(select(Scorecard)).all() == []
    assert dlist.last_scorecard_at == datetime(2026, 10, 1, 8, tzinfo=UTC)


def test_the_list_api_sets_the_cadence_and_the_first_send_is_the_next_one(
    organizer_api: TestClient, db: Session
) -> None:
    made = organizer_api.post(
        "/api/v1/lists", json={"name": "Board", "scorecard_cadence": "quarterly"}
    )
    assert made.status_code == 201, made.text
    assert made.json()["scorecard_cadence"] == "quarterly"
    assert made.json()["schedule"] == (
        "Every recap, as it is sent; the scorecard of each quarter when it ends"
    )
    refused = organizer_api.patch(
        f"/api/v1/lists/{made.json()['id']}", json={"scorecard_cadence": "weekly"}
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "scorecard_cadence"]

    old = create_list(db, name="Old list", created_at=datetime(2025, 1, 1, tzinfo=UTC))
    turned_on = organizer_api.patch(
        f"/api/v1/lists/{old.id}", json={"scorecard_cadence": "monthly"}
    )
    assert turned_on.status_code == 200, turned_on.text
    assert turned_on.json()["last_scorecard_at"] is not None
    db.refresh(old)
    # Switched on today: last month's first is already past, so nothing is sent now.
    assert make_scorecard(db, list_id=old.id or 0) is None


def test_the_list_form_offers_the_scorecard(organizer_web: TestClient, db: Session) -> None:
    from tests.conftest import PageClient

    assert isinstance(organizer_web, PageClient)
    page = organizer_web.get("/lists")
    assert 'name="scorecard_cadence" value="quarterly"' in page.text
    made = organizer_web.submit(
        "/lists", {"name": "Exec", "cadence": "every_recap", "scorecard_cadence": "quarterly"}
    )
    assert made.status_code == 303, made.text
    dlist = db.exec(select(DistributionList).where(DistributionList.name == "Exec")).one()
    assert dlist.scorecard_cadence is ScorecardCadence.quarterly
