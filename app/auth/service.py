"""Users and API tokens."""

from datetime import timedelta

from sqlmodel import Session, select

from app.auth import throttle
from app.auth.security import hash_password, new_token, token_digest, verify_password
from app.errors import Conflict, Invalid, NotAuthenticated, NotFound
from app.models import ApiToken, Role, User, utcnow

MIN_PASSWORD_LENGTH = 10


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def create_user(session: Session, *, email: str, password: str, role: Role, name: str = "") -> User:
    """Create a user; the email must be new and the password at least 10 characters."""
    email = email.strip().lower()
    if "@" not in email:
        raise Invalid(f"{email!r} is not an email address.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if get_user_by_email(session, email):
        raise Conflict(f"A user with the email {email} already exists.")
    user = User(email=email, name=name, password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, *, email: str, password: str, client: str) -> User:
    """Return the active user with these credentials, or refuse without saying which was wrong.

    `client` is the caller's address: failures are throttled per account and per address.
    """
    throttle.check(email, client)
    user = get_user_by_email(session, email)
    if not verify_password(password, user.password_hash if user else None) or not user:
        throttle.failed(email, client)
        raise NotAuthenticated("Incorrect email or password.")
    if not user.active:
        raise NotAuthenticated("This account is disabled.")
    user.last_login_at = utcnow()
    return user


def issue_token(
    session: Session, *, user: User, name: str, ttl: timedelta | None = None
) -> tuple[ApiToken, str]:
    """Create a bearer token; the plain token is returned once and only its digest is stored."""
    assert user.id is not None
    plain = new_token()
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=token_digest(plain),
        expires_at=utcnow() + ttl if ttl else None,
    )
    session.add(token)
    session.flush()
    return token, plain


def user_for_token(session: Session, plain: str) -> User | None:
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == token_digest(plain))).first()
    now = utcnow()
    if token is None or token.revoked_at or (token.expires_at and token.expires_at <= now):
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    token.last_used_at = now
    return user


def revoke_token(session: Session, *, token_id: int, user: User) -> ApiToken:
    """Revoke one of the user's tokens (admins may revoke anyone's)."""
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != user.id and user.role is not Role.admin):
        raise NotFound(f"There is no API token with id {token_id}.")
    token.revoked_at = token.revoked_at or utcnow()
    return token
