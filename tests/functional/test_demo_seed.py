"""The demo seed turns an empty database into the demo school of contracts.md, exactly once.

The seed plays some five hundred use cases, so it runs once per backend for this module (on
the same migrated databases the ``engine`` fixture hands out, reset the same way) and every
test reads what it left.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

import api
from domain.assessment import regular_assessment_count, semester_average, year_average
from domain.model import (
    CATALOGUE,
    AuditEvent,
    ClassSubject,
    CorrectionRequest,
    CorrectionStatus,
    Enrollment,
    EntryPeriod,
    EntryWindow,
    GuardianLink,
    HomeroomRecord,
    Person,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolYear,
    ScoreLine,
    Student,
    SubjectKind,
    Transcript,
    TranscriptSignature,
    TranscriptStatus,
    validate_personal_id,
)
from hocba import cli
from tests.support.clock import vn
from tests.support.databases import MigratedDatabase
from tests.support.demo_pki import demo_pki
from tests.support.demo_snapshot import seeded_demo
from workflow import (
    Actor,
    DemoSummary,
    load_actor,
    seed_demo,
    task_queue,
    verify_audit_chain,
    verify_password,
)

NOW = vn(2026, 11, 29, 9, 0)
CONTRACT_LOGINS = (
    "admin", "hieutruong", "vanthu", "hocvu", "gvcn.6a1", "gvbm.toan", "so.gddt", "hs.demo",
    "ph.demo",
)  # fmt: skip
SUBJECT_PERIODS = {
    "TOAN": 140, "NGUVAN": 140, "NGOAINGU1": 105, "GDCD": 35, "LSDL": 105, "KHTN": 140,
    "CONGNGHE": 35, "TINHOC": 35, "GDTC": 70, "NGHETHUAT": 70, "HDTNHN": 105, "GDDP": 35,
}  # fmt: skip
UNBUILT = ("2026-2027", "6A2")
"""This year's class academic affairs has yet to build (workflow._demo_tracking.UNBUILT)."""
CLASSES = {("2025-2026", "6A1", 6), ("2026-2027", "6A1", 6), ("2026-2027", "6A2", 6),
           ("2026-2027", "7A1", 7)}  # fmt: skip


@dataclass(frozen=True)
class Seeded:
    engine: Engine
    summary: DemoSummary

    def person(self, username: str) -> int:
        with Session(self.engine) as session:
            found = session.exec(select(Person.id).where(Person.username == username)).one()
            assert found is not None
            return found

    def actor(self, username: str) -> Actor:
        with Session(self.engine) as session:
            return load_actor(session, self.person(username), at=NOW)

    def class_id(self, year: str, name: str) -> int:
        with Session(self.engine) as session:
            return session.exec(
                select(SchoolClass.id)
                .join(SchoolYear, col(SchoolYear.id) == SchoolClass.school_year_id)
                .where(SchoolYear.name == year, SchoolClass.name == name)
            ).one()  # type: ignore[return-value]


@pytest.fixture(scope="module")
def seeded(migrated: MigratedDatabase) -> Seeded:
    """An empty database of each backend, seeded once for the module."""
    migrated.reset()
    return Seeded(migrated.engine, seeded_demo(migrated.engine, now=NOW))


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(
                sa.select(sa.func.count()).select_from(table)
            ).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


def test_every_contract_login_exists_with_an_argon2_hash_of_the_demo_password(
    seeded: Seeded,
) -> None:
    with Session(seeded.engine) as session:
        people = {
            p.username: p
            for p in session.exec(select(Person).where(col(Person.username).in_(CONTRACT_LOGINS)))
        }
    assert set(people) == set(CONTRACT_LOGINS)
    hashes = {p.password_hash for p in people.values()}
    assert None not in hashes
    for password_hash in hashes:  # each distinct hash once: argon2 is slow on purpose
        assert password_hash is not None and password_hash.startswith("$argon2id$")
        assert verify_password(password_hash=password_hash, password="hocba-demo")
        assert not verify_password(password_hash=password_hash, password="hocba-demo!")
    assert all(p.full_name.count(" ") >= 2 for p in people.values())  # họ, đệm, tên
    assert {login.username for login in seeded.summary.logins} >= set(CONTRACT_LOGINS)
    assert seeded.summary.password == "hocba-demo"


def test_the_logins_hold_the_duties_contracts_md_gives_them(seeded: Seeded) -> None:
    with Session(seeded.engine) as session:
        school_id = session.exec(select(School.id).where(School.code == "79000701")).one()
        current = session.exec(select(SchoolYear.id).where(SchoolYear.name == "2026-2027")).one()
    scope: dict[str, Any] = {"school_id": school_id, "school_year_id": current}
    assert seeded.actor("hieutruong").holds(Role.PRINCIPAL, **scope)
    assert seeded.actor("vanthu").holds(Role.CLERK, **scope)
    assert seeded.actor("hocvu").holds(Role.ACADEMIC_AFFAIRS, **scope)
    assert seeded.actor("admin").is_administrator
    assert seeded.actor("so.gddt").holds(Role.DEPARTMENT_OFFICER, department_code="79")
    class_6a1 = seeded.class_id("2026-2027", "6A1")
    assert seeded.actor("gvcn.6a1").holds(Role.HOMEROOM_TEACHER, class_id=class_6a1, **scope)
    teacher = seeded.actor("gvbm.toan")
    taught = {g.class_id for g in teacher.grants if g.subject_code == "TOAN"}
    assert taught == {class_6a1, seeded.class_id("2026-2027", "6A2")}


def test_the_student_login_is_in_7a1_and_was_in_last_years_6a1_with_their_guardian(
    seeded: Seeded,
) -> None:
    with Session(seeded.engine) as session:
        student = session.exec(
            select(Student).where(Student.person_id == seeded.person("hs.demo"))
        ).one()
        classes = set(
            session.exec(select(Enrollment.class_id).where(Enrollment.student_id == student.id))
        )
        guardian = session.get(GuardianLink, (student.id, seeded.person("ph.demo")))
    assert classes == {seeded.class_id("2026-2027", "7A1"), seeded.class_id("2025-2026", "6A1")}
    assert guardian is not None


def test_the_years_and_classes_follow_from_now(seeded: Seeded) -> None:
    with Session(seeded.engine) as session:
        years = {y.name: y for y in session.exec(select(SchoolYear))}
        classes = session.exec(
            select(SchoolYear.name, SchoolClass.name, SchoolClass.grade, SchoolClass.id).join(
                SchoolYear, col(SchoolYear.id) == SchoolClass.school_year_id
            )
        ).all()
        subjects = {
            class_id: dict(
                session.exec(
                    select(ClassSubject.subject_code, ClassSubject.periods_per_year).where(
                        ClassSubject.class_id == class_id
                    )
                ).all()
            )
            for *_, class_id in classes
        }
    assert set(years) == {"2025-2026", "2026-2027"}
    assert years["2026-2027"].main_lock_at == vn(2027, 6, 30, 23, 59, 59)
    assert years["2026-2027"].supplementary_lock_at == vn(2027, 8, 15, 23, 59, 59)
    assert years["2025-2026"].main_lock_at == vn(2026, 6, 30, 23, 59, 59)
    assert {(year, name, grade) for year, name, grade, _ in classes} == CLASSES
    assert all(periods == SUBJECT_PERIODS for periods in subjects.values())


def test_every_subject_of_every_class_has_a_teacher_and_every_class_a_homeroom_teacher(
    seeded: Seeded,
) -> None:
    with Session(seeded.engine) as session:
        pairs = session.exec(select(ClassSubject.class_id, ClassSubject.subject_code)).all()
        taught = set(
            session.exec(
                select(RoleAssignment.class_id, RoleAssignment.subject_code).where(
                    RoleAssignment.role == Role.SUBJECT_TEACHER
                )
            )
        )
        homerooms = set(
            session.exec(
                select(RoleAssignment.class_id).where(RoleAssignment.role == Role.HOMEROOM_TEACHER)
            )
        )
    assert set(pairs) <= taught
    assert {class_id for class_id, _ in pairs} == homerooms


def test_students_have_valid_personal_ids_and_classes_of_eight_to_twelve(seeded: Seeded) -> None:
    with Session(seeded.engine) as session:
        students = session.exec(select(Student)).all()
        sizes = Counter(session.exec(select(Enrollment.class_id)))
    assert all(validate_personal_id(s.personal_id).startswith("079") for s in students)
    assert len({s.full_name for s in students}) == len(students)
    assert all(8 <= size <= 12 for size in sizes.values())
    last_year = seeded.class_id("2025-2026", "6A1")
    this_year = seeded.class_id("2026-2027", "7A1")
    with Session(seeded.engine) as session:
        members = {
            class_id: set(
                session.exec(select(Enrollment.student_id).where(Enrollment.class_id == class_id))
            )
            for class_id in (last_year, this_year)
        }
    assert members[last_year] == members[this_year]


def test_last_years_6a1_is_finalized_at_the_lock_with_one_correction_pending(
    seeded: Seeded,
) -> None:
    last_year = seeded.class_id("2025-2026", "6A1")
    with Session(seeded.engine) as session:
        rows = session.exec(select(Transcript).where(Transcript.class_id == last_year)).all()
        live = Counter(
            session.exec(
                select(TranscriptSignature.transcript_id).where(
                    col(TranscriptSignature.transcript_id).in_([t.id for t in rows]),
                    col(TranscriptSignature.archived_at).is_(None),
                )
            )
        )
        requests = session.exec(select(CorrectionRequest)).all()
        demo_student = session.exec(
            select(Student.id).where(Student.person_id == seeded.person("hs.demo"))
        ).one()
    assert all(t.locked_at == vn(2026, 6, 30, 23, 59, 59) for t in rows)
    assert all(live[t.id] == len(SUBJECT_PERIODS) + 3 for t in rows)  # GVBM×12, GVCN, HT, DV
    statuses = Counter(t.status for t in rows)
    assert statuses == {TranscriptStatus.FINALIZED: len(rows) - 1,
                        TranscriptStatus.CORRECTION_REQUESTED: 1}  # fmt: skip
    [request] = requests
    assert request.status == CorrectionStatus.PENDING
    corrected = next(t for t in rows if t.status == TranscriptStatus.CORRECTION_REQUESTED)
    assert request.transcript_id == corrected.id
    assert corrected.student_id != demo_student  # hs.demo's downloads keep working


def test_this_years_classes_are_in_progress(seeded: Seeded) -> None:
    progress = {(c.school_year, c.class_name): dict(c.statuses) for c in seeded.summary.classes}
    assert set(progress) == {(year, name) for year, name, _ in CLASSES}
    this_year = {status for (year, _), s in progress.items() if year == "2026-2027" for status in s}
    assert {
        TranscriptStatus.DRAFT,
        TranscriptStatus.SUBJECT_SIGNED,
        TranscriptStatus.HOMEROOM_SIGNED,
        TranscriptStatus.PRINCIPAL_SIGNED,
    } <= this_year
    # 6A2's transcripts wait for academic affairs to build them; every other class has all.
    assert progress[UNBUILT] == {}
    assert all(
        sum(dict(c.statuses).values()) == c.students
        for c in seeded.summary.classes
        if (c.school_year, c.class_name) != UNBUILT
    )


@pytest.mark.parametrize(
    ("login", "action", "step", "class_name", "subject"),
    [
        ("gvbm.toan", "sign", "subject", "6A1", "TOAN"),
        ("hocvu", "build_transcripts", None, "6A2", None),
        ("admin", "carry_out_window", "hk1", None, None),
        ("gvcn.6a1", "sign", "homeroom", "6A1", None),
        ("hieutruong", "sign", "principal", "7A1", None),
        ("vanthu", "sign", "school", "7A1", None),
        ("so.gddt", "review_correction", None, "6A1", None),
    ],
)
def test_every_role_has_work_in_its_queue(
    seeded: Seeded, login: str, action: str, step: str | None, class_name: str | None,
    subject: str | None,
) -> None:  # fmt: skip
    with Session(seeded.engine) as session:
        items = task_queue(session, person_id=seeded.person(login), now=NOW)
    found = {(i.action, i.step, i.class_name, i.subject_code) for i in items if i.count > 0}
    assert (action, step, class_name, subject) in found


def test_the_audit_chain_verifies_and_nothing_is_dated_after_now(seeded: Seeded) -> None:
    with Session(seeded.engine) as session:
        report = verify_audit_chain(session)
        times = session.exec(select(AuditEvent.occurred_at).order_by(col(AuditEvent.seq))).all()
        signed = session.exec(select(TranscriptSignature.signed_at)).all()
    assert report.ok, report.first_break
    assert report.entries == len(times) > 0
    assert all(t <= NOW for t in [*times, *signed])
    assert times == sorted(times)  # the log reads in the order things happened


def _mark(text: str | None) -> Decimal:
    assert text is not None
    mark = Decimal(text)
    assert 0 <= mark <= 10 and mark == mark.quantize(Decimal("0.1"))
    return mark


def test_the_tracking_book_holds_every_students_circular_22_assessments(seeded: Seeded) -> None:
    with Session(seeded.engine) as session:
        lines = session.exec(select(ScoreLine)).all()
        records = session.exec(select(HomeroomRecord)).all()
        enrolled = session.exec(select(Enrollment.student_id, Enrollment.class_id)).all()
    sheets = [(sid, cid, code, sem) for sid, cid in enrolled for code in SUBJECT_PERIODS
              for sem in (1, 2)]  # fmt: skip
    keys = [(x.student_id, x.class_id, x.subject_code, x.semester) for x in lines]
    assert sorted(keys) == sorted(sheets)  # one line per student, subject and semester
    for line in lines:
        count = regular_assessment_count(SUBJECT_PERIODS[line.subject_code])
        if CATALOGUE[line.subject_code].kind is SubjectKind.SCORE:
            assert len(line.regular) == count and line.comment_results == []
            for text in [*line.regular, line.midterm, line.final]:
                _mark(text)
        else:
            assert line.regular == [] and line.midterm is None and line.final is None
            assert len(line.comment_results) == count + 2
            assert set(line.comment_results) <= {"D", "CD"}
    homeroom = sorted((r.student_id, r.class_id, r.semester) for r in records)
    assert homeroom == sorted((sid, cid, sem) for sid, cid in enrolled for sem in (1, 2))
    assert all(r.conduct in {"T", "K", "D", "CD"} for r in records)
    assert all(r.absences is not None and r.absences >= 0 for r in records)


def test_entry_was_opened_the_req_18_way_and_made_by_the_teachers_on_duty(seeded: Seeded) -> None:
    with Session(seeded.engine) as session:
        windows = session.exec(select(EntryWindow)).all()
        lines = session.exec(
            select(ScoreLine.class_id, ScoreLine.subject_code, ScoreLine.updated_by_id)
        ).all()
        records = session.exec(select(HomeroomRecord.class_id, HomeroomRecord.updated_by_id)).all()
        duties = session.exec(
            select(
                RoleAssignment.class_id,
                RoleAssignment.subject_code,
                RoleAssignment.role,
                RoleAssignment.person_id,
            ).where(col(RoleAssignment.class_id).is_not(None))
        ).all()
    periods = sorted((EntryPeriod(w.period).value, w.is_open) for w in windows)
    assert periods == [("hk1", True), ("hk1", True), ("hk2", True), ("hk2", True)]  # two years
    principal, admin = seeded.person("hieutruong"), seeded.person("admin")
    assert {(w.decided_by_id, w.carried_out_by_id) for w in windows} == {(principal, admin)}
    teachers = {(c, s): p for c, s, role, p in duties if role is Role.SUBJECT_TEACHER}
    homeroom = {c: p for c, _, role, p in duties if role is Role.HOMEROOM_TEACHER}
    assert all(by == teachers[c, s] for c, s, by in lines)
    assert all(by == homeroom[c] for c, by in records)


def test_every_transcript_is_built_from_the_tracking_book(seeded: Seeded) -> None:
    with Session(seeded.engine) as session:
        transcripts = session.exec(select(Transcript)).all()
        lines = {
            (x.student_id, x.class_id, x.subject_code, x.semester): x
            for x in session.exec(select(ScoreLine))
        }
        records = {
            (r.student_id, r.class_id, r.semester): r for r in session.exec(select(HomeroomRecord))
        }
        created = session.exec(
            select(AuditEvent.details).where(AuditEvent.action == "transcript.create")
        ).all()
        rewritten = session.exec(
            select(AuditEvent.seq).where(AuditEvent.action == "transcript.record_data")
        ).all()
    built = [c for c in seeded.summary.classes if (c.school_year, c.class_name) != UNBUILT]
    assert len(transcripts) == sum(c.students for c in built)
    assert len(created) == len(transcripts) and rewritten == []
    assert all(details["source"] == "tracking_book" for details in created)
    for t in transcripts:
        results = {r["Ma"]: r for r in t.data["KetQuaHocTap"]}
        assert set(results) == set(SUBJECT_PERIODS)
        for code, result in results.items():
            if result["HinhThucDanhGia"] != "DiemSo":
                assert {result["HK1"], result["HK2"], result["CaNam"]} <= {"D", "CD"}
                continue
            averages = []
            for semester in (1, 2):
                line = lines[t.student_id, t.class_id, code, semester]
                averages.append(
                    semester_average(
                        regular=[_mark(m) for m in line.regular],
                        midterm=_mark(line.midterm),
                        final=_mark(line.final),
                    )
                )
            assert [_mark(result["HK1"]), _mark(result["HK2"])] == averages
            assert _mark(result["CaNam"]) == year_average(hk1=averages[0], hk2=averages[1])
        semesters = [records[t.student_id, t.class_id, semester] for semester in (1, 2)]
        summary = t.data["TongHop"]
        assert [summary["RenLuyen"]["HK1"], summary["RenLuyen"]["HK2"]] == [
            r.conduct for r in semesters
        ]
        assert summary["SoBuoiNghi"] == sum(r.absences or 0 for r in semesters)


def test_seeding_again_changes_nothing_and_returns_the_same_summary(seeded: Seeded) -> None:
    before = row_counts(seeded.engine)
    with Session(seeded.engine) as session:
        head = verify_audit_chain(session).entries
    later: datetime = vn(2027, 1, 5, 8, 0)
    again = seed_demo(seeded.engine, now=later, pki=demo_pki())
    assert again == seeded.summary
    assert seeded.summary.created and not again.created
    assert row_counts(seeded.engine) == before
    with Session(seeded.engine) as session:
        assert verify_audit_chain(session).entries == head


class _FixedClock:
    def now(self) -> datetime:
        return NOW


def test_the_demo_seed_command_prints_every_login_and_the_password(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(api, "SystemClock", _FixedClock)
    url = seeded.engine.url.render_as_string(hide_password=False)
    # The command also creates the demo PKI under the data directory: keep it out of var/.
    env = {"HOCBA_DATABASE_URL": url, "HOCBA_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(cli.main, ["demo", "seed"], env=env)
    assert result.exit_code == 0, result.output
    assert f"Demo PKI in {tmp_path / 'pki'}" in result.output
    assert (tmp_path / "pki" / "root-ca.pem").exists()
    assert "already present, unchanged" in result.output
    assert "hocba-demo" in result.output
    printed = {line.split()[0] for line in result.output.splitlines() if line.startswith("  ")}
    assert printed >= set(CONTRACT_LOGINS)
