"""The dashboard's themes view and a theme's page: hand-counted figures, on the page and in JSON."""

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import RecapQuote, RecapTheme, SessionStatus
from app.recaps.themes import set_themes
from tests.conftest import PageClient
from tests.dashboards.test_pages import count_queries
from tests.dashboards.theme_support import build_themes, recap_for
from tests.factories import create_attendance, create_person, create_session, create_speaker


def _rows(body: dict[str, object]) -> list[tuple[object, ...]]:
    return [
        (
            t["name"],
            t["sessions"],
            t["recent_text"],
            t["quotes"],
            t["action_items_open"],
            t["action_items_done"],
            t["commitments"],
        )
        for t in body["themes"]  # type: ignore[attr-defined]
    ]


def _text(html: str) -> str:
    """The page's words as a reader sees them: tags and charts out, spaces tidied."""
    words = re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", "", html, flags=re.S))
    return re.sub(r" ([,.;:])", r"\1", " ".join(words.split()))


def test_themes_api_lists_each_theme_by_recent_frequency_with_hand_counted_figures(
    viewer_api: TestClient, db: Session
) -> None:
    build_themes(db)
    body = viewer_api.get("/api/v1/dashboard/themes").json()
    assert body["recent_window"] == 8
    assert body["bucket"] == "month"
    assert _rows(body) == [
        ("Billing", 6, "5 of the last 8 sessions", 2, 2, 1, 1),
        ("Onboarding", 2, "2 of the last 8 sessions", 0, 0, 0, 0),
        ("Support", 2, "0 of the last 8 sessions", 1, 0, 1, 1),
        ("Pricing", 0, "0 of the last 8 sessions", 0, 1, 0, 0),
    ]
    billing = body["themes"][0]
    assert [(lv["name"], lv["people"]) for lv in billing["levels"]] == [
        ("C-suite", 1),
        ("SVP/VP", 1),
        ("Director", 1),
        ("Individual contributor", 2),
    ]
    assert [(b["label"], b["sessions"]) for b in billing["timeline"]] == [
        ("Jan 2026", 1),
        ("Feb 2026", 0),
        ("Mar 2026", 1),
        ("Apr 2026", 0),
        ("May 2026", 1),
        ("Jun 2026", 1),
        ("Jul 2026", 0),
        ("Aug 2026", 1),
        ("Sep 2026", 0),
        ("Oct 2026", 1),
    ]
    assert (billing["customers_affected"], billing["revenue_at_risk"]) == (4, None)
    onboarding = body["themes"][1]
    assert [(lv["key"], lv["people"]) for lv in onboarding["levels"]] == [
        ("c-suite", 1),
        ("vp", 1),
        ("ic", 1),
    ]


def test_themes_api_follows_the_period_and_level_filters(
    viewer_api: TestClient, db: Session
) -> None:
    build_themes(db)
    body = viewer_api.get(
        "/api/v1/dashboard/themes", params={"start": "2026-05-01", "end": "2026-10-31"}
    ).json()
    # Held in the period: s5..s10, six sessions, all of them "the last 8".
    assert body["recent_window"] == 6
    assert [(t["name"], t["sessions"], t["recent_text"]) for t in body["themes"]] == [
        ("Billing", 4, "4 of the last 6 sessions"),
        ("Onboarding", 2, "2 of the last 6 sessions"),
    ]
    executives = viewer_api.get("/api/v1/dashboard/themes", params={"level": "c-suite"}).json()
    assert [
        (t["name"], [(lv["key"], lv["people"]) for lv in t["levels"]]) for t in executives["themes"]
    ] == [
        ("Billing", [("c-suite", 1)]),
        ("Onboarding", [("c-suite", 1)]),
        ("Support", [("c-suite", 1)]),
        ("Pricing", []),
    ]


def test_themes_api_refuses_a_period_that_ends_before_it_starts(
    viewer_api: TestClient, db: Session
) -> None:
    response = viewer_api.get(
        "/api/v1/dashboard/themes", params={"start": "2026-05-01", "end": "2026-04-01"}
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "The period starts on 2026-05-01 but ends before, on 2026-04-01; give an end "
        "on or after the start."
    }


def test_themes_page_shows_the_same_figures_with_a_strip_per_theme(
    viewer_web: PageClient, db: Session
) -> None:
    org = build_themes(db)
    page = viewer_web.get("/dashboard/themes")
    assert page.status_code == 200
    assert '<a href="/dashboard/themes" aria-current="page">Themes</a>' in page.text
    row = page.text.split(f'<tr data-theme="{org.themes["Billing"].id}">', 1)[1].split("</tr>")[0]
    assert _text(row) == (
        "Billing 5 of the last 8 sessions 6 2 2 · 1 1 "
        "C-suite 1 · SVP/VP 1 · Director 1 · Individual contributor 2"
    )
    strip = row.split('<svg class="theme-spark"', 1)[1].split("</svg>", 1)[0]
    assert strip.count("<rect") == 10  # one per month, January to October
    assert "Sessions that raised “Billing”, per period (Jan 2026: 1, Mar 2026: 1" in strip
    assert re.findall(r'<td class="recent">([^<]+)</td>', page.text) == [
        "5 of the last 8 sessions",
        "2 of the last 8 sessions",
        "0 of the last 8 sessions",
        "0 of the last 8 sessions",
    ]


def test_themes_page_with_no_theme_says_how_to_get_some(
    viewer_web: PageClient, db: Session
) -> None:
    page = viewer_web.get("/dashboard/themes")
    assert page.status_code == 200
    assert "No theme was raised in this period." in page.text


def _more_themes(db: Session) -> None:
    """Twelve more themes over six more sessions, with quotes, attendees and items."""
    people = [create_person(db, email=f"x{i}@example.com", level_key="vp") for i in range(4)]
    for month in range(1, 7):
        story = create_session(
            db,
            title=f"More {month}",
            starts_at=datetime(2025, month, 2, 15, tzinfo=UTC),
            status=SessionStatus.completed,
        )
        recap = recap_for(db, story)
        set_themes(db, recap=recap, names=[f"Theme {month}", f"Theme {month + 6}", "Billing"])
        speaker = create_speaker(db, story, name=f"Speaker {month}")
        db.add(RecapQuote(recap_id=recap.id or 0, speaker_id=speaker.id or 0, text="Said."))
        for someone in people:
            create_attendance(db, story_session=story, person=someone)
    db.flush()


def test_themes_page_and_api_query_count_does_not_grow_with_the_themes(
    viewer_web: PageClient, viewer_api: TestClient, db: Session
) -> None:
    build_themes(db)
    viewer_api.get("/api/v1/dashboard/themes")  # a token's first use is recorded once
    with count_queries(db) as small:
        assert viewer_web.get("/dashboard/themes").status_code == 200
    with count_queries(db) as small_api:
        assert viewer_api.get("/api/v1/dashboard/themes").status_code == 200
    _more_themes(db)
    with count_queries(db) as large:
        page = viewer_web.get("/dashboard/themes")
    with count_queries(db) as large_api:
        body = viewer_api.get("/api/v1/dashboard/themes").json()
    assert page.text.count("<tr data-theme=") == 16
    assert len(body["themes"]) == 16
    assert len(large) == len(small)
    assert len(large_api) == len(small_api)
    assert len(small) <= 14, small


def test_theme_api_has_sessions_quotes_following_consent_items_commitments_and_levels(
    viewer_api: TestClient, db: Session
) -> None:
    org = build_themes(db)
    billing = org.themes["Billing"]
    body = viewer_api.get(f"/api/v1/themes/{billing.id}").json()
    assert (body["name"], body["sessions"], body["recent_text"]) == (
        "Billing",
        6,
        "5 of the last 8 sessions",
    )
    assert [s["title"] for s in body["session_list"]] == [
        "Session 10",
        "Session 8",
        "Session 6",
        "Session 5",
        "Session 3",
        "Session 1",
    ]
    assert {s["customer"] for s in body["session_list"]} == {"Meridian Freight"}
    # Lee withdrew consent: the s5 quote is never shown; Tom is quoted by company only.
    assert [(q["text"], q["attribution"], q["session_title"]) for q in body["quote_list"]] == [
        ("We stopped reading invoices.", "Meridian Freight", "Session 3"),
        ("Every invoice needs three emails.", "Ana Ruiz, CFO, Meridian Freight", "Session 1"),
    ]
    assert sorted(
        (i["description"], i["status"], i["owner"]["name"]) for i in body["action_item_list"]
    ) == [
        ("Fix the invoice PDF", "done", "DIR"),
        ("Send one invoice per delivery", "open", "DIR"),
        ("Show the contract to support", "in_progress", "DIR"),
    ]
    assert {i["theme"]["name"] for i in body["action_item_list"]} == {"Billing"}
    assert [
        (c["text"], c["owner"], c["level"], c["status"], c["session_title"])
        for c in body["commitment_list"]
    ] == [("My team calls every billing complaint back", "VP", "SVP/VP", "open", "Session 3")]
    assert [(lv["name"], lv["people"]) for lv in body["levels"]] == [
        ("C-suite", 1),
        ("SVP/VP", 1),
        ("Director", 1),
        ("Individual contributor", 2),
    ]
    assert (body["customers_affected"], body["revenue_at_risk"]) == (4, None)


def test_theme_api_of_an_unknown_theme_is_a_404(viewer_api: TestClient, db: Session) -> None:
    response = viewer_api.get("/api/v1/themes/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no theme with id 999999."}


def test_theme_page_shows_quotes_by_consent_items_commitments_and_levels(
    organizer_web: PageClient, db: Session
) -> None:
    org = build_themes(db)
    page = organizer_web.get(f"/themes/{org.themes['Billing'].id}")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Came up in 6 sessions held; recently, in 5 of the last 8 sessions." in text
    assert "“We stopped reading invoices.” — Meridian Freight · Session 3, 05 Mar 2026" in text
    assert (
        "“Every invoice needs three emails.” — Ana Ruiz, CFO, Meridian Freight · Session 1, "
        "05 Jan 2026" in text
    )
    assert "Not to be quoted." not in page.text
    assert "Send one invoice per delivery Session 3 DIR — Open" in text
    assert "Show the contract to support Session 6 DIR — In progress" in text
    assert "My team calls every billing complaint back After “Session 3” VP SVP/VP — Open" in text
    levels = _text(page.text.split('<table class="theme-levels">', 1)[1].split("</table>")[0])
    assert levels.endswith(
        "C-suite executive 1 SVP/VP executive 1 Director 1 Individual contributor 2"
    )
    assert "Customers affected 4" in text
    assert '<select id="merge-into" name="into" required>' in page.text
    options = re.findall(r'<option value="(\d+)">([^<]+)</option>', page.text)
    assert [name for _, name in options] == ["Onboarding", "Pricing", "Support", "Unused"]


def test_theme_page_for_a_viewer_has_no_merge_form(viewer_web: PageClient, db: Session) -> None:
    org = build_themes(db)
    page = viewer_web.get(f"/themes/{org.themes['Billing'].id}")
    assert page.status_code == 200
    assert "Merge into" not in page.text
    assert "Record figures" not in page.text


def test_theme_page_escapes_markup_in_names_and_quotes(
    organizer_web: PageClient, db: Session
) -> None:
    org = build_themes(db)
    recap = org.recaps[3]
    set_themes(db, recap=recap, names=["<script>alert(1)</script>"])
    speaker = create_speaker(db, org.sessions[3], name="<b>Bold</b>")
    db.add(RecapQuote(recap_id=recap.id or 0, speaker_id=speaker.id or 0, text="<img src=x>"))
    db.flush()
    (hostile,) = db.exec(select(RecapTheme.theme_id).where(RecapTheme.recap_id == recap.id))
    page = organizer_web.get(f"/themes/{hostile}")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<img src=x>" not in page.text
    assert "&lt;img src=x&gt;" in page.text
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page.text
    listing = organizer_web.get("/dashboard/themes")
    assert "<script>alert(1)</script>" not in listing.text


def test_theme_page_of_an_unknown_theme_is_a_404_that_says_so(
    viewer_web: PageClient, db: Session
) -> None:
    page = viewer_web.get("/themes/999999")
    assert page.status_code == 404
    assert "There is no theme with id 999999." in page.text
