"""scheduled recap sends, and test recaps sent to the organizer alone

`scheduled_send` holds a send asked for a later time until the worker sends it (or it is
cancelled). A test recap is a `delivery` of kind `recap_test`: kinds are stored as plain
text (no database enum, no check constraint), so that needs no change here.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduled_send",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("list_ids", sa.JSON(), nullable=False),
        sa.Column("extra_emails", sa.JSON(), nullable=False),
        sa.Column("send_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("scheduled_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheduled_by_id"],
            ["user.id"],
            name=op.f("fk_scheduled_send_scheduled_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["story_session.id"],
            name=op.f("fk_scheduled_send_session_id_story_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_send")),
    )
    with op.batch_alter_table("scheduled_send", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduled_send_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduled_send", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduled_send_session_id"))
    op.drop_table("scheduled_send")
