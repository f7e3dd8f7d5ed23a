"""The student's own copies: registered phones, share links and lost-files requests.

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-29 11:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.model import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=16), nullable=True))
    op.create_table(
        "share_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("transcript_id", sa.String(length=36), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("open_count", sa.Integer(), nullable=False),
        sa.Column("last_opened_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["people.id"], name=op.f("fk_share_links_created_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_share_links_student_id_students")
        ),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcripts.id"],
            name=op.f("fk_share_links_transcript_id_transcripts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_links")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_share_links_token_sha256")),
    )
    with op.batch_alter_table("share_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_share_links_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_share_links_transcript_id"), ["transcript_id"], unique=False
        )
    op.create_table(
        "recovery_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("personal_id_key", sa.String(length=64), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("code_sha256", sa.String(length=64), nullable=True),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("voided_at", UTCDateTime(), nullable=True),
        sa.Column("confirmed_at", UTCDateTime(), nullable=True),
        sa.Column("download_token_sha256", sa.String(length=64), nullable=True),
        sa.Column("download_expires_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_recovery_requests_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_recovery_requests_student_id_students"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_requests")),
        sa.UniqueConstraint(
            "download_token_sha256", name=op.f("uq_recovery_requests_download_token_sha256")
        ),
    )
    with op.batch_alter_table("recovery_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recovery_requests_client_key", ["client_key", "requested_at"], unique=False
        )
        batch_op.create_index(
            "ix_recovery_requests_personal_id_key",
            ["personal_id_key", "requested_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("recovery_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_recovery_requests_personal_id_key")
        batch_op.drop_index("ix_recovery_requests_client_key")
    op.drop_table("recovery_requests")
    with op.batch_alter_table("share_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_share_links_transcript_id"))
        batch_op.drop_index(batch_op.f("ix_share_links_created_by_id"))
    op.drop_table("share_links")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("phone")
