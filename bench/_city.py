"""A city-sized PostgreSQL database for the load benchmarks, generated once with COPY.

``ensure_city(url, shape)`` creates the database if needed, applies the project's Alembic
migrations, and fills it unless a marker row says it already holds a city of the same shape.
The default shape is 500 schools × 2,040 transcripts (three school years, 17 classes of 40
students a year) = 1,020,000 transcripts; smaller ones come from ``CityShape`` arguments.

What it holds, per school: a principal, a clerk, an academic-affairs officer and five subject
teachers per subject (each teaches one subject in four classes; one of a class's teachers is
also its homeroom teacher), all with logins sharing one argon2 hash of :data:`PASSWORD`; per
school year the classes, their twelve subjects and every role assignment; per class 40
students (the same students move up a grade each year) and their annual transcripts.

Status mix at :data:`NOW` (20 May of the current year, before the lock date): the two earlier
years finalized (a few superseded by a second version, a few awaiting a correction decision at
the Department); the current year signed class by class — a class's transcripts share a stage
(draft with some subjects already signed, subject-signed, homeroom-signed, principal-signed,
stamped), with a few stragglers one step behind. Live signature rows exist for the current
year (every slot a status implies); the earlier years' signatures are not generated (they are
never read by the measured queries, and would be ten million more rows).

Besides the bulk rows, ``signing_classes`` classes (one per school, in the first schools) are
fully formed for signing: each student's ``Transcript.data`` is the complete DLHocBa content
(the shape ``workflow._transcript_build_data`` produces), all in draft with nothing signed,
and each class × subject has its own teacher with a personal ID, so a client can sign it with
a certificate naming that ID. ``reset_signing_classes`` puts them back to that state.
"""

from __future__ import annotations

import io
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from domain.model import personal_id_index, seal_json, seal_text
from workflow import create_database_engine
from workflow._migrations import upgrade
from workflow._passwords import hash_password

NOW = datetime(2025, 5, 20, 2, 0, tzinfo=UTC)
"""The instant the benchmark runs at: the current year's May, before the lock date."""
PASSWORD = "hocba-bench"
DEPARTMENT = "79"
CLASS_SIZE = 40
SUBJECTS: tuple[tuple[str, str, bool], ...] = (
    ("TOAN", "Toán", False),
    ("NGUVAN", "Ngữ văn", False),
    ("NGOAINGU1", "Ngoại ngữ 1", False),
    ("GDCD", "Giáo dục công dân", False),
    ("LSDL", "Lịch sử và Địa lí", False),
    ("KHTN", "Khoa học tự nhiên", False),
    ("CONGNGHE", "Công nghệ", False),
    ("TINHOC", "Tin học", False),
    ("GDTC", "Giáo dục thể chất", True),
    ("NGHETHUAT", "Nghệ thuật", True),
    ("HDTNHN", "Hoạt động trải nghiệm, hướng nghiệp", True),
    ("GDDP", "Nội dung giáo dục của địa phương", True),
)
"""The twelve subjects of a lower-secondary class: code, name, assessed by comment."""
CLASSES_PER_TEACHER = 4
SIGNING_CLASS = "9S1"
"""The name of the fully formed class of a school (one per school, the first schools)."""

_STAGES = (
    "draft",
    "subject_signed",
    "homeroom_signed",
    "principal_signed",
    "school_stamped",
)
# Where a class of the current year stands in May: most still collect subject signatures.
_STAGE_WEIGHTS = (55, 15, 12, 10, 8)
_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng")
_MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Thanh", "Quốc", "Gia", "Hoài")
_GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khoa", "Lan", "Mai", "Nam", "Phúc", "Quân")
_BATCH = 1 << 20


@dataclass(frozen=True, slots=True)
class CityShape:
    """How big a city to generate (the marker row records it)."""

    schools: int = 500
    per_school: int = 2000
    """At least this many transcripts per school over all the years."""
    years: int = 3
    signing_classes: int = 50
    """Fully formed classes (one per school) the signing round uses."""
    seed: int = 7

    @property
    def classes_per_year(self) -> int:
        """Classes of a school in one year."""
        return max(1, round(self.per_school / self.years / CLASS_SIZE))

    @property
    def class_size(self) -> int:
        """Students per class: enough to reach ``per_school``."""
        return -(-self.per_school // (self.years * self.classes_per_year))


@dataclass(frozen=True, slots=True)
class City:
    """What a benchmark needs to know about a generated city."""

    url: str
    shape: CityShape
    seconds: float
    """How long the generation took (0 when an existing city was reused)."""
    transcripts: int
    current_year_id: int


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _null(value: object) -> str:
    return "\\N" if value is None else str(value)


class _Copier:
    """Buffers tab-separated lines and streams them to one table with COPY."""

    def __init__(self, cursor: psycopg.Cursor[Any], table: str, columns: tuple[str, ...]) -> None:
        self.cursor, self.table, self.columns = cursor, table, columns
        self.buffer = io.StringIO()
        self.rows = 0

    def add(self, *values: object) -> None:
        self.buffer.write("\t".join(_null(v) for v in values))
        self.buffer.write("\n")
        self.rows += 1
        if self.buffer.tell() > _BATCH:
            self.flush()

    def flush(self) -> None:
        data = self.buffer.getvalue()
        if not data:
            return
        with self.cursor.copy(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN") as copy:
            copy.write(data)
        self.buffer = io.StringIO()


@dataclass(frozen=True, slots=True)
class _Year:
    id: int
    name: str
    starts: datetime
    main_lock: datetime
    supplementary_lock: datetime

    @property
    def current(self) -> bool:
        return self.starts <= NOW < self.main_lock + timedelta(days=60)


def _years(count: int) -> list[_Year]:
    last = NOW.year  # the current year ends in June of NOW's year
    years = []
    for index in range(count):
        end = last - (count - 1 - index)
        years.append(
            _Year(
                id=index + 1,
                name=f"{end - 1}-{end}",
                starts=datetime(end - 1, 9, 1, tzinfo=UTC),
                # 30 June / 15 August, 23:59:59 in Vietnam.
                main_lock=datetime(end, 6, 30, 16, 59, 59, tzinfo=UTC),
                supplementary_lock=datetime(end, 8, 15, 16, 59, 59, tzinfo=UTC),
            )
        )
    return years


def _empty_data() -> str:
    # Encrypted at rest like every transcript's data; base64 needs no COPY escaping.
    return seal_text("{}", column="transcripts.data")


def signable_data(
    rng: random.Random,
    *,
    year: str,
    school_code: str,
    school_name: str,
    class_name: str,
    student: dict[str, Any],
    teachers: dict[str, str],
) -> dict[str, Any]:
    """A complete ``Transcript.data`` (DLHocBa minus the per-version ids) for one student."""
    subjects = []
    for code, name, comment in SUBJECTS:
        if comment:
            marks: dict[str, Any] = {"HK1": "D", "HK2": "D", "CaNam": "D"}
        else:
            hk1, hk2 = rng.randint(50, 100) / 10, rng.randint(50, 100) / 10
            year_mark = (hk1 + 2 * hk2) / 3
            marks = {"HK1": f"{hk1:.1f}", "HK2": f"{hk2:.1f}", "CaNam": f"{year_mark:.1f}"}
        subjects.append(
            {
                "Ma": code,
                "Ten": name,
                "HinhThucDanhGia": "NhanXet" if comment else "DiemSo",
                **marks,
                "DiemKiemTraLai": None,
                "NhanXet": "Có cố gắng, tiến bộ." if rng.random() < 0.5 else None,
                "GiaoVien": teachers[code],
            }
        )
    level = rng.choice(("T", "K", "D"))
    return {
        "TTChung": {
            "LoaiHocBa": "CaNam",
            "NamHoc": year,
            "MaSoGD": DEPARTMENT,
            "MaTruong": school_code,
            "TenTruong": school_name,
            "CapHoc": "THCS",
            "Khoi": 9,
            "Lop": class_name,
            "ThongTu": "22/2021",
        },
        "HocSinh": {
            "MaDinhDanh": student["personal_id"],
            "HoVaTen": student["full_name"],
            "NgaySinh": student["date_of_birth"].isoformat(),
            "GioiTinh": student["gender"],
            "DanToc": "Kinh",
            "QuocTich": "Việt Nam",
            "NoiSinh": "Thành phố Hồ Chí Minh",
            "HoTenCha": _name(rng),
            "HoTenMe": _name(rng),
            "HoTenNguoiGiamHo": None,
        },
        "KetQuaHocTap": subjects,
        "TongHop": {
            "HocTap": {"HK1": level, "HK2": level, "CaNam": level, "SauDanhGiaLai": None},
            "RenLuyen": {"HK1": "T", "HK2": "T", "CaNam": "T", "SauDanhGiaLai": None},
            "SoBuoiNghi": rng.randint(0, 6),
            "DuocLenLop": True,
            "DanhHieu": "Gioi" if level == "T" else None,
            "NhanXetGVCN": "Chăm ngoan, học tốt.",
            "KhenThuong": None,
        },
    }


class _Generator:
    """Writes one city; ids are assigned here so rows can reference each other."""

    def __init__(self, cursor: psycopg.Cursor[Any], shape: CityShape, password_hash: str) -> None:
        self.cur = cursor
        self.shape = shape
        self.hash = password_hash
        self.rng = random.Random(shape.seed)
        self.years = _years(shape.years)
        self.person = 0
        self.assignment = 0
        self.klass = 0
        self.signature = 0
        self.correction = 0
        self.people = _Copier(
            cursor,
            "people",
            (
                "id",
                "username",
                "full_name",
                "password_hash",
                "is_active",
                "personal_id",
                "personal_id_index",
            ),
        )
        self.grants = _Copier(
            cursor,
            "role_assignments",
            (
                "id",
                "person_id",
                "role",
                "department_code",
                "school_id",
                "school_year_id",
                "class_id",
                "subject_code",
                "valid_from",
            ),
        )
        self.classes = _Copier(
            cursor, "classes", ("id", "school_id", "school_year_id", "name", "grade")
        )
        self.class_subjects = _Copier(
            cursor, "class_subjects", ("class_id", "subject_code", "periods_per_year")
        )
        self.students = _Copier(
            cursor,
            "students",
            (
                "id",
                "personal_id",
                "personal_id_index",
                "full_name",
                "date_of_birth",
                "gender",
                "ethnicity",
                "nationality",
                "birthplace",
            ),
        )
        self.enrollments = _Copier(
            cursor, "enrollments", ("student_id", "class_id", "school_year_id", "enrolled_on")
        )
        self.transcripts = _Copier(
            cursor,
            "transcripts",
            (
                "id",
                "student_id",
                "school_id",
                "school_year_id",
                "class_id",
                "kind",
                "version",
                "status",
                "replaces_id",
                "supplementary",
                "data",
                "created_at",
                "updated_at",
                "locked_at",
                "row_version",
            ),
        )
        self.signatures = _Copier(
            cursor,
            "transcript_signatures",
            (
                "id",
                "transcript_id",
                "slot",
                "signer_id",
                "certificate_sha256",
                "certificate_subject",
                "certificate_serial",
                "signed_at",
                "signed_bytes_sha256",
            ),
        )
        self.corrections = _Copier(
            cursor,
            "correction_requests",
            ("id", "transcript_id", "requested_by_id", "reason", "details", "status", "created_at"),
        )

    def _person(self, username: str, full_name: str) -> int:
        self.person += 1
        personal_id = f"080{self.person:09d}"
        self.people.add(
            self.person,
            username,
            full_name,
            self.hash,
            "t",
            seal_text(personal_id, column="people.personal_id"),
            personal_id_index(personal_id),
        )
        return self.person

    def _grant(self, person: int, role: str, year: _Year | None, **scope: Any) -> None:
        self.assignment += 1
        self.grants.add(
            self.assignment,
            person,
            role,
            scope.get("department_code"),
            scope.get("school_id"),
            None if year is None else year.id,
            scope.get("class_id"),
            scope.get("subject_code"),
            _ts(year.starts if year else self.years[0].starts),
        )

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _sign(self, transcript_id: str, slot: str, signer: int, at: datetime) -> None:
        self.signature += 1
        self.signatures.add(
            self.signature,
            transcript_id,
            slot,
            signer,
            "0" * 64,
            seal_text("CN=bench", column="transcript_signatures.certificate_subject"),
            "1",
            _ts(at),
            "0" * 64,
        )

    def run(self) -> None:
        years = self.years
        with self.cur.copy(
            "COPY school_years (id, department_code, name, starts_on, ends_on, main_lock_at,"
            " supplementary_lock_at) FROM STDIN"
        ) as copy:
            for y in years:
                copy.write_row(
                    (
                        y.id,
                        DEPARTMENT,
                        y.name,
                        y.starts.date(),
                        date(y.starts.year + 1, 5, 31),
                        y.main_lock.replace(tzinfo=None),
                        y.supplementary_lock.replace(tzinfo=None),
                    )
                )
        with self.cur.copy(
            "COPY schools (id, code, name, department_code, level) FROM STDIN"
        ) as copy:
            for s in range(1, self.shape.schools + 1):
                copy.write_row((s, f"79{s:06d}", f"Trường THCS Số {s}", DEPARTMENT, "THCS"))
        for officer in range(1, 6):
            pid = self._person(f"so.gddt.{officer}", f"Cán bộ Sở {officer}")
            self._grant(pid, "department_officer", None, department_code=DEPARTMENT)
        student = 0
        for s in range(1, self.shape.schools + 1):
            student = self._school(s, student)
        for copier in (
            self.people,
            self.grants,
            self.classes,
            self.class_subjects,
            self.students,
            self.enrollments,
            self.transcripts,
            self.signatures,
            self.corrections,
        ):
            copier.flush()

    def _school(self, s: int, student: int) -> int:
        shape, rng = self.shape, self.rng
        per_year, size = shape.classes_per_year, shape.class_size
        principal = self._person(f"s{s}.hieutruong", f"Hiệu trưởng {s}")
        clerk = self._person(f"s{s}.vanthu", f"Văn thư {s}")
        affairs = self._person(f"s{s}.hocvu", f"Học vụ {s}")
        teachers = -(-per_year // CLASSES_PER_TEACHER)
        staff = {
            (code, t): self._person(f"s{s}.gv.{code.lower()}.{t + 1}", _name(rng))
            for code, _, _ in SUBJECTS
            for t in range(teachers)
        }
        first_student = student + 1
        student += per_year * size
        for offset in range(per_year * size):
            sid = first_student + offset
            self.students.add(
                sid,
                seal_text(f"079{sid:09d}", column="students.personal_id"),
                personal_id_index(f"079{sid:09d}"),
                _name(rng),
                date(2010 + offset % 4, 1 + offset % 12, 1 + offset % 28).isoformat(),
                "Nam" if offset % 2 else "Nữ",
                "Kinh",
                "Việt Nam",
                seal_text("Thành phố Hồ Chí Minh", column="students.birthplace"),
            )
        for year in self.years:
            for person, role in ((principal, "principal"), (clerk, "clerk")):
                self._grant(person, role, year, school_id=s)
            self._grant(affairs, "academic_affairs", year, school_id=s)
            for c in range(per_year):
                self._class(
                    s,
                    year=year,
                    c=c,
                    staff=staff,
                    principal=principal,
                    first_student=first_student + c * size,
                    size=size,
                )
        if s <= self.shape.signing_classes:
            student = self._signing_class(s, student, principal)
        return student

    def _class(
        self,
        s: int,
        *,
        year: _Year,
        c: int,
        staff: dict[tuple[str, int], int],
        principal: int,
        first_student: int,
        size: int,
    ) -> None:
        rng = self.rng
        self.klass += 1
        class_id = self.klass
        grade = 6 + (c + year.id) % 4
        self.classes.add(class_id, s, year.id, f"{grade}A{c + 1}", grade)
        group = c // CLASSES_PER_TEACHER
        for code, _, _ in SUBJECTS:
            self.class_subjects.add(class_id, code, 105)
            self._grant(
                staff[code, group],
                "subject_teacher",
                year,
                school_id=s,
                class_id=class_id,
                subject_code=code,
            )
        homeroom = staff[SUBJECTS[c % len(SUBJECTS)][0], group]
        self._grant(homeroom, "homeroom_teacher", year, school_id=s, class_id=class_id)
        if year.current:
            stage = rng.choices(range(len(_STAGES)), weights=_STAGE_WEIGHTS)[0]
            signed_subjects = [code for code, _, _ in SUBJECTS if rng.random() < 0.5]
        for seat in range(size):
            sid = first_student + seat
            self.enrollments.add(sid, class_id, year.id, year.starts.date().isoformat())
            tid = self._uuid()
            created = _ts(year.starts + timedelta(days=200))
            if not year.current:
                self._past(
                    tid,
                    sid=sid,
                    s=s,
                    year=year,
                    class_id=class_id,
                    created=created,
                    principal=principal,
                )
                continue
            level = stage - 1 if stage and rng.random() < 0.05 else stage
            status = _STAGES[level]
            self.transcripts.add(
                tid, sid, s, year.id, class_id, "CaNam", 1, status, None, "f", _empty_data(),
                created, created, None, 1 + level,
            )  # fmt: skip
            at = NOW - timedelta(days=10)
            codes = signed_subjects if level == 0 else [code for code, _, _ in SUBJECTS]
            for code in codes:
                self._sign(tid, f"GVBM:{code}", staff[code, c // CLASSES_PER_TEACHER], at)
            for slot, needed in (("GVCN", 2), ("HieuTruong", 3), ("DonVi", 4)):
                if level >= needed:
                    self._sign(tid, slot, principal if slot != "GVCN" else homeroom, at)

    def _past(
        self,
        tid: str,
        *,
        sid: int,
        s: int,
        year: _Year,
        class_id: int,
        created: str,
        principal: int,
    ) -> None:
        rng = self.rng
        locked = _ts(year.main_lock)
        draw = rng.random()
        if draw < 0.005:
            # Revoked and re-issued: version 1 superseded, version 2 finalized.
            self.transcripts.add(
                tid, sid, s, year.id, class_id, "CaNam", 1, "superseded", None, "f", _empty_data(),
                created, locked, locked, 7,
            )  # fmt: skip
            self.transcripts.add(
                self._uuid(), sid, s, year.id, class_id, "CaNam", 2, "finalized", tid, "f",
                _empty_data(), created, locked, locked, 7,
            )  # fmt: skip
            return
        status = "correction_requested" if draw < 0.006 else "finalized"
        self.transcripts.add(
            tid, sid, s, year.id, class_id, "CaNam", 1, status, None, "f", _empty_data(),
            created, locked, locked, 6,
        )  # fmt: skip
        if status == "correction_requested":
            self.correction += 1
            self.corrections.add(
                self.correction,
                tid,
                principal,
                "Sai điểm môn Toán",
                "",
                "pending",
                _ts(year.main_lock + timedelta(days=90)),
            )

    def _signing_class(self, s: int, student: int, principal: int) -> int:
        rng = self.rng
        year = self.years[-1]
        self.klass += 1
        class_id = self.klass
        self.classes.add(class_id, s, year.id, SIGNING_CLASS, 9)
        names: dict[str, str] = {}
        for code, _, _ in SUBJECTS:
            self.class_subjects.add(class_id, code, 105)
            teacher_name = _name(rng)
            names[code] = teacher_name
            teacher = self._person(f"s{s}.ky.{code.lower()}", teacher_name)
            self._grant(
                teacher,
                "subject_teacher",
                year,
                school_id=s,
                class_id=class_id,
                subject_code=code,
            )
        homeroom = self._person(f"s{s}.ky.gvcn", _name(rng))
        self._grant(homeroom, "homeroom_teacher", year, school_id=s, class_id=class_id)
        created = _ts(NOW - timedelta(days=5))
        for _ in range(CLASS_SIZE):
            student += 1
            record: dict[str, Any] = {
                "personal_id": f"079{student:09d}",
                "full_name": _name(rng),
                "date_of_birth": date(2010, 1 + student % 12, 1 + student % 28),
                "gender": "Nam" if student % 2 else "Nữ",
            }
            self.students.add(
                student,
                seal_text(record["personal_id"], column="students.personal_id"),
                personal_id_index(record["personal_id"]),
                record["full_name"],
                record["date_of_birth"].isoformat(),
                record["gender"],
                "Kinh",
                "Việt Nam",
                seal_text("Thành phố Hồ Chí Minh", column="students.birthplace"),
            )
            self.enrollments.add(student, class_id, year.id, year.starts.date().isoformat())
            data = signable_data(
                rng,
                year=year.name,
                school_code=f"79{s:06d}",
                school_name=f"Trường THCS Số {s}",
                class_name=SIGNING_CLASS,
                student=record,
                teachers=names,
            )
            self.transcripts.add(
                self._uuid(), student, s, year.id, class_id, "CaNam", 1, "draft", None, "f",
                seal_json(data, column="transcripts.data"), created, created, None, 1,
            )  # fmt: skip
        return student


_SEQUENCES = (
    "people",
    "role_assignments",
    "classes",
    "students",
    "enrollments",
    "transcript_signatures",
    "correction_requests",
    "schools",
    "school_years",
)


def _marker(shape: CityShape) -> str:
    return ",".join(f"{k}={v}" for k, v in asdict(shape).items())


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _create_database(url: str) -> None:
    parsed = make_url(url)
    admin = _dsn(parsed.set(database="postgres").render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{parsed.database}"')


def _drop_database(url: str) -> None:
    parsed = make_url(url)
    admin = _dsn(parsed.set(database="postgres").render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def _built(url: str) -> str | None:
    with psycopg.connect(_dsn(url)) as connection:
        row = connection.execute("SELECT to_regclass('bench_city') IS NOT NULL").fetchone()
        if not row or not row[0]:
            return None
        marker = connection.execute("SELECT shape FROM bench_city").fetchone()
        return None if marker is None else str(marker[0])


def ensure_city(url: str, shape: CityShape, *, log: Any = print) -> City:
    """The city of ``shape`` at ``url`` (a PostgreSQL database), generated unless present.

    Another shape in the database is dropped with it and replaced. The schema is always
    brought to the migrations' head (a new index lands on an existing city).
    """
    _create_database(url)
    seconds = 0.0
    if _built(url) != _marker(shape):
        if _built(url) is not None or _has_tables(url):
            _drop_database(url)
            _create_database(url)
        started = time.perf_counter()
        engine = create_database_engine(url)
        upgrade(engine)
        engine.dispose()
        log(f"generating {shape} into {make_url(url).database} …")
        password_hash = hash_password(PASSWORD)
        with psycopg.connect(_dsn(url)) as connection, connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            # The tables fill in parallel batches, so a row may precede the one it references;
            # the generator keeps the references right (foreign keys are checked by tests).
            cursor.execute("SET session_replication_role = replica")
            generator = _Generator(cursor, shape, password_hash)
            generator.run()
            for table in _SEQUENCES:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            cursor.execute("CREATE TABLE bench_city (shape text NOT NULL, seconds real NOT NULL)")
            connection.commit()
            log(f"  rows written in {time.perf_counter() - started:.1f} s; analysing …")
            connection.autocommit = True
            cursor.execute("VACUUM ANALYZE")
            seconds = time.perf_counter() - started
            cursor.execute(
                "INSERT INTO bench_city (shape, seconds) VALUES (%s, %s)",
                (_marker(shape), seconds),
            )
        log(f"  generated in {seconds:.1f} s")
    else:
        engine = create_database_engine(url)
        upgrade(engine)
        engine.dispose()
    with psycopg.connect(_dsn(url)) as connection:
        count = connection.execute("SELECT count(*) FROM transcripts").fetchone()
        current = connection.execute("SELECT max(id) FROM school_years").fetchone()
        assert count is not None and current is not None
    return City(url, shape, seconds, int(count[0]), int(current[0]))


def _has_tables(url: str) -> bool:
    with psycopg.connect(_dsn(url)) as connection:
        row = connection.execute("SELECT to_regclass('transcripts') IS NOT NULL").fetchone()
        return bool(row and row[0])


def signing_class_ids(engine: sa.Engine) -> list[int]:
    """The fully formed classes, in school order."""
    with engine.connect() as c:
        return list(
            c.execute(
                sa.text("SELECT id FROM classes WHERE name = :name ORDER BY school_id"),
                {"name": SIGNING_CLASS},
            ).scalars()
        )


def reset_signing_classes(engine: sa.Engine) -> None:
    """Put the fully formed classes back in draft with nothing signed (a benchmark fixture's
    reset, so every run signs the same work; the application never does this)."""
    with engine.begin() as c:
        scope = (
            "SELECT t.id FROM transcripts t JOIN classes c ON c.id = t.class_id WHERE c.name = :n"
        )
        c.execute(
            sa.text(f"DELETE FROM transcript_signatures WHERE transcript_id IN ({scope})"),
            {"n": SIGNING_CLASS},
        )
        c.execute(
            sa.text(f"DELETE FROM signing_session_items WHERE transcript_id IN ({scope})"),
            {"n": SIGNING_CLASS},
        )
        c.execute(
            sa.text(
                "UPDATE transcripts SET status = 'draft', xml_sha256 = NULL, pdf_sha256 = NULL "
                f"WHERE id IN ({scope})"
            ),
            {"n": SIGNING_CLASS},
        )


def people_by_prefix(engine: sa.Engine, pattern: str, limit: int) -> list[tuple[int, str]]:
    """(id, username) of up to ``limit`` people whose username matches ``pattern`` (LIKE)."""
    with engine.connect() as c:
        return [
            (int(r[0]), str(r[1]))
            for r in c.execute(
                sa.text(
                    "SELECT id, username FROM people WHERE username LIKE :p ORDER BY id LIMIT :n"
                ),
                {"p": pattern, "n": limit},
            )
        ]


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in consecutive lists of ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
