"""``/diem/{class_id}/{subject}/{semester}``: a subject teacher's score sheet of a class.

Each line is one student's values for the semester; signed lines are read-only (they change
only through an entry correction). The whole sheet is saved in one batch, or one line with
its own button (``dong``: the student); htmx then swaps only that line. Invalid values are
shown back next to their field with the reason, and nothing of the batch is stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from litestar import Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import PathParameter

from api.pages._core import PageError, Visit
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
ROW_FIELD = "dong"
"""The form field of a line's own save button: the student whose line is saved alone."""
_NAMED_FIELDS = {"midterm": "gk", "final": "ck", "remark": "nx"}


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
    errors: Mapping[str, str] = field(default_factory=dict)
    """Why a field was refused, by the field's input suffix (``r0``, ``gk``, ``c2``, ``nx``);
    ``""`` for the line as a whole (too many assessments)."""
    focus: str | None = None
    """The field that takes the keyboard focus (the first refused one of the page)."""

    def first_error(self) -> str | None:
        """The suffix of the first refused field, in the order the line shows them."""
        order = [
            *(f"c{i}" for i in range(len(self.comments))),
            *(f"r{i}" for i in range(len(self.regular))),
            "gk",
            "ck",
            "nx",
            "",
        ]
        return next((key for key in order if key in self.errors), None)


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
    def typed(name: str) -> str:
        return str(form.get(f"s{line.student_id}_{name}") or "").strip()

    subject = sheet.subject
    return Row(
        student_id=line.student_id,
        student_name=line.student_name,
        regular=tuple(typed(f"r{i}") for i in range(subject.regular_count)),
        midterm=typed("gk"),
        final=typed("ck"),
        comments=tuple(typed(f"c{i}") for i in range(subject.comment_count)),
        remark=typed("nx")[:2000],
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


def _input_of(row: Row, problem_field: str) -> str:
    """The input suffix a problem's field names (``regular[1]`` → the second filled ĐĐGtx)."""
    name, _, rest = problem_field.partition("[")
    if name in _NAMED_FIELDS:
        return _NAMED_FIELDS[name]
    if rest and name in ("regular", "comment_results"):
        # The entry left out the blank inputs: its n-th value is the n-th filled one.
        values, prefix = (row.regular, "r") if name == "regular" else (row.comments, "c")
        filled = [i for i, v in enumerate(values) if v]
        index = int(rest.rstrip("]"))
        if index < len(filled):
            return f"{prefix}{filled[index]}"
    return ""


def _with_errors(row: Row, problems: Sequence[EntryProblem]) -> Row:
    errors: dict[str, list[str]] = {}
    for p in problems:
        if p.student_id == row.student_id:
            errors.setdefault(_input_of(row, p.field), []).append(f"{p.field_vi} {p.why_vi}")
    if not errors:
        return row
    return replace(row, errors={key: "; ".join(texts) for key, texts in errors.items()})


def _focused(rows: list[Row]) -> list[Row]:
    """``rows`` with the focus on the first refused field of the first refused line."""
    first = next((row for row in rows if row.errors), None)
    if first is None:
        return rows
    return [replace(row, focus=row.first_error()) if row is first else row for row in rows]


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


def _context(sheet: SubjectSheet) -> dict[str, Any]:
    return {
        "sheet": sheet,
        "comment_subject": sheet.subject.kind is SubjectKind.COMMENT,
        "action": f"/diem/{sheet.class_id}/{sheet.subject.code}/{sheet.semester}",
        "row_field": ROW_FIELD,
    }


def _render(
    visit: Visit,
    sheet: SubjectSheet,
    rows: list[Row],
    *,
    status: int = 200,
    saved: int | None = None,
    saved_row: Row | None = None,
    problems: tuple[EntryProblem, ...] = (),
) -> Response[str]:
    return visit.render(
        "scores.html.j2",
        status=status,
        rows=rows,
        saved=saved,
        saved_row=saved_row,
        problems=problems,
        **_context(sheet),
    )


def _render_row(visit: Visit, sheet: SubjectSheet, row: Row, *, status: int = 200) -> Response[str]:
    """One line for htmx, with the message area's news swapped out of band."""
    return visit.render("scores_row_saved.html.j2", status=status, r=row, **_context(sheet))


def _chosen_row(form: FormMultiDict, sheet: SubjectSheet) -> int | None:
    chosen = form.get(ROW_FIELD)
    if chosen is None or chosen == "":
        return None
    line = next((line for line in sheet.lines if str(line.student_id) == chosen), None)
    if line is None:
        raise PageError(422, "Không có học sinh này trong sổ điểm của lớp.")
    if line.signed:
        raise PageError(409, "Dòng này đã ký trên học bạ: chỉ sửa được bằng yêu cầu đính chính.")
    return line.student_id


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
    """Store every unsigned line of the form in one batch (or the chosen line alone), or
    nothing and the problems next to their fields."""
    actor = visit.staff()
    form = await visit.form()
    sheet = await _sheet(visit, class_id, subject, semester)
    only = _chosen_row(form, sheet)
    typed = {
        line.student_id: _stored_row(sheet, line) if line.signed else _typed_row(sheet, line, form)
        for line in sheet.lines
    }
    targets = [typed[only]] if only is not None else [r for r in typed.values() if not r.signed]
    entries = [_entry(sheet, row) for row in targets]
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
        if only is not None and visit.htmx:
            (row,) = _focused([_with_errors(typed[only], error.problems)])
            return _render_row(visit, sheet, row, status=422)
        rows = _focused([_with_errors(row, error.problems) for row in typed.values()])
        return _render(visit, sheet, rows, status=422, problems=error.problems)
    fresh = await _sheet(visit, class_id, subject, semester)
    stored = [_stored_row(fresh, line) for line in fresh.lines]
    if only is None:
        return _render(visit, fresh, stored, saved=changed)
    saved_row = next(row for row in stored if row.student_id == only)
    if visit.htmx:
        return _render_row(visit, fresh, saved_row)
    # Without JavaScript the whole page comes back: the other lines keep what was typed.
    rows = [
        row if row.student_id == only or row.signed else typed.get(row.student_id, row)
        for row in stored
    ]
    return _render(visit, fresh, rows, saved=changed, saved_row=saved_row)
