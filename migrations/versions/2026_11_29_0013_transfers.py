"""Transfers between schools and transcripts imported from another system.

Revision ID: 0013
Revises: 0009
Create Date: 2026-11-29 12:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.model import UTCDateTime

revision: str = "0013"
# The branch sits on 0009 so that it has one head; the maintainer re-chains at merge.
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("school_year_id", sa.Integer(), nullable=False),
        sa.Column("from_school_id", sa.Integer(), nullable=False),
        sa.Column("from_class_id", sa.Integer(), nullable=False),
        sa.Column("to_school_id", sa.Integer(), nullable=False),
        sa.Column("to_class_id", sa.Integer(), nullable=True),
        sa.Column(
            "stage",
            sa.Enum(
                "requested",
                "accepted",
                "completed",
                name="transferstage",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_school_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", UTCDateTime(), nullable=True),
        sa.Column("transcript_id", sa.String(length=36), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"], ["people.id"], name=op.f("fk_transfers_accepted_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["from_class_id"], ["classes.id"], name=op.f("fk_transfers_from_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["from_school_id"], ["schools.id"], name=op.f("fk_transfers_from_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["people.id"], name=op.f("fk_transfers_requested_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_school_id"],
            ["schools.id"],
            name=op.f("fk_transfers_requested_by_school_id_schools"),
        ),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["school_years.id"],
            name=op.f("fk_transfers_school_year_id_school_years"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_transfers_student_id_students")
        ),
        sa.ForeignKeyConstraint(
            ["to_class_id"], ["classes.id"], name=op.f("fk_transfers_to_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["to_school_id"], ["schools.id"], name=op.f("fk_transfers_to_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcripts.id"],
            name=op.f("fk_transfers_transcript_id_transcripts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
    )
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfers_from_school_id"), ["from_school_id"])
        batch_op.create_index(batch_op.f("ix_transfers_stage"), ["stage"])
        batch_op.create_index(batch_op.f("ix_transfers_student_id"), ["student_id"])
        batch_op.create_index(batch_op.f("ix_transfers_to_school_id"), ["to_school_id"])
    op.create_table(
        "imported_transcripts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("transcript_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "CaNam",
                "ChuyenTruong",
                "SoHoa",
                name="transcriptkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "received_status",
            sa.Enum(
                "draft",
                "subject_signed",
                "homeroom_signed",
                "principal_signed",
                "school_stamped",
                "finalized",
                "correction_requested",
                "superseded",
                name="transcriptstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("department_code", sa.String(length=8), nullable=False),
        sa.Column("source_school_code", sa.String(length=16), nullable=False),
        sa.Column("source_school_name", sa.String(length=200), nullable=False),
        sa.Column("class_name", sa.String(length=16), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("xml_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("package_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["people.id"],
            name=op.f("fk_imported_transcripts_imported_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["pdf_sha256"], ["blobs.sha256"], name=op.f("fk_imported_transcripts_pdf_sha256_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_imported_transcripts_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_imported_transcripts_student_id_students"),
        ),
        sa.ForeignKeyConstraint(
            ["xml_sha256"], ["blobs.sha256"], name=op.f("fk_imported_transcripts_xml_sha256_blobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_transcripts")),
        sa.UniqueConstraint(
            "school_id", "transcript_id", name=op.f("uq_imported_transcripts_school_id")
        ),
    )
    with op.batch_alter_table("imported_transcripts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imported_transcripts_student_id"), ["student_id"])


def downgrade() -> None:
    with op.batch_alter_table("imported_transcripts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imported_transcripts_student_id"))
    op.drop_table("imported_transcripts")
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfers_to_school_id"))
        batch_op.drop_index(batch_op.f("ix_transfers_student_id"))
        batch_op.drop_index(batch_op.f("ix_transfers_stage"))
        batch_op.drop_index(batch_op.f("ix_transfers_from_school_id"))
    op.drop_table("transfers")
