"""`storyroom import transcript SESSION FILE`: what it prints, and how it refuses."""

from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.models import AuditEntry
from tests.factories import create_speaker
from tests.transcripts.support import ZOOM_TRANSCRIPT, counts, held_session, zoom_vtt


def test_cli_import_prints_the_format_cues_speakers_and_warnings(db: Session) -> None:
    story_session = held_session(db, minutes=20)
    create_speaker(db, story_session, name="Paul McCartney")

    result = CliRunner().invoke(
        cli, ["import", "transcript", str(story_session.id), str(ZOOM_TRANSCRIPT)]
    )

    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert lines[0] == f"Zoom transcript (WebVTT) ({ZOOM_TRANSCRIPT.name})"
    assert lines[1] == "300 cues · 5 speakers · 55:37"
    assert "│ Paul McCartney │ Paul McCartney (storyteller) │ 242 │ 37:55 │" in lines
    assert "│ Ringo Starr │ unknown │ 1 │ 0:01 │" in lines
    assert " ".join(result.stdout.split()).endswith(
        "! The file lasts 55:37, much longer than the session's planned 20:00: check that this "
        "is the file of “How Acme runs its support desk”."
    )
    assert counts(db) == (1, 5, 300)
    entry = db.exec(select(AuditEntry).where(AuditEntry.entity == "transcript")).one()
    assert (entry.action, entry.actor) == ("imported", "cli")


def test_cli_import_of_the_same_file_again_says_nothing_changed(db: Session) -> None:
    story_session = held_session(db)
    command = ["import", "transcript", str(story_session.id), str(ZOOM_TRANSCRIPT)]
    assert CliRunner().invoke(cli, command).exit_code == 0

    again = CliRunner().invoke(cli, command)

    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[0] == "This exact file was imported before; nothing changed."
    assert counts(db) == (1, 5, 300)


def test_cli_refuses_a_file_that_is_no_transcript_on_stderr_with_exit_1(
    db: Session, tmp_path: Path
) -> None:
    story_session = held_session(db)
    broken = tmp_path / "notes.txt"
    broken.write_text("Just some notes [bold]about[/bold] the call\n")

    result = CliRunner().invoke(cli, ["import", "transcript", str(story_session.id), str(broken)])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert " ".join(result.stderr.split()).startswith(
        "No cue timings were found in the first 1 lines (the file starts with "
        "“Just some notes [bold]about[/bold] the call”). Expected a transcript or chat"
    )
    assert "Traceback" not in result.output
    assert counts(db) == (0, 0, 0)


def test_cli_refuses_an_unknown_session_and_an_unreadable_file(db: Session, tmp_path: Path) -> None:
    story_session = held_session(db)
    data = tmp_path / "t.vtt"
    data.write_bytes(zoom_vtt(("Ana Ruiz", 0, 1, "Hi."), ("Ana Ruiz", 1, 2, "Yes.")))

    unknown = CliRunner().invoke(cli, ["import", "transcript", "999999", str(data)])
    missing = CliRunner().invoke(
        cli, ["import", "transcript", str(story_session.id), str(tmp_path / "nope.vtt")]
    )

    assert (unknown.exit_code, unknown.stderr.strip()) == (
        1,
        "There is no session with id 999999.",
    )
    assert missing.exit_code == 2
    assert "Cannot read" in missing.stderr
    assert "No such file or directory." in " ".join(missing.stderr.split())
    assert counts(db) == (0, 0, 0)
