"""A second school next to the demo one, for the transfer pages: school B of another
Department (so the demo's own lists do not change), its 2027-2028 class 6B1 and its academic
affairs officer ``hocvu.b`` (the demo password)."""

from __future__ import annotations

from datetime import date
from functools import cache

from sqlmodel import Session, col, select

from domain.model import (
    Enrollment,
    Person,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolYear,
    Student,
)
from tests.browser.site import CURRENT, DemoSite
from tests.support.clock import vn
from workflow import DEMO_PASSWORD, hash_password

OFFICER = "hocvu.b"
SCHOOL_NAME = "Trường THCS Bên Kia"


@cache
def receiving_school(site: DemoSite) -> int:
    """School B's class 6B1 of 2027-2028 (created once per demo site); its id."""
    with Session(site.engine) as session:
        school = School(code="80000002", name=SCHOOL_NAME, department_code="80")
        year = SchoolYear(
            department_code="80",
            name="2027-2028",
            starts_on=date(2027, 9, 1),
            ends_on=date(2028, 5, 31),
            main_lock_at=vn(2028, 6, 30, 23, 59, 59),
            supplementary_lock_at=vn(2028, 8, 15, 23, 59, 59),
        )
        officer = Person(
            username=OFFICER,
            full_name="Đỗ Thị Tiếp",
            password_hash=hash_password(DEMO_PASSWORD),
        )
        session.add_all([school, year, officer])
        session.flush()
        assert school.id is not None and year.id is not None and officer.id is not None
        klass = SchoolClass(school_id=school.id, school_year_id=year.id, name="6B1", grade=6)
        session.add(klass)
        session.add(
            RoleAssignment(
                person_id=officer.id,
                role=Role.ACADEMIC_AFFAIRS,
                school_id=school.id,
                valid_from=vn(2026, 9, 1),
            )
        )
        session.commit()
        assert klass.id is not None
        return klass.id


def moving_student(site: DemoSite) -> tuple[str, str]:
    """The first student of this year's 6A2 at the demo school: (personal ID, full name)."""
    with Session(site.engine) as session:
        found = session.exec(
            select(Student.personal_id, Student.full_name)
            .join(Enrollment, col(Enrollment.student_id) == Student.id)
            .join(SchoolClass, col(SchoolClass.id) == Enrollment.class_id)
            .join(SchoolYear, col(SchoolYear.id) == SchoolClass.school_year_id)
            .where(SchoolYear.name == CURRENT, SchoolClass.name == "6A2")
            .order_by(col(Student.id))
        ).first()
        assert found is not None
        return found
