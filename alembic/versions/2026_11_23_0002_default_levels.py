"""default levels

Every organisation starts with the same ordered ladder; PUT /api/v1/levels changes it.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

level = sa.table(
    "level",
    sa.column("key", sa.String),
    sa.column("name", sa.String),
    sa.column("position", sa.Integer),
    sa.column("is_executive", sa.Boolean),
    sa.column("title_pattern", sa.String),
)

DEFAULT_LEVELS = [
    {
        "key": "c-suite",
        "name": "C-suite",
        "position": 1,
        "is_executive": True,
        # RE2 syntax (no lookahead): "president" unless the word before it is "vice".
        "title_pattern": r"\bchief\b|^c[a-z]o\b|\bfounder\b|(^|[^\w\s-]\s*|\b(\w{1,3}|\w{5,}"
        r"|[^v]\w{3}|\w[^i]\w\w|\w\w[^c]\w|\w{3}[^e])[\s-]+)president\b",
    },
    {
        "key": "vp",
        "name": "SVP/VP",
        "position": 2,
        "is_executive": True,
        "title_pattern": r"\b(e|s|a)?vp\b|vice[- ]president|\bhead of\b",
    },
    {
        "key": "director",
        "name": "Director",
        "position": 3,
        "is_executive": False,
        "title_pattern": r"\bdirector\b",
    },
    {
        "key": "manager",
        "name": "Manager",
        "position": 4,
        "is_executive": False,
        "title_pattern": r"\bmanager\b|\bteam lead\b|\bsupervisor\b",
    },
    {
        "key": "ic",
        "name": "Individual contributor",
        "position": 5,
        "is_executive": False,
        "title_pattern": "",
    },
    {
        "key": "unknown",
        "name": "Unknown",
        "position": 6,
        "is_executive": False,
        "title_pattern": "",
    },
]


def upgrade() -> None:
    op.bulk_insert(level, DEFAULT_LEVELS)


def downgrade() -> None:
    op.execute(level.delete().where(level.c.key.in_([row["key"] for row in DEFAULT_LEVELS])))
