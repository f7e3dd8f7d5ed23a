"""Signing session items keep the transcript's row version they were prepared on.

A completion is refused when the transcript moved on since (any change of its row: data,
status, files), not only when its signed XML changed.

Revision ID: 0011
Revises: 0007
Create Date: 2026-11-29 11:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: items prepared before this revision have no recorded version (their
    # completion falls back to the XML hash alone).
    with op.batch_alter_table("signing_session_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("base_row_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signing_session_items", schema=None) as batch_op:
        batch_op.drop_column("base_row_version")
