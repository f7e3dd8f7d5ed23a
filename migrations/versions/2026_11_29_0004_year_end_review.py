"""year-end review

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 06:40:00.000000

What the year-end review (REQ-19, REQ-20) needs beyond the columns 0002 reserved for it:
the proposal's retest list and summer-training flag (one ``outcome`` cannot say "retest and
summer training" together), the decision as recomputed after the supplementary results
(``promoted``, None while a result is awaited; ``outcome`` stays the proposal), and the
fingerprint of the tracking-book entries the proposal was computed from, which the
principal's approval compares to refuse a proposal the data has overtaken.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RECORDS = sa.table(
    "year_end_records",
    sa.column("retests", sa.JSON()),
    sa.column("summer_training", sa.Boolean()),
)


def upgrade() -> None:
    with op.batch_alter_table("year_end_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retests", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("summer_training", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("promoted", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("basis_sha256", sa.String(length=64), nullable=True))
    # Rows written before this revision carry no proposal: an empty list, no training.
    op.execute(_RECORDS.update().values(retests=[], summer_training=False))
    with op.batch_alter_table("year_end_records", schema=None) as batch_op:
        batch_op.alter_column("retests", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("summer_training", existing_type=sa.Boolean(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("year_end_records", schema=None) as batch_op:
        batch_op.drop_column("basis_sha256")
        batch_op.drop_column("promoted")
        batch_op.drop_column("summer_training")
        batch_op.drop_column("retests")
