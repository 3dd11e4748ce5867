from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import app
from app.models import Person
from tests.factories import create_person


def test_cli_import_people_creates_and_deactivates(db: Session, tmp_path: Path) -> None:
    create_person(db, email="old@example.com", name="Old")
    path = tmp_path / "hr.csv"
    path.write_text("Email,Name,Title\nann@example.com,Ann,Director\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["import", "people", str(path), "--deactivate-missing"])

    assert result.exit_code == 0, result.output
    assert "created 1" in result.output
    assert "deactivated 1" in result.output
    db.expire_all()
    assert [(p.email, p.active) for p in db.exec(select(Person).order_by(Person.email)).all()] == [
        ("ann@example.com", True),
        ("old@example.com", False),
    ]


def test_cli_import_people_with_errors_exits_1_and_changes_nothing(
    db: Session, tmp_path: Path
) -> None:
    path = tmp_path / "hr.csv"
    path.write_text("Email,Name\nann@example.com,Ann\nbad,Bad\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["import", "people", str(path)])

    assert result.exit_code == 1
    assert "'bad' is not an email address." in result.output
    assert "Nothing was imported" in result.output
    assert db.exec(select(Person)).all() == []


def test_cli_import_people_skip_bad_rows(db: Session, tmp_path: Path) -> None:
    path = tmp_path / "hr.csv"
    path.write_text("Email,Name\nann@example.com,Ann\nbad,Bad\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "people", str(path), "--skip-bad-rows"])
    assert result.exit_code == 0, result.output
    assert "skipped 1" in result.output
    assert db.exec(select(Person.email)).all() == ["ann@example.com"]


def test_cli_import_people_missing_file_exits_2(db: Session, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["import", "people", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "Cannot read" in result.output


def test_cli_import_people_unclosed_quote_is_reported_and_skippable(
    db: Session, tmp_path: Path
) -> None:
    path = tmp_path / "hr.csv"
    path.write_text('Email,Name\nann@example.com,"Ann\nbob@example.com,Bob\n', encoding="utf-8")

    refused = CliRunner().invoke(app, ["import", "people", str(path)])

    assert refused.exit_code == 1
    assert "A quote opened on this line is never closed" in refused.output
    assert "Nothing was imported" in refused.output
    assert db.exec(select(Person)).all() == []

    skipped = CliRunner().invoke(app, ["import", "people", str(path), "--skip-bad-rows"])

    assert skipped.exit_code == 0, skipped.output
    assert "created 1" in skipped.output
    assert "skipped 1" in skipped.output
    assert "never closed" in skipped.output
    db.expire_all()
    assert db.exec(select(Person.email)).all() == ["bob@example.com"]
