"""The `storyroom` command's account and token commands (they commit in their own session)."""

from sqlmodel import Session, select
from typer.testing import CliRunner

from app.auth.security import token_digest, verify_password
from app.cli import app as cli
from app.models import ApiToken, Role, User
from tests.audit.support import entries_about
from tests.factories import create_user

runner = CliRunner()


def test_users_create_with_a_password(db: Session) -> None:
    result = runner.invoke(
        cli,
        ["users", "create", "Maria@Example.com", "--role", "viewer", "--password", "a long secret"],
    )
    assert result.exit_code == 0, result.output
    assert "Created viewer maria@example.com" in result.output
    user = db.exec(select(User).where(User.email == "maria@example.com")).one()
    assert user.role is Role.viewer
    assert verify_password("a long secret", user.password_hash)


def test_users_create_generates_and_prints_a_password(db: Session) -> None:
    result = runner.invoke(cli, ["users", "create", "lee@example.com", "--role", "admin"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Password: ", 1)[1].split()[0]
    user = db.exec(select(User).where(User.email == "lee@example.com")).one()
    assert verify_password(password, user.password_hash)


def test_users_create_refuses_an_unknown_role_and_a_taken_email(db: Session) -> None:
    bad_role = runner.invoke(cli, ["users", "create", "x@example.com", "--role", "owner"])
    assert bad_role.exit_code == 2
    assert "Unknown role 'owner'" in bad_role.output
    create_user(db, email="taken@example.com")
    taken = runner.invoke(
        cli, ["users", "create", "TAKEN@example.com", "--password", "long enough!"]
    )
    assert taken.exit_code == 1
    assert "already exists" in taken.output


def test_tokens_create_prints_a_token_that_is_stored_hashed(db: Session) -> None:
    user = create_user(db, email="api@example.com")
    result = runner.invoke(cli, ["tokens", "create", "api@example.com"])
    assert result.exit_code == 0, result.output
    plain = result.output.strip()
    assert plain.startswith("sr_")
    stored = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert stored.token_hash == token_digest(plain)
    assert plain not in stored.token_hash


def test_tokens_create_for_an_unknown_user_exits_1(db: Session) -> None:
    result = runner.invoke(cli, ["tokens", "create", "ghost@example.com"])
    assert result.exit_code == 1
    assert "No user with the email ghost@example.com." in result.output


def test_users_list_shows_every_account_with_role_and_status(db: Session) -> None:
    create_user(db, email="ana@example.com", role=Role.admin)
    create_user(db, email="bo@example.com", role=Role.viewer).active = False
    db.flush()
    result = runner.invoke(cli, ["users", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines() if "@example.com" in line]
    assert [[cell for cell in row if cell.isalnum() or "@" in cell] for row in rows] == [
        ["ana@example.com", "ana", "admin", "active", "never"],
        ["bo@example.com", "bo", "viewer", "disabled", "never"],
    ]


def test_users_disable_enable_and_set_role_are_audited_as_cli(db: Session) -> None:
    user = create_user(db, email="bo@example.com", role=Role.organizer)
    generation = user.session_generation

    disabled = runner.invoke(cli, ["users", "disable", "BO@example.com"])
    enabled = runner.invoke(cli, ["users", "enable", "bo@example.com"])
    promoted = runner.invoke(cli, ["users", "set-role", "bo@example.com", "admin"])

    assert disabled.output == "Disabled bo@example.com: signed out everywhere, API tokens revoked\n"
    assert enabled.output == "Enabled bo@example.com\n"
    assert promoted.output == "bo@example.com is now admin\n"
    db.refresh(user)
    assert (user.active, user.role) == (True, Role.admin)
    assert user.session_generation == generation + 1
    rows = entries_about(db, "user", user.id)
    assert [(row.actor, row.action, row.changes) for row in rows] == [
        ("cli", "disabled", {"active": [True, False]}),
        ("cli", "enabled", {"active": [False, True]}),
        ("cli", "changed", {"role": ["organizer", "admin"]}),
    ]


def test_users_commands_refuse_the_last_admin_an_unknown_role_and_email(db: Session) -> None:
    create_user(db, email="root@example.com", role=Role.admin)

    last = runner.invoke(cli, ["users", "disable", "root@example.com"])
    demote = runner.invoke(cli, ["users", "set-role", "root@example.com", "viewer"])
    bad_role = runner.invoke(cli, ["users", "set-role", "root@example.com", "owner"])
    ghost = runner.invoke(cli, ["users", "enable", "ghost@example.com"])

    assert last.exit_code == 1
    assert "root@example.com is the only active admin." in last.output
    assert demote.exit_code == 1
    assert bad_role.exit_code == 2
    assert "Unknown role 'owner'" in bad_role.output
    assert ghost.exit_code == 1
    assert "No user with the email ghost@example.com." in ghost.output
    root = db.exec(select(User).where(User.email == "root@example.com")).one()
    db.refresh(root)
    assert (root.active, root.role) == (True, Role.admin)


def test_users_reset_password_prints_a_generated_one_and_ends_sign_ins(db: Session) -> None:
    user = create_user(db, email="bo@example.com")
    generation = user.session_generation

    result = runner.invoke(cli, ["users", "reset-password", "bo@example.com"])

    assert result.exit_code == 0, result.output
    assert "Reset the password of bo@example.com; its sign-ins have ended" in result.output
    password = result.output.split("Password: ", 1)[1].split()[0]
    db.refresh(user)
    assert verify_password(password, user.password_hash)
    assert user.session_generation == generation + 1
    assert [(row.actor, row.action) for row in entries_about(db, "user", user.id)] == [
        ("cli", "reset")
    ]


def test_users_reset_password_takes_one_and_refuses_a_short_one(db: Session) -> None:
    user = create_user(db, email="bo@example.com")

    given = runner.invoke(
        cli, ["users", "reset-password", "bo@example.com", "--password", "chosen with care"]
    )
    short = runner.invoke(cli, ["users", "reset-password", "bo@example.com", "--password", "x"])

    assert given.output == "Reset the password of bo@example.com; its sign-ins have ended\n"
    assert short.exit_code == 1
    assert "The password must have at least 10 characters." in short.output
    db.refresh(user)
    assert verify_password("chosen with care", user.password_hash)
