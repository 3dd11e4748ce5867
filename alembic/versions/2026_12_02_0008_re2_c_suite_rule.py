"""the default C-suite title rule in RE2 syntax

Title rules are matched by RE2 (no catastrophic backtracking), which has no lookahead. A
database made before this still holds the shipped rule with `(?!…)`, which RE2 refuses, so
President titles would fall to "Individual contributor" and the levels page could not be
saved. Only a rule still equal to the shipped one is rewritten; an organizer's own is kept.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 00:08:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = r"\bchief\b|^c[a-z]o\b|^(?!.*\bvice\b).*\bpresident\b|\bfounder\b"
# "president" unless the word before it is "vice" (the same rule as in 0002).
NEW = (
    r"\bchief\b|^c[a-z]o\b|\bfounder\b|(^|[^\w\s-]\s*|\b(\w{1,3}|\w{5,}"
    r"|[^v]\w{3}|\w[^i]\w\w|\w\w[^c]\w|\w{3}[^e])[\s-]+)president\b"
)

level = sa.table("level", sa.column("title_pattern", sa.String))


def upgrade() -> None:
    op.execute(level.update().where(level.c.title_pattern == OLD).values(title_pattern=NEW))


def downgrade() -> None:
    op.execute(level.update().where(level.c.title_pattern == NEW).values(title_pattern=OLD))
