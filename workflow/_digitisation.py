"""A student arriving from a school on paper: the receiving school digitises the record (REQ-27).

The receiving school's academic affairs officer types one paper year of the record (the data
of ``DLHocBa``: every subject's results and the year's summary, as in the annual transcript)
and uploads the scanned paper original. In one transaction the scan is kept as an immutable
blob by its SHA-256 and a ``SoHoa`` transcript opens in draft whose data names it
(``BanGoc``: ``SHA256``, ``TenTep``). The state machine takes a SoHoa from draft to the
principal, who signs it as consistent with the paper original, then to the clerk's seal: the
ordinary signing sessions, steps ``principal`` and ``school`` (no subject or homeroom
teacher signs a record they did not keep).

The row belongs to the receiving school and to the year the student is enrolled there (whose
principal and clerk sign it); the document's ``TTChung`` names the paper year, grade and class
(``NamHoc``, ``Khoi``, ``Lop``) and the receiving school, whose seal certifies the copy. The
paper school's name is kept beside ``BanGoc`` in the data (``TruongGoc``) and in the audit
entry; the XML profile has no element for it: the scanned original shows it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from sqlmodel import Session, col, select

from domain.model import (
    Enrollment,
    Role,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Transcript,
    TranscriptKind,
    TranscriptStatus,
    mask_personal_id,
    state_hash,
)
from workflow._actor import Actor
from workflow._document import (
    TranscriptDataIncompleteError,
    TranscriptDataInvalidError,
    transcript_document,
)
from workflow._errors import (
    AdministratorForbiddenError,
    InvalidInputError,
    NotAssignedError,
    NotFoundError,
    WorkflowError,
)
from workflow._signing import store_blob
from workflow._tracking_scope import ClassYear
from workflow._transcript_build_data import identity_sections
from workflow._transfer_students import find_student
from workflow._transitions import snapshot
from workflow._uow import UnitOfWork

MAX_SCAN_BYTES: Final = 20 * 1024 * 1024
"""The largest scanned original taken (a few pages scanned at 300 dpi are 2–10 MB)."""
SCAN_MEDIA_TYPE: Final = "application/pdf"

Json = dict[str, Any]

_SCHOOL_YEAR: Final = re.compile(r"([0-9]{4})-([0-9]{4})")
_RECORD_KEYS: Final = ("NamHoc", "Khoi", "Lop", "ThongTu", "KetQuaHocTap", "TongHop")
_SUBJECT_KEYS: Final = (
    "Ma",
    "Ten",
    "HinhThucDanhGia",
    "HK1",
    "HK2",
    "CaNam",
    "DiemKiemTraLai",
    "NhanXet",
    "GiaoVien",
)
_LEVEL_KEYS: Final = ("HK1", "HK2", "CaNam", "SauDanhGiaLai")
_SUMMARY_KEYS: Final = ("SoBuoiNghi", "DuocLenLop", "DanhHieu", "NhanXetGVCN", "KhenThuong")


class AlreadyDigitisedError(WorkflowError):
    """The school already holds a live digitised record of this paper year of the student."""

    code = "already_digitised"

    def __init__(self, transcript_id: str, school_year: str) -> None:
        super().__init__(
            f"the paper record of {school_year} is already digitised as {transcript_id}",
            f"Học bạ giấy năm học {school_year} đã được số hoá (học bạ {transcript_id})",
        )
        self.transcript_id = transcript_id


def _invalid(field: str, message: str, message_vi: str) -> InvalidInputError:
    return InvalidInputError(field, message, message_vi)


def _scan_checked(scan: bytes, scan_name: str) -> str:
    if not scan:
        raise _invalid("scan", "the scanned original is empty", "tệp bản quét rỗng")
    if len(scan) > MAX_SCAN_BYTES:
        raise _invalid(
            "scan",
            f"the scanned original is {len(scan)} bytes, the limit is {MAX_SCAN_BYTES}",
            f"tệp bản quét quá lớn (tối đa {MAX_SCAN_BYTES // (1024 * 1024)} MB)",
        )
    if b"%PDF-" not in scan[:1024]:
        raise _invalid("scan", "the scanned original must be a PDF", "bản quét phải là tệp PDF")
    name = scan_name.strip()
    if not name or "/" in name or "\\" in name or len(name) > 255:
        raise _invalid(
            "scan_name",
            "a file name (no path) of 1 to 255 characters",
            "tên tệp (không có đường dẫn), 1–255 ký tự",
        )
    return name


def _picked(data: Any, keys: tuple[str, ...], where: str) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise _invalid(where, "must be an object", "phải là một đối tượng")
    unknown = sorted(set(data) - set(keys))
    if unknown:
        raise _invalid(
            where, f"unknown fields: {', '.join(unknown)}", f"trường lạ: {', '.join(unknown)}"
        )
    return {key: data.get(key) for key in keys}


def _record_parts(record: Mapping[str, Any]) -> tuple[dict[str, Any], list[Json], Json]:
    """The paper year's header fields, subjects and summary, every key known and present."""
    given = _picked(record, _RECORD_KEYS, "record")
    subjects = given["KetQuaHocTap"]
    if not isinstance(subjects, list) or not subjects:
        raise _invalid(
            "record.KetQuaHocTap", "one entry per subject is required", "cần kết quả từng môn"
        )
    lines = [_picked(s, _SUBJECT_KEYS, f"record.KetQuaHocTap[{i}]") for i, s in enumerate(subjects)]
    summary = _picked(given["TongHop"], ("HocTap", "RenLuyen", *_SUMMARY_KEYS), "record.TongHop")
    for part in ("HocTap", "RenLuyen"):
        summary[part] = _picked(summary[part], _LEVEL_KEYS, f"record.TongHop.{part}")
    return given, lines, summary


def _enrolment(session: Session, student: Student) -> ClassYear:
    """The class the student attends now (the latest enrolment not left)."""
    row = session.exec(
        select(SchoolClass, SchoolYear)
        .join(Enrollment, col(Enrollment.class_id) == SchoolClass.id)
        .join(SchoolYear, col(SchoolYear.id) == Enrollment.school_year_id)
        .where(Enrollment.student_id == student.id, col(Enrollment.left_on).is_(None))
        .order_by(col(SchoolYear.starts_on).desc())
    ).first()
    if row is None:
        raise _invalid(
            "personal_id",
            "the student is not enrolled in a class: enrol them first",
            "học sinh chưa được xếp lớp: cần xếp lớp trước",
        )
    klass, year = row
    return ClassYear(klass, year)


def _refuse_unless_officer(actor: Actor, where: ClassYear) -> None:
    if actor.is_administrator:
        raise AdministratorForbiddenError
    if not actor.holds(
        Role.ACADEMIC_AFFAIRS,
        school_id=where.klass.school_id,
        school_year_id=where.klass.school_year_id,
    ):
        raise NotAssignedError(
            "academic affairs of the student's school", "giáo vụ của trường học sinh đang học"
        )


def _paper_year(value: Any, current: str) -> str:
    year = _SCHOOL_YEAR.fullmatch(value) if isinstance(value, str) else None
    if year is None or int(year[2]) != int(year[1]) + 1:
        raise _invalid(
            "record.NamHoc", "two consecutive years, as in '2023-2024'", "dạng '2023-2024'"
        )
    if value > current:
        raise _invalid(
            "record.NamHoc",
            f"a paper year cannot be later than the current year {current}",
            f"năm học của học bạ giấy không thể sau năm học hiện tại {current}",
        )
    return str(value)


def _already(session: Session, student_id: int, school_id: int, school_year: str) -> str | None:
    rows = session.exec(
        select(Transcript).where(
            Transcript.student_id == student_id,
            Transcript.school_id == school_id,
            Transcript.kind == TranscriptKind.SO_HOA,
            Transcript.status != TranscriptStatus.SUPERSEDED,
        )
    ).all()
    return next(
        (row.id for row in rows if row.data.get("TTChung", {}).get("NamHoc") == school_year),
        None,
    )


def digitise_paper_record(
    uow: UnitOfWork,
    *,
    personal_id: str,
    record: Mapping[str, Any],
    paper_school: str,
    scan: bytes,
    scan_name: str,
    actor: Actor,
    now: datetime,
) -> str:
    """Digitise one paper year of an arriving student's record; returns the SoHoa transcript.

    ``record``: ``NamHoc``, ``Khoi``, ``Lop``, ``ThongTu`` of the paper year, ``KetQuaHocTap``
    and ``TongHop`` in the shape of ``Transcript.data`` (``workflow._transcript_build_data``;
    the engine's codes ``T``/``K``/``D``/``CD``); ``paper_school``: the school that kept the
    paper record; ``scan``: the scanned original (PDF). For academic affairs of the school
    the student attends now. Refuses bad input with InvalidInputError naming the field,
    a paper year already digitised with AlreadyDigitisedError. Audited
    (``transcript.create``, ``record.digitise``).
    """
    name = _scan_checked(scan, scan_name)
    origin = paper_school.strip()
    if not origin or len(origin) > 200 or "\n" in origin:
        raise _invalid("paper_school", "one line of 1 to 200 characters", "một dòng, 1–200 ký tự")
    given, subjects, summary = _record_parts(record)
    with uow:
        session = uow.session
        student = find_student(session, personal_id)
        if student is None or student.id is None:
            raise NotFoundError("student", mask_personal_id(personal_id))
        where = _enrolment(session, student)
        _refuse_unless_officer(actor, where)
        school = session.get(School, where.klass.school_id)
        assert school is not None and school.id is not None
        school_year = _paper_year(given["NamHoc"], where.year.name)
        found = _already(session, student.id, school.id, school_year)
        if found is not None:
            raise AlreadyDigitisedError(found, school_year)
        digest = store_blob(session, scan, SCAN_MEDIA_TYPE, now)
        identity = identity_sections(TranscriptKind.SO_HOA, where, school, student)
        grade = given["Khoi"]
        header = {
            **identity["TTChung"],
            "NamHoc": school_year,
            "Khoi": grade,
            "CapHoc": "THCS" if isinstance(grade, int) and grade <= 9 else "THPT",
            "Lop": given["Lop"],
            "ThongTu": given["ThongTu"],
        }
        row = Transcript(
            id=str(uuid.uuid4()),
            student_id=student.id,
            school_id=school.id,
            school_year_id=where.klass.school_year_id,
            class_id=where.class_id,
            kind=TranscriptKind.SO_HOA,
            data={
                "TTChung": header,
                "HocSinh": identity["HocSinh"],
                "KetQuaHocTap": subjects,
                "TongHop": summary,
                "BanGoc": {"SHA256": digest, "TenTep": name, "TruongGoc": origin},
            },
            created_at=now,
            updated_at=now,
        )
        try:
            # The document the principal will sign, made now: bad data is refused here,
            # naming its field, rather than when the principal prepares a signature.
            transcript_document(transcript=row, school=school, issued_on=now.date())
        except (TranscriptDataIncompleteError, TranscriptDataInvalidError) as error:
            why = getattr(error, "why", "is missing")
            raise _invalid(f"record.{error.field}", why, f"{error.field}: {why}") from None
        session.add(row)
        uow.flush("the digitised record")
        uow.audit.record(
            actor=actor,
            action="transcript.create",
            object_type="transcript",
            object_id=row.id,
            now=now,
            after_sha256=state_hash(snapshot(row)),
        )
        uow.audit.record(
            actor=actor,
            action="record.digitise",
            object_type="transcript",
            object_id=row.id,
            now=now,
            details={
                "student_id": student.id,
                "school_year": school_year,
                "paper_school": origin,
                "scan_sha256": digest,
                "scan_name": name,
                "scan_size": len(scan),
            },
        )
        uow.commit("the digitised record")
        return row.id
