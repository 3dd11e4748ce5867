"""person (name, id) index: the directory is listed by name, a page at a time

Without it every page of GET /api/v1/people sorted the whole directory.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 00:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index("ix_person_name_id", ["name", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index("ix_person_name_id")
