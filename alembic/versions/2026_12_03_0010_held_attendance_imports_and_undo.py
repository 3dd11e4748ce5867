"""attendance imports that wait for confirmation, and imports that can be removed

`held_attendance_import` keeps an uploaded report whose times fall far from its session's
until the organizer imports it anyway or cancels (or it expires), so nothing of it is stored
in `attendance` before then. `attendance_import.undo_json` keeps what removing an import
puts back: the rows of an earlier report it replaced and the values it added to other rows.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 00:09:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.models.base
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "held_attendance_import",
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("date_order", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("preview_json", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_held_attendance_import_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["story_session.id"],
            name=op.f("fk_held_attendance_import_session_id_story_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_held_attendance_import")),
    )
    with op.batch_alter_table("held_attendance_import", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_held_attendance_import_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_held_attendance_import_session_id"), ["session_id"], unique=False
        )
    with op.batch_alter_table("attendance_import", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "undo_json",
                sqlmodel.sql.sqltypes.AutoString(),
                server_default="{}",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("attendance_import", schema=None) as batch_op:
        batch_op.drop_column("undo_json")
    with op.batch_alter_table("held_attendance_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_held_attendance_import_session_id"))
        batch_op.drop_index(batch_op.f("ix_held_attendance_import_expires_at"))
    op.drop_table("held_attendance_import")
