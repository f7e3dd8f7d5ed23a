"""Transfers before the school year starts, and refused transfers (REQ-26).

Revision ID: 0017
Revises: 0014
Create Date: 2026-11-29 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.model import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum(
                    "mid_year",
                    "before_year",
                    name="transferkind",
                    native_enum=False,
                    length=32,
                ),
                server_default="mid_year",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("refused_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("refused_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("refusal_reason", sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_transfers_refused_by_id_people"), "people", ["refused_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_transfers_refused_by_id_people"), type_="foreignkey"
        )
        batch_op.drop_column("refusal_reason")
        batch_op.drop_column("refused_at")
        batch_op.drop_column("refused_by_id")
        batch_op.drop_column("kind")
