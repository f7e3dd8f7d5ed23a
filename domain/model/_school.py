"""Schools, school years with their lock calendar, classes and the subjects a class studies."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.model._columns import enum_column, utc_column
from domain.model._enums import SubjectKind


class School(SQLModel, table=True):
    """A school, under one city Department of Education and Training."""

    __tablename__ = "schools"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    """MaTruong, the school's code in the sector database."""
    name: str = Field(max_length=200)
    department_code: str = Field(max_length=8, index=True)
    """MaSoGD, the city Department's code (79 for Ho Chi Minh City)."""
    level: str = Field(default="THCS", max_length=8)
    """CapHoc: THCS or THPT (a combined school's classes carry their own grade)."""


class SchoolYear(SQLModel, table=True):
    """A city's school year and its lock calendar (REQ-20), set by the Department."""

    __tablename__ = "school_years"
    __table_args__ = (sa.UniqueConstraint("department_code", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    department_code: str = Field(max_length=8)
    name: str = Field(max_length=9)
    """NamHoc, e.g. ``2024-2025``."""
    starts_on: date
    ends_on: date
    main_lock_at: datetime = Field(sa_column=utc_column())
    """When every transcript of the year locks (default 30 June 23:59:59 Asia/Ho_Chi_Minh)."""
    supplementary_lock_at: datetime = Field(sa_column=utc_column())
    """When the retest / summer-training group locks (default 15 August 23:59:59)."""


class Subject(SQLModel, table=True):
    """A subject of the catalogue, with its default number of periods per year."""

    __tablename__ = "subjects"

    code: str = Field(primary_key=True, max_length=16)
    name: str = Field(max_length=100)
    kind: SubjectKind = Field(sa_type=enum_column(SubjectKind))
    periods_per_year: int = Field(default=105, ge=0)


class SchoolClass(SQLModel, table=True):
    """A class (lớp) of a school in one school year."""

    __tablename__ = "classes"
    __table_args__ = (sa.UniqueConstraint("school_id", "school_year_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    school_year_id: int = Field(foreign_key="school_years.id", index=True)
    name: str = Field(max_length=16)
    """Lop, e.g. ``6A1``."""
    grade: int = Field(ge=1, le=12)
    """Khoi, 6–12 for secondary schools."""


class ClassSubject(SQLModel, table=True):
    """A subject a class studies this year: the GVBM slots its annual transcripts require."""

    __tablename__ = "class_subjects"

    class_id: int = Field(foreign_key="classes.id", primary_key=True)
    subject_code: str = Field(foreign_key="subjects.code", primary_key=True, max_length=16)
    periods_per_year: int = Field(ge=0)
