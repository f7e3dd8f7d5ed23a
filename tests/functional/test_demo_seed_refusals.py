"""The demo seed refuses, and writes nothing, when it cannot make a complete demo."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.model import AuditEvent, Person, School
from tests.support.clock import vn
from tests.support.demo_pki import demo_pki
from workflow import DemoConflictError, DemoIncompleteError, InvalidInputError, seed_demo

NOW = vn(2026, 11, 29, 9, 0)


def test_a_database_with_a_demo_username_taken_is_left_alone(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(Person(username="hieutruong", full_name="Trần Văn Khác"))
        session.commit()
    with pytest.raises(DemoConflictError) as refused:
        seed_demo(engine, now=NOW, pki=demo_pki())
    assert refused.value.usernames == ["hieutruong"]
    with Session(engine) as session:
        assert session.exec(select(School)).all() == []
        assert session.exec(select(AuditEvent)).all() == []


def test_a_demo_school_left_half_seeded_is_reported_not_reseeded(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(School(code="79000701", name="Trường THCS, THPT Phan Châu Trinh",
                           department_code="79"))  # fmt: skip
        session.commit()
    with pytest.raises(DemoIncompleteError):
        seed_demo(engine, now=NOW, pki=demo_pki())


def test_now_must_carry_its_time_zone(engine: Engine) -> None:
    with pytest.raises(InvalidInputError):
        seed_demo(
            engine, now=datetime(2026, 11, 29, 9, 0), pki=demo_pki()
        )  # naive: the point of the test
