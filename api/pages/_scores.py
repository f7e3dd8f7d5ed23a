"""``/diem/{class_id}/{subject}/{semester}``: a subject teacher's score sheet of a class.

Each line is one student's values for the semester; signed lines are read-only (they change
only through an entry correction). Invalid values are shown back with every problem named,
and nothing of the batch is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import PathParameter

from api.pages._core import Visit
from domain.model import SubjectKind
from workflow import (
    EntryProblem,
    InvalidEntryError,
    ScoreLineView,
    SubjectEntry,
    SubjectSheet,
    read_subject_sheet,
    record_subject_scores,
)

ClassId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
Subject = Annotated[str, PathParameter(pattern="^[A-Z0-9]{2,12}$")]
Semester = Annotated[int, PathParameter(ge=1, le=2)]


@dataclass(frozen=True, slots=True)
class Row:
    """One student's line as the form shows it (text as typed, or as stored)."""

    student_id: int
    student_name: str
    regular: tuple[str, ...]
    midterm: str
    final: str
    comments: tuple[str, ...]
    remark: str
    signed: bool


def _padded(values: Sequence[object], count: int) -> tuple[str, ...]:
    texts = [str(v) for v in values][:count]
    return tuple(texts + [""] * (count - len(texts)))


def _stored_row(sheet: SubjectSheet, line: ScoreLineView) -> Row:
    v, subject = line.values, sheet.subject
    return Row(
        student_id=line.student_id,
        student_name=line.student_name,
        regular=_padded(v.regular, subject.regular_count),
        midterm="" if v.midterm is None else str(v.midterm),
        final="" if v.final is None else str(v.final),
        comments=_padded([r.value for r in v.comment_results], subject.comment_count),
        remark=v.remark,
        signed=line.signed,
    )


def _typed_row(sheet: SubjectSheet, line: ScoreLineView, form: FormMultiDict) -> Row:
    def field(name: str) -> str:
        return str(form.get(f"s{line.student_id}_{name}") or "").strip()

    subject = sheet.subject
    return Row(
        student_id=line.student_id,
        student_name=line.student_name,
        regular=tuple(field(f"r{i}") for i in range(subject.regular_count)),
        midterm=field("gk"),
        final=field("ck"),
        comments=tuple(field(f"c{i}") for i in range(subject.comment_count)),
        remark=field("nx")[:2000],
        signed=line.signed,
    )


def _entry(sheet: SubjectSheet, row: Row) -> SubjectEntry:
    if sheet.subject.kind is SubjectKind.COMMENT:
        return SubjectEntry(
            student_id=row.student_id,
            comment_results=[c for c in row.comments if c],
            remark=row.remark,
        )
    return SubjectEntry(
        student_id=row.student_id,
        regular=[r for r in row.regular if r],
        midterm=row.midterm or None,
        final=row.final or None,
        remark=row.remark,
    )


async def _sheet(visit: Visit, class_id: int, subject: str, semester: int) -> SubjectSheet:
    actor = visit.staff()
    uow = visit.uow()
    return await visit.run(
        lambda: read_subject_sheet(
            uow,
            class_id=class_id,
            subject_code=subject,
            semester=semester,
            actor=actor,
            now=visit.now,
        )
    )


def _render(
    visit: Visit,
    sheet: SubjectSheet,
    rows: list[Row],
    *,
    status: int = 200,
    saved: int | None = None,
    problems: tuple[EntryProblem, ...] = (),
) -> Response[str]:
    context: dict[str, Any] = {
        "sheet": sheet,
        "rows": rows,
        "comment_subject": sheet.subject.kind is SubjectKind.COMMENT,
        "saved": saved,
        "problems": problems,
    }
    return visit.render("scores.html.j2", status=status, **context)


@get("/diem/{class_id:int}/{subject:str}/{semester:int}", include_in_schema=False)
async def score_sheet(
    *,
    class_id: ClassId,
    subject: Subject,
    semester: Semester,
    visit: NamedDependency[Visit],
) -> Response[str]:
    """The sheet with the stored values (audited)."""
    sheet = await _sheet(visit, class_id, subject, semester)
    return _render(visit, sheet, [_stored_row(sheet, line) for line in sheet.lines])


@post("/diem/{class_id:int}/{subject:str}/{semester:int}", include_in_schema=False)
async def save_scores(
    *,
    class_id: ClassId,
    subject: Subject,
    semester: Semester,
    visit: NamedDependency[Visit],
) -> Response[str]:
    """Store every unsigned line of the form in one batch, or nothing and the problems."""
    actor = visit.staff()
    form = await visit.form()
    sheet = await _sheet(visit, class_id, subject, semester)
    rows = [
        _stored_row(sheet, line) if line.signed else _typed_row(sheet, line, form)
        for line in sheet.lines
    ]
    entries = [_entry(sheet, row) for row in rows if not row.signed]
    uow = visit.uow()
    try:
        changed = await visit.run(
            lambda: record_subject_scores(
                uow,
                class_id=class_id,
                subject_code=subject,
                semester=semester,
                lines=entries,
                actor=actor,
                now=visit.now,
            )
        )
    except InvalidEntryError as error:
        return _render(visit, sheet, rows, status=422, problems=error.problems)
    fresh = await _sheet(visit, class_id, subject, semester)
    return _render(visit, fresh, [_stored_row(fresh, line) for line in fresh.lines], saved=changed)
