"""tracking book

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 06:10:27.844108

The tracking book (sổ theo dõi và đánh giá): score lines per student × class × subject ×
semester, the homeroom teacher's records, the year-end review (reserved for it), the entry
windows with the principal's decisions the administrator carries out (REQ-18), and the
requests to correct a signed entry (REQ-15). New tables only: nothing existing changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.model import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "entry_window_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("school_year_id", sa.Integer(), nullable=False),
        sa.Column(
            "period",
            sa.Enum(
                "hk1", "hk2", "supplementary", name="entryperiod", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "action",
            sa.Enum("open", "close", name="windowaction", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("decision", sa.String(length=1000), nullable=False),
        sa.Column("effective_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "carried_out",
                "replaced",
                name="windowdecisionstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("carried_out_by_id", sa.Integer(), nullable=True),
        sa.Column("carried_out_at", UTCDateTime(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["carried_out_by_id"],
            ["people.id"],
            name=op.f("fk_entry_window_decisions_carried_out_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["people.id"],
            name=op.f("fk_entry_window_decisions_decided_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_entry_window_decisions_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["school_years.id"],
            name=op.f("fk_entry_window_decisions_school_year_id_school_years"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_window_decisions")),
    )
    with op.batch_alter_table("entry_window_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_entry_window_decisions_window",
            ["school_id", "school_year_id", "period"],
            unique=False,
        )

    op.create_table(
        "entry_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("school_year_id", sa.Integer(), nullable=False),
        sa.Column(
            "period",
            sa.Enum(
                "hk1", "hk2", "supplementary", name="entryperiod", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("carried_out_by_id", sa.Integer(), nullable=False),
        sa.Column("carried_out_at", UTCDateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["carried_out_by_id"],
            ["people.id"],
            name=op.f("fk_entry_windows_carried_out_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["people.id"], name=op.f("fk_entry_windows_decided_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["entry_window_decisions.id"],
            name=op.f("fk_entry_windows_decision_id_entry_window_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_entry_windows_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["school_years.id"],
            name=op.f("fk_entry_windows_school_year_id_school_years"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_windows")),
        sa.UniqueConstraint(
            "school_id", "school_year_id", "period", name=op.f("uq_entry_windows_school_id")
        ),
    )
    op.create_table(
        "homeroom_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("semester", sa.Integer(), nullable=False),
        sa.Column(
            "conduct",
            sa.Enum("T", "K", "D", "CD", name="conductlevel", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("absences", sa.Integer(), nullable=True),
        sa.Column("comment", sa.String(length=2000), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("semester IN (1, 2)", name=op.f("ck_homeroom_records_semester")),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_homeroom_records_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_homeroom_records_student_id_students")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["people.id"], name=op.f("fk_homeroom_records_updated_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_homeroom_records")),
        sa.UniqueConstraint(
            "student_id", "class_id", "semester", name=op.f("uq_homeroom_records_student_id")
        ),
    )
    with op.batch_alter_table("homeroom_records", schema=None) as batch_op:
        batch_op.create_index("ix_homeroom_records_class", ["class_id", "semester"], unique=False)

    op.create_table(
        "score_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("subject_code", sa.String(length=16), nullable=False),
        sa.Column("semester", sa.Integer(), nullable=False),
        sa.Column("regular", sa.JSON(), nullable=False),
        sa.Column("midterm", sa.String(length=4), nullable=True),
        sa.Column("final", sa.String(length=4), nullable=True),
        sa.Column("comment_results", sa.JSON(), nullable=False),
        sa.Column("remark", sa.String(length=2000), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("semester IN (1, 2)", name=op.f("ck_score_lines_semester")),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_score_lines_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_score_lines_student_id_students")
        ),
        sa.ForeignKeyConstraint(
            ["subject_code"], ["subjects.code"], name=op.f("fk_score_lines_subject_code_subjects")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["people.id"], name=op.f("fk_score_lines_updated_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_lines")),
        sa.UniqueConstraint(
            "student_id",
            "class_id",
            "subject_code",
            "semester",
            name=op.f("uq_score_lines_student_id"),
        ),
    )
    with op.batch_alter_table("score_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_score_lines_sheet", ["class_id", "subject_code", "semester"], unique=False
        )

    op.create_table(
        "year_end_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "promoted",
                "retest",
                "summer_training",
                "not_promoted",
                name="yearendoutcome",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "honour",
            sa.Enum("XuatSac", "Gioi", name="honour", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("supplementary", sa.Boolean(), nullable=False),
        sa.Column("retest", sa.JSON(), nullable=False),
        sa.Column(
            "conduct_after_summer",
            sa.Enum("T", "K", "D", "CD", name="conductlevel", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("proposed_at", UTCDateTime(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["people.id"],
            name=op.f("fk_year_end_records_approved_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_year_end_records_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["people.id"],
            name=op.f("fk_year_end_records_proposed_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_year_end_records_student_id_students")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["people.id"], name=op.f("fk_year_end_records_updated_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_year_end_records")),
        sa.UniqueConstraint("student_id", "class_id", name=op.f("uq_year_end_records_student_id")),
    )
    with op.batch_alter_table("year_end_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_year_end_records_class_id"), ["class_id"], unique=False
        )

    op.create_table(
        "entry_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transcript_id", sa.String(length=36), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("semester", sa.Integer(), nullable=False),
        sa.Column("subject_code", sa.String(length=16), nullable=True),
        sa.Column("current", sa.JSON(), nullable=False),
        sa.Column("proposed", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                name="correctionstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decision_note", sa.String(length=1000), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("semester IN (1, 2)", name=op.f("ck_entry_corrections_semester")),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_entry_corrections_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["people.id"], name=op.f("fk_entry_corrections_decided_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["people.id"],
            name=op.f("fk_entry_corrections_requested_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_entry_corrections_student_id_students")
        ),
        sa.ForeignKeyConstraint(
            ["subject_code"],
            ["subjects.code"],
            name=op.f("fk_entry_corrections_subject_code_subjects"),
        ),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcripts.id"],
            name=op.f("fk_entry_corrections_transcript_id_transcripts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_corrections")),
    )
    with op.batch_alter_table("entry_corrections", schema=None) as batch_op:
        batch_op.create_index("ix_entry_corrections_class", ["class_id", "status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_entry_corrections_transcript_id"), ["transcript_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("entry_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entry_corrections_transcript_id"))
        batch_op.drop_index("ix_entry_corrections_class")

    op.drop_table("entry_corrections")
    with op.batch_alter_table("year_end_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_year_end_records_class_id"))

    op.drop_table("year_end_records")
    with op.batch_alter_table("score_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_score_lines_sheet")

    op.drop_table("score_lines")
    with op.batch_alter_table("homeroom_records", schema=None) as batch_op:
        batch_op.drop_index("ix_homeroom_records_class")

    op.drop_table("homeroom_records")
    op.drop_table("entry_windows")
    with op.batch_alter_table("entry_window_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_entry_window_decisions_window")

    op.drop_table("entry_window_decisions")
