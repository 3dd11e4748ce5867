"""Users and API tokens."""

import secrets
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import bindparam, event, or_, update
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth import throttle
from app.auth.security import hash_password, new_token, token_digest, verify_password
from app.db import table_of
from app.errors import Conflict, Invalid, NotAuthenticated, NotFound
from app.mail.addresses import normalize_email
from app.models import ApiToken, Role, User, utcnow

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
TOKEN_USE_RESOLUTION = timedelta(minutes=1)
"""A token's `last_used_at` is written at most this often, so reads stay reads."""
USER_AUDIT_FIELDS = ("email", "name", "role", "active")


def get_user(session: Session, user_id: int) -> User:
    """The user with this id, or 404."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"There is no user with id {user_id}.")
    return user


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalize_email(email))).first()


def create_user(session: Session, *, email: str, password: str, role: Role, name: str = "") -> User:
    """Create a user; the email must be new and the password at least 10 characters."""
    email = normalize_email(email)
    if "@" not in email:
        raise Invalid(f"{email!r} is not an email address.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if get_user_by_email(session, email):
        raise Conflict(f"A user with the email {email} already exists.")
    user = User(email=email, name=name, password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    audit.record(
        session,
        action="created",
        entity="user",
        entity_id=user.id,
        summary=f"Created the {role.value} account {email}",
        changes=audit.created(user, USER_AUDIT_FIELDS),
    )
    return user


def update_user(session: Session, *, user: User, changes: dict[str, Any]) -> User:
    """Change a user's name, role or whether the account is active, keeping an active admin.

    Disabling an account ends its sign-ins and revokes its API tokens, so enabling it again
    brings back none of them.
    """
    if "role" in changes:
        changes = {**changes, "role": Role(changes["role"])}
    _keep_an_admin(session, user=user, changes=changes)
    revoked = 0

    def summary(fields: str) -> str:
        what = f": {fields}" if change.action == "changed" else ""
        if revoked:
            what += f" ({revoked} API token{'' if revoked == 1 else 's'} revoked)"
        return f"{change.action.capitalize()} the account {user.email}{what}"

    with audit.recording(
        session, user, USER_AUDIT_FIELDS, entity="user", summary=summary
    ) as change:
        for field, value in changes.items():
            setattr(user, field, value)
        changed = change.changes
        if changed.get("active") == [True, False]:
            end_sessions(session, user=user)
            revoked = _revoke_tokens(session, user=user)
        if set(changed) == {"active"}:
            change.action = "enabled" if user.active else "disabled"
    session.add(user)
    return user


def _keep_an_admin(session: Session, *, user: User, changes: dict[str, Any]) -> None:
    """Refuse to disable or demote the last active admin: only the database could undo it."""
    stays = changes.get("role", user.role) is Role.admin and changes.get("active", user.active)
    if user.role is not Role.admin or not user.active or stays:
        return
    # Locked, so two admins disabling each other at once cannot both pass this check.
    admins = session.exec(
        select(User.id).where(User.role == Role.admin, col(User.active)).with_for_update()
    ).all()
    if not [admin_id for admin_id in admins if admin_id != user.id]:
        raise Conflict(
            f"{user.email} is the only active admin. Make another account an admin first, "
            "then disable or change this one."
        )


def end_sessions(session: Session, *, user: User) -> None:
    """End every sign-in of `user`: page cookies and tokens from POST /auth/token alike."""
    user.session_generation += 1
    session.add(user)


def _revoke_tokens(session: Session, *, user: User) -> int:
    result = session.execute(
        update(ApiToken)
        .where(col(ApiToken.user_id) == user.id, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _set_password(session: Session, *, user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid(f"The password must have at most {MAX_PASSWORD_LENGTH} characters.")
    user.password_hash = hash_password(password)
    end_sessions(session, user=user)


def new_password() -> str:
    """A password to hand to a person once, for them to replace with their own."""
    return secrets.token_urlsafe(12)


def reset_password(session: Session, *, user: User, password: str | None = None) -> str:
    """Give `user` a new password (generated unless given) and end their sign-ins.

    Also forgets their failed sign-ins, so they can use it at once.
    """
    password = new_password() if password is None else password
    _set_password(session, user=user, password=password)
    audit.record(
        session,
        action="reset",
        entity="user",
        entity_id=user.id,
        summary=f"Reset the password of {user.email}; their sign-ins ended",
    )
    throttle.forget_account(user.email)
    return password


def change_password(session: Session, *, user: User, current: str, new: str) -> None:
    """The user's own new password; their other sign-ins end."""
    if not verify_password(current, user.password_hash):
        raise Invalid("The current password is not right: nothing was changed.")
    _set_password(session, user=user, password=new)
    audit.record(
        session,
        action="changed",
        entity="user",
        entity_id=user.id,
        summary=f"Changed the password of {user.email} (by its owner); other sign-ins ended",
    )


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
    session: Session, *, user: User, name: str, ttl: timedelta | None = None, sign_in: bool = False
) -> tuple[ApiToken, str]:
    """Create a bearer token; the plain token is returned once and only its digest is stored.

    `sign_in` is for the short-lived token of an API sign-in: it is not news for the audit
    log, and it ends with the user's other sign-ins (`end_sessions`).
    """
    assert user.id is not None
    plain = new_token()
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=token_digest(plain),
        expires_at=utcnow() + ttl if ttl else None,
        session_generation=user.session_generation if sign_in else None,
    )
    session.add(token)
    session.flush()
    if not sign_in:
        audit.record(
            session,
            action="issued",
            entity="token",
            entity_id=token.id,
            summary=f"Issued the API token “{name}” for {user.email}",
        )
    return token, plain


_TOKEN_AND_USER = (
    select(ApiToken, User)
    .join(User, col(User.id) == col(ApiToken.user_id))
    .where(ApiToken.token_hash == bindparam("digest"))
)
"""Built once: every API request starts here, and building it cost more than running it."""


def user_for_token(session: Session, plain: str) -> User | None:
    found = session.exec(_TOKEN_AND_USER, params={"digest": token_digest(plain)}).first()
    now = utcnow()
    if found is None:
        return None
    token, user = found
    if token.revoked_at or (token.expires_at and token.expires_at <= now) or not user.active:
        return None
    if token.session_generation not in (None, user.session_generation):
        return None  # a sign-in token from before a sign-out, a new password or a disabling
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:
        # Written as the request commits, not now: the row lock, held for the whole request,
        # made a token's concurrent requests queue behind it, and those waiting could fill the
        # thread pool the lock's holder needed to finish (a deadlock under load).
        event.listen(session, "before_commit", partial(_note_token_use, token.id, now), once=True)
    return user


def _note_token_use(token_id: int | None, now: datetime, session: Session) -> None:
    # Conditional, so that requests that all saw the old time write it once between them.
    token = table_of(ApiToken)
    session.connection().execute(
        update(token)
        .where(token.c.id == token_id)
        .where(
            or_(token.c.last_used_at.is_(None), token.c.last_used_at < now - TOKEN_USE_RESOLUTION)
        )
        .values(last_used_at=now)
    )


def revoke_token(session: Session, *, token_id: int, user: User) -> ApiToken:
    """Revoke one of the user's tokens (admins may revoke anyone's)."""
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != user.id and user.role is not Role.admin):
        raise NotFound(f"There is no API token with id {token_id}.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        owner = session.get(User, token.user_id)
        audit.record(
            session,
            action="revoked",
            entity="token",
            entity_id=token.id,
            summary=f"Revoked the API token “{token.name}” of {owner.email if owner else 'a user'}",
        )
    return token
