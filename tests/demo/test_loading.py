from sqlalchemy import func
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.demo import STEP_COUNT, load_demo, load_demo_if_empty
from app.demo.people import EMAIL_DOMAIN
from app.models import Commitment, FollowUpReply, Person, StorySession
from tests.factories import create_person

runner = CliRunner()


def _count(db: Session, model: type[Person] | type[StorySession]) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def _text(output: str) -> str:
    """The output as one line: Rich wraps long lines at the terminal width."""
    return " ".join(output.split())


def test_load_demo_if_empty_loads_only_the_first_time(db: Session) -> None:
    first = load_demo_if_empty()
    people, sessions = _count(db, Person), _count(db, StorySession)

    second = load_demo_if_empty()

    assert first is not None
    assert (first.company, first.people, first.sessions) == (
        "Northwind Outfitters (demo)",
        people,
        sessions,
    )
    assert str(first).startswith("Northwind Outfitters (demo): 1,200 people in 12 departments")
    commitments = db.exec(select(func.count()).select_from(Commitment)).one()
    replies = db.exec(select(func.count()).select_from(FollowUpReply)).one()
    assert (first.commitments, first.storyteller_replies) == (commitments, replies) == (7, 1)
    assert str(first).endswith("7 commitments by leaders, 1 storyteller reply")
    assert second is None
    assert (_count(db, Person), _count(db, StorySession)) == (people, sessions)


def test_load_demo_if_empty_leaves_a_real_directory_alone(db: Session) -> None:
    create_person(db, email="real.person@example.com")

    assert load_demo_if_empty() is None
    assert db.exec(select(Person.email)).all() == ["real.person@example.com"]
    assert _count(db, StorySession) == 0


def test_load_demo_reports_every_step(db: Session) -> None:
    steps: list[str] = []

    load_demo(db, progress=steps.append)

    assert len(steps) == STEP_COUNT
    assert steps[0] == "People: CEO (1 of 1,200)"
    assert [step.split(":")[0] for step in steps[-6:]] == [
        "Sessions",
        "Attendance",
        "Invitations",
        "Transcripts",
        "Recaps",
        "Distribution",
    ]


def test_demo_command_loads_an_empty_database(db: Session) -> None:
    result = runner.invoke(cli, ["demo"])

    assert result.exit_code == 0, result.output
    assert "Loaded Northwind Outfitters (demo): 1,200 people" in _text(result.output)
    assert _count(db, Person) == 1200


def test_demo_command_refuses_a_directory_with_people(db: Session) -> None:
    create_person(db, email="real.person@example.com")

    result = runner.invoke(cli, ["demo"])

    assert result.exit_code == 1
    assert "The directory already has 1 person;" in _text(result.output)
    assert "storyroom demo --force" in _text(result.output)
    assert _count(db, Person) == 1


def test_demo_command_force_adds_the_demo_beside_people(db: Session) -> None:
    create_person(db, email="real.person@example.com")

    result = runner.invoke(cli, ["demo", "--force"])

    assert result.exit_code == 0, result.output
    demo_people = select(func.count()).where(col(Person.email).endswith(f"@{EMAIL_DOMAIN}"))
    assert (_count(db, Person), db.exec(demo_people).one()) == (1201, 1200)


def test_demo_command_force_refuses_a_second_demo(db: Session) -> None:
    load_demo(db)

    result = runner.invoke(cli, ["demo", "--force"])

    assert result.exit_code == 1
    assert "The demo is already loaded: 1,200 people" in _text(result.output)
    assert _count(db, Person) == 1200
