"""closing the loop: commitments, storyteller follow-ups, scorecards and their figures

`commitment` and `commitment_update` hold what a leader said they would do after a session
and its progress. `follow_up` is the letter to a storyteller (`session_speaker.email` is where
it goes) and `follow_up_reply` their answer. `scorecard` freezes a programme scorecard sent to
a list on its `scorecard_cadence`. `action_item` and `theme` gain the figures the scorecard
sums; `delivery` can point at a commitment, a follow-up or a scorecard.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 01:15:43
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.models.base
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scorecard",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("period_start", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("period_end", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("pdf_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["distribution_list.id"],
            name=op.f("fk_scorecard_list_id_distribution_list"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pdf_id"],
            ["rendered_pdf.id"],
            name=op.f("fk_scorecard_pdf_id_rendered_pdf"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard")),
        sa.UniqueConstraint(
            "list_id", "period_start", "period_end", name=op.f("uq_scorecard_list_id")
        ),
    )
    with op.batch_alter_table("scorecard", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scorecard_list_id"), ["list_id"], unique=False)

    op.create_table(
        "commitment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("action_item_id", sa.Integer(), nullable=True),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open", "done", "dropped", name="commitmentstatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_item_id"],
            ["action_item.id"],
            name=op.f("fk_commitment_action_item_id_action_item"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_commitment_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user.id"],
            name=op.f("fk_commitment_recorded_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["story_session.id"],
            name=op.f("fk_commitment_session_id_story_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["theme.id"],
            name=op.f("fk_commitment_theme_id_theme"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment")),
    )
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitment_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitment_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitment_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitment_status"), ["status"], unique=False)

    op.create_table(
        "commitment_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open", "done", "dropped", name="commitmentstatus", native_enum=False, length=32
            ),
            nullable=True,
        ),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user.id"],
            name=op.f("fk_commitment_update_author_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitment.id"],
            name=op.f("fk_commitment_update_commitment_id_commitment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_update")),
    )
    with op.batch_alter_table("commitment_update", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commitment_update_commitment_id"), ["commitment_id"], unique=False
        )

    op.create_table(
        "follow_up",
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("recap_version_id", sa.Integer(), nullable=True),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sent_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recap_version_id"],
            ["recap_version.id"],
            name=op.f("fk_follow_up_recap_version_id_recap_version"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["user.id"],
            name=op.f("fk_follow_up_sent_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["story_session.id"],
            name=op.f("fk_follow_up_session_id_story_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["session_speaker.id"],
            name=op.f("fk_follow_up_speaker_id_session_speaker"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_speaker_id"), ["speaker_id"], unique=False)

    op.create_table(
        "follow_up_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("follow_up_id", sa.Integer(), nullable=False),
        sa.Column("helped", sa.Integer(), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.Column("may_quote", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("quoted_in_digest_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["follow_up.id"],
            name=op.f("fk_follow_up_reply_follow_up_id_follow_up"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["quoted_in_digest_id"],
            ["digest.id"],
            name=op.f("fk_follow_up_reply_quoted_in_digest_id_digest"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_reply")),
    )
    with op.batch_alter_table("follow_up_reply", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_reply_follow_up_id"), ["follow_up_id"], unique=False
        )

    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customers_affected", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("revenue_at_risk", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("revenue_saved", sa.Integer(), nullable=True))

    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("commitment_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("follow_up_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("scorecard_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_delivery_follow_up_id_follow_up"),
            "follow_up",
            ["follow_up_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_delivery_scorecard_id_scorecard"),
            "scorecard",
            ["scorecard_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_delivery_commitment_id_commitment"),
            "commitment",
            ["commitment_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("distribution_list", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "scorecard_cadence",
                sa.Enum(
                    "off",
                    "monthly",
                    "quarterly",
                    name="scorecardcadence",
                    native_enum=False,
                    length=32,
                ),
                server_default="off",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "last_scorecard_at", app.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )

    with op.batch_alter_table("session_speaker", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "email",
                sqlmodel.sql.sqltypes.AutoString(length=320),
                server_default="",
                nullable=False,
            )
        )

    with op.batch_alter_table("theme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customers_affected", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("revenue_at_risk", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("theme", schema=None) as batch_op:
        batch_op.drop_column("revenue_at_risk")
        batch_op.drop_column("customers_affected")

    with op.batch_alter_table("session_speaker", schema=None) as batch_op:
        batch_op.drop_column("email")

    with op.batch_alter_table("distribution_list", schema=None) as batch_op:
        batch_op.drop_column("last_scorecard_at")
        batch_op.drop_column("scorecard_cadence")

    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_delivery_commitment_id_commitment"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_delivery_scorecard_id_scorecard"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_delivery_follow_up_id_follow_up"), type_="foreignkey"
        )
        batch_op.drop_column("scorecard_id")
        batch_op.drop_column("follow_up_id")
        batch_op.drop_column("commitment_id")

    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_column("revenue_saved")
        batch_op.drop_column("revenue_at_risk")
        batch_op.drop_column("customers_affected")

    with op.batch_alter_table("follow_up_reply", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_reply_follow_up_id"))

    op.drop_table("follow_up_reply")
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_speaker_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_session_id"))

    op.drop_table("follow_up")
    with op.batch_alter_table("commitment_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitment_update_commitment_id"))

    op.drop_table("commitment_update")
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitment_status"))
        batch_op.drop_index(batch_op.f("ix_commitment_session_id"))
        batch_op.drop_index(batch_op.f("ix_commitment_person_id"))
        batch_op.drop_index(batch_op.f("ix_commitment_created_at"))

    op.drop_table("commitment")
    with op.batch_alter_table("scorecard", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorecard_list_id"))

    op.drop_table("scorecard")
