"""Indexes for the task queues and the guards at city size.

``ix_transcripts_school_status``: a principal's or clerk's queue reads their school's year by
status (the existing ``ix_transcripts_queue`` leads with the year, so it scanned the whole
city's year). ``ix_role_assignments_class``: who teaches a class now (the guards' facts, the
principal's stand-in check) looks assignments up by class; the scope index leads with the role
and the year.

On PostgreSQL, ``st_transcripts_year_status``: statistics on the year × status combinations.
Alone, the planner multiplies the two columns' frequencies and expects a fifth of a finished
year's rows to be unstamped (none are), and plans the Department's overdue check for hundreds
of thousands of rows.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 11:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("transcripts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_transcripts_school_status",
            ["school_id", "school_year_id", "status"],
            unique=False,
        )
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_role_assignments_class", ["class_id", "role", "subject_code"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE STATISTICS st_transcripts_year_status (mcv, dependencies) "
            "ON school_year_id, status FROM transcripts"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_transcripts_year_status")
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_role_assignments_class")
    with op.batch_alter_table("transcripts", schema=None) as batch_op:
        batch_op.drop_index("ix_transcripts_school_status")
