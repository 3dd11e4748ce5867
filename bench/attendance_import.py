"""Attendance import speed and memory (issue 3).

1. Importing a 20,000-row Zoom participants report into one session on SQLite, against raw
   baselines measured in the same run, each reading the same file with the csv module and
   inserting with sqlite3 `executemany`:
   - "same rows": the rows the import stores — join and leave parsed (strptime in the file's
     known format), stored as UTC timestamps, with minutes and the attended flag;
   - "file strings": the file's cells inserted as they are (no parsing at all), for scale.
   Target: at most 3x the raw baseline.
2. Peak memory (max RSS of a child process) importing a 200,000-row file, beside the RSS of
   the same process with the app loaded and nothing imported. Target: < 200 MB.
"""

import csv
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPEATS = 5
ROWS = 20_000
BIG_ROWS = 200_000
DIRECTORY = 20_000
START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
HEADER = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\r\n"


def write_zoom_report(path: Path, rows: int, people: int) -> None:
    """A Zoom participants export: one row per join, MM/DD/YYYY hh:mm:ss AM/PM, UTF-8 BOM."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(HEADER)
        for i in range(rows):
            person = i % people
            join = START + timedelta(seconds=(i * 7) % 1800)
            leave = join + timedelta(minutes=5 + (i % 50))
            out.write(
                f"Person {person} (Person {person}),person{person}@bench.example,"
                f"{join:%m/%d/%Y %I:%M:%S %p},{leave:%m/%d/%Y %I:%M:%S %p},"
                f"{(leave - join).seconds // 60},No\r\n"
            )


def prepare_database(directory: Path) -> str:
    from sqlmodel import select

    from app.db import bind_sessions, make_engine, migrate, open_session
    from app.models import Level

    url = f"sqlite:///{directory / 'bench.db'}"
    migrate(url)
    engine = make_engine(url)
    bind_sessions(engine)
    with open_session() as session:
        ic = session.exec(select(Level).where(Level.key == "ic")).one()
        session.connection().exec_driver_sql(
            "INSERT INTO person (email, name, title, department, level_id, active, "
            "created_at, updated_at) VALUES (?, ?, '', 'Bench', ?, 1, ?, ?)",
            [
                (f"person{i}@bench.example", f"Person {i}", ic.id, "2026-01-01", "2026-01-01")
                for i in range(DIRECTORY)
            ],
        )
        session.commit()
    return url


def new_story_session() -> int:
    from app.db import open_session
    from app.models import Platform, SessionStatus, StorySession

    with open_session() as session:
        story_session = StorySession(
            title="Bench",
            starts_at=START,
            timezone="UTC",
            duration_minutes=90,
            platform=Platform.zoom,
            status=SessionStatus.completed,
        )
        session.add(story_session)
        session.commit()
        assert story_session.id is not None
        return story_session.id


def import_once(data: bytes, session_id: int) -> float:
    from app.attendance.service import import_report
    from app.db import open_session
    from app.models import StorySession

    began = time.perf_counter()
    with open_session() as session:
        story_session = session.get(StorySession, session_id)
        assert story_session is not None
        import_report(session, story_session=story_session, data=data, filename="z.csv")
        session.commit()
    return time.perf_counter() - began


def baseline_once(path: Path, database: str, session_id: int, *, parse: bool) -> float:
    """Read with csv, insert one attendance row per file row with executemany."""
    began = time.perf_counter()
    connection = sqlite3.connect(database)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        if parse:
            rows = []
            for name, email, join, leave, _minutes, _guest in reader:
                first = datetime.strptime(join, "%m/%d/%Y %I:%M:%S %p")  # noqa: DTZ007 (UTC)
                last = datetime.strptime(leave, "%m/%d/%Y %I:%M:%S %p")  # noqa: DTZ007
                minutes = round((last - first).total_seconds() / 60)
                rows.append(
                    (
                        session_id,
                        "zoom",
                        name,
                        email.lower(),
                        first.isoformat(" "),
                        last.isoformat(" "),
                        minutes,
                        minutes >= 5,
                        0,
                        "",
                    )
                )
        else:
            rows = [
                (session_id, "zoom", name, email, join, leave, int(minutes), True, 0, "")
                for name, email, join, leave, minutes, _guest in reader
            ]
    connection.executemany(
        "INSERT INTO attendance (session_id, source, raw_name, raw_email, first_join, "
        "last_leave, minutes_present, attended, external, department) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.commit()
    connection.close()
    return time.perf_counter() - began


def speed(tmp: Path) -> str:
    url = prepare_database(tmp)
    report = tmp / "zoom-20k.csv"
    # Every row a different person, so the import inserts as many rows as the baseline.
    write_zoom_report(report, ROWS, ROWS)
    data = report.read_bytes()
    database = url.removeprefix("sqlite:///")
    ours: list[float] = []
    same: list[float] = []
    strings: list[float] = []
    for _ in range(REPEATS):
        strings.append(baseline_once(report, database, new_story_session(), parse=False))
        same.append(baseline_once(report, database, new_story_session(), parse=True))
        ours.append(import_once(data, new_story_session()))
    ours_ms, same_ms, strings_ms = (statistics.median(x) * 1000 for x in (ours, same, strings))
    print(f"import of {ROWS:,} Zoom rows, median of {REPEATS}:   {ours_ms:6.0f} ms")
    print(f"raw baseline, same rows (csv + strptime + executemany): {same_ms:6.0f} ms")
    print(f"raw baseline, file strings (csv + executemany):        {strings_ms:6.0f} ms")
    print(f"ratio to the same-rows baseline: {ours_ms / same_ms:.2f}x (target <= 3x)")
    print(f"ratio to the file-strings baseline: {ours_ms / strings_ms:.2f}x")
    return url


def memory(tmp: Path, url: str) -> None:
    big = tmp / "zoom-200k.csv"
    write_zoom_report(big, BIG_ROWS, BIG_ROWS // 2)
    print(f"{BIG_ROWS:,}-row file: {big.stat().st_size / 1e6:.1f} MB")
    for mode in ("--baseline", "--import"):
        output = subprocess.run(
            [sys.executable, "-m", "bench.attendance_import", mode, str(big), url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        print(output)


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited on exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, path: Path, url: str) -> None:
    """In a fresh process: the app loaded (baseline), or the app plus one big import."""
    import app.attendance.service  # noqa: F401  (the same modules in both modes)
    from app.db import bind_sessions, make_engine

    bind_sessions(make_engine(url))
    if mode == "--import":
        import_once(path.read_bytes(), new_story_session())
    peak_mb = peak_rss_mb()
    if mode == "--baseline":
        print(f"peak RSS with the app loaded, nothing imported: {peak_mb:.0f} MB")
    else:
        print(f"peak RSS importing {BIG_ROWS:,} rows: {peak_mb:.0f} MB (target < 200 MB)")


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        os.environ.setdefault("STORYROOM_VAR_DIR", str(tmp))
        url = speed(tmp)
        memory(tmp, url)


if __name__ == "__main__":
    if len(sys.argv) == 4:
        child(sys.argv[1], Path(sys.argv[2]), sys.argv[3])
    else:
        main()
