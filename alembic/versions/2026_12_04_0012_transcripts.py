"""transcripts: what was said in a session and written in its chat

`transcript` is one imported transcript or chat of a session (one of each kind), its
`transcript_speaker` rows the names it shows and who they are, `transcript_cue` what each said
and when. `recap_question` keeps chat questions in a recap; `recap_quote` remembers the cues a
quote was picked from, `action_item` the theme it answers, and `story_session` its recording.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 18:43:25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.models.base
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transcript",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("transcript", "chat", name="transcriptkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("cue_count", sa.Integer(), nullable=False),
        sa.Column("duration_seconds", sa.Float(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_transcript_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["story_session.id"],
            name=op.f("fk_transcript_session_id_story_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript")),
        sa.UniqueConstraint("session_id", "kind", name="uq_transcript_session_id_kind"),
    )
    with op.batch_alter_table("transcript", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transcript_created_at"), ["created_at"], unique=False)

    op.create_table(
        "transcript_speaker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transcript_id", sa.Integer(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column(
            "match",
            sa.Enum(
                "storyteller",
                "person",
                "ambiguous",
                "unknown",
                name="speakermatch",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("session_speaker_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("cue_count", sa.Integer(), nullable=False),
        sa.Column("seconds_spoken", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_transcript_speaker_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_speaker_id"],
            ["session_speaker.id"],
            name=op.f("fk_transcript_speaker_session_speaker_id_session_speaker"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcript.id"],
            name=op.f("fk_transcript_speaker_transcript_id_transcript"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_speaker")),
        sa.UniqueConstraint("transcript_id", "label", name="uq_transcript_speaker_transcript_id"),
    )
    with op.batch_alter_table("transcript_speaker", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transcript_speaker_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_transcript_speaker_session_speaker_id"),
            ["session_speaker_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_transcript_speaker_transcript_id"), ["transcript_id"], unique=False
        )

    op.create_table(
        "transcript_cue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transcript_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column("start_seconds", sa.Float(), nullable=False),
        sa.Column("end_seconds", sa.Float(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("is_question", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["transcript_speaker.id"],
            name=op.f("fk_transcript_cue_speaker_id_transcript_speaker"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcript.id"],
            name=op.f("fk_transcript_cue_transcript_id_transcript"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_cue")),
    )
    with op.batch_alter_table("transcript_cue", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transcript_cue_speaker_id"), ["speaker_id"], unique=False
        )
        batch_op.create_index(
            "ix_transcript_cue_transcript_id_position", ["transcript_id", "position"], unique=False
        )

    op.create_table(
        "recap_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recap_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("asked_by", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("cue_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cue_id"],
            ["transcript_cue.id"],
            name=op.f("fk_recap_question_cue_id_transcript_cue"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_recap_question_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recap_id"],
            ["recap.id"],
            name=op.f("fk_recap_question_recap_id_recap"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recap_question")),
    )
    with op.batch_alter_table("recap_question", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recap_question_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recap_question_recap_id"), ["recap_id"], unique=False)

    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("theme_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_action_item_theme_id"), ["theme_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_action_item_theme_id_theme"),
            "theme",
            ["theme_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("recap_quote", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transcript_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("start_seconds", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("end_seconds", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("first_cue", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_cue", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_recap_quote_transcript_id"), ["transcript_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_recap_quote_transcript_id_transcript"),
            "transcript",
            ["transcript_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("story_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "recording_url",
                sqlmodel.sql.sqltypes.AutoString(length=2000),
                server_default="",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("story_session", schema=None) as batch_op:
        batch_op.drop_column("recording_url")

    with op.batch_alter_table("recap_quote", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_recap_quote_transcript_id_transcript"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_recap_quote_transcript_id"))
        batch_op.drop_column("last_cue")
        batch_op.drop_column("first_cue")
        batch_op.drop_column("end_seconds")
        batch_op.drop_column("start_seconds")
        batch_op.drop_column("transcript_id")

    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_action_item_theme_id_theme"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_action_item_theme_id"))
        batch_op.drop_column("theme_id")

    with op.batch_alter_table("recap_question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recap_question_recap_id"))
        batch_op.drop_index(batch_op.f("ix_recap_question_person_id"))

    op.drop_table("recap_question")
    with op.batch_alter_table("transcript_cue", schema=None) as batch_op:
        batch_op.drop_index("ix_transcript_cue_transcript_id_position")
        batch_op.drop_index(batch_op.f("ix_transcript_cue_speaker_id"))

    op.drop_table("transcript_cue")
    with op.batch_alter_table("transcript_speaker", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transcript_speaker_transcript_id"))
        batch_op.drop_index(batch_op.f("ix_transcript_speaker_session_speaker_id"))
        batch_op.drop_index(batch_op.f("ix_transcript_speaker_person_id"))

    op.drop_table("transcript_speaker")
    with op.batch_alter_table("transcript", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transcript_created_at"))

    op.drop_table("transcript")
