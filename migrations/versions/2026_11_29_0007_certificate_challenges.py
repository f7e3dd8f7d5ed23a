"""Certificate login challenges: the nonce a staff member signs to log in with a certificate.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.model import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certificate_challenges",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_challenges")),
    )
    with op.batch_alter_table("certificate_challenges", schema=None) as batch_op:
        batch_op.create_index("ix_certificate_challenges_expires_at", ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("certificate_challenges", schema=None) as batch_op:
        batch_op.drop_index("ix_certificate_challenges_expires_at")

    op.drop_table("certificate_challenges")
