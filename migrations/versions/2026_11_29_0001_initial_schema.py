"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 05:08:57.128820

Every table of the first release, the audit chain's head row and the subject catalogue
of contracts.md (reference data, written out here so later code changes cannot alter it).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.model import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (code, name, kind, default periods per year under the 2018 curriculum, grades 6–9)
SUBJECTS = [
    ("TOAN", "Toán", "score", 140),
    ("NGUVAN", "Ngữ văn", "score", 140),
    ("NGOAINGU1", "Ngoại ngữ 1", "score", 105),
    ("GDCD", "Giáo dục công dân", "score", 35),
    ("LSDL", "Lịch sử và Địa lí", "score", 105),
    ("KHTN", "Khoa học tự nhiên", "score", 140),
    ("CONGNGHE", "Công nghệ", "score", 35),
    ("TINHOC", "Tin học", "score", 35),
    ("LICHSU", "Lịch sử", "score", 52),
    ("DIALI", "Địa lí", "score", 52),
    ("VATLI", "Vật lí", "score", 70),
    ("HOAHOC", "Hoá học", "score", 70),
    ("SINHHOC", "Sinh học", "score", 70),
    ("GDKTPL", "Giáo dục kinh tế và pháp luật", "score", 70),
    ("GDQPAN", "Giáo dục quốc phòng và an ninh", "score", 35),
    ("GDTC", "Giáo dục thể chất", "comment", 70),
    ("NGHETHUAT", "Nghệ thuật", "comment", 70),
    ("AMNHAC", "Âm nhạc", "comment", 35),
    ("MITHUAT", "Mĩ thuật", "comment", 35),
    ("HDTNHN", "Hoạt động trải nghiệm, hướng nghiệp", "comment", 105),
    ("GDDP", "Nội dung giáo dục của địa phương", "comment", 35),
]


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("before_sha256", sa.String(length=64), nullable=True),
        sa.Column("after_sha256", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_object_id"), ["object_id"], unique=False)

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blobs")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("username", name=op.f("uq_people_username")),
    )
    op.create_table(
        "school_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=9), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("main_lock_at", UTCDateTime(), nullable=False),
        sa.Column("supplementary_lock_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_years")),
        sa.UniqueConstraint(
            "department_code", "name", name=op.f("uq_school_years_department_code")
        ),
    )
    op.create_table(
        "schools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("department_code", sa.String(length=8), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schools")),
        sa.UniqueConstraint("code", name=op.f("uq_schools_code")),
    )
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_schools_department_code"), ["department_code"], unique=False
        )

    op.create_table(
        "subjects",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("score", "comment", name="subjectkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("periods_per_year", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_subjects")),
    )
    op.create_table(
        "classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("school_year_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_classes_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["school_years.id"],
            name=op.f("fk_classes_school_year_id_school_years"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classes")),
        sa.UniqueConstraint(
            "school_id", "school_year_id", "name", name=op.f("uq_classes_school_id")
        ),
    )
    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_classes_school_id"), ["school_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_classes_school_year_id"), ["school_year_id"], unique=False
        )

    op.create_table(
        "students",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("personal_id", sa.String(length=12), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("gender", sa.String(length=8), nullable=False),
        sa.Column("ethnicity", sa.String(length=40), nullable=False),
        sa.Column("nationality", sa.String(length=40), nullable=False),
        sa.Column("birthplace", sa.String(length=200), nullable=False),
        sa.Column("father_name", sa.String(length=120), nullable=True),
        sa.Column("mother_name", sa.String(length=120), nullable=True),
        sa.Column("guardian_name", sa.String(length=120), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_students_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_students")),
        sa.UniqueConstraint("personal_id", name=op.f("uq_students_personal_id")),
    )
    op.create_table(
        "class_subjects",
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("subject_code", sa.String(length=16), nullable=False),
        sa.Column("periods_per_year", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_class_subjects_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["subject_code"],
            ["subjects.code"],
            name=op.f("fk_class_subjects_subject_code_subjects"),
        ),
        sa.PrimaryKeyConstraint("class_id", "subject_code", name=op.f("pk_class_subjects")),
    )
    op.create_table(
        "enrollments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("school_year_id", sa.Integer(), nullable=False),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_enrollments_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["school_years.id"],
            name=op.f("fk_enrollments_school_year_id_school_years"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_enrollments_student_id_students")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollments")),
        sa.UniqueConstraint(
            "student_id", "school_year_id", "class_id", name=op.f("uq_enrollments_student_id")
        ),
    )
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrollments_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrollments_student_id"), ["student_id"], unique=False)

    op.create_table(
        "guardian_links",
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("relationship", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_guardian_links_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_guardian_links_student_id_students")
        ),
        sa.PrimaryKeyConstraint("student_id", "person_id", name=op.f("pk_guardian_links")),
    )
    op.create_table(
        "role_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "subject_teacher",
                "homeroom_teacher",
                "principal",
                "academic_affairs",
                "clerk",
                "administrator",
                "department_officer",
                "student",
                "guardian",
                name="role",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("department_code", sa.String(length=8), nullable=True),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("school_year_id", sa.Integer(), nullable=True),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("subject_code", sa.String(length=16), nullable=True),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("valid_until", UTCDateTime(), nullable=True),
        sa.Column("handover_note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_role_assignments_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_role_assignments_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_role_assignments_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["school_years.id"],
            name=op.f("fk_role_assignments_school_year_id_school_years"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_code"],
            ["subjects.code"],
            name=op.f("fk_role_assignments_subject_code_subjects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_assignments")),
    )
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_role_assignments_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            "ix_role_assignments_scope",
            ["role", "school_year_id", "class_id", "subject_code"],
            unique=False,
        )

    op.create_table(
        "transcripts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("school_year_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
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
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "status",
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
        sa.Column("replaces_id", sa.String(length=36), nullable=True),
        sa.Column("supplementary", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("locked_at", UTCDateTime(), nullable=True),
        sa.Column("xml_sha256", sa.String(length=64), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_transcripts_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["transcripts.id"], name=op.f("fk_transcripts_replaces_id_transcripts")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_transcripts_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["school_years.id"],
            name=op.f("fk_transcripts_school_year_id_school_years"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_transcripts_student_id_students")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcripts")),
        sa.UniqueConstraint(
            "student_id",
            "school_year_id",
            "kind",
            "version",
            name=op.f("uq_transcripts_student_id"),
        ),
    )
    with op.batch_alter_table("transcripts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transcripts_class_id"), ["class_id"], unique=False)
        batch_op.create_index(
            "ix_transcripts_queue", ["school_year_id", "status", "class_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_transcripts_student_id"), ["student_id"], unique=False)

    op.create_table(
        "correction_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transcript_id", sa.String(length=36), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("details", sa.String(length=10000), nullable=False),
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
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decision_note", sa.String(length=1000), nullable=True),
        sa.Column("new_transcript_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["people.id"],
            name=op.f("fk_correction_requests_decided_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["new_transcript_id"],
            ["transcripts.id"],
            name=op.f("fk_correction_requests_new_transcript_id_transcripts"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["people.id"],
            name=op.f("fk_correction_requests_requested_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcripts.id"],
            name=op.f("fk_correction_requests_transcript_id_transcripts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction_requests")),
    )
    with op.batch_alter_table("correction_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_correction_requests_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_correction_requests_transcript_id"), ["transcript_id"], unique=False
        )

    op.create_table(
        "transcript_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transcript_id", sa.String(length=36), nullable=False),
        sa.Column("slot", sa.String(length=32), nullable=False),
        sa.Column("signer_id", sa.Integer(), nullable=False),
        sa.Column("on_behalf_of_id", sa.Integer(), nullable=True),
        sa.Column("certificate_sha256", sa.String(length=64), nullable=False),
        sa.Column("certificate_subject", sa.String(length=500), nullable=False),
        sa.Column("certificate_serial", sa.String(length=64), nullable=False),
        sa.Column("signed_at", UTCDateTime(), nullable=False),
        sa.Column("signed_bytes_sha256", sa.String(length=64), nullable=False),
        sa.Column("archived_at", UTCDateTime(), nullable=True),
        sa.Column("archive_reason", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["on_behalf_of_id"],
            ["people.id"],
            name=op.f("fk_transcript_signatures_on_behalf_of_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["signer_id"], ["people.id"], name=op.f("fk_transcript_signatures_signer_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcripts.id"],
            name=op.f("fk_transcript_signatures_transcript_id_transcripts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_signatures")),
    )
    with op.batch_alter_table("transcript_signatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transcript_signatures_transcript_id"), ["transcript_id"], unique=False
        )
        batch_op.create_index(
            "uq_transcript_signatures_live_slot",
            ["transcript_id", "slot"],
            unique=True,
            sqlite_where=sa.text("archived_at IS NULL"),
            postgresql_where=sa.text("archived_at IS NULL"),
        )

    audit_head = sa.table(
        "audit_head",
        sa.column("id", sa.Integer),
        sa.column("seq", sa.Integer),
        sa.column("hash", sa.String),
    )
    op.bulk_insert(audit_head, [{"id": 1, "seq": 0, "hash": "0" * 64}])
    subjects = sa.table(
        "subjects",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("kind", sa.String),
        sa.column("periods_per_year", sa.Integer),
    )
    op.bulk_insert(
        subjects,
        [
            {"code": code, "name": name, "kind": kind, "periods_per_year": periods}
            for code, name, kind, periods in SUBJECTS
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("transcript_signatures", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_transcript_signatures_live_slot",
            sqlite_where=sa.text("archived_at IS NULL"),
            postgresql_where=sa.text("archived_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_transcript_signatures_transcript_id"))

    op.drop_table("transcript_signatures")
    with op.batch_alter_table("correction_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_correction_requests_transcript_id"))
        batch_op.drop_index(batch_op.f("ix_correction_requests_status"))

    op.drop_table("correction_requests")
    with op.batch_alter_table("transcripts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transcripts_student_id"))
        batch_op.drop_index("ix_transcripts_queue")
        batch_op.drop_index(batch_op.f("ix_transcripts_class_id"))

    op.drop_table("transcripts")
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_role_assignments_scope")
        batch_op.drop_index(batch_op.f("ix_role_assignments_person_id"))

    op.drop_table("role_assignments")
    op.drop_table("guardian_links")
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrollments_student_id"))
        batch_op.drop_index(batch_op.f("ix_enrollments_class_id"))

    op.drop_table("enrollments")
    op.drop_table("class_subjects")
    op.drop_table("students")
    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classes_school_year_id"))
        batch_op.drop_index(batch_op.f("ix_classes_school_id"))

    op.drop_table("classes")
    op.drop_table("subjects")
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schools_department_code"))

    op.drop_table("schools")
    op.drop_table("school_years")
    op.drop_table("people")
    op.drop_table("blobs")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_object_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_actor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_action"))

    op.drop_table("audit_events")
