"""Benchmark: a task queue on a large database — one grouped SQL statement vs a Python loop.

Builds a city-sized database (default 20 schools × 24 classes × 40 students = 19,200 annual
transcripts, a third of their subject slots signed), then times ``workflow.task_queue`` for a
subject teacher, a principal and a Department officer, against the baseline every naive
implementation starts from: load the year's transcripts and ask the guards about each one
(``workflow.allowed_actions``). Prints medians and the ratio.

    .venv/bin/python -m bench.task_queue                       # SQLite in a temporary file
    .venv/bin/python -m bench.task_queue --database-url postgresql+psycopg://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from domain.model import Role, Transcript
from workflow import create_database_engine, load_actor, task_queue
from workflow._allowed import allowed_actions
from workflow._migrations import upgrade

NOW = datetime(2025, 5, 20, 2, 0, tzinfo=UTC)
START = datetime(2024, 9, 1, tzinfo=UTC)
# Mostly waiting for teachers, as in May; the rest spread over the later steps.
STATUSES = ("draft",) * 6 + ("subject_signed", "homeroom_signed", "principal_signed", "finalized")
SUBJECTS = (
    "TOAN",
    "NGUVAN",
    "NGOAINGU1",
    "GDCD",
    "LSDL",
    "KHTN",
    "CONGNGHE",
    "TINHOC",
    "GDTC",
    "NGHETHUAT",
    "HDTNHN",
    "GDDP",
)


def _table(name: str) -> sa.Table:
    return SQLModel.metadata.tables[name]


def build(engine: sa.Engine, *, schools: int, classes: int, students: int) -> dict[str, int]:
    """Fill the database with Core inserts; returns the person ids the benchmark acts as."""
    rng = random.Random(7)
    with engine.begin() as c:
        c.execute(
            _table("school_years").insert(),
            [
                {
                    "id": 1,
                    "department_code": "79",
                    "name": "2024-2025",
                    "starts_on": date(2024, 9, 1),
                    "ends_on": date(2025, 5, 31),
                    "main_lock_at": datetime(2025, 6, 30, 16, 59, 59, tzinfo=UTC),
                    "supplementary_lock_at": datetime(2025, 8, 15, 16, 59, 59, tzinfo=UTC),
                }
            ],
        )
        people: list[dict[str, Any]] = []
        grants: list[dict[str, Any]] = []
        transcripts: list[dict[str, Any]] = []
        signatures: list[dict[str, Any]] = []
        pid = 0
        class_id = 0
        student_id = 0

        def person(role: Role, **scope: Any) -> int:
            nonlocal pid
            pid += 1
            people.append(
                {"id": pid, "username": f"u{pid}", "full_name": f"Người {pid}", "is_active": True}
            )
            grant = dict.fromkeys(
                ("department_code", "school_id", "class_id", "subject_code", "valid_until")
            )
            grant.update(person_id=pid, role=role.value, valid_from=START, school_year_id=1)
            grant.update(scope)
            grants.append(grant)
            return pid

        officer = person(Role.DEPARTMENT_OFFICER, department_code="79", school_year_id=None)
        principal = teacher = 0
        for s in range(1, schools + 1):
            c.execute(
                _table("schools").insert(),
                [
                    {
                        "id": s,
                        "code": f"79{s:06d}",
                        "name": f"Trường {s}",
                        "department_code": "79",
                        "level": "THCS",
                    }
                ],
            )
            p = person(Role.PRINCIPAL, school_id=s)
            principal = principal or p
            person(Role.CLERK, school_id=s)
            for _ in range(classes):
                class_id += 1
                c.execute(
                    _table("classes").insert(),
                    [
                        {
                            "id": class_id,
                            "school_id": s,
                            "school_year_id": 1,
                            "name": f"6A{class_id}",
                            "grade": 6,
                        }
                    ],
                )
                c.execute(
                    _table("class_subjects").insert(),
                    [
                        {"class_id": class_id, "subject_code": code, "periods_per_year": 105}
                        for code in SUBJECTS
                    ],
                )
                person(Role.HOMEROOM_TEACHER, school_id=s, class_id=class_id)
                for code in SUBJECTS:
                    t = person(
                        Role.SUBJECT_TEACHER, school_id=s, class_id=class_id, subject_code=code
                    )
                    teacher = teacher or t
                for _ in range(students):
                    student_id += 1
                    tid = str(uuid.UUID(int=rng.getrandbits(128)))
                    transcripts.append(
                        {
                            "id": tid,
                            "student_id": student_id,
                            "school_id": s,
                            "school_year_id": 1,
                            "class_id": class_id,
                            "kind": "CaNam",
                            "version": 1,
                            "status": rng.choice(STATUSES),
                            "supplementary": False,
                            "data": {},
                            "created_at": START,
                            "updated_at": START,
                            "row_version": 1,
                        }
                    )
                    for code in SUBJECTS:
                        if rng.random() < 1 / 3:
                            signatures.append(
                                {
                                    "transcript_id": tid,
                                    "slot": f"GVBM:{code}",
                                    "signer_id": 1,
                                    "certificate_sha256": "0" * 64,
                                    "certificate_subject": "CN=x",
                                    "certificate_serial": "1",
                                    "signed_at": START,
                                    "signed_bytes_sha256": "0" * 64,
                                }
                            )
        c.execute(_table("people").insert(), people)
        c.execute(_table("role_assignments").insert(), grants)
        c.execute(
            _table("students").insert(),
            [
                {
                    "id": i,
                    "personal_id": f"079{i:09d}",
                    "full_name": f"Học sinh {i}",
                    "date_of_birth": date(2013, 1, 1),
                    "gender": "Nam",
                    "ethnicity": "Kinh",
                    "nationality": "Việt Nam",
                    "birthplace": "",
                }
                for i in range(1, student_id + 1)
            ],
        )
        c.execute(_table("transcripts").insert(), transcripts)
        c.execute(_table("transcript_signatures").insert(), signatures)
        # A few pending corrections for the officer's queue.
        c.execute(
            _table("correction_requests").insert(),
            [
                {
                    "transcript_id": t["id"],
                    "requested_by_id": principal,
                    "reason": "x",
                    "details": "",
                    "status": "pending",
                    "created_at": START,
                }
                for t in transcripts[:: max(1, len(transcripts) // 50)]
            ],
        )
    return {"subject teacher": teacher, "principal": principal, "Department officer": officer}


def baseline(session: Session, person_id: int, now: datetime) -> int:
    """The naive queue: every transcript of the year through the guards, one by one."""
    actor = load_actor(session, person_id, at=now)
    pending = 0
    for row in session.exec(select(Transcript).where(Transcript.school_year_id == 1)):
        if any(
            a.startswith(("sign", "stamp", "approve"))
            for a in allowed_actions(session, row, actor=actor, now=now)
        ):
            pending += 1
    return pending


def median_ms(run: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``run`` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Build, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--classes", type=int, default=24)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline-repeat", type=int, default=1)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    engine = create_database_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    actors = build(engine, schools=args.schools, classes=args.classes, students=args.students)
    with engine.begin() as c:
        # Fresh statistics, as autovacuum (PostgreSQL) or a post-import ANALYZE would give:
        # without them the planner guesses one row per table and picks nested loops.
        c.execute(sa.text("ANALYZE"))
        count = c.execute(sa.text("SELECT count(*) FROM transcripts")).scalar_one()
    print(
        f"database: {engine.dialect.name}, {count} transcripts, built in "
        f"{time.perf_counter() - started:.1f} s"
    )
    print(f"{'caller':<20} {'items':>6} {'queue ms':>9} {'baseline ms':>12} {'ratio':>8}")
    for label, person_id in actors.items():
        with Session(engine) as session:
            items = task_queue(session, person_id=person_id, now=NOW)
            ours = median_ms(
                partial(task_queue, session, person_id=person_id, now=NOW), args.repeat
            )
            naive = median_ms(partial(baseline, session, person_id, NOW), args.baseline_repeat)
        print(f"{label:<20} {len(items):>6} {ours:>9.1f} {naive:>12.1f} {naive / ours:>7.0f}x")


if __name__ == "__main__":
    main()
