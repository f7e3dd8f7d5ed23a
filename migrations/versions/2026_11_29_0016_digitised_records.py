"""Digitised paper records (SoHoa, REQ-27): several per student and year.

A school digitises every paper year of an arriving student in its own current year, so the
version number is unique per student, year and kind except for SoHoa (whose year is the
paper record's, kept in the data; the use case refuses a second live record of one paper
year). SQLite rebuilds the table for it (``workflow._migrations`` switches its foreign keys
off meanwhile and checks every reference before committing).

Revision ID: 0016
Revises: 0014
Create Date: 2026-11-29 14:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ["student_id", "school_year_id", "kind", "version"]
_NOT_DIGITISED = sa.text("kind <> 'SoHoa'")


def upgrade() -> None:
    with op.batch_alter_table("transcripts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_transcripts_student_id", type_="unique")
        batch_op.create_index(
            "uq_transcripts_version",
            _COLUMNS,
            unique=True,
            sqlite_where=_NOT_DIGITISED,
            postgresql_where=_NOT_DIGITISED,
        )


def downgrade() -> None:
    with op.batch_alter_table("transcripts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_transcripts_version",
            sqlite_where=_NOT_DIGITISED,
            postgresql_where=_NOT_DIGITISED,
        )
        batch_op.create_unique_constraint("uq_transcripts_student_id", _COLUMNS)
