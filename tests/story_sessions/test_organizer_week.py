"""The session and series forms without dead ends: past sessions, extra dates, plain repeats."""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import Series, SessionStatus, StorySession, utcnow
from tests.conftest import PageClient
from tests.factories import create_series, create_session

PARIS = ZoneInfo("Europe/Paris")
# What would tell a person in a browser to write a JSON body.
JSON_ADVICE = ("&#34;status&#34;", '"status"', "JSON", "&#34;completed&#34;")


def _session_form(**overrides: Any) -> dict[str, Any]:
    day = (utcnow() + timedelta(days=14)).astimezone(PARIS).date()
    form: dict[str, Any] = {
        "title": "How Contoso cut onboarding time",
        "customer": "Contoso",
        "description": "",
        "date": day.isoformat(),
        "time": "16:00",
        "timezone": "Europe/Paris",
        "duration_minutes": "60",
        "platform": "zoom",
        "join_url": "",
        "host_email": "",
        "series_id": "none",
        "speaker_name": ["", "", ""],
        "speaker_title": ["", "", ""],
        "speaker_consent": ["none", "none", "none"],
    }
    form.update(overrides)
    return form


def _tuesday_in_march_next_year() -> date:
    """The first Tuesday of March next year: a series from it crosses Paris's spring DST change."""
    first = date(utcnow().year + 1, 3, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7)


def _series_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "title": "Voices fortnightly",
        "first_date": _tuesday_in_march_next_year().isoformat(),
        "first_time": "16:00",
        "timezone": "Europe/Paris",
        "duration_minutes": "45",
        "platform": "meet",
        "join_url": "",
        "customer": "",
        "host_email": "",
        "description": "",
        "rrule": "",
        "repeat_frequency": "weekly",
        "repeat_interval": "2",
        "repeat_day": "",
        "repeat_nth": "",
        "repeat_ending": "count",
        "repeat_count": "4",
        "repeat_until": "",
    }
    form.update(overrides)
    return form


def _assert_no_json_advice(text: str) -> None:
    for advice in JSON_ADVICE:
        assert advice not in text, advice


# Recording a session that already took place


def test_new_session_form_offers_to_record_a_past_session(organizer_web: PageClient) -> None:
    page = organizer_web.get("/sessions/new")
    assert 'name="already_held" type="checkbox" value="yes"' in page.text
    assert "This session already took place" in page.text


def test_past_start_asks_to_tick_the_box_and_never_to_send_json(
    organizer_web: PageClient, db: Session
) -> None:
    response = organizer_web.submit("/sessions", _session_form(date="2020-01-07"))
    assert response.status_code == 422
    assert (
        "This start is in the past. To record a session that already took place, tick "
        "“This session already took place”; to schedule one, choose a later time."
    ) in response.text
    assert 'value="2020-01-07"' in response.text
    _assert_no_json_advice(response.text)
    assert db.exec(select(StorySession)).all() == []


def test_recording_a_past_session_creates_it_completed_and_leads_to_attendance(
    organizer_web: PageClient, db: Session
) -> None:
    response = organizer_web.submit(
        "/sessions", _session_form(date="2020-01-07", already_held="yes")
    )
    assert response.status_code == 303, response.text
    story_session = db.exec(select(StorySession)).one()
    assert story_session.status is SessionStatus.completed
    assert story_session.starts_at == datetime(2020, 1, 7, 16, 0, tzinfo=PARIS)
    assert response.headers["location"] == f"/sessions/{story_session.id}?recorded=1"
    page = organizer_web.get(response.headers["location"])
    assert "Recorded as a session that took place." in page.text
    assert f'<a href="/sessions/{story_session.id}/attendance">import its attendance</a>' in (
        page.text
    )
    # Without the flag (or for a scheduled session) the page says nothing of the kind.
    assert "Recorded as a session" not in organizer_web.get(f"/sessions/{story_session.id}").text


def test_already_took_place_with_a_future_start_is_refused_in_the_form_words(
    organizer_web: PageClient, db: Session
) -> None:
    response = organizer_web.submit("/sessions", _session_form(already_held="yes"))
    assert response.status_code == 422
    assert (
        "This start is still to come, so the session has not taken place yet: untick "
        "“This session already took place” to schedule it."
    ) in response.text
    assert 'name="already_held" type="checkbox" value="yes" checked' in response.text
    _assert_no_json_advice(response.text)
    assert db.exec(select(StorySession)).all() == []


def test_moving_a_session_into_the_past_on_its_edit_page_never_mentions_json(
    organizer_web: PageClient, db: Session
) -> None:
    story_session = create_session(db)
    response = organizer_web.submit(
        f"/sessions/{story_session.id}/edit", _session_form(date="2020-01-07")
    )
    assert response.status_code == 422
    assert "This start is in the past: choose a later time." in response.text
    _assert_no_json_advice(response.text)


def test_api_past_start_still_tells_api_users_about_the_status_field(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = create_session(db)
    body = {
        "title": "Old news",
        "starts_at": "2020-01-07T15:00:00Z",
        "timezone": "Europe/Paris",
        "platform": "zoom",
    }
    created = organizer_api.post("/api/v1/sessions", json=body)
    assert created.status_code == 422
    assert created.json()["detail"] == (
        "starts_at 2020-01-07T15:00:00+00:00 is in the past. Choose a later time, or create it "
        'with "status": "completed" to record a session that already happened.'
    )
    moved = organizer_api.patch(
        f"/api/v1/sessions/{story_session.id}", json={"starts_at": "2020-01-07T15:00:00Z"}
    )
    assert moved.status_code == 422
    # A PATCH has no status: its message does not suggest one.
    assert moved.json()["detail"] == (
        "starts_at 2020-01-07T15:00:00+00:00 is in the past: a scheduled session cannot move "
        "into the past. Choose a later time."
    )


# One-off sessions in a series


def test_series_page_adds_a_session_outside_the_rule(
    organizer_web: PageClient, db: Session
) -> None:
    created = organizer_web.submit("/series", _series_form())
    assert created.status_code == 303, created.text
    series = db.exec(select(Series)).one()
    page = organizer_web.get(f"/series/{series.id}")
    assert f'href="/sessions/new?series_id={series.id}">Add a session to this series</a>' in (
        page.text
    )
    assert "outside the repeat rule" not in page.text

    form_page = organizer_web.get(f"/sessions/new?series_id={series.id}")
    assert 'value="Voices fortnightly"' in form_page.text
    assert 'name="time" type="time" required value="16:00"' in form_page.text
    assert f'<option value="{series.id}" selected>Voices fortnightly</option>' in form_page.text

    # A Thursday between two Tuesdays of the rule.
    extra_day = _tuesday_in_march_next_year() + timedelta(days=9)
    response = organizer_web.submit(
        "/sessions",
        _session_form(
            title="Voices fortnightly: extra",
            date=extra_day.isoformat(),
            duration_minutes="45",
            platform="meet",
            series_id=str(series.id),
        ),
    )
    assert response.status_code == 303, response.text
    sessions = db.exec(
        select(StorySession)
        .where(StorySession.series_id == series.id)
        .order_by(col(StorySession.starts_at))
    ).all()
    assert len(sessions) == 5
    extra = next(s for s in sessions if s.title == "Voices fortnightly: extra")
    assert extra.starts_at.astimezone(PARIS).date() == extra_day
    assert extra.status is SessionStatus.scheduled

    page = organizer_web.get(f"/series/{series.id}")
    assert page.text.count("outside the repeat rule") == 1
    assert "5 scheduled of 5" in page.text


def test_a_past_session_recorded_into_a_series_is_completed(
    organizer_web: PageClient, db: Session
) -> None:
    series = create_series(db)
    response = organizer_web.submit(
        "/sessions",
        _session_form(date="2026-01-13", already_held="yes", series_id=str(series.id)),
    )
    assert response.status_code == 303, response.text
    story_session = db.exec(select(StorySession)).one()
    assert (story_session.series_id, story_session.status) == (
        series.id,
        SessionStatus.completed,
    )
    # The factory's rule never ends: the page still shows the series, its rule as custom.
    page = organizer_web.get(f"/series/{series.id}")
    assert page.status_code == 200
    assert "By a custom repeat rule, from Tue 06 Jan 2026, 16:00 Europe/Paris" in page.text
    assert "outside the repeat rule" not in page.text


def test_one_off_session_is_attached_to_a_series_on_its_edit_page(
    organizer_web: PageClient, db: Session
) -> None:
    series = create_series(db, title="Voice of the customer")
    starts_at = (utcnow() + timedelta(days=7)).replace(second=0, microsecond=0)
    story_session = create_session(db, starts_at=starts_at)
    page = organizer_web.get(f"/sessions/{story_session.id}/edit")
    assert '<option value="none" selected>None (a one-off session)</option>' in page.text
    assert f'<option value="{series.id}">Voice of the customer</option>' in page.text

    local = story_session.starts_at.astimezone(PARIS)
    form = _session_form(
        title=story_session.title,
        date=local.date().isoformat(),
        time=local.strftime("%H:%M"),
        join_url=story_session.join_url,
        customer="",
        series_id=str(series.id),
    )
    response = organizer_web.submit(f"/sessions/{story_session.id}/edit", form)
    assert response.status_code == 303, response.text
    db.refresh(story_session)
    assert story_session.series_id == series.id
    # Not a calendar change: invitees get no update and the .ics keeps its version.
    assert story_session.sequence == 0

    detail = organizer_web.get(f"/sessions/{story_session.id}")
    assert f'<a href="/series/{series.id}">Voice of the customer</a>' in detail.text
    response = organizer_web.submit(
        f"/sessions/{story_session.id}/edit", {**form, "series_id": "none"}
    )
    assert response.status_code == 303
    db.refresh(story_session)
    assert story_session.series_id is None


def test_a_completed_one_off_can_join_a_series_and_a_form_without_the_field_keeps_it(
    organizer_web: PageClient, db: Session
) -> None:
    series = create_series(db)
    story_session = create_session(
        db, starts_at=utcnow() - timedelta(days=3), status=SessionStatus.completed
    )
    page = organizer_web.get(f"/sessions/{story_session.id}/edit")
    assert 'name="series_id"' in page.text
    response = organizer_web.submit(
        f"/sessions/{story_session.id}/edit",
        {"description": "Held at the offsite.", "series_id": str(series.id)},
    )
    assert response.status_code == 303
    db.refresh(story_session)
    assert (story_session.series_id, story_session.description) == (
        series.id,
        "Held at the offsite.",
    )
    # A post that has no series field leaves the series alone.
    response = organizer_web.submit(
        f"/sessions/{story_session.id}/edit", {"description": "Held off site."}
    )
    assert response.status_code == 303
    db.refresh(story_session)
    assert story_session.series_id == series.id


def test_api_adds_a_session_to_a_series_and_refuses_an_unknown_one(
    organizer_api: TestClient, db: Session
) -> None:
    series = create_series(db)
    body = {
        "title": "Extra",
        "starts_at": (utcnow() + timedelta(days=9)).isoformat(),
        "timezone": "Europe/Paris",
        "platform": "zoom",
    }
    created = organizer_api.post("/api/v1/sessions", json={**body, "series_id": series.id})
    assert created.status_code == 201, created.text
    assert created.json()["series_id"] == series.id
    detached = organizer_api.patch(
        f"/api/v1/sessions/{created.json()['id']}", json={"series_id": None}
    )
    assert detached.json()["series_id"] is None
    unknown = organizer_api.post("/api/v1/sessions", json={**body, "series_id": 999999})
    assert unknown.status_code == 422
    assert unknown.json() == {"detail": "There is no series with id 999999 to add this session to."}


# Repeats in plain controls


def test_series_form_controls_write_the_rule_and_sessions_keep_local_time(
    organizer_web: PageClient, db: Session
) -> None:
    page = organizer_web.get("/series")
    assert '<option value="weekly" selected>' in page.text
    assert '<details class="advanced">' in page.text  # the raw rule is tucked away

    response = organizer_web.submit("/series", _series_form())
    assert response.status_code == 303, response.text
    series = db.exec(select(Series)).one()
    assert series.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=4"
    first = _tuesday_in_march_next_year()
    starts = [
        s.starts_at.astimezone(PARIS)
        for s in db.exec(select(StorySession).order_by(col(StorySession.starts_at)))
    ]
    assert [s.date() for s in starts] == [first + timedelta(weeks=2 * n) for n in range(4)]
    assert {(s.hour, s.minute) for s in starts} == {(16, 0)}  # before and after the DST change
    last = first + timedelta(weeks=6)
    page = organizer_web.get(f"/series/{series.id}")
    assert f"Every 2 weeks on Tuesday, 4 sessions, until {last.day} {last:%b %Y}" in page.text
    assert "Every 2 weeks on Tuesday" in organizer_web.get("/series").text


def test_series_form_monthly_until_a_date(organizer_web: PageClient, db: Session) -> None:
    first = _tuesday_in_march_next_year()
    until = date(first.year, 6, 30)
    response = organizer_web.submit(
        "/series",
        _series_form(
            repeat_frequency="monthly",
            repeat_interval="1",
            repeat_day="TH",
            repeat_nth="-1",
            repeat_ending="until",
            repeat_until=until.isoformat(),
        ),
    )
    assert response.status_code == 303, response.text
    series = db.exec(select(Series)).one()
    assert series.rrule == f"FREQ=MONTHLY;BYDAY=-1TH;UNTIL={first.year}0630T215959Z"
    days = [
        s.starts_at.astimezone(PARIS).date()
        for s in db.exec(select(StorySession).order_by(col(StorySession.starts_at)))
    ]
    assert [d.month for d in days] == [3, 4, 5, 6]
    assert all(d.weekday() == 3 and (d + timedelta(weeks=1)).month != d.month for d in days)
    page = organizer_web.get(f"/series/{series.id}")
    assert "Monthly on the last Thursday, 4 sessions, until" in page.text


def test_series_form_control_errors_are_shown_with_the_input_kept(
    organizer_web: PageClient, db: Session
) -> None:
    response = organizer_web.submit(
        "/series", _series_form(repeat_count="lots", repeat_interval="0")
    )
    assert response.status_code == 422
    assert "Enter a whole number from 1 to 200; got &#39;lots&#39;." in response.text
    assert "Enter a whole number from 1 to 52; got &#39;0&#39;." in response.text
    assert 'value="lots"' in response.text
    assert db.exec(select(Series)).all() == []


def test_series_form_custom_rule_is_used_as_written_with_the_raw_field_open(
    organizer_web: PageClient, db: Session
) -> None:
    rule = "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4"
    response = organizer_web.submit("/series", _series_form(repeat_frequency="custom", rrule=rule))
    assert response.status_code == 303, response.text
    series = db.exec(select(Series)).one()
    assert series.rrule == rule
    page = organizer_web.get(f"/series/{series.id}")
    assert "By a custom repeat rule, 4 sessions, until" in page.text

    refused = organizer_web.submit(
        "/series", _series_form(repeat_frequency="custom", rrule="FREQ=WEEKLY;BYDAY=MO,WE")
    )
    assert refused.status_code == 422
    assert '<option value="custom" selected>' in refused.text
    assert '<details class="advanced" open>' in refused.text
    assert "This rule is more than the controls above can say" in refused.text
    assert 'value="FREQ=WEEKLY;BYDAY=MO,WE"' in refused.text
