"""Personal data encrypted at rest: personal IDs, phones, transcript data and stored files.

The columns become text (or stay binary) holding AES-256-GCM envelopes, sealed with the
first key of ``HOCBA_DATA_KEYS`` (the keyring installed when the engine was created); blind
indexes (HMAC-SHA256 with ``HOCBA_INDEX_KEY``) take over the look-ups and the uniqueness of
a student's personal ID. Existing rows are encrypted here; going down decrypts them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.model import personal_id_index, phone_index
from workflow._data_rewrite import EncryptedColumn, open_stored, rewrite_column, seal_stored

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 500

# Listed here, not read from the models: this revision encrypts exactly these.
_TEXT = (
    ("people", "personal_id", 12),
    ("people", "phone", 16),
    ("students", "personal_id", 12),
    ("students", "birthplace", 200),
    ("outbox_messages", "personal_id", 12),
    ("transcript_signatures", "certificate_subject", 500),
)
_JSON = (("transcripts", "data", False), ("signing_session_items", "pdf_prepared", True))
_BINARY = (("blobs", "content"), ("signing_session_items", "xml_prepared"))
_KEYS = {
    "people": ("id",),
    "students": ("id",),
    "outbox_messages": ("id",),
    "transcripts": ("id",),
    "transcript_signatures": ("id",),
    "blobs": ("sha256",),
    "signing_session_items": ("session_id", "transcript_id"),
}


def _columns() -> list[EncryptedColumn]:
    textual = [(t, c) for t, c, _ in _TEXT] + [(t, c) for t, c, _ in _JSON]
    return [EncryptedColumn(t, c, _KEYS[t], binary=False) for t, c in textual] + [
        EncryptedColumn(t, c, _KEYS[t], binary=True) for t, c in _BINARY
    ]


def _seal(target: EncryptedColumn, plain: str | bytes) -> str | bytes:
    return seal_stored(target, plain)


def _open(target: EncryptedColumn, stored: str | bytes) -> str | bytes:
    return open_stored(target, stored)


def _fill_indexes(connection: sa.Connection) -> None:
    # Read before the values are sealed: the indexes are of the plaintext.
    people = sa.table(
        "people",
        sa.column("id"),
        sa.column("personal_id"),
        sa.column("phone"),
        sa.column("personal_id_index"),
        sa.column("phone_index"),
    )
    for row in connection.execute(sa.select(people.c.id, people.c.personal_id, people.c.phone)):
        connection.execute(
            sa.update(people)
            .where(people.c.id == row.id)
            .values(
                personal_id_index=None
                if row.personal_id is None
                else personal_id_index(row.personal_id),
                phone_index=None if row.phone is None else phone_index(row.phone),
            )
        )
    students = sa.table(
        "students", sa.column("id"), sa.column("personal_id"), sa.column("personal_id_index")
    )
    for student in connection.execute(sa.select(students.c.id, students.c.personal_id)):
        connection.execute(
            sa.update(students)
            .where(students.c.id == student.id)
            .values(personal_id_index=personal_id_index(student.personal_id))
        )


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personal_id_index", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("phone_index", sa.String(length=64), nullable=True))
    with op.batch_alter_table("students", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personal_id_index", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    _fill_indexes(connection)
    for table, column, length in _TEXT:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.String(length=length), type_=sa.Text())
    for table, column, nullable in _JSON:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=sa.JSON(),
                type_=sa.Text(),
                existing_nullable=nullable,
                postgresql_using=f"{column}::text",
            )
    for target in _columns():
        rewrite_column(connection, target, _seal, batch_size=_BATCH)
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_people_personal_id_index"), ["personal_id_index"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_people_phone_index"), ["phone_index"], unique=False)
    with op.batch_alter_table("students", schema=None) as batch_op:
        batch_op.drop_constraint("uq_students_personal_id", type_="unique")
        batch_op.alter_column(
            "personal_id_index", existing_type=sa.String(length=64), nullable=False
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_students_personal_id_index"), ["personal_id_index"]
        )


def downgrade() -> None:
    connection = op.get_bind()
    for target in _columns():
        rewrite_column(connection, target, _open, batch_size=_BATCH)
    for table, column, nullable in _JSON:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=sa.Text(),
                type_=sa.JSON(),
                existing_nullable=nullable,
                postgresql_using=f"{column}::json",
            )
    for table, column, length in _TEXT:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.Text(), type_=sa.String(length=length))
    with op.batch_alter_table("students", schema=None) as batch_op:
        batch_op.drop_constraint("uq_students_personal_id_index", type_="unique")
        batch_op.drop_column("personal_id_index")
        batch_op.create_unique_constraint("uq_students_personal_id", ["personal_id"])
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index("ix_people_phone_index")
        batch_op.drop_index("ix_people_personal_id_index")
        batch_op.drop_column("phone_index")
        batch_op.drop_column("personal_id_index")
