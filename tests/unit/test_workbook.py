"""A class's score sheet as an Excel workbook: the layout teachers know, and every refusal."""

from __future__ import annotations

import dataclasses
import io
import unicodedata
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from tests.support.score_sheets import HEADER, class_sheet, d, edited, opened, roster_of
from workflow import InvalidInputError
from workflow._workbook import (
    MAX_WORKBOOK_BYTES,
    ScoreSheet,
    SheetHeader,
    SheetRow,
    WorkbookError,
    WorkbookMismatchError,
    WorkbookRejected,
    WorkbookUnreadableError,
    export_sheet,
    import_sheet,
)
from workflow._workbook_import import MAX_REPORTED_ERRORS

SHEET = class_sheet()
ROSTER = roster_of(SHEET)
WORKBOOK = export_sheet(SHEET)


def imported(data: bytes) -> ScoreSheet:
    return import_sheet(data, expected=HEADER, roster=ROSTER)


def rejected(data: bytes) -> WorkbookRejected:
    with pytest.raises(WorkbookRejected) as caught:
        imported(data)
    return caught.value


def unreadable(data: bytes) -> WorkbookUnreadableError:
    with pytest.raises(WorkbookUnreadableError) as caught:
        imported(data)
    return caught.value


# --- Round trip -------------------------------------------------------------------------------


def test_a_sheet_comes_back_unchanged_from_its_workbook() -> None:
    assert imported(WORKBOOK) == SHEET


def test_a_workbook_saved_again_by_a_spreadsheet_program_still_reads_the_same() -> None:
    assert imported(edited(WORKBOOK)) == SHEET


def test_the_same_sheet_always_gives_the_same_bytes() -> None:
    assert export_sheet(class_sheet()) == WORKBOOK


def test_a_class_without_students_round_trips_too() -> None:
    empty = ScoreSheet(header=HEADER)
    assert import_sheet(export_sheet(empty), expected=HEADER) == empty


def test_the_personal_id_keeps_its_leading_zero() -> None:
    cell = opened(WORKBOOK).worksheets[0]["B7"]
    assert cell.value == "079212000101"
    assert cell.data_type == "s"
    assert cell.number_format == "@"  # stays text when the teacher edits it
    assert imported(WORKBOOK).rows[0].personal_id == "079212000101"


def test_a_remark_that_looks_like_a_formula_stays_text() -> None:
    row = dataclasses.replace(SHEET.rows[0], remark='=HYPERLINK("http://x")')
    sheet = ScoreSheet(header=HEADER, rows=(row,))
    data = export_sheet(sheet)
    assert opened(data).worksheets[0]["J7"].data_type == "s"
    assert import_sheet(data, expected=HEADER) == sheet


def test_text_is_read_back_in_nfc_whatever_form_it_was_typed_in() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn An")
    assert decomposed != "Nguyễn Văn An"
    back = imported(
        edited(WORKBOOK, C7=f"  {decomposed} ", J7=unicodedata.normalize("NFD", "Giỏi"))
    )
    assert back.rows[0].full_name == "Nguyễn Văn An"
    assert back.rows[0].remark == "Giỏi"


def test_excel_escapes_in_text_are_decoded_and_literal_ones_survive() -> None:
    # Excel stores a typed "_x0041_" as "_x005F_x0041_" and reads "_x0041_" as "A".
    assert imported(edited(WORKBOOK, J7="Lớp_x0041_")).rows[0].remark == "LớpA"
    row = dataclasses.replace(SHEET.rows[0], remark="mã _x0041_ giữ nguyên")
    sheet = ScoreSheet(header=HEADER, rows=(row,))
    assert import_sheet(export_sheet(sheet), expected=HEADER) == sheet


# --- The layout --------------------------------------------------------------------------------


def test_the_title_block_names_the_school_book_class_subject_semester_and_year() -> None:
    table = opened(WORKBOOK).worksheets[0]
    assert table.title == "Bảng điểm"
    assert table["A1"].value == "TRƯỜNG THCS NGUYỄN DU"
    assert table["A2"].value == "SỔ THEO DÕI VÀ ĐÁNH GIÁ HỌC SINH"
    assert table["A3"].value == "Lớp: 6A1 – Môn: Toán – Học kỳ I – Năm học: 2024-2025"
    assert table["A4"].value == "Giáo viên bộ môn: Lê Thị Hoa – Số tiết/năm: 140"


def test_the_table_has_one_column_per_assessment_and_one_row_per_student() -> None:
    table = opened(WORKBOOK).worksheets[0]
    titles = [cell.value for cell in table[6]]
    assert titles == [
        "STT", "Mã định danh", "Họ và tên",
        "ĐĐGtx1", "ĐĐGtx2", "ĐĐGtx3", "ĐĐGtx4", "ĐĐGgk", "ĐĐGck", "Nhận xét",
    ]  # fmt: skip
    assert [table.cell(row=r, column=3).value for r in (7, 8, 9)] == [
        "Nguyễn Văn An",
        "Trần Thị Bích Ngọc",
        "Phạm Đức Thắng",
    ]
    assert table.max_row == 9


def test_a_subject_of_35_periods_has_two_regular_columns() -> None:
    header = dataclasses.replace(HEADER, periods_per_year=35)
    table = opened(export_sheet(class_sheet(header))).worksheets[0]
    assert [cell.value for cell in table[6]][3:7] == ["ĐĐGtx1", "ĐĐGtx2", "ĐĐGgk", "ĐĐGck"]


def test_scores_are_numbers_with_one_decimal_shown_and_blanks_stay_blank() -> None:
    table = opened(WORKBOOK).worksheets[0]
    assert table["E7"].value == 7.5
    assert table["E7"].data_type == "n"
    assert table["E7"].number_format == "0.0"
    assert table["E8"].value is None


def test_score_cells_accept_only_numbers_from_0_to_10_in_excel() -> None:
    (validation,) = opened(WORKBOOK).worksheets[0].data_validations.dataValidation
    assert (validation.type, validation.operator) == ("decimal", "between")
    assert (validation.formula1, validation.formula2) == ("0", "10")
    assert str(validation.sqref) == "D7:I9"
    assert validation.allow_blank


def test_titles_names_and_ids_stay_in_view_while_scrolling() -> None:
    assert opened(WORKBOOK).worksheets[0].freeze_panes == "D7"


def test_a_very_hidden_sheet_says_which_sheet_the_workbook_is() -> None:
    workbook = opened(WORKBOOK)
    hidden = workbook["hocba"]
    assert hidden.sheet_state == "veryHidden"
    assert dict(hidden.iter_rows(values_only=True)) == {
        "format": "hocba/bang-diem",
        "version": "1",
        "school_year": "2024-2025",
        "class_name": "6A1",
        "subject_code": "TOAN",
        "semester": "1",
        "regular_count": "4",
        "periods_per_year": "140",
    }


# --- What a teacher types ------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "score"), [("8,5", "8.5"), ("8.5", "8.5"), (" 7,0 ", "7.0")])
def test_a_score_typed_as_text_with_a_comma_or_a_point_is_accepted(typed: str, score: str) -> None:
    assert imported(edited(WORKBOOK, E8=typed)).rows[1].regular[1] == Decimal(score)


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_a_blank_score_is_one_not_entered_yet(blank: str | None) -> None:
    assert imported(edited(WORKBOOK, H7=blank)).rows[0].midterm is None


def test_an_empty_row_inside_the_table_is_skipped() -> None:
    def insert_row(workbook: Workbook) -> None:
        workbook.worksheets[0].insert_rows(8)

    assert imported(edited(WORKBOOK, insert_row)) == SHEET


# --- Refused cells -------------------------------------------------------------------------------


def test_one_bad_cell_is_reported_with_exactly_its_address() -> None:
    error = rejected(edited(WORKBOOK, E7=9.25))
    (cell,) = error.errors
    assert (cell.address, cell.row, cell.column, cell.column_title) == ("E7", 7, "E", "ĐĐGtx2")
    assert cell.value == 9.25
    assert cell.code == "score_too_many_decimals"
    assert cell.message == "E7 (ĐĐGtx2): score 9.25 must have at most one decimal"
    assert cell.message_vi == ("Ô E7 (ĐĐGtx2): điểm 9,25 chỉ được có tối đa một chữ số thập phân")
    assert "E7" in error.message_vi
    assert isinstance(error, WorkbookError)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        (11, "score_out_of_range"),
        (-1, "score_out_of_range"),
        ("10,5", "score_out_of_range"),
        ("9,25", "score_too_many_decimals"),
        ("tám", "score_not_a_number"),
        (True, "score_not_a_number"),
        (datetime(2025, 5, 8), "score_is_a_date"),  # "8/5" as Excel understands it
        ("=8+0.5", "formula_not_allowed"),
    ],
)
def test_a_score_cell_is_refused_when(typed: object, code: str) -> None:
    (cell,) = rejected(edited(WORKBOOK, H8=typed)).errors
    assert (cell.address, cell.code) == ("H8", code)
    assert cell.message_vi.startswith("Ô H8 (ĐĐGgk): ")


def test_a_score_of_11_is_refused_as_above_10() -> None:
    (cell,) = rejected(edited(WORKBOOK, D9=11)).errors
    assert cell.address == "D9"
    assert cell.message_vi == "Ô D9 (ĐĐGtx1): điểm 11 phải từ 0 đến 10"


def test_every_bad_cell_is_reported_in_reading_order_not_only_the_first() -> None:
    error = rejected(edited(WORKBOOK, I9="abc", D7=12, G8=9.99, B9="12345"))
    assert [cell.address for cell in error.errors] == ["D7", "G8", "B9", "I9"]
    assert error.message_vi.startswith("Bảng điểm có 4 ô không hợp lệ: D7, G8, B9, I9")
    assert not error.truncated


def test_a_formula_in_any_cell_of_the_table_is_refused() -> None:
    error = rejected(edited(WORKBOOK, D7="=SUM(E7:G7)/3", C8='=PROPER("an")'))
    assert [(cell.address, cell.code) for cell in error.errors] == [
        ("D7", "formula_not_allowed"),
        ("C8", "formula_not_allowed"),
    ]
    assert "=SUM(E7:G7)/3" in error.errors[0].message_vi


def test_a_student_not_on_the_class_list_is_refused() -> None:
    roster = {pid: name for pid, name in ROSTER.items() if pid != "001099000001"}
    with pytest.raises(WorkbookRejected) as caught:
        import_sheet(WORKBOOK, expected=HEADER, roster=roster)
    (cell,) = caught.value.errors
    assert (cell.address, cell.code) == ("B8", "unknown_student")
    assert "001099000001" in cell.message_vi
    assert "6A1" in cell.message_vi


def test_a_name_that_differs_from_the_class_list_is_refused() -> None:
    (cell,) = rejected(edited(WORKBOOK, C9="Phạm Đức Thắm")).errors
    assert (cell.address, cell.code) == ("C9", "name_mismatch")
    assert "Phạm Đức Thắng" in cell.message_vi


def test_a_personal_id_given_twice_is_refused_at_its_second_row() -> None:
    (cell,) = rejected(edited(WORKBOOK, B9="079212000101")).errors
    assert (cell.address, cell.code) == ("B9", "duplicate_personal_id")
    assert cell.message_vi == "Ô B9 (Mã định danh): mã định danh 079212000101 đã có ở dòng 7"


def test_a_personal_id_excel_turned_into_a_number_is_refused() -> None:
    (cell,) = rejected(edited(WORKBOOK, B7=79212000101)).errors
    assert (cell.address, cell.code) == ("B7", "personal_id_not_text")
    assert "mất số 0 ở đầu" in cell.message_vi


@pytest.mark.parametrize("typed", ["07921200010", "0792120001011", "099212000101", "079 12000101"])
def test_a_malformed_personal_id_is_refused(typed: str) -> None:
    (cell,) = rejected(edited(WORKBOOK, B7=typed)).errors
    assert (cell.address, cell.code) == ("B7", "personal_id_invalid")


@pytest.mark.parametrize(
    ("address", "typed", "code"),
    [
        ("A7", "một", "ordinal_invalid"),
        ("A7", 0, "ordinal_invalid"),
        ("B7", None, "personal_id_missing"),
        ("C7", None, "name_missing"),
        ("C7", 42, "name_not_text"),
        ("J7", datetime(2025, 3, 12), "remark_not_text"),
    ],
)
def test_the_other_cells_of_a_row_are_checked_too(address: str, typed: object, code: str) -> None:
    (cell,) = rejected(edited(WORKBOOK, **{address: typed})).errors
    assert (cell.address, cell.code) == (address, code)


def test_cells_right_of_the_table_are_ignored_when_empty_and_refused_otherwise() -> None:
    def style_outside(workbook: Workbook) -> None:
        workbook.worksheets[0]["L8"].number_format = "0.00"  # formatted, still empty

    assert imported(edited(WORKBOOK, style_outside, K7="  ")) == SHEET
    (cell,) = rejected(edited(WORKBOOK, K7="ghi chú")).errors
    assert (cell.address, cell.code, cell.column_title) == (
        "K7",
        "outside_table",
        "ngoài bảng điểm",
    )


def test_a_row_below_the_table_with_content_is_read_as_a_student() -> None:
    error = rejected(edited(WORKBOOK, J12="ghi chú"))
    assert [(cell.address, cell.code) for cell in error.errors] == [
        ("A12", "ordinal_missing"),
        ("B12", "personal_id_missing"),
        ("C12", "name_missing"),
    ]


def test_a_removed_column_is_reported_at_the_titles_not_at_every_score() -> None:
    def delete_column_e(workbook: Workbook) -> None:
        workbook.worksheets[0].delete_cols(5)

    error = rejected(edited(WORKBOOK, delete_column_e))
    assert {cell.row for cell in error.errors} == {6}
    assert error.errors[0].address == "E6"
    assert error.errors[0].code == "column_title_unexpected"


def test_a_flood_of_bad_cells_is_reported_up_to_a_cap() -> None:
    def scribble(workbook: Workbook) -> None:
        for row in range(7, 7 + MAX_REPORTED_ERRORS + 10):
            workbook.worksheets[0].cell(row=row, column=11, value="x")

    error = rejected(edited(WORKBOOK, scribble))
    assert len(error.errors) == MAX_REPORTED_ERRORS
    assert error.truncated


# --- Refused workbooks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "found"),
    [
        ({"class_name": "6A2"}, "class_name", "6A2"),
        ({"subject_code": "VATLI", "subject_name": "Vật lí"}, "subject_code", "VATLI"),
        ({"semester": 2}, "semester", "2"),
        ({"school_year": "2023-2024"}, "school_year", "2023-2024"),
        ({"periods_per_year": 70}, "regular_count", "3"),
    ],
)
def test_the_workbook_of_another_sheet_is_refused(
    change: dict[str, object], field: str, found: str
) -> None:
    other = dataclasses.replace(HEADER, **change)  # type: ignore[arg-type]
    with pytest.raises(WorkbookMismatchError) as caught:
        imported(export_sheet(class_sheet(other)))
    (mismatch,) = caught.value.mismatches
    assert (mismatch.field, mismatch.found) == (field, found)
    assert f"{mismatch.label_vi} trong tệp là {found}" in caught.value.message_vi


def test_a_workbook_of_another_class_says_which_class_it_is() -> None:
    with pytest.raises(WorkbookMismatchError) as caught:
        imported(export_sheet(class_sheet(dataclasses.replace(HEADER, class_name="6A2"))))
    assert caught.value.message_vi == (
        "Tệp không phải bảng điểm đang cần nhập: lớp trong tệp là 6A2, cần là 6A1"
    )


def test_a_workbook_for_other_periods_but_the_same_columns_is_accepted() -> None:
    same_columns = dataclasses.replace(HEADER, periods_per_year=105)
    assert imported(export_sheet(class_sheet(same_columns))) == SHEET


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"Ho ten,Diem\nAn,8.5\n",
        b"%PDF-1.7\n",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),  # .xls, or a password-protected .xlsx
        WORKBOOK[: len(WORKBOOK) // 2],  # cut short
    ],
    ids=["empty", "csv", "pdf", "ole", "truncated"],
)
def test_a_file_that_is_not_an_xlsx_is_refused(data: bytes) -> None:
    error = unreadable(data)
    assert error.reason == "not_xlsx"
    assert ".xlsx" in error.message_vi


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    assert unreadable(buffer.getvalue()).reason == "not_xlsx"


def test_a_workbook_not_exported_by_this_system_is_refused() -> None:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    error = unreadable(buffer.getvalue())
    assert error.reason == "not_a_score_sheet"
    assert "xuất từ hệ thống" in error.message_vi


def test_a_workbook_of_a_later_format_version_is_refused() -> None:
    def bump_version(workbook: Workbook) -> None:
        workbook["hocba"]["B2"] = "2"

    assert unreadable(edited(WORKBOOK, bump_version)).reason == "unsupported_version"


def test_a_file_over_5_mib_is_refused_before_it_is_opened() -> None:
    error = unreadable(WORKBOOK + bytes(MAX_WORKBOOK_BYTES))
    assert error.reason == "too_large"


def test_a_zip_bomb_is_refused_by_its_declared_size() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/padding.bin", bytes(30 * 1024 * 1024))
    assert len(buffer.getvalue()) < MAX_WORKBOOK_BYTES
    assert unreadable(buffer.getvalue()).reason == "too_large"


def test_a_part_declaring_a_doctype_is_refused_as_unsafe() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(WORKBOOK)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for part in source.infolist():
            content = source.read(part)
            if part.filename == "xl/workbook.xml":
                content = laughs + content
            target.writestr(part, content)
    assert unreadable(buffer.getvalue()).reason == "unsafe"


# --- The values check themselves -----------------------------------------------------------------


def test_a_comment_subject_has_no_score_sheet() -> None:
    with pytest.raises(InvalidInputError) as caught:
        dataclasses.replace(HEADER, subject_code="GDTC", subject_name="Giáo dục thể chất")
    assert caught.value.field == "subject_code"


def test_a_row_refuses_a_score_with_two_decimals_and_a_sheet_the_wrong_number_of_them() -> None:
    with pytest.raises(InvalidInputError) as caught:
        dataclasses.replace(SHEET.rows[0], midterm=d("9.25"))
    assert caught.value.field == "midterm"
    with pytest.raises(InvalidInputError) as caught:
        ScoreSheet(header=HEADER, rows=(dataclasses.replace(SHEET.rows[0], regular=(d("8"),)),))
    assert caught.value.field == "rows[0].regular"


def test_values_keep_their_text_in_one_canonical_form() -> None:
    row = SheetRow(1, "079212000101", "  Nguyễn\tVăn   An ", (), None, None, "a\r\nb  ")
    assert (row.full_name, row.remark) == ("Nguyễn Văn An", "a\nb")
    assert row == SheetRow(
        1, "079212000101", unicodedata.normalize("NFD", "Nguyễn Văn An"), (), None, None, "a\nb"
    )
    assert SheetHeader(**{**dataclasses.asdict(HEADER), "class_name": " 6A1 "}) == HEADER


def test_errors_of_one_row_are_listed_left_to_right() -> None:
    error = rejected(edited(WORKBOOK, B9="079212000101", E9=12))
    assert [cell.address for cell in error.errors] == ["B9", "E9"]
