"""`storyroom users …` and `storyroom tokens …`: accounts and API tokens from a terminal.

Commands import what they use when they run (see app/system/cli.py).
"""

import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from app.config import get_settings

if TYPE_CHECKING:
    from sqlmodel import Session

    from app.models import Role, User

users_app = typer.Typer(no_args_is_help=True, help="User accounts.")
tokens_app = typer.Typer(no_args_is_help=True, help="API bearer tokens.")
console = Console()
err = Console(stderr=True)


@users_app.command("create")
def users_create(
    email: str,
    role: Annotated[str, typer.Option(help="admin, organizer or viewer")] = "organizer",
    password: Annotated[str | None, typer.Option(help="Default: generated and printed")] = None,
    name: str = "",
) -> None:
    """Create a user account."""
    from app.auth import service
    from app.db import open_session
    from app.errors import AppError

    role_value = _parse_role(role)
    generated = password is None
    password = password or service.new_password()
    with open_session() as session:
        try:
            service.create_user(session, email=email, password=password, role=role_value, name=name)
        except AppError as exc:
            err.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(1) from None
        session.commit()
    console.print(f"Created {role_value.value} {email.lower()}")
    if generated:
        console.print(f"Password: [bold]{password}[/bold]")


def _parse_role(role: str) -> "Role":
    from app.models import Role

    try:
        return Role(role)
    except ValueError:
        err.print(f"[red]Unknown role {role!r}: use admin, organizer or viewer.[/red]")
        raise typer.Exit(2) from None


def _change_user(email: str, change: Callable[["Session", "User"], str]) -> None:
    """Apply `change` to the account at EMAIL and commit, or say why not and exit 1."""
    from app.auth import service
    from app.db import open_session
    from app.errors import AppError

    with open_session() as session:
        user = service.get_user_by_email(session, email)
        if user is None:
            err.print(f"[red]No user with the email {email}.[/red]")
            raise typer.Exit(1)
        try:
            done = change(session, user)
        except AppError as exc:
            err.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(1) from None
        session.commit()
    console.print(done)


@users_app.command("list")
def users_list() -> None:
    """Every account: email, role, whether it is active, last sign-in."""
    from rich.table import Table
    from sqlmodel import col, select

    from app.db import open_session
    from app.models import User

    table = Table("Email", "Name", "Role", "Status", "Last sign-in (UTC)")
    with open_session() as session:
        for user in session.exec(select(User).order_by(col(User.email))):
            last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "never"
            status = "active" if user.active else "disabled"
            table.add_row(user.email, user.name, user.role.value, status, last)
    console.print(table)


@users_app.command("enable")
def users_enable(email: str) -> None:
    """Let the account at EMAIL sign in again (its old sign-ins and API tokens stay ended)."""
    from app.auth import service

    def enable(session: "Session", user: "User") -> str:
        service.update_user(session, user=user, changes={"active": True})
        return f"Enabled {user.email}"

    _change_user(email, enable)


@users_app.command("disable")
def users_disable(email: str) -> None:
    """Stop the account at EMAIL: it is signed out everywhere and its API tokens are revoked."""
    from app.auth import service

    def disable(session: "Session", user: "User") -> str:
        service.update_user(session, user=user, changes={"active": False})
        return f"Disabled {user.email}: signed out everywhere, API tokens revoked"

    _change_user(email, disable)


@users_app.command("set-role")
def users_set_role(
    email: str, role: Annotated[str, typer.Argument(help="admin, organizer or viewer")]
) -> None:
    """Give the account at EMAIL another role."""
    from app.auth import service

    role_value = _parse_role(role)

    def set_role(session: "Session", user: "User") -> str:
        service.update_user(session, user=user, changes={"role": role_value})
        return f"{user.email} is now {role_value.value}"

    _change_user(email, set_role)


@users_app.command("reset-password")
def users_reset_password(
    email: str,
    password: Annotated[str | None, typer.Option(help="Default: generated and printed")] = None,
) -> None:
    """Give the account at EMAIL a new password and end its sign-ins."""
    from app.auth import service

    def reset(session: "Session", user: "User") -> str:
        new = service.reset_password(session, user=user, password=password)
        done = f"Reset the password of {user.email}; its sign-ins have ended"
        return done if password is not None else f"{done}\nPassword: [bold]{new}[/bold]"

    _change_user(email, reset)


@tokens_app.command("create")
def tokens_create(email: str, name: str = "cli") -> None:
    """Create an API token for EMAIL and print it once."""
    from app.auth import service
    from app.db import open_session

    with open_session() as session:
        user = service.get_user_by_email(session, email)
        if user is None:
            err.print(f"[red]No user with the email {email}.[/red]")
            raise typer.Exit(1)
        _, plain = service.issue_token(session, user=user, name=name)
        session.commit()
    console.print(plain)


def ensure_admin() -> str:
    """On a laptop: one admin account whose password is kept under var/ so it can be shown again."""
    from app.auth import service
    from app.db import open_session
    from app.models import Role

    settings = get_settings()
    email = "admin@storyroom.local"
    password_file = settings.var_dir / "admin-password.txt"
    with open_session() as session:
        if service.get_user_by_email(session, email) is None:
            password = secrets.token_urlsafe(12)
            service.create_user(
                session, email=email, password=password, role=Role.admin, name="Admin"
            )
            session.commit()
            password_file.write_text(password)
            password_file.chmod(0o600)
    password = password_file.read_text().strip() if password_file.exists() else "(set by you)"
    return f"{email} / {password}"
