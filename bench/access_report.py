"""Benchmark: the access report over a large audit log.

Builds one Department's schools (default 10 schools × 20 classes × 40 students = 8,000
students, a homeroom teacher per class, a principal per school) and an audit log of read
events spread over 90 days (default 300,000, a few per cent at night or of another school's
student), then times ``workflow.access_report`` for a 30-day period, for a principal and for
the Department officer. Prints medians.

    .venv/bin/python -m bench.access_report                       # SQLite in a temporary file
    .venv/bin/python -m bench.access_report --database-url postgresql+psycopg://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from domain.model import Role
from workflow import UnitOfWork, access_report, create_database_engine, load_actor
from workflow._migrations import upgrade

START = datetime(2025, 1, 1, tzinfo=UTC)
NOW = START + timedelta(days=91)


def _table(name: str) -> sa.Table:
    return SQLModel.metadata.tables[name]


def build(
    engine: sa.Engine, schools: int, classes: int, students: int, events: int
) -> dict[str, Any]:
    rng = random.Random(7)
    with engine.begin() as db:
        db.execute(
            _table("school_years").insert(),
            [
                {
                    "id": 1,
                    "department_code": "79",
                    "name": "2024-2025",
                    "starts_on": date(2024, 9, 1),
                    "ends_on": date(2025, 5, 31),
                    "main_lock_at": datetime(2025, 6, 30, tzinfo=UTC),
                    "supplementary_lock_at": datetime(2025, 8, 15, tzinfo=UTC),
                }
            ],
        )
        db.execute(
            _table("schools").insert(),
            [
                {
                    "id": s,
                    "code": f"79{s:06d}",
                    "name": f"School {s}",
                    "department_code": "79",
                    "level": "THCS",
                }
                for s in range(1, schools + 1)
            ],
        )
        class_rows, people, assignments, student_rows, enrollments = [], [], [], [], []
        teacher_of: dict[int, int] = {}
        students_of: dict[int, list[int]] = {}
        pid = sid = 0
        for s in range(1, schools + 1):
            pid += 1
            people.append(
                {"id": pid, "username": f"ht{s}", "full_name": f"HT {s}", "is_active": True}
            )
            assignments.append(
                {
                    "person_id": pid,
                    "role": Role.PRINCIPAL.value,
                    "school_id": s,
                    "school_year_id": 1,
                    "valid_from": START - timedelta(days=200),
                }
            )
            for k in range(classes):
                cid = (s - 1) * classes + k + 1
                class_rows.append(
                    {
                        "id": cid,
                        "school_id": s,
                        "school_year_id": 1,
                        "name": f"6A{k + 1}",
                        "grade": 6,
                    }
                )
                pid += 1
                people.append(
                    {"id": pid, "username": f"gv{cid}", "full_name": f"GV {cid}", "is_active": True}
                )
                assignments.append(
                    {
                        "person_id": pid,
                        "role": Role.HOMEROOM_TEACHER.value,
                        "school_id": s,
                        "school_year_id": 1,
                        "class_id": cid,
                        "valid_from": START - timedelta(days=200),
                    }
                )
                teacher_of[cid] = pid
                for _ in range(students):
                    sid += 1
                    student_rows.append(
                        {
                            "id": sid,
                            "personal_id": f"079{sid:09d}",
                            "full_name": f"HS {sid}",
                            "date_of_birth": date(2012, 1, 1),
                            "gender": "Nam",
                            "ethnicity": "Kinh",
                            "nationality": "Việt Nam",
                            "birthplace": "",
                        }
                    )
                    enrollments.append(
                        {
                            "student_id": sid,
                            "class_id": cid,
                            "school_year_id": 1,
                            "enrolled_on": date(2024, 9, 5),
                        }
                    )
                    students_of.setdefault(cid, []).append(sid)
        pid += 1
        people.append({"id": pid, "username": "so", "full_name": "SO", "is_active": True})
        assignments.append(
            {
                "person_id": pid,
                "role": Role.DEPARTMENT_OFFICER.value,
                "department_code": "79",
                "valid_from": START - timedelta(days=200),
            }
        )
        keys = ("department_code", "school_id", "school_year_id", "class_id", "subject_code")
        assignments = [{**dict.fromkeys(keys), **a} for a in assignments]
        for table, rows in (
            ("classes", class_rows),
            ("people", people),
            ("role_assignments", assignments),
            ("students", student_rows),
            ("enrollments", enrollments),
        ):
            db.execute(_table(table).insert(), rows)
        rows = []
        n_classes = len(class_rows)
        for seq in range(1, events + 1):
            cid = rng.randrange(1, n_classes + 1)
            student = rng.choice(students_of[cid])
            if rng.random() < 0.01:  # another school's student
                student = rng.randrange(1, sid + 1)
            day = START + timedelta(days=rng.randrange(90))
            hour = rng.choice((1, 22)) if rng.random() < 0.03 else rng.randrange(7, 17)
            rows.append(
                {
                    "seq": seq,
                    "occurred_at": day + timedelta(hours=hour - 7),
                    "actor_id": teacher_of[cid],
                    "actor_label": f"gv{cid}",
                    "action": "student.read",
                    "object_type": "student",
                    "object_id": str(student),
                    "details": {},
                    "prev_hash": "0" * 64,
                    "hash": "0" * 64,
                }
            )
            if len(rows) == 20000:
                db.execute(_table("audit_events").insert(), rows)
                rows = []
        if rows:
            db.execute(_table("audit_events").insert(), rows)
        db.execute(_table("audit_head").update().values(seq=events))
        if engine.dialect.name == "postgresql":
            db.execute(sa.text("ANALYZE"))
    return {"principal": 1, "department": pid}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--schools", type=int, default=10)
    parser.add_argument("--classes", type=int, default=20)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    engine = create_database_engine(url)
    upgrade(engine)
    began = time.perf_counter()
    who = build(engine, args.schools, args.classes, args.students, args.events)
    took = time.perf_counter() - began
    print(f"built {args.events} read events in {took:.1f} s ({engine.dialect.name})")
    since, until = START + timedelta(days=30), START + timedelta(days=60)
    for name, person in who.items():
        with Session(engine) as session:
            actor = load_actor(session, person, at=NOW)
        times, found = [], 0
        for _ in range(args.repeat):
            began = time.perf_counter()
            report = access_report(
                UnitOfWork(engine), actor=actor, now=NOW, since=since, until=until
            )
            times.append(time.perf_counter() - began)
            found = len(report.findings)
        print(f"{name:>10}: {statistics.median(times) * 1000:8.0f} ms, {found} findings")


if __name__ == "__main__":
    main()
