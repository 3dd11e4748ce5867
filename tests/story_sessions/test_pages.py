from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from app.models import SessionSpeaker, SessionStatus, StorySession, utcnow
from app.recaps.quotes import add_quote, list_quotes
from app.recaps.schemas import QuoteCreate
from tests.conftest import PageClient
from tests.factories import create_person, create_session, create_speaker


def _form(**overrides: Any) -> dict[str, Any]:
    day = (utcnow() + timedelta(days=14)).astimezone(ZoneInfo("Europe/Paris")).date()
    form: dict[str, Any] = {
        "title": "How Contoso cut onboarding time",
        "customer": "Contoso",
        "description": "Their ops lead tells it.",
        "date": day.isoformat(),
        "time": "16:00",
        "timezone": "Europe/Paris",
        "duration_minutes": "60",
        "platform": "zoom",
        "join_url": "https://zoom.example.com/j/7",
        "host_email": "",
        "speaker_name": ["Ada Lovelace", "", ""],
        "speaker_title": ["VP Operations", "", ""],
        "speaker_consent": ["company_only", "none", "none"],
    }
    form.update(overrides)
    return form


def test_schedule_through_the_form_then_see_it_listed(
    organizer_web: PageClient, db: Session
) -> None:
    page = organizer_web.get("/sessions/new")
    assert page.status_code == 200
    assert '<label for="speaker_consent_2">' in page.text

    response = organizer_web.submit("/sessions", _form())
    assert response.status_code == 303
    story_session = db.exec(select(StorySession)).one()
    assert response.headers["location"] == f"/sessions/{story_session.id}"
    local = story_session.starts_at.astimezone(ZoneInfo("Europe/Paris"))
    assert (local.hour, local.minute) == (16, 0)
    assert story_session.timezone == "Europe/Paris"

    detail = organizer_web.get(response.headers["location"])
    assert "How Contoso cut onboarding time" in detail.text
    assert "Ada Lovelace" in detail.text
    assert "Company only: no personal name" in detail.text
    assert f'href="/sessions/{story_session.id}.ics"' in detail.text

    listing = organizer_web.get("/sessions")
    assert listing.status_code == 200
    assert f'<a href="/sessions/{story_session.id}">How Contoso cut onboarding time</a>' in (
        listing.text
    )
    assert "Contoso" in listing.text
    assert "16:00" in listing.text


def test_form_errors_are_shown_with_the_input_kept(organizer_web: PageClient, db: Session) -> None:
    response = organizer_web.submit(
        "/sessions",
        _form(title="Keep me", time="25:99", join_url="ftp://files", host_email="nobody@x.org"),
    )
    assert response.status_code == 422
    assert 'value="Keep me"' in response.text
    assert 'value="ftp://files"' in response.text
    assert "Enter a time like 16:00; got &#39;25:99&#39;." in response.text
    assert "http:// or https://" in response.text
    assert "No one in the directory has the email" in response.text
    assert 'value="Ada Lovelace"' in response.text
    assert db.exec(select(StorySession)).all() == []


def test_form_past_start_is_shown_as_an_error(organizer_web: PageClient, db: Session) -> None:
    response = organizer_web.submit("/sessions", _form(date="2020-01-07"))
    assert response.status_code == 422
    assert "is in the past" in response.text
    assert db.exec(select(StorySession)).all() == []


def test_form_speaker_title_without_name_is_an_error(organizer_web: PageClient) -> None:
    response = organizer_web.submit(
        "/sessions", _form(speaker_name=["", "", ""], speaker_title=["CTO", "", ""])
    )
    assert response.status_code == 422
    assert "Give this speaker&#39;s name, or clear the row." in response.text


def test_form_host_by_email(organizer_web: PageClient, db: Session) -> None:
    host = create_person(db, email="host@example.com", name="Hal Host", level_key="director")
    response = organizer_web.submit("/sessions", _form(host_email="HOST@example.com"))
    assert response.status_code == 303
    assert db.exec(select(StorySession)).one().host_id == host.id


def test_edit_form_updates_the_session(organizer_web: PageClient, db: Session) -> None:
    story_session = create_session(db, title="Before")
    page = organizer_web.get(f"/sessions/{story_session.id}/edit")
    assert 'value="Before"' in page.text
    local = story_session.starts_at.astimezone(ZoneInfo("Europe/Paris"))
    response = organizer_web.submit(
        f"/sessions/{story_session.id}/edit",
        _form(title="After", date=local.date().isoformat(), time=local.strftime("%H:%M")),
    )
    assert response.status_code == 303
    db.refresh(story_session)
    assert story_session.title == "After"
    assert story_session.sequence == 1


def test_editing_a_session_on_its_page_keeps_its_speakers_and_their_quotes(
    organizer_web: PageClient, db: Session
) -> None:
    story_session = create_session(db, title="Before")
    speaker = create_speaker(db, story_session, name="Ada Lovelace")
    add_quote(
        db, story_session=story_session, data=QuoteCreate(speaker_id=speaker.id, text="Fast.")
    )
    local = story_session.starts_at.astimezone(ZoneInfo("Europe/Paris"))
    response = organizer_web.submit(
        f"/sessions/{story_session.id}/edit",
        _form(title="After", date=local.date().isoformat(), time=local.strftime("%H:%M")),
    )
    assert response.status_code == 303
    db.expire_all()
    [kept] = db.exec(select(SessionSpeaker)).all()
    assert (kept.id, kept.title) == (speaker.id, "VP Operations")
    assert [q.text for q in list_quotes(db, story_session=story_session)] == ["Fast."]


def test_cancel_and_complete_buttons(organizer_web: PageClient, db: Session) -> None:
    upcoming = create_session(db)
    started = create_session(db, starts_at=utcnow() - timedelta(minutes=5))
    page = organizer_web.get(f"/sessions/{upcoming.id}")
    assert f'action="/sessions/{upcoming.id}/cancel"' in page.text

    assert organizer_web.submit(f"/sessions/{upcoming.id}/cancel").status_code == 303
    assert organizer_web.submit(f"/sessions/{started.id}/complete").status_code == 303
    db.refresh(upcoming)
    db.refresh(started)
    assert upcoming.status is SessionStatus.cancelled
    assert started.status is SessionStatus.completed


def test_edit_form_of_cancelled_session_offers_description_only(
    organizer_web: PageClient, db: Session
) -> None:
    story_session = create_session(db, status=SessionStatus.cancelled)
    page = organizer_web.get(f"/sessions/{story_session.id}/edit")
    assert "only its description, series and recording link can change" in page.text
    assert 'name="title"' not in page.text
    response = organizer_web.submit(
        f"/sessions/{story_session.id}/edit", {"description": "Postponed to May."}
    )
    assert response.status_code == 303
    db.refresh(story_session)
    assert story_session.description == "Postponed to May."


def test_list_filters_keep_their_values(organizer_web: PageClient, db: Session) -> None:
    create_session(db, title="Alpha story")
    create_session(db, title="Beta story")
    page = organizer_web.get("/sessions", params={"q": "alpha", "when": "upcoming"})
    assert "Alpha story" in page.text
    assert "Beta story" not in page.text
    assert 'value="alpha"' in page.text
    assert '<option value="upcoming" selected>' in page.text


def test_list_pages_link_to_the_next_page(organizer_web: PageClient, db: Session) -> None:
    for index in range(3):
        create_session(db, title=f"S{index}", starts_at=utcnow() + timedelta(days=index + 1))
    page = organizer_web.get("/sessions", params={"when": "upcoming", "limit": 2})
    assert "Showing 1–2 of 3" in page.text
    assert "offset=2" in page.text


def test_viewer_sees_no_schedule_button(viewer_web: PageClient) -> None:
    page = viewer_web.get("/sessions")
    assert page.status_code == 200
    assert "Schedule a session" not in page.text


def test_series_created_through_the_form(organizer_web: PageClient, db: Session) -> None:
    year = utcnow().year + 1
    response = organizer_web.submit(
        "/series",
        {
            "title": "Voices monthly",
            "rrule": "FREQ=MONTHLY;BYDAY=1TH;COUNT=3",
            "first_date": f"{year}-01-07",
            "first_time": "16:00",
            "timezone": "Europe/Paris",
            "duration_minutes": "45",
            "platform": "meet",
            "join_url": "",
            "customer": "",
            "host_email": "",
            "description": "",
        },
    )
    assert response.status_code == 303, response.text
    page = organizer_web.get(response.headers["location"])
    assert "Series created: 3 sessions scheduled." in page.text
    assert page.text.count("16:00") >= 3
    assert "Voices monthly" in organizer_web.get("/series").text


def test_series_form_error_is_shown_with_input_kept(organizer_web: PageClient) -> None:
    response = organizer_web.submit(
        "/series",
        {
            "title": "Forever",
            "rrule": "FREQ=WEEKLY;BYDAY=TU",
            "first_date": "2030-01-01",
            "first_time": "16:00",
            "timezone": "Europe/Paris",
            "duration_minutes": "60",
            "platform": "zoom",
        },
    )
    assert response.status_code == 422
    assert "This rule never ends: add COUNT or UNTIL" in response.text
    assert 'value="FREQ=WEEKLY;BYDAY=TU"' in response.text
    assert 'value="Forever"' in response.text


def test_unknown_session_page_is_404(organizer_web: PageClient) -> None:
    response = organizer_web.get("/sessions/999999")
    assert response.status_code == 404
    assert "There is no session with id 999999." in response.text


def test_form_speaker_error_points_at_its_row(organizer_web: PageClient) -> None:
    response = organizer_web.submit(
        "/sessions",
        _form(speaker_name=["", "Bo " + "x" * 200, ""], speaker_title=["", "", ""]),
    )
    assert response.status_code == 422
    assert 'id="speaker_name_1-error"' in response.text
    assert "Speaker 2: String should have at most 200 characters" in response.text
