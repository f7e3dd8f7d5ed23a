"""The outbox of the exchange with the city transcript system, and the city's registrations.

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-29 11:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.model import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = (
    "register_create",
    "send_transcript",
    "register_verify",
    "relay_ministry",
    "register_cancel",
)
_STATES = ("pending", "delivered", "dead")


def upgrade() -> None:
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*_KINDS, name="outboxkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column("transcript_id", sa.String(length=36), nullable=False),
        sa.Column("department_code", sa.String(length=8), nullable=False),
        sa.Column("personal_id", sa.String(length=12), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(*_STATES, name="outboxstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("claim_token", sa.String(length=36), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcripts.id"],
            name=op.f("fk_outbox_messages_transcript_id_transcripts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_messages_idempotency_key")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_department_code"), ["department_code"], unique=False
        )
        batch_op.create_index("ix_outbox_messages_due", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index(
            "ix_outbox_messages_transcript_order", ["transcript_id", "id"], unique=False
        )
    op.create_table(
        "city_registrations",
        sa.Column("transcript_id", sa.String(length=36), nullable=False),
        sa.Column("ministry_uuid", sa.String(length=36), nullable=False),
        sa.Column("registered_at", UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcripts.id"],
            name=op.f("fk_city_registrations_transcript_id_transcripts"),
        ),
        sa.PrimaryKeyConstraint("transcript_id", name=op.f("pk_city_registrations")),
    )


def downgrade() -> None:
    op.drop_table("city_registrations")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_transcript_order")
        batch_op.drop_index("ix_outbox_messages_due")
        batch_op.drop_index(batch_op.f("ix_outbox_messages_department_code"))

    op.drop_table("outbox_messages")
