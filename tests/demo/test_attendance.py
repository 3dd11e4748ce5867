from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from statistics import mean

from sqlmodel import Session, col, select

from app.attendance.service import get_import_report
from app.config import get_settings
from app.demo import DemoSummary, load_demo
from app.demo.attendance import PROMOTED_TITLE, PROMOTION_DAYS, recap_programme_start
from app.demo.people import CEO_TITLE
from app.models import (
    Attendance,
    AttendanceImport,
    AttendanceSource,
    Level,
    Person,
    SessionStatus,
    StorySession,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Loaded:
    summary: DemoSummary
    sessions: list[StorySession]
    rows: list[Attendance]
    levels: dict[int, Level]

    @property
    def completed(self) -> list[StorySession]:
        return [s for s in self.sessions if s.status is SessionStatus.completed]

    @cached_property
    def by_session(self) -> dict[int, list[Attendance]]:
        grouped: dict[int, list[Attendance]] = {}
        for row in self.rows:
            grouped.setdefault(row.session_id, []).append(row)
        return grouped

    def rows_of(self, story: StorySession) -> list[Attendance]:
        return self.by_session.get(story.id or 0, [])

    def attended(self, story: StorySession, keys: tuple[str, ...]) -> int:
        return sum(
            1
            for row in self.rows_of(story)
            if row.attended and row.level_id is not None and self.levels[row.level_id].key in keys
        )


def _load(db: Session) -> Loaded:
    summary = load_demo(db, now=NOW)
    return Loaded(
        summary=summary,
        sessions=list(
            db.exec(
                select(StorySession).order_by(col(StorySession.starts_at), col(StorySession.id))
            ).all()
        ),
        rows=list(db.exec(select(Attendance).order_by(col(Attendance.id))).all()),
        levels={level.id: level for level in db.exec(select(Level)).all() if level.id is not None},
    )


def _key(loaded: Loaded, row: Attendance) -> str | None:
    """The key of the level snapshotted on the row."""
    return None if row.level_id is None else loaded.levels[row.level_id].key


def test_load_demo_attendance_every_completed_session_300_to_1300_attended(db: Session) -> None:
    loaded = _load(db)

    attended = [sum(row.attended for row in loaded.rows_of(story)) for story in loaded.completed]
    assert len(attended) == loaded.summary.completed == 25
    assert [count for count in attended if not 300 <= count <= 1300] == []
    assert loaded.summary.attendance == len(loaded.rows)
    assert f"{len(loaded.rows):,} attendance rows" in str(loaded.summary)


def test_load_demo_attendance_grows_over_the_year(db: Session) -> None:
    loaded = _load(db)

    per_session = [len(loaded.rows_of(story)) for story in loaded.completed]
    assert mean(per_session[-5:]) >= 1.5 * mean(per_session[:5])
    assert max(per_session) <= 1200


def test_load_demo_attendance_none_for_scheduled_or_cancelled(db: Session) -> None:
    loaded = _load(db)

    others = {s.id for s in loaded.sessions if s.status is not SessionStatus.completed}
    assert len(others) == loaded.summary.scheduled + loaded.summary.cancelled > 0
    assert [row.id for row in loaded.rows if row.session_id in others] == []
    imported = db.exec(select(AttendanceImport.session_id)).all()
    assert set(imported) == {s.id for s in loaded.completed}


def test_load_demo_attendance_sources_match_platforms(db: Session) -> None:
    loaded = _load(db)

    by_id = {story.id: story for story in loaded.sessions}
    pairs = Counter((by_id[row.session_id].platform.value, row.source.value) for row in loaded.rows)
    assert {platform for platform, source in pairs if platform != source} == set()
    assert {source for _, source in pairs} <= {s.value for s in AttendanceSource}
    assert {"zoom", "teams"} <= {source for _, source in pairs}


def test_load_demo_attendance_executives_come_after_the_recap_programme(db: Session) -> None:
    loaded = _load(db)

    start = recap_programme_start(NOW)
    before = [
        loaded.attended(story, ("c-suite", "vp"))
        for story in loaded.completed
        if story.starts_at < start
    ]
    after = [
        loaded.attended(story, ("c-suite", "vp"))
        for story in loaded.completed
        if story.starts_at >= start
    ]
    assert len(before) >= 10
    assert len(after) >= 8
    assert max(before) <= 1
    assert before.count(0) > len(before) / 2
    assert min(after) >= 2
    assert mean(after) >= 3 * max(mean(before), 1 / len(before))


def test_load_demo_attendance_ceo_comes_a_few_times_after_the_programme(db: Session) -> None:
    loaded = _load(db)

    ceo = db.exec(select(Person).where(Person.title == CEO_TITLE)).one()
    starts = {story.id: story.starts_at for story in loaded.sessions}
    visits = sorted(starts[row.session_id] for row in loaded.rows if row.person_id == ceo.id)
    assert 2 <= len(visits) <= 6
    assert min(visits) >= recap_programme_start(NOW)


def test_load_demo_attendance_directors_and_managers_follow_with_a_lag(db: Session) -> None:
    loaded = _load(db)

    start = recap_programme_start(NOW)
    before = [s for s in loaded.completed if s.starts_at < start]
    first_month = [s for s in loaded.completed if start <= s.starts_at < start + timedelta(30)]
    last = loaded.completed[-3:]
    for keys in (("director",), ("manager",)):
        early = mean(loaded.attended(story, keys) for story in before)
        assert mean(loaded.attended(story, keys) for story in first_month) <= 1.5 * early, keys
        assert mean(loaded.attended(story, keys) for story in last) >= 2.5 * early, keys


def test_load_demo_attendance_individual_contributors_are_the_bulk(db: Session) -> None:
    loaded = _load(db)

    for story in loaded.completed:
        attended = sum(row.attended for row in loaded.rows_of(story))
        assert loaded.attended(story, ("ic",)) >= 0.7 * attended


def test_load_demo_attendance_unmatched_have_no_person_and_unknown_level(db: Session) -> None:
    loaded = _load(db)

    unmatched = [row for row in loaded.rows if row.person_id is None]
    per_session = Counter(row.session_id for row in unmatched)
    assert {s.id for s in loaded.completed} == set(per_session)
    assert min(per_session.values()) >= 3
    assert max(per_session.values()) <= 8
    assert {(_key(loaded, row), row.department) for row in unmatched} == {("unknown", "")}
    assert any(row.raw_name.endswith(" (Guest)") for row in unmatched)
    assert any(row.raw_name.startswith("+44 20 **** ") for row in unmatched)
    external = [row for row in loaded.rows if row.external]
    assert 0 < len(external) < len(unmatched)
    assert {row.person_id for row in external} == {None}
    matched = [row for row in loaded.rows if row.person_id is not None]
    assert [row.id for row in matched if _key(loaded, row) == "unknown"] == []


def test_load_demo_attendance_promoted_person_keeps_old_level_before(db: Session) -> None:
    loaded = _load(db)

    promoted = db.exec(select(Person).where(Person.title == PROMOTED_TITLE)).one()
    promoted_on = NOW - timedelta(days=PROMOTION_DAYS)
    starts = {story.id: story.starts_at for story in loaded.sessions}
    levels = [
        (starts[row.session_id] >= promoted_on, _key(loaded, row))
        for row in loaded.rows
        if row.person_id == promoted.id
    ]
    assert loaded.levels[promoted.level_id].key == "director"
    assert len(levels) == len(loaded.completed)
    assert set(levels) == {(False, "manager"), (True, "director")}
    team = db.exec(select(Person).where(Person.manager_id == promoted.id)).all()
    assert list(team) == []


def test_load_demo_attendance_minutes_agree_with_join_and_leave(db: Session) -> None:
    loaded = _load(db)

    minimum = get_settings().attendance_min_minutes
    by_id = {story.id: story for story in loaded.sessions}
    full = 0
    for row in loaded.rows:
        story = by_id[row.session_id]
        assert row.first_join is not None
        assert row.last_leave is not None
        span = (row.last_leave - row.first_join).total_seconds() / 60
        assert 0 <= row.minutes_present <= span + 0.5, row
        assert story.starts_at - timedelta(minutes=5) <= row.first_join < row.last_leave
        assert row.last_leave <= story.starts_at + timedelta(minutes=story.duration_minutes + 5)
        assert row.attended == (row.minutes_present >= minimum), row
        full += 40 <= row.minutes_present <= 65
    short = sum(not row.attended for row in loaded.rows)
    assert 0.03 * len(loaded.rows) <= short <= 0.12 * len(loaded.rows)
    assert full >= 0.6 * len(loaded.rows)


def test_load_demo_attendance_one_row_per_person_per_session(db: Session) -> None:
    loaded = _load(db)

    pairs = Counter((row.session_id, row.person_id) for row in loaded.rows if row.person_id)
    assert [pair for pair, count in pairs.items() if count > 1] == []
    assert len(pairs) > 10_000


def test_load_demo_attendance_import_reports_agree_with_rows(db: Session) -> None:
    loaded = _load(db)

    imports = db.exec(select(AttendanceImport).order_by(col(AttendanceImport.id))).all()
    assert len(imports) == len(loaded.completed)
    for record in imports:
        assert record.id is not None
        rows = loaded.by_session[record.session_id]
        report = get_import_report(
            db, story_session=db.get_one(StorySession, record.session_id), import_id=record.id
        )
        assert {row.import_id for row in rows} == {record.id}
        assert (report.people_found, report.attended, report.source) == (
            len(rows),
            sum(row.attended for row in rows),
            rows[0].source,
        )
        assert report.matched + report.unmatched == len(rows)
        assert record.format in {"zoom-participants", "teams-sectioned", "meet", "webex"}


def test_load_demo_attendance_same_every_time(db: Session) -> None:
    def snapshot() -> list[tuple[str, int, bool]]:
        rows = db.exec(select(Attendance).order_by(col(Attendance.id))).all()
        return [(row.raw_email or row.raw_name, row.minutes_present, row.attended) for row in rows]

    with db.begin_nested() as savepoint:
        load_demo(db, now=NOW)
        first = snapshot()
        savepoint.rollback()

    load_demo(db, now=NOW)
    assert snapshot() == first
