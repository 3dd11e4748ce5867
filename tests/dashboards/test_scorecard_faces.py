"""The scorecard as JSON, as a page and as a PDF; figures recorded on themes and action items."""

import io

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session, select

from app.models import ActionItem, AuditEntry, SessionStatus, Theme
from tests.conftest import PageClient
from tests.dashboards.scorecard_data import build_company
from tests.factories import create_session

SCORECARD = "/api/v1/dashboard/scorecard"


def test_json_has_every_figure_of_the_quarter(viewer_api: TestClient, db: Session) -> None:
    build_company(db)
    response = viewer_api.get(SCORECARD, params={"quarter": "2026-Q3"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["quarter"] == "2026-Q3"
    assert (body["period_start"], body["period_end"]) == ("2026-07-01", "2026-09-30")
    assert (body["sessions_held"], body["people_reached"], body["active_people"]) == (2, 5, 6)
    assert body["executive_trend"][-1] == {
        "quarter": "2026-Q3",
        "executives": 3,
        "attended": 2,
        "rate": 2 / 3,
    }
    assert body["action_items"] == {
        "opened": 5,
        "closed": 3,
        "overdue": 2,
        "overdue_as_of": "2026-10-01",
        "median_days_to_close": 16.0,
    }
    assert body["commitments"] == {"made": 3, "kept": 1, "kept_rate": 1 / 3}
    assert body["themes"][0] == {
        "id": body["themes"][0]["id"],
        "name": "Billing",
        "sessions": 2,
        "customers_affected": 25,
        "revenue_at_risk": 80_000,
    }
    assert body["action_item_figures"]["revenue_at_risk"] == 150_000
    assert body["currency"] == "USD"
    assert set(body) >= {"recaps_by_level", "reach_share", "theme_figures", "complete", "as_of"}


def test_json_refuses_a_malformed_or_future_quarter(viewer_api: TestClient) -> None:
    malformed = viewer_api.get(SCORECARD, params={"quarter": "2026-Q5"})
    assert malformed.status_code == 422
    assert "'2026-Q5' is not a quarter" in malformed.json()["detail"]
    future = viewer_api.get(SCORECARD, params={"quarter": "2999-Q1"})
    assert future.status_code == 422
    assert "2999-Q1 has not begun" in future.json()["detail"]
    too_long = viewer_api.get(SCORECARD, params={"quarter": "x" * 11})
    assert too_long.status_code == 422
    assert viewer_api.get(SCORECARD).status_code == 200  # the quarter so far


def test_page_shows_the_figures_and_links_from_the_dashboards(
    organizer_web: PageClient, db: Session
) -> None:
    build_company(db)
    page = organizer_web.get("/dashboard/scorecard?quarter=2026-Q3")
    assert page.status_code == 200
    text = page.text
    assert 'href="/dashboard/scorecard" aria-current="page"' in text
    assert "2026-Q3 · 1 Jul – 30 Sep 2026" in text
    assert "67%" in text  # executive participation, 2 of 3
    assert "$150,000" in text
    assert "$50,000" in text
    assert "$80,000" in text
    assert 'id="scorecard-trend-title"' in text
    assert 'id="scorecard-themes-title"' in text
    assert "/dashboard/scorecard.pdf?quarter=2026-Q3" in text
    assert "/dashboard/scorecard/themes/" in text  # organizers may record theme figures
    assert 'href="/dashboard/scorecard"' in organizer_web.get("/dashboard").text


def test_page_refuses_a_bad_quarter_with_the_form(organizer_web: PageClient) -> None:
    page = organizer_web.get("/dashboard/scorecard?quarter=next%20year")
    assert page.status_code == 422
    assert "&#39;next year&#39; is not a quarter" in page.text
    assert 'value="next year"' in page.text


def test_viewers_see_no_figure_editing(viewer_web: PageClient, db: Session) -> None:
    build_company(db)
    page = viewer_web.get("/dashboard/scorecard?quarter=2026-Q3")
    assert page.status_code == 200
    assert "/dashboard/scorecard/themes/" not in page.text


def test_pdf_has_the_figures_and_the_charts(organizer_web: PageClient, db: Session) -> None:
    build_company(db)
    response = organizer_web.get("/dashboard/scorecard.pdf?quarter=2026-Q3")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Programme scorecard, 2026-Q3" in text
    assert "people reached" in text
    assert "$150,000" in text
    assert "$80,000" in text
    assert "Executive participation, quarter by quarter" in text  # the SVG chart's title
    assert "Billing" in text
    bad = organizer_web.get("/dashboard/scorecard.pdf?quarter=2026-Q9")
    assert bad.status_code == 422


def test_theme_figures_recorded_through_the_api(organizer_api: TestClient, db: Session) -> None:
    theme = Theme(name="Billing", key="billing")
    db.add(theme)
    db.flush()
    url = f"/api/v1/themes/{theme.id}"
    refused = organizer_api.patch(url, json={"revenue_at_risk": -5})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "revenue_at_risk"]
    saved = organizer_api.patch(url, json={"customers_affected": 12, "revenue_at_risk": 9000})
    assert saved.status_code == 200, saved.text
    assert (saved.json()["customers_affected"], saved.json()["revenue_at_risk"]) == (12, 9000)
    cleared = organizer_api.patch(url, json={"revenue_at_risk": None})
    assert (cleared.json()["customers_affected"], cleared.json()["revenue_at_risk"]) == (12, None)
    assert organizer_api.patch("/api/v1/themes/999999", json={}).status_code == 404
    entries = db.exec(select(AuditEntry).where(AuditEntry.entity == "theme")).all()
    assert len(entries) == 2


def test_theme_figures_form_refuses_a_negative_amount(
    organizer_web: PageClient, db: Session
) -> None:
    theme = Theme(name="Billing", key="billing", revenue_at_risk=100)
    db.add(theme)
    db.flush()
    url = f"/dashboard/scorecard/themes/{theme.id}"
    assert 'value="100"' in organizer_web.get(url).text
    refused = organizer_web.submit(url, {"customers_affected": "3", "revenue_at_risk": "-1"})
    assert refused.status_code == 422
    assert "Revenue at risk: Input should be greater than or equal to 0" in refused.text
    db.refresh(theme)
    assert (theme.customers_affected, theme.revenue_at_risk) == (None, 100)
    saved = organizer_web.submit(
        url, {"customers_affected": "3", "revenue_at_risk": "", "quarter": "2026-Q3"}
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/dashboard/scorecard?quarter=2026-Q3#themes"
    db.refresh(theme)
    assert (theme.customers_affected, theme.revenue_at_risk) == (3, None)


def test_action_item_figures_through_the_api(organizer_api: TestClient, db: Session) -> None:
    story = create_session(db, status=SessionStatus.completed)
    url = f"/api/v1/sessions/{story.id}/action-items"
    refused = organizer_api.post(url, json={"description": "Call them", "revenue_saved": -1})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "revenue_saved"]
    assert db.exec(select(ActionItem)).all() == []
    made = organizer_api.post(
        url, json={"description": "Call them", "customers_affected": 7, "revenue_at_risk": 500}
    )
    assert made.status_code == 201, made.text
    item = made.json()
    assert (item["customers_affected"], item["revenue_at_risk"], item["revenue_saved"]) == (
        7,
        500,
        None,
    )
    patched = organizer_api.patch(
        f"/api/v1/action-items/{item['id']}", json={"revenue_saved": 400, "revenue_at_risk": None}
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["customers_affected"], body["revenue_at_risk"], body["revenue_saved"]) == (
        7,
        None,
        400,
    )


def test_action_item_figures_through_the_recap_editor(
    organizer_web: PageClient, db: Session
) -> None:
    story = create_session(db, status=SessionStatus.completed)
    refused = organizer_web.submit(
        f"/sessions/{story.id}/recap/action-items",
        {"description": "Call them", "customers_affected": "-3"},
    )
    assert refused.status_code == 422
    assert "Customers affected: Input should be greater than or equal to 0" in refused.text
    assert db.exec(select(ActionItem)).all() == []
    made = organizer_web.submit(
        f"/sessions/{story.id}/recap/action-items",
        {"description": "Call them", "customers_affected": "3", "revenue_at_risk": "1200"},
    )
    assert made.status_code == 303
    item = db.exec(select(ActionItem)).one()
    assert (item.customers_affected, item.revenue_at_risk, item.revenue_saved) == (3, 1200, None)
    editor = organizer_web.get(f"/sessions/{story.id}/recap").text
    assert "3 customers · $1,200 at risk · — saved" in editor
    saved = organizer_web.submit(
        f"/action-items/{item.id}/figures",
        {"customers_affected": "3", "revenue_at_risk": "", "revenue_saved": "800"},
    )
    assert saved.status_code == 303
    db.refresh(item)
    assert (item.customers_affected, item.revenue_at_risk, item.revenue_saved) == (3, None, 800)
