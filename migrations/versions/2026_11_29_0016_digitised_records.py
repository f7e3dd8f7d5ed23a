"""Digitised paper records (SoHoa, REQ-27) and certified paper copies (REQ-28).

A school digitises every paper year of an arriving student in its own current year, so the
version number is unique per student, year and kind except for SoHoa (whose year is the
paper record's, kept in the data; the use case refuses a second live record of one paper
year). SQLite rebuilds the table for it (``workflow._migrations`` switches its foreign keys
off meanwhile and checks every reference before committing).

``certified_copies``: a copy of a student's issued transcripts, prepared for the school's
seal and then sealed.

Revision ID: 0016
Revises: 0014
Create Date: 2026-11-29 14:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.model import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
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
    op.create_table(
        "certified_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("transcript_ids", sa.JSON(), nullable=False),
        sa.Column("prepared", sa.Text(), nullable=True),  # EncryptedJSON
        sa.Column("prepared_by_id", sa.Integer(), nullable=False),
        sa.Column("prepared_at", UTCDateTime(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("sealed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pdf_sha256"], ["blobs.sha256"], name=op.f("fk_certified_copies_pdf_sha256_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["prepared_by_id"],
            ["people.id"],
            name=op.f("fk_certified_copies_prepared_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_certified_copies_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_certified_copies_student_id_students")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certified_copies")),
    )
    with op.batch_alter_table("certified_copies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certified_copies_school_id"), ["school_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_certified_copies_student_id"), ["student_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("certified_copies")
    with op.batch_alter_table("transcripts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_transcripts_version",
            sqlite_where=_NOT_DIGITISED,
            postgresql_where=_NOT_DIGITISED,
        )
        batch_op.create_unique_constraint("uq_transcripts_student_id", _COLUMNS)
