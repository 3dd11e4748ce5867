"""The `storyroom` command's account and token commands (they commit in their own session)."""

from sqlmodel import Session, select
from typer.testing import CliRunner

from app.auth.security import token_digest, verify_password
from app.cli import app as cli
from app.models import ApiToken, Role, User
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
