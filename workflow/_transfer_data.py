"""``Transcript.data`` of a mid-year transfer record (ChuyenTruong): the results so far.

The same shape as the annual data (``workflow._transcript_build_data``) with ``LoaiHocBa``
``ChuyenTruong``; semester I is complete (REQ-26: "semester I included"), so each subject has
its ``HK1`` result and ``TongHop`` its semester I levels; semester II, the year and the
year-end decisions are left empty (null): the receiving school assesses the year.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from domain.assessment import Comment, Level, academic_level, semester_average
from domain.assessment import comment_semester as comment_result
from domain.model import (
    HomeroomRecord,
    School,
    ScoreLine,
    Student,
    SubjectKind,
    TranscriptKind,
)
from workflow._errors import IncompleteTrackingError, TrackingGap
from workflow._tracking_scope import ClassYear
from workflow._tracking_values import HomeroomValues, SheetSubject, SubjectValues
from workflow._transcript_build_data import identity_sections

Json = dict[str, Any]
SEMESTER = 1


def _gap(student: Student, code: str | None, why: tuple[str, str]) -> TrackingGap:
    assert student.id is not None
    return TrackingGap(
        student_id=student.id,
        student_name=student.full_name,
        subject_code=code,
        semester=SEMESTER,
        what=why[0],
        what_vi=why[1],
    )


def _result(subject: SheetSubject, values: SubjectValues) -> Decimal | Comment | None:
    if subject.kind is SubjectKind.COMMENT:
        if not values.comment_results:
            return None
        return comment_result([Comment(r.value) for r in values.comment_results])
    if not values.regular or values.midterm is None or values.final is None:
        return None
    return semester_average(regular=values.regular, midterm=values.midterm, final=values.final)


def transfer_data(
    session: Session,
    *,
    where: ClassYear,
    school: School,
    student: Student,
    subjects: tuple[SheetSubject, ...],
    teachers: Mapping[str, str],
) -> Json:
    """The ChuyenTruong data of ``student`` in the leaving class; IncompleteTrackingError
    naming every gap of semester I."""
    lines = {
        row.subject_code: SubjectValues.of_line(row)
        for row in session.exec(
            select(ScoreLine).where(
                ScoreLine.class_id == where.class_id,
                ScoreLine.student_id == student.id,
                ScoreLine.semester == SEMESTER,
            )
        ).all()
    }
    record = session.exec(
        select(HomeroomRecord).where(
            HomeroomRecord.class_id == where.class_id,
            HomeroomRecord.student_id == student.id,
            HomeroomRecord.semester == SEMESTER,
        )
    ).first()
    homeroom = HomeroomValues.of_record(record)
    gaps: list[TrackingGap] = []
    results: dict[str, Decimal | Comment] = {}
    for subject in subjects:
        result = _result(subject, lines.get(subject.code, SubjectValues()))
        if result is None:
            gaps.append(
                _gap(
                    student,
                    subject.code,
                    ("the semester I assessments", "các lần đánh giá học kỳ I"),
                )
            )
        else:
            results[subject.code] = result
    if homeroom.conduct is None:
        gaps.append(_gap(student, None, ("conduct", "kết quả rèn luyện")))
    if not homeroom.comment.strip():
        # NhanXetGVCN is required in every transcript: the record must say how the term went.
        gaps.append(_gap(student, None, ("the homeroom comment", "nhận xét của GVCN")))
    if gaps:
        raise IncompleteTrackingError(tuple(gaps))
    assert homeroom.conduct is not None
    level = academic_level([results[s.code] for s in subjects])
    return {
        **identity_sections(TranscriptKind.CHUYEN_TRUONG, where, school, student),
        "KetQuaHocTap": [
            {
                "Ma": s.code,
                "Ten": s.name,
                "HinhThucDanhGia": "NhanXet" if s.kind is SubjectKind.COMMENT else "DiemSo",
                "HK1": _mark(results[s.code]),
                "HK2": None,
                "CaNam": None,
                "DiemKiemTraLai": None,
                "NhanXet": lines.get(s.code, SubjectValues()).remark.strip() or None,
                "GiaoVien": teachers.get(s.code),
            }
            for s in subjects
        ],
        "TongHop": {
            "HocTap": {"HK1": level.value, "HK2": None, "CaNam": None, "SauDanhGiaLai": None},
            "RenLuyen": {
                "HK1": Level(homeroom.conduct.value).value,
                "HK2": None,
                "CaNam": None,
                "SauDanhGiaLai": None,
            },
            "SoBuoiNghi": homeroom.absences or 0,
            "DuocLenLop": None,
            "DanhHieu": None,
            "NhanXetGVCN": homeroom.comment.strip(),
            "KhenThuong": None,
        },
    }


def _mark(value: Decimal | Comment) -> str:
    return value.value if isinstance(value, Comment) else f"{value:.1f}"
