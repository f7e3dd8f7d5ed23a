"""Two schools of one Department for transfer tests: the test school's 6A1 with its year
entered, and school B (class 6B1) with its academic affairs officer ``hocvu.b``."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.model import (
    ClassSubject,
    Person,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolYear,
)
from tests.support.clock import vn
from tests.support.signing import record_birthplaces, register_personal_ids
from tests.support.world import YEAR_START, World
from tests.support.year_end import enter_homeroom, saved_scene
from workflow import HomeroomEntry

MID_YEAR = vn(2025, 2, 10, 9, 0)
SIGNED = vn(2025, 2, 11, 10, 0)
INHERITED = vn(2025, 2, 12, 8, 0)
AN = "079212000101"
"""Nguyễn Văn An of 6A1, who moves."""
RECEIVING = "79000002"


def own_world(engine: Engine) -> World:
    """The "entered" scene's world, copied: the saved scene is shared by later tests."""
    world = saved_scene(engine, "entered").world
    return replace(world, people=dict(world.people), class_ids=dict(world.class_ids))


def second_school(world: World) -> int:
    """School B of the same Department and year, class 6B1, and its academic affairs."""
    with Session(world.engine) as session:
        school = School(code=RECEIVING, name="Trường THCS Bên Kia", department_code="79")
        session.add(school)
        session.flush()
        assert school.id is not None
        klass = SchoolClass(school_id=school.id, school_year_id=world.year_id, name="6B1", grade=6)
        officer = Person(username="hocvu.b", full_name="Đỗ Thị Tiếp")
        session.add_all([klass, officer])
        session.flush()
        assert klass.id is not None and officer.id is not None
        session.add(
            RoleAssignment(
                person_id=officer.id,
                role=Role.ACADEMIC_AFFAIRS,
                school_id=school.id,
                school_year_id=world.year_id,
                valid_from=YEAR_START,
            )
        )
        session.commit()
        world.people["hocvu.b"] = officer.id
        world.class_ids["6B1"] = klass.id
        return klass.id


def transfer_world(engine: Engine) -> World:
    """Both schools, staff able to sign, and An's semester I homeroom comment written."""
    world = own_world(engine)
    register_personal_ids(world)
    record_birthplaces(world)
    second_school(world)
    an = world.student_ids[0]
    enter_homeroom(world, 1, [HomeroomEntry(an, "T", 2, "Chăm ngoan, tiến bộ.")])
    return world


NEW_YEAR_STARTS = date(2025, 9, 5)
ASKED = vn(2025, 8, 20, 9, 0)
"""Before the new year: the receiving school asks."""
DECIDED = vn(2025, 8, 22, 9, 0)
"""The leaving school decides."""
STARTED = vn(2025, 9, 8, 9, 0)
"""The new year has started."""


def new_year_school(world: World) -> int:
    """School B with its 2025-2026 year's class 7B1 (Toán) and its academic affairs officer
    ``hocvu.b`` (every year); returns the class's id."""
    with Session(world.engine) as session:
        year = SchoolYear(
            department_code="79",
            name="2025-2026",
            starts_on=NEW_YEAR_STARTS,
            ends_on=date(2026, 5, 31),
            main_lock_at=vn(2026, 6, 30, 23, 59, 59),
            supplementary_lock_at=vn(2026, 8, 15, 23, 59, 59),
        )
        school = School(code=RECEIVING, name="Trường THCS Bên Kia", department_code="79")
        officer = Person(username="hocvu.b", full_name="Đỗ Thị Tiếp")
        session.add_all([year, school, officer])
        session.flush()
        assert year.id is not None and school.id is not None and officer.id is not None
        klass = SchoolClass(school_id=school.id, school_year_id=year.id, name="7B1", grade=7)
        session.add(klass)
        session.flush()
        assert klass.id is not None
        session.add(ClassSubject(class_id=klass.id, subject_code="TOAN", periods_per_year=140))
        session.add(
            RoleAssignment(
                person_id=officer.id,
                role=Role.ACADEMIC_AFFAIRS,
                school_id=school.id,
                valid_from=YEAR_START,
            )
        )
        session.commit()
        world.people["hocvu.b"] = officer.id
        world.class_ids["7B1"] = klass.id
        return klass.id
