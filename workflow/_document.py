"""A transcript row as the XML document model: ``Transcript.data`` → ``TranscriptDocument``.

``Transcript.data`` holds ``DLHocBa`` key for key (``workflow._transcript_build_data``) minus
what differs per version (MaHocBa, PhienBan, ThayTheCho: the row's id, version and
replaces_id) and ``XacNhan``, which is known only when the school certifies: the place comes
from the Department the school belongs to (or ``data["XacNhan"]["NoiCap"]``), the date is
passed in (the signing sessions fix it when the first whole-document signature is made), the
signer's title is the principal's. A digitised record (SoHoa) carries ``BanGoc`` (the scanned
original's ``SHA256`` and ``TenTep``) in its data. Pure mapping: incomplete data fails with
``TranscriptDataIncompleteError`` naming the field, data the profile refuses with
``TranscriptDataInvalidError``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from domain.assessment import Circular, Comment, Conduct58, Learning58, Level, Title, Title58
from domain.documents import (
    AssessmentForm,
    Certification,
    DocumentHeader,
    Gender,
    InvalidDocumentError,
    LevelCode,
    Mark,
    ScannedOriginal,
    SchoolLevel,
    SignerTitle,
    StudentDetails,
    SubjectRecord,
    Summary,
    TermLevels,
    TranscriptDocument,
)
from domain.model import School, Transcript, TranscriptKind
from workflow._errors import WorkflowError

DEPARTMENT_PLACES: Mapping[str, str] = {
    "01": "Thành phố Hà Nội",
    "31": "Thành phố Hải Phòng",
    "46": "Thành phố Huế",
    "48": "Thành phố Đà Nẵng",
    "79": "Thành phố Hồ Chí Minh",
    "92": "Thành phố Cần Thơ",
}
"""``NoiCap`` by Department code (MaSoGD), for the Departments the project knows."""

_SCORE = re.compile(r"(10|[0-9])\.[0-9]")
E = TypeVar("E")


class TranscriptDataIncompleteError(WorkflowError):
    """The transcript's data lacks something the XML document needs; ``field`` names it."""

    code = "transcript_data_incomplete"

    def __init__(self, transcript_id: str, field: str) -> None:
        super().__init__(
            f"transcript {transcript_id}: {field} is missing",
            f"học bạ {transcript_id}: thiếu {field}",
        )
        self.transcript_id = transcript_id
        self.field = field


class TranscriptDataInvalidError(WorkflowError):
    """The transcript's data cannot become a valid XML document; ``field`` names where."""

    code = "transcript_data_invalid"

    def __init__(self, transcript_id: str, field: str, why: str) -> None:
        super().__init__(
            f"transcript {transcript_id}: {field}: {why}",
            f"học bạ {transcript_id}: {field} không hợp lệ ({why})",
        )
        self.transcript_id = transcript_id
        self.field = field
        self.why = why


class _Reader:
    """Reads ``Transcript.data`` by path, naming the first missing or malformed field."""

    def __init__(self, transcript_id: str) -> None:
        self.transcript_id = transcript_id

    def missing(self, field: str) -> TranscriptDataIncompleteError:
        return TranscriptDataIncompleteError(self.transcript_id, field)

    def invalid(self, field: str, why: str) -> TranscriptDataInvalidError:
        return TranscriptDataInvalidError(self.transcript_id, field, why)

    def part(self, data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        value = data.get(key)
        if not isinstance(value, Mapping):
            raise self.missing(f"{where}{key}")
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = self.optional_text(data, key, where)
        if value is None or not value.strip():
            raise self.missing(f"{where}{key}")
        return value

    def optional_text(self, data: Mapping[str, Any], key: str, where: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.invalid(f"{where}{key}", "must be text")
        return value or None

    def number(self, data: Mapping[str, Any], key: str, where: str) -> int:
        value = data.get(key)
        if value is None:
            raise self.missing(f"{where}{key}")
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.invalid(f"{where}{key}", "must be a whole number")
        return value

    def enum(self, kind: type[E], data: Mapping[str, Any], key: str, where: str) -> E:
        value = data.get(key)
        if value is None:
            raise self.missing(f"{where}{key}")
        try:
            return kind(value)  # type: ignore[call-arg]
        except ValueError:
            raise self.invalid(f"{where}{key}", f"{value!r} is not a known code") from None


def _mark(reader: _Reader, value: Any, form: AssessmentForm, field: str) -> Mark:
    if not isinstance(value, str):
        raise reader.invalid(field, "must be text")
    if form is AssessmentForm.COMMENT:
        try:
            return Comment(value)
        except ValueError:
            raise reader.invalid(field, f"{value!r} is not D or CD") from None
    if not _SCORE.fullmatch(value):
        raise reader.invalid(field, f"{value!r} is not a score with one decimal")
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits decimals only
        raise reader.invalid(field, f"{value!r} is not a score") from None


def _optional_mark(
    reader: _Reader, data: Mapping[str, Any], key: str, form: AssessmentForm, where: str
) -> Mark | None:
    value = data.get(key)
    return None if value is None else _mark(reader, value, form, f"{where}{key}")


def _subject(reader: _Reader, data: Mapping[str, Any], index: int) -> SubjectRecord:
    code = data.get("Ma")
    where = f"KetQuaHocTap[{code if isinstance(code, str) else index}]."
    form = reader.enum(AssessmentForm, data, "HinhThucDanhGia", where)
    hk1 = data.get("HK1")
    if hk1 is None:
        raise reader.missing(f"{where}HK1")
    return SubjectRecord(
        code=reader.text(data, "Ma", where),
        name=reader.text(data, "Ten", where),
        form=form,
        hk1=_mark(reader, hk1, form, f"{where}HK1"),
        hk2=_optional_mark(reader, data, "HK2", form, where),
        year=_optional_mark(reader, data, "CaNam", form, where),
        retest=_optional_mark(reader, data, "DiemKiemTraLai", form, where),
        comment=reader.optional_text(data, "NhanXet", where),
        teacher=reader.text(data, "GiaoVien", where),
    )


def _levels(
    reader: _Reader, data: Mapping[str, Any], scale: type[LevelCode], where: str
) -> TermLevels:
    def level(key: str, required: bool = False) -> LevelCode | None:
        if data.get(key) is None and not required:
            return None
        return reader.enum(scale, data, key, where)

    hk1 = level("HK1", required=True)
    assert hk1 is not None  # required
    return TermLevels(
        hk1=hk1, hk2=level("HK2"), year=level("CaNam"), after_reassessment=level("SauDanhGiaLai")
    )


def _summary(reader: _Reader, data: Mapping[str, Any], circular: Circular) -> Summary:
    where = "TongHop."
    c22 = circular is Circular.C22
    academic: type[LevelCode] = Level if c22 else Learning58
    conduct: type[LevelCode] = Level if c22 else Conduct58
    promoted = data.get("DuocLenLop")
    if promoted is not None and not isinstance(promoted, bool):
        raise reader.invalid(f"{where}DuocLenLop", "must be true or false")
    title: Title | Title58 | None = None
    if data.get("DanhHieu") is not None:
        title = (
            reader.enum(Title, data, "DanhHieu", where)
            if c22
            else reader.enum(Title58, data, "DanhHieu", where)
        )
    return Summary(
        academic=_levels(reader, reader.part(data, "HocTap", where), academic, f"{where}HocTap."),
        conduct=_levels(reader, reader.part(data, "RenLuyen", where), conduct, f"{where}RenLuyen."),
        absences=reader.number(data, "SoBuoiNghi", where),
        promoted=promoted,
        homeroom_comment=reader.text(data, "NhanXetGVCN", where),
        title=title,
        awards=reader.optional_text(data, "KhenThuong", where),
    )


def _certification(
    reader: _Reader, data: Mapping[str, Any], school: School, issued_on: date
) -> Certification:
    given = data.get("XacNhan")
    place = given.get("NoiCap") if isinstance(given, Mapping) else None
    place = place or DEPARTMENT_PLACES.get(school.department_code)
    if not place:
        raise reader.missing("XacNhan.NoiCap")
    return Certification(place=place, issued_on=issued_on, signer_title=SignerTitle.PRINCIPAL)


def _original(
    reader: _Reader, data: Mapping[str, Any], kind: TranscriptKind
) -> ScannedOriginal | None:
    """``BanGoc`` of a digitised record (SoHoa): the scanned paper original's SHA-256 and
    file name; any other kind has none (whatever its data says)."""
    if kind is not TranscriptKind.SO_HOA:
        return None
    original = reader.part(data, "BanGoc", "")
    return ScannedOriginal(
        sha256=reader.text(original, "SHA256", "BanGoc."),
        file_name=reader.text(original, "TenTep", "BanGoc."),
    )


def transcript_document(
    *, transcript: Transcript, school: School, issued_on: date
) -> TranscriptDocument:
    """The XML document model of ``transcript`` (its data, id, version and replaced version).

    ``school`` is the transcript's school (``NoiCap`` from its Department); ``issued_on`` is
    ``NgayCap``. Raises TranscriptDataIncompleteError or TranscriptDataInvalidError.
    """
    reader = _Reader(transcript.id)
    data = transcript.data
    header = reader.part(data, "TTChung", "")
    student = reader.part(data, "HocSinh", "")
    subjects = data.get("KetQuaHocTap")
    if not isinstance(subjects, list) or not subjects:
        raise reader.missing("KetQuaHocTap")
    where = "TTChung."
    kind = reader.enum(TranscriptKind, header, "LoaiHocBa", where)
    if kind != transcript.kind:
        raise reader.invalid(f"{where}LoaiHocBa", f"the transcript is {transcript.kind}")
    circular = reader.enum(Circular, header, "ThongTu", where)
    try:
        date_of_birth = date.fromisoformat(reader.text(student, "NgaySinh", "HocSinh."))
    except ValueError:
        raise reader.invalid("HocSinh.NgaySinh", "must be an ISO date") from None
    try:
        return TranscriptDocument(
            header=DocumentHeader(
                transcript_id=transcript.id,
                version=transcript.version,
                replaces=transcript.replaces_id,
                kind=kind,
                school_year=reader.text(header, "NamHoc", where),
                department_code=reader.text(header, "MaSoGD", where),
                school_code=reader.text(header, "MaTruong", where),
                school_name=reader.text(header, "TenTruong", where),
                school_level=reader.enum(SchoolLevel, header, "CapHoc", where),
                grade=reader.number(header, "Khoi", where),
                class_name=reader.text(header, "Lop", where),
                circular=circular,
            ),
            student=StudentDetails(
                personal_id=reader.text(student, "MaDinhDanh", "HocSinh."),
                full_name=reader.text(student, "HoVaTen", "HocSinh."),
                date_of_birth=date_of_birth,
                gender=reader.enum(Gender, student, "GioiTinh", "HocSinh."),
                ethnicity=reader.text(student, "DanToc", "HocSinh."),
                nationality=reader.text(student, "QuocTich", "HocSinh."),
                birthplace=reader.text(student, "NoiSinh", "HocSinh."),
                father_name=reader.optional_text(student, "HoTenCha", "HocSinh."),
                mother_name=reader.optional_text(student, "HoTenMe", "HocSinh."),
                guardian_name=reader.optional_text(student, "HoTenNguoiGiamHo", "HocSinh."),
            ),
            subjects=tuple(
                _subject(reader, s if isinstance(s, Mapping) else {}, i)
                for i, s in enumerate(subjects)
            ),
            summary=_summary(reader, reader.part(data, "TongHop", ""), circular),
            certification=_certification(reader, data, school, issued_on),
            original=_original(reader, data, kind),
        )
    except InvalidDocumentError as error:
        if "CaNam" in error.why and "has HK2" in error.why:
            raise reader.missing(f"{error.field} (HK2, CaNam)") from None
        if error.field == "summary.promoted":
            raise reader.missing("TongHop.DuocLenLop") from None
        raise reader.invalid(error.field, error.why) from None
