"""The session's attendance page says who took part, and who did without being in the report."""

import re

from sqlmodel import Session, func, select

from app.models import Attendance, SessionStatus, TranscriptKind
from tests.conftest import PageClient
from tests.factories import create_attendance, create_person, create_session, create_transcript


def _cells(page: str, name: str) -> list[str]:
    """The cells of the attendance row that links to `name`, tags stripped."""
    rows = (row.split("</tr>", 1)[0] for row in page.split("<tr>")[1:])
    row = next(row for row in rows if f">{name}</a>" in row)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_attendance_page_marks_who_took_part_and_who_is_missing_from_the_report(
    db: Session, viewer_web: PageClient
) -> None:
    story = create_session(db, status=SessionStatus.completed)
    chief = create_person(db, email="chief@example.com", name="Vera Chief", level_key="c-suite")
    quiet = create_person(db, email="quiet@example.com", name="Quiet Listener")
    missed = create_person(db, email="missed@example.com", name="Missed <b>VP</b>", level_key="vp")
    create_attendance(db, story_session=story, person=chief)
    create_attendance(db, story_session=story, person=quiet)
    create_transcript(
        db,
        story,
        cues=[("Vera Chief", 0, 240, "What would you change first?")],
        who={"Vera Chief": chief},
    )
    create_transcript(
        db,
        story,
        kind=TranscriptKind.chat,
        cues=[
            ("Vera Chief", 10, 10, "Who owns invoices?"),
            ("Missed VP", 20, 20, "Is there a date?"),
        ],
        who={"Vera Chief": chief, "Missed VP": missed},
    )

    page = viewer_web.get(f"/sessions/{story.id}/attendance").text

    assert _cells(page, "Vera Chief")[6] == "took part spoke 4 min · asked 1 question in chat"
    assert _cells(page, "Quiet Listener")[6] == "—"
    took_part = page.split('id="took-part">', 1)[1].split("</section>", 1)[0]
    assert took_part.startswith("Took part (2)</h2>")
    assert (
        f'<li><a href="/people/{chief.id}">Vera Chief</a>: '
        "spoke 4 min · asked 1 question in chat</li>"
    ) in took_part
    assert '<div class="value">2</div><div class="label"><a href="#took-part">took part</a>' in page
    section = page.split('id="took-part-unreported">', 1)[1].split("</section>", 1)[0]
    assert section.startswith("Took part but not in the attendance report (1)</h2>")
    assert (
        f'<li><a href="/people/{missed.id}">Missed &lt;b&gt;VP&lt;/b&gt;</a>: '
        "asked 1 question in chat</li>"
    ) in section
    # Shown, never added: the report stays what was imported.
    assert db.exec(select(func.count()).select_from(Attendance)).one() == 2


def test_attendance_page_without_transcripts_has_no_took_part_note(
    db: Session, viewer_web: PageClient
) -> None:
    story = create_session(db, status=SessionStatus.completed)
    create_attendance(db, story_session=story, person=create_person(db))

    page = viewer_web.get(f"/sessions/{story.id}/attendance").text

    assert "took-part-unreported" not in page
    assert 'id="took-part"' not in page
    assert _cells(page, "Ada Lovelace")[6] == "—"
