"""self check-in: links that can be replaced, and check-ins waiting for the organizer

`story_session.check_in_nonce` is signed into each check-in link; replacing it turns off the
links given out so far. `pending_check_in` holds self check-ins until an organizer accepts
them into `attendance`, so nothing that counts attendance sees them before then.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 00:07:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("story_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "check_in_nonce",
                sqlmodel.sql.sqltypes.AutoString(length=32),
                server_default="",
                nullable=False,
            )
        )
    # Every existing session gets its own nonce: the links made before this had none.
    story_session = sa.table("story_session", sa.column("id"), sa.column("check_in_nonce"))
    connection = op.get_bind()
    ids = connection.execute(sa.select(story_session.c.id)).scalars().all()
    if ids:
        connection.execute(
            story_session.update()
            .where(story_session.c.id == sa.bindparam("session_id"))
            .values(check_in_nonce=sa.bindparam("nonce")),
            [{"session_id": id_, "nonce": secrets.token_urlsafe(12)} for id_ in ids],
        )

    op.create_table(
        "pending_check_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("checked_in_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_pending_check_in_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["story_session.id"],
            name=op.f("fk_pending_check_in_session_id_story_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_check_in")),
        sa.UniqueConstraint(
            "session_id", "person_id", name="uq_pending_check_in_session_id_person_id"
        ),
    )
    with op.batch_alter_table("pending_check_in", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_check_in_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pending_check_in", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_check_in_person_id"))
    op.drop_table("pending_check_in")
    with op.batch_alter_table("story_session", schema=None) as batch_op:
        batch_op.drop_column("check_in_nonce")
