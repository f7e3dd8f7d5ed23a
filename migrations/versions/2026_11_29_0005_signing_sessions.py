"""signing sessions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 08:45:00.000000

Two-step signing (transcript-format.md): a session per signer and step, its prepared items
until the signer returns the values; and the personal ID of a member of staff, which their
signing certificate's subject must name.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.model import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personal_id", sa.String(length=12), nullable=True))
    op.create_table(
        "signing_sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("subject_code", sa.String(length=16), nullable=True),
        sa.Column("certificate_chain", sa.JSON(), nullable=False),
        sa.Column("certificate_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_signing_sessions_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_sessions")),
    )
    with op.batch_alter_table("signing_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signing_sessions_person_id"), ["person_id"], unique=False
        )
    op.create_table(
        "signing_session_items",
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("transcript_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("slot", sa.String(length=32), nullable=False),
        sa.Column("algorithm", sa.String(length=100), nullable=False),
        sa.Column("signing_time", UTCDateTime(), nullable=False),
        sa.Column("base_xml_sha256", sa.String(length=64), nullable=True),
        sa.Column("xml_to_sign", sa.LargeBinary(), nullable=False),
        sa.Column("xml_prepared", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_prepared", sa.JSON(), nullable=True),
        sa.Column("outcome", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["signing_sessions.id"],
            name=op.f("fk_signing_session_items_session_id_signing_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcripts.id"],
            name=op.f("fk_signing_session_items_transcript_id_transcripts"),
        ),
        sa.PrimaryKeyConstraint(
            "session_id", "transcript_id", name=op.f("pk_signing_session_items")
        ),
    )


def downgrade() -> None:
    op.drop_table("signing_session_items")
    with op.batch_alter_table("signing_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signing_sessions_person_id"))
    op.drop_table("signing_sessions")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("personal_id")
