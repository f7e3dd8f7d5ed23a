"""A class's score sheet out of the tracking book as an Excel workbook, and back in.

The test school's 6A1 studies Toán 105 periods a year: four ĐĐGtx columns (D–G), ĐĐGgk in H,
ĐĐGck in I, Nhận xét in J; An is on row 7 and Bình on row 8 (class-list order). Entry is open
for both semesters and every call happens before the lock date unless a test says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import pytest

from domain.model import EntryPeriod, ScoreLine, WindowAction
from tests.support.score_sheets import edited, opened
from tests.support.tracking import (
    any_row,
    audit_entries,
    last_seq,
    open_entry,
    put_in_supplementary_group,
    set_window,
    sign_subject,
    tracking_footprint,
)
from tests.support.world import AFTER_LOCK, BEFORE_LOCK, World
from workflow import (
    AdministratorForbiddenError,
    DataLockedError,
    EntryWindowClosedError,
    InvalidInputError,
    NotAssignedError,
    NotFoundError,
    SignedEntriesInWorkbookError,
    SubjectEntry,
    SubjectValues,
    WorkbookMismatchError,
    WorkbookRejected,
    WorkflowError,
    export_class_sheet,
    import_class_sheet,
    read_subject_sheet,
    record_subject_scores,
)

D = Decimal


@pytest.fixture
def school(world: World) -> World:
    """The test school with entry open and Toán of semester 1 partly entered."""
    open_entry(world)
    an, binh = world.student_ids
    record_subject_scores(
        world.uow(),
        class_id=world.class_ids["6A1"],
        subject_code="TOAN",
        semester=1,
        lines=[
            SubjectEntry(an, regular=[8, "7,5", 9], midterm=6.5, final=8, remark="Chăm chỉ"),
            SubjectEntry(binh, regular=[10]),
        ],
        actor=world.actor("gvbm.toan"),
        now=BEFORE_LOCK,
    )
    return world


def export(
    world: World, *, who: str = "gvbm.toan", subject: str = "TOAN", semester: int = 1
) -> bytes:
    return export_class_sheet(
        world.uow(),
        class_id=world.class_ids["6A1"],
        subject_code=subject,
        semester=semester,
        actor=world.actor(who),
        now=BEFORE_LOCK,
    )


def upload(
    world: World,
    data: bytes,
    *,
    who: str = "gvbm.toan",
    klass: str = "6A1",
    subject: str = "TOAN",
    semester: int = 1,
    at: datetime = BEFORE_LOCK,
) -> int:
    return import_class_sheet(
        world.uow(),
        class_id=world.class_ids[klass],
        subject_code=subject,
        semester=semester,
        data=data,
        actor=world.actor(who, at),
        now=at,
    )


def sheet(world: World, semester: int = 1) -> dict[int, SubjectValues]:
    read = read_subject_sheet(
        world.uow(),
        class_id=world.class_ids["6A1"],
        subject_code="TOAN",
        semester=semester,
        actor=world.actor("hieutruong"),
        now=BEFORE_LOCK,
    )
    return {line.student_id: line.values for line in read.lines}


def refused(
    world: World, action: Callable[[], object], error: type[WorkflowError]
) -> WorkflowError:
    """Run ``action``; it must fail with exactly ``error`` and change nothing (audit included)."""
    before = tracking_footprint(world.engine)
    with pytest.raises(WorkflowError) as raised:
        action()
    assert type(raised.value) is error
    assert tracking_footprint(world.engine) == before
    return raised.value


# --- round trip -------------------------------------------------------------------------------


def test_a_class_sheet_comes_back_from_its_workbook_unchanged(school: World) -> None:
    lines = any_row(school.engine, ScoreLine)
    data = export(school)
    start = last_seq(school.engine)

    changed = upload(school, data)

    entries = audit_entries(school.engine, after=start)
    assert changed == 0
    assert any_row(school.engine, ScoreLine) == lines  # versions and times included
    assert [e.action for e in entries] == ["tracking.sheet_import"]  # no data change entry
    assert entries[0].before_sha256 is None and entries[0].after_sha256 is None
    assert entries[0].details["changed"] == 0 and entries[0].details["rows"] == 2


def test_a_workbook_saved_again_by_a_spreadsheet_program_changes_nothing(school: World) -> None:
    before = sheet(school)

    assert upload(school, edited(export(school))) == 0

    assert sheet(school) == before


def test_the_export_holds_the_stored_scores_in_class_list_order_and_is_audited_as_a_read(
    school: World,
) -> None:
    start = last_seq(school.engine)

    data = export(school)

    table = opened(data).worksheets[0]
    assert [[c.value for c in row] for row in table["A7:J8"]] == [
        [1, "079212000101", "Nguyễn Văn An", 8, 7.5, 9, None, 6.5, 8, "Chăm chỉ"],
        [2, "079312000102", "Trần Thị Bình", 10, None, None, None, None, None, None],
    ]
    assert "GVBM.TOAN" in table["A4"].value  # the teacher on duty, under the title
    reads = audit_entries(school.engine, after=start)
    assert [(e.action, e.object_id) for e in reads] == [
        ("student.read", str(sid)) for sid in school.student_ids
    ]
    assert reads[0].details["tracking"]["export"] == "xlsx"


# --- a teacher's edits ------------------------------------------------------------------------


def test_editing_one_cell_applies_that_change_and_only_it(school: World) -> None:
    an, binh = school.student_ids
    start = last_seq(school.engine)

    changed = upload(school, edited(export(school), E7=9))

    assert changed == 1
    assert sheet(school) == {
        an: SubjectValues(
            regular=(D("8.0"), D("9.0"), D("9.0")),
            midterm=D("6.5"),
            final=D("8.0"),
            remark="Chăm chỉ",
        ),
        binh: SubjectValues(regular=(D("10.0"),)),
    }
    scores = [e for e in audit_entries(school.engine, after=start) if e.action == "tracking.scores"]
    assert [(e.details["student_id"], e.details["source"]) for e in scores] == [(an, "workbook")]


def test_scores_typed_into_blank_cells_are_added_in_their_columns(school: World) -> None:
    binh = school.student_ids[1]

    upload(school, edited(export(school), E8="8,5", H8=7, I8=6.8, J8="Cần cố gắng"))

    assert sheet(school)[binh] == SubjectValues(
        regular=(D("10.0"), D("8.5")), midterm=D("7.0"), final=D("6.8"), remark="Cần cố gắng"
    )


def test_clearing_the_last_cells_empties_them(school: World) -> None:
    an = school.student_ids[0]

    upload(school, edited(export(school), F7=None, H7=None, J7=None))

    assert sheet(school)[an] == SubjectValues(regular=(D("8.0"), D("7.5")), final=D("8.0"))


def test_the_homeroom_teacher_may_import_the_sheet_too(school: World) -> None:
    assert upload(school, edited(export(school), G7=5), who="gvcn.6a1") == 1


def test_a_student_whose_row_was_deleted_keeps_their_line(school: World) -> None:
    binh = school.student_ids[1]
    before = sheet(school)[binh]

    def delete_binh(workbook: object) -> None:
        workbook.worksheets[0].delete_rows(8)  # type: ignore[attr-defined]

    assert upload(school, edited(export(school), delete_binh)) == 0
    assert sheet(school)[binh] == before


# --- all or nothing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        (11, "score_out_of_range"),
        (9.25, "score_too_many_decimals"),
        ("tám", "score_not_a_number"),
    ],
    ids=["11", "9.25", "text"],
)
def test_a_workbook_with_one_bad_cell_applies_nothing_and_names_that_cell(
    school: World, typed: object, code: str
) -> None:
    data = edited(export(school), G7=5, E8=9, E7=typed)  # two good edits around the bad one

    error = refused(school, lambda: upload(school, data), WorkbookRejected)

    assert isinstance(error, WorkbookRejected)
    assert [(e.address, e.code) for e in error.errors] == [("E7", code)]
    assert "E7" in error.message and "E7" in error.message_vi


def test_a_blank_regular_score_between_two_filled_ones_is_refused_at_the_blank_cell(
    school: World,
) -> None:
    data = edited(export(school), E7=None, F8=9)

    error = refused(school, lambda: upload(school, data), WorkbookRejected)

    assert isinstance(error, WorkbookRejected)
    assert [(e.address, e.code) for e in error.errors] == [
        ("E7", "regular_gap"),
        ("E8", "regular_gap"),
    ]
    assert "ĐĐGtx3" in error.errors[0].message and "ĐĐGtx1" in error.errors[0].message_vi


def test_a_value_the_tracking_book_refuses_is_reported_at_its_cell(school: World) -> None:
    data = edited(export(school), J8="x" * 2001)  # Excel holds it; a remark is at most 2000

    error = refused(school, lambda: upload(school, data), WorkbookRejected)

    assert isinstance(error, WorkbookRejected)
    assert [(e.address, e.column_title) for e in error.errors] == [("J8", "Nhận xét")]
    assert "longer than 2000" in error.errors[0].message


def test_a_student_not_in_the_class_is_refused_at_their_id(school: World) -> None:
    data = edited(export(school), B8="079212000999")

    error = refused(school, lambda: upload(school, data), WorkbookRejected)

    assert isinstance(error, WorkbookRejected)
    assert [(e.address, e.code) for e in error.errors] == [("B8", "unknown_student")]


@pytest.mark.parametrize(
    ("klass", "subject", "semester", "who", "field"),
    [
        ("6A2", "TOAN", 1, "gvbm.toan.6a2", "class_name"),
        ("6A1", "NGUVAN", 1, "gvbm.nguvan", "subject_code"),
        ("6A1", "TOAN", 2, "gvbm.toan", "semester"),
    ],
    ids=["class", "subject", "semester"],
)
def test_the_workbook_of_another_sheet_is_refused(
    school: World, klass: str, subject: str, semester: int, who: str, field: str
) -> None:
    data = edited(export(school), E7=9)

    error = refused(
        school,
        lambda: upload(school, data, klass=klass, subject=subject, semester=semester, who=who),
        WorkbookMismatchError,
    )

    assert isinstance(error, WorkbookMismatchError)
    assert [m.field for m in error.mismatches] == [field]


# --- who and when -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("gvbm.toan.6a2", NotAssignedError),
        ("gvbm.nguvan", NotAssignedError),
        ("hieutruong", NotAssignedError),
        ("hocvu", NotAssignedError),
        ("admin", AdministratorForbiddenError),
    ],
)
def test_only_the_subject_and_homeroom_teachers_of_the_class_import(
    school: World, who: str, error: type[WorkflowError]
) -> None:
    data = edited(export(school), E7=9)

    refused(school, lambda: upload(school, data, who=who), error)


@pytest.mark.parametrize("who", ["gvbm.toan.6a2", "gvbm.nguvan", "admin", "vanthu", "so.gddt"])
def test_a_reader_out_of_scope_cannot_export_the_sheet(school: World, who: str) -> None:
    refused(school, lambda: export(school, who=who), NotFoundError)


def test_a_comment_subject_has_no_workbook(school: World) -> None:
    error = refused(
        school, lambda: export(school, who="gvbm.gdtc", subject="GDTC"), InvalidInputError
    )

    assert "GDTC" in error.message


def test_a_closed_window_refuses_the_import_before_reading_the_file(school: World) -> None:
    data = edited(export(school), E7=9)
    set_window(school, EntryPeriod.HK1, WindowAction.CLOSE)

    error = refused(school, lambda: upload(school, data), EntryWindowClosedError)
    refused(school, lambda: upload(school, b"not a workbook"), EntryWindowClosedError)

    assert "read-only" in error.message


def test_changing_a_signed_entry_is_refused_at_its_cells_and_points_to_the_correction_route(
    school: World,
) -> None:
    sign_subject(school, school.new_transcript(student=0), "TOAN")
    data = edited(export(school), E7=9, H7=7, E8=9)

    error = refused(school, lambda: upload(school, data), SignedEntriesInWorkbookError)

    assert isinstance(error, SignedEntriesInWorkbookError)
    assert error.code == "entry_signed"
    assert [(e.address, e.code) for e in error.errors] == [
        ("E7", "entry_signed"),
        ("H7", "entry_signed"),
    ]
    assert "GVBM:TOAN" in error.errors[0].message
    assert "entry correction" in error.message and "đề nghị sửa sai sót" in error.message_vi


def test_a_sheet_with_signed_entries_left_as_they_are_still_imports(school: World) -> None:
    an, binh = school.student_ids
    sign_subject(school, school.new_transcript(student=0), "TOAN")
    signed = sheet(school)[an]

    assert upload(school, edited(export(school), E8=9)) == 1

    assert sheet(school)[an] == signed
    assert sheet(school)[binh] == SubjectValues(regular=(D("10.0"), D("9.0")))


def test_after_the_lock_date_only_the_supplementary_groups_rows_may_change(school: World) -> None:
    an = school.student_ids[0]
    data = export(school)
    put_in_supplementary_group(school, 0)
    set_window(school, EntryPeriod.SUPPLEMENTARY, WindowAction.OPEN, AFTER_LOCK)

    refused(school, lambda: upload(school, edited(data, E8=9), at=AFTER_LOCK), DataLockedError)
    changed = upload(school, edited(data, E7=9), at=AFTER_LOCK)  # Bình's row unchanged

    assert changed == 1
    assert sheet(school)[an].regular == (D("8.0"), D("9.0"), D("9.0"))
