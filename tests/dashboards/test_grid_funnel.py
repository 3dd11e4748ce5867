"""The leader × session grid and the invited → accepted → attended → read funnel."""

import csv
import io

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.dashboards import service
from app.dashboards.schemas import DashboardFilters
from app.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Invitation,
    Person,
    Recap,
    RecapVersion,
    Rsvp,
    StorySession,
    utcnow,
)
from tests.conftest import PageClient
from tests.dashboards.support import Org, build_org

ALL = DashboardFilters()


def _invite(db: Session, story: StorySession, person: Person, rsvp: Rsvp) -> None:
    db.add(Invitation(session_id=story.id or 0, person_id=person.id, email=person.email, rsvp=rsvp))


def _send_recap(db: Session, story: StorySession, people: list[Person], *, read: set[int]) -> None:
    recap = Recap(session_id=story.id or 0)
    db.add(recap)
    db.flush()
    for number in (1, 2):  # a second version sent to the same people counts once
        version = RecapVersion(recap_id=recap.id or 0, number=number, document={})
        db.add(version)
        db.flush()
        for person in people:
            db.add(
                Delivery(
                    kind=DeliveryKind.recap,
                    dedup_key=f"recap:{version.id}:{person.email}",
                    to_email=person.email,
                    person_id=person.id,
                    recap_version_id=version.id,
                    status=DeliveryStatus.sent,
                    sent_at=utcnow(),
                    read_at=utcnow() if person.id in read and number == 2 else None,
                )
            )


def _story(db: Session) -> Org:
    """The CFO accepts and never comes; the CEO and CFO get the first recap, the CFO reads it."""
    org = build_org(db)
    _invite(db, org.s1, org.ceo, Rsvp.accepted)
    _invite(db, org.s2, org.cfo, Rsvp.accepted)
    _invite(db, org.s3, org.cfo, Rsvp.declined)
    for story in (org.s1, org.s2, org.s3):
        _invite(db, story, org.vp, Rsvp.needs_action)
    _send_recap(db, org.s1, [org.ceo, org.cfo], read={org.cfo.id or 0})
    db.flush()
    return org


def test_leader_grid_puts_never_attended_first_one_cell_per_session(db: Session) -> None:
    org = _story(db)

    grid = service.leader_grid(db, filters=ALL)

    assert [row.name for row in grid.items] == ["CFO", "CEO", "VP"]
    assert (grid.total, grid.never_attended, grid.sessions_held) == (3, 1, 3)
    cfo = grid.items[0]
    assert [(c.invited, c.accepted, c.attended, c.received, c.read) for c in cfo.cells] == [
        (False, False, False, True, True),
        (True, True, False, False, False),
        (True, False, False, False, False),
    ]
    assert (cfo.invited, cfo.accepted, cfo.attended, cfo.received, cfo.read) == (2, 1, 0, 1, 1)
    assert [s.session_id for s in grid.sessions] == [org.s1.id, org.s2.id, org.s3.id]
    first = grid.sessions[0]
    assert (first.invited, first.accepted, first.attended, first.received, first.read) == (
        2,
        1,
        1,
        2,
        1,
    )


def test_leader_grid_totals_count_every_leader_whatever_the_page(db: Session) -> None:
    _story(db)

    page = service.leader_grid(db, filters=ALL, limit=1, offset=1)

    assert [row.name for row in page.items] == ["CEO"]
    assert [s.attended for s in page.sessions] == [1, 1, 1]
    assert [s.invited for s in page.sessions] == [2, 2, 2]


def test_funnel_counts_invitees_who_accepted_attended_and_read(db: Session) -> None:
    org = _story(db)

    funnel = service.funnel(db, filters=ALL)

    overall = funnel.overall
    assert (overall.invited, overall.accepted, overall.attended, overall.read) == (6, 2, 3, 0)
    assert overall.attended_rate == 0.5
    assert [row.session_id for row in funnel.items] == [org.s3.id, org.s2.id, org.s1.id]
    by_level = {row.level.key: (row.invited, row.accepted, row.attended) for row in funnel.levels}
    assert by_level == {"c-suite": (3, 2, 1), "vp": (3, 0, 2)}
    # The CFO read the first recap but was not invited to that session: not in its funnel.
    assert funnel.items[2].read == 0


def test_funnel_counts_a_read_recap_of_an_invitee_once(db: Session) -> None:
    org = build_org(db)
    _invite(db, org.s1, org.cfo, Rsvp.declined)
    _send_recap(db, org.s1, [org.cfo], read={org.cfo.id or 0})
    db.flush()

    funnel = service.funnel(db, filters=ALL)

    assert (funnel.overall.invited, funnel.overall.read, funnel.overall.read_rate) == (1, 1, 1.0)


def test_overview_regular_executives_attend_half_the_sessions_they_were_invited_to(
    db: Session,
) -> None:
    org = _story(db)  # CEO: 1 of 1 invited; CFO: 0 of 2; VP: 2 of 3
    _invite(db, org.s3, org.ceo, Rsvp.accepted)  # CEO now 1 of 2: still half
    db.flush()

    report = service.overview(db, filters=ALL)

    assert (report.executives, report.executives_attended, report.executives_regular) == (3, 2, 2)
    assert report.executive_regular_rate == 2 / 3
    assert report.regular_rule.startswith("attended at least half of the sessions held")
    assert [row.level.key for row in report.funnel_levels] == ["c-suite", "vp"]


def test_overview_regular_without_invitations_is_half_of_the_sessions_held(db: Session) -> None:
    build_org(db)  # no invitations: the VP came to 2 of 3, the CEO to 1 of 3

    report = service.overview(db, filters=ALL)

    assert report.executives_regular == 1


def test_grid_api_pages_leaders_and_keeps_every_column(viewer_api: TestClient, db: Session) -> None:
    org = _story(db)

    body = viewer_api.get("/api/v1/dashboard/leaders/grid", params={"limit": 2}).json()

    assert (body["total"], body["limit"], body["never_attended"]) == (3, 2, 1)
    assert [row["name"] for row in body["items"]] == ["CFO", "CEO"]
    assert [s["session_id"] for s in body["sessions"]] == [org.s1.id, org.s2.id, org.s3.id]
    assert body["items"][0]["cells"][1] == {
        "session_id": org.s2.id,
        "invited": True,
        "accepted": True,
        "attended": False,
        "received": False,
        "read": False,
    }
    directors = viewer_api.get(
        "/api/v1/dashboard/leaders/grid", params={"include_directors": "true"}
    ).json()
    assert directors["total"] == 4


def test_funnel_api_has_levels_and_sessions(viewer_api: TestClient, db: Session) -> None:
    _story(db)

    body = viewer_api.get("/api/v1/dashboard/funnel", params={"limit": 1}).json()

    assert (body["total"], body["sessions_held"], len(body["items"])) == (3, 3, 1)
    assert body["overall"]["invited"] == 6
    assert [row["level"]["key"] for row in body["levels"]] == ["c-suite", "vp"]
    bad = viewer_api.get("/api/v1/dashboard/funnel", params={"level": "boss"})
    assert bad.status_code == 422
    assert "There is no level 'boss'" in bad.json()["detail"]


def test_grid_page_marks_each_cell_in_words(viewer_web: PageClient, db: Session) -> None:
    _story(db)

    text = viewer_web.get("/dashboard/leaders/grid").text

    assert "<strong>1 never attended</strong>" in text
    assert 'aria-label="10 Feb 2026: accepted, did not come"' in text
    assert 'aria-label="10 Jan 2026: not invited, did not come; read the recap"' in text
    assert text.index(">CFO</a>") < text.index(">CEO</a>") < text.index(">VP</a>")
    assert 'aria-current="page">Leader grid</a>' in text


def test_funnel_page_shows_the_stages_per_level_and_session(
    viewer_web: PageClient, db: Session
) -> None:
    _story(db)

    text = viewer_web.get("/dashboard/funnel").text

    assert "Of 6 invitations to 3 sessions held" in text
    assert '<title id="funnel-title">Invited → accepted → attended → read</title>' in text
    assert "<strong>50%</strong> 3" in text  # attended, all levels
    assert 'href="/sessions/' in text


def _csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_grid_csv_has_one_row_per_leader_and_session_like_the_grid(
    viewer_web: PageClient, db: Session
) -> None:
    _story(db)
    page = viewer_web.get("/dashboard/leaders/grid").text
    assert 'href="/dashboard/leaders/grid/export.csv' in page

    response = viewer_web.get("/dashboard/leaders/grid/export.csv")

    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="storyroom-leader-grid.csv"' in response.headers["content-disposition"]
    rows = _csv_rows(response.text)
    assert len(rows) == 3 * 3  # three leaders, three sessions held
    cfo = [r for r in rows if r["Name"] == "CFO"]
    assert [
        (r["Invited"], r["Accepted"], r["Attended"], r["Recap received"], r["Recap read"])
        for r in cfo
    ] == [
        ("no", "no", "no", "yes", "yes"),
        ("yes", "yes", "no", "no", "no"),
        ("yes", "no", "no", "no", "no"),
    ]


def test_funnel_csv_has_the_overall_levels_and_sessions_of_the_page(
    viewer_web: PageClient, db: Session
) -> None:
    _story(db)
    report = service.funnel(db, filters=ALL)
    assert 'href="/dashboard/funnel/export.csv' in viewer_web.get("/dashboard/funnel").text

    rows = _csv_rows(viewer_web.get("/dashboard/funnel/export.csv").text)

    assert rows[0]["Scope"] == "All sessions held"
    assert (rows[0]["Invited"], rows[0]["Attended"], rows[0]["Attended (%)"]) == ("6", "3", "50.0")
    assert [r["Name"] for r in rows if r["Scope"] == "Level"] == [
        level.level.name for level in report.levels
    ]
    sessions = [r for r in rows if r["Scope"] == "Session"]
    assert [r["Name"] for r in sessions] == [item.title for item in report.items]
    assert [int(r["Read the recap"]) for r in sessions] == [item.read for item in report.items]
