"""The demo school as data: its name, subjects, staff with their duties, and name pools.

Everything here is fixed; what varies (students, scores) is drawn from a seeded generator in
``workflow._demo_records``. contracts.md ("Demo data") names the logins others rely on.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import StrEnum

from domain.model import Role

SCHOOL_CODE = "79000701"
SCHOOL_NAME = "Trường THCS, THPT Phan Châu Trinh"
SCHOOL_LEVEL = "THCS"
DEPARTMENT_CODE = "79"
CITY = "Thành phố Hồ Chí Minh"
DEMO_PASSWORD = "hocba-demo"  # noqa: S105  (public by design: contracts.md prints it)
"""The password of every demo login."""

SEED = 20240624
"""Seed of the name and score generator (the date of the school's regulation, 15/QĐ-PCT)."""


class YearRef(StrEnum):
    """Which of the two demo years a duty or class belongs to."""

    PREVIOUS = "previous"
    CURRENT = "current"


SUBJECTS: tuple[tuple[str, int], ...] = (
    ("TOAN", 140),
    ("NGUVAN", 140),
    ("NGOAINGU1", 105),
    ("GDCD", 35),
    ("LSDL", 105),
    ("KHTN", 140),
    ("CONGNGHE", 35),
    ("TINHOC", 35),
    ("GDTC", 70),
    ("NGHETHUAT", 70),
    ("HDTNHN", 105),
    ("GDDP", 35),
)
"""The grade 6–7 subjects of the 2018 curriculum (Circular 22) and their periods per year."""

SUBJECT_CODES: tuple[str, ...] = tuple(code for code, _ in SUBJECTS)

CLASS_SIZES: dict[tuple[YearRef, str], int] = {
    (YearRef.PREVIOUS, "6A1"): 10,
    (YearRef.CURRENT, "6A1"): 9,
    (YearRef.CURRENT, "6A2"): 8,
    (YearRef.CURRENT, "7A1"): 10,
}
"""The classes of each year and how many students each has (insertion order is creation order)."""

PROMOTED_CLASS = (YearRef.PREVIOUS, "6A1")
"""Last year's 6A1 moved up: its students are this year's 7A1 (``hs.demo`` among them)."""
PROMOTED_TO = (YearRef.CURRENT, "7A1")


def grade_of(class_name: str) -> int:
    """The grade (khối) a class name starts with: ``7A1`` → 7, ``10A2`` → 10."""
    return int("".join(itertools.takewhile(str.isdigit, class_name)))


@dataclass(frozen=True, slots=True)
class Duty:
    """One role assignment of a demo account; an empty field covers everything below it."""

    role: Role
    year: YearRef | None = None
    class_name: str | None = None
    subject_code: str | None = None
    department_code: str | None = None


@dataclass(frozen=True, slots=True)
class Account:
    """A demo login: who it is, what the logins table says about it, and its duties."""

    username: str
    full_name: str
    role: Role
    duty_vi: str
    """What the person does, as the printed logins table says it (Vietnamese)."""
    duties: tuple[Duty, ...]


def _school_staff(role: Role) -> tuple[Duty, ...]:
    return (Duty(role, YearRef.PREVIOUS), Duty(role, YearRef.CURRENT))


def _teaching(subject: str, classes: tuple[tuple[YearRef, str], ...]) -> tuple[Duty, ...]:
    return tuple(Duty(Role.SUBJECT_TEACHER, year, name, subject) for year, name in classes)


_ALL_CLASSES = tuple(CLASS_SIZES)
# The Toán teacher of last year's 6A1 followed the class up to 7A1; gvbm.toan has the new 6s.
_TOAN_CLASSES = ((YearRef.CURRENT, "6A1"), (YearRef.CURRENT, "6A2"))
_TOAN2_CLASSES = ((YearRef.PREVIOUS, "6A1"), (YearRef.CURRENT, "7A1"))

_SUBJECT_TEACHERS: tuple[tuple[str, str, str], ...] = (
    ("NGUVAN", "Đỗ Thị Hồng Nhung", "Ngữ văn"),
    ("NGOAINGU1", "Ngô Minh Khang", "Ngoại ngữ 1 (Tiếng Anh)"),
    ("GDCD", "Dương Thị Bích Ngọc", "Giáo dục công dân"),
    ("LSDL", "Hồ Văn Lợi", "Lịch sử và Địa lí"),
    ("KHTN", "Lý Thị Phương Thảo", "Khoa học tự nhiên"),
    ("CONGNGHE", "Tạ Quang Vinh", "Công nghệ"),
    ("TINHOC", "Mai Anh Tuấn", "Tin học"),
    ("GDTC", "Châu Văn Thắng", "Giáo dục thể chất"),
    ("NGHETHUAT", "Lưu Thị Hoài An", "Nghệ thuật"),
    ("HDTNHN", "Phan Thị Tuyết Mai", "Hoạt động trải nghiệm, hướng nghiệp"),
    ("GDDP", "Cao Thị Yến Nhi", "Nội dung giáo dục của địa phương"),
)

STUDENT_LOGIN = "hs.demo"
GUARDIAN_LOGIN = "ph.demo"

ACCOUNTS: tuple[Account, ...] = (
    Account(
        "admin",
        "Lâm Quốc Việt",
        Role.ADMINISTRATOR,
        "Quản trị viên: tài khoản và phân quyền",
        (Duty(Role.ADMINISTRATOR),),
    ),
    Account(
        "hieutruong",
        "Nguyễn Thị Thanh Hương",
        Role.PRINCIPAL,
        "Hiệu trưởng",
        _school_staff(Role.PRINCIPAL),
    ),
    Account(
        "vanthu",
        "Trần Thị Mỹ Lệ",
        Role.CLERK,
        "Văn thư, giữ chứng thư số tổ chức của trường",
        _school_staff(Role.CLERK),
    ),
    Account(
        "hocvu",
        "Lê Hoàng Phúc",
        Role.ACADEMIC_AFFAIRS,
        "Học vụ",
        _school_staff(Role.ACADEMIC_AFFAIRS),
    ),
    Account(
        "gvcn.6a1",
        "Võ Thị Ngọc Diễm",
        Role.HOMEROOM_TEACHER,
        "Giáo viên chủ nhiệm lớp 6A1",
        (Duty(Role.HOMEROOM_TEACHER, YearRef.CURRENT, "6A1"),),
    ),
    Account(
        "gvbm.toan",
        "Trương Văn Hùng",
        Role.SUBJECT_TEACHER,
        "Giáo viên bộ môn Toán lớp 6A1, 6A2",
        _teaching("TOAN", _TOAN_CLASSES),
    ),
    Account(
        "so.gddt",
        "Phạm Minh Tâm",
        Role.DEPARTMENT_OFFICER,
        "Cán bộ Sở GDĐT Thành phố Hồ Chí Minh",
        (Duty(Role.DEPARTMENT_OFFICER, department_code=DEPARTMENT_CODE),),
    ),
    # The student's and guardian's names are drawn with the other students' (see _demo_records).
    Account(STUDENT_LOGIN, "", Role.STUDENT, "Học sinh lớp 7A1", (Duty(Role.STUDENT),)),
    Account(
        GUARDIAN_LOGIN,
        "",
        Role.GUARDIAN,
        "Phụ huynh (mẹ) của học sinh hs.demo",
        (Duty(Role.GUARDIAN),),
    ),
    Account(
        "gvcn.6a2",
        "Huỳnh Thanh Tùng",
        Role.HOMEROOM_TEACHER,
        "Giáo viên chủ nhiệm lớp 6A2",
        (Duty(Role.HOMEROOM_TEACHER, YearRef.CURRENT, "6A2"),),
    ),
    Account(
        "gvcn.7a1",
        "Đặng Thị Kim Oanh",
        Role.HOMEROOM_TEACHER,
        "Giáo viên chủ nhiệm lớp 7A1 (năm trước: 6A1)",
        (
            Duty(Role.HOMEROOM_TEACHER, YearRef.PREVIOUS, "6A1"),
            Duty(Role.HOMEROOM_TEACHER, YearRef.CURRENT, "7A1"),
        ),
    ),
    Account(
        "gvbm.toan2",
        "Bùi Thị Thu Trang",
        Role.SUBJECT_TEACHER,
        "Giáo viên bộ môn Toán lớp 7A1 (năm trước: 6A1)",
        _teaching("TOAN", _TOAN2_CLASSES),
    ),
    *(
        Account(
            f"gvbm.{code.lower()}",
            name,
            Role.SUBJECT_TEACHER,
            f"Giáo viên bộ môn {subject} lớp 6A1, 6A2, 7A1",
            _teaching(code, _ALL_CLASSES),
        )
        for code, name, subject in _SUBJECT_TEACHERS
    ),
)
"""Every demo login: the contracts.md ones first, then the further teachers."""

CONTRACT_LOGINS: tuple[str, ...] = (
    "admin",
    "hieutruong",
    "vanthu",
    "hocvu",
    "gvcn.6a1",
    "gvbm.toan",
    "so.gddt",
    STUDENT_LOGIN,
    GUARDIAN_LOGIN,
)
"""The logins contracts.md promises."""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Name pools (Southern spellings: Huỳnh, Võ). Surnames are weighted by how common they are.
SURNAMES: tuple[tuple[str, int], ...] = (
    ("Nguyễn", 30),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Huỳnh", 5),
    ("Võ", 4),
    ("Phan", 4),
    ("Trương", 3),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 2),
    ("Lý", 1),
    ("Lâm", 1),
)
MIDDLE_NAMES = {
    "Nam": _words("Văn Minh Quốc Gia Hoàng Đức Anh Thành Nhật Bảo"),
    "Nữ": _words("Thị Ngọc Thu Khánh Bảo Phương Minh Thanh Gia Mỹ"),
}
GIVEN_NAMES = {
    "Nam": _words(
        "An Bảo Khang Khoa Huy Phúc Nam Minh Quân Long Đạt Tài Thịnh Hiếu Duy Kiệt Vinh Tín "
        "Nhân Trí"
    ),
    "Nữ": _words(
        "Anh Châu Linh Ngân Nhi Thư Vy Trâm Hân My Như Quỳnh Trang Uyên Yến Hà Hương Mai Tiên Thảo"
    ),
}
PARENT_GIVEN_NAMES = {
    "Nam": _words("Hải Dũng Thanh Tuấn Sơn Phong Cường Hòa Lộc Tâm"),
    "Nữ": _words("Lan Hạnh Thủy Loan Dung Phượng Hằng Nga Hồng Diệp"),
}
"""Pools keyed by GioiTinh as printed (``Nam`` / ``Nữ``)."""


# --- Registered phone numbers (REQ-33, lost files) ---------------------------------------------
# Fictitious numbers for the demo's own accounts, so the lost-files page can be tried. The seed
# sets them on the accounts: ``Person(..., phone=DEMO_PHONES.get(account.username))``.
DEMO_PHONES: dict[str, str] = {STUDENT_LOGIN: "0901234567", GUARDIAN_LOGIN: "0912345678"}
