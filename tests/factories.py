"""Plain factory functions: each creates exactly what it says and flushes, nothing more."""

from sqlmodel import Session

from app.auth.security import hash_password
from app.models import Role, User

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashing is slow on purpose: do it once


def create_user(
    session: Session, *, email: str = "organizer@example.com", role: Role = Role.organizer
) -> User:
    user = User(
        email=email.lower(), name=email.split("@")[0], password_hash=_PASSWORD_HASH, role=role
    )
    session.add(user)
    session.flush()
    return user
