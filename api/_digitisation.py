"""Digitising a paper record (REQ-27) over HTTP.

``POST /digitised-records`` (multipart: ``scan`` the scanned original as a PDF, ``personal_id``,
``paper_school``, ``record`` the paper year as JSON) opens the SoHoa transcript in draft for
the principal and the clerk; ``GET /digitised-records/{transcript_id}/scan`` gives the
scanned original back to the school's staff.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter

from api._openapi import PROBLEMS, problem_spec
from workflow import (
    MAX_SCAN_BYTES,
    Actor,
    InvalidInputError,
    UnitOfWork,
    digitise_paper_record,
    scanned_original,
)

TranscriptId = Annotated[
    str,
    PathParameter(
        min_length=36, max_length=36, description="The SoHoa transcript (MaHocBa, a UUID)."
    ),
]
PDF_MEDIA_TYPE = "application/pdf"


@dataclass
class DigitisationForm:
    """One paper year of an arriving student's record and its scan."""

    scan: Annotated[UploadFile, Body(description="The scanned paper original (PDF).")]
    personal_id: Annotated[str, Body(description="The student's 12-digit personal ID.")]
    paper_school: Annotated[str, Body(description="The school that kept the paper record.")]
    record: Annotated[
        str,
        Body(
            description=(
                "The paper year as JSON: `NamHoc`, `Khoi`, `Lop`, `ThongTu`, `KetQuaHocTap` "
                "(one object per subject: `Ma`, `Ten`, `HinhThucDanhGia`, `HK1`, `HK2`, "
                "`CaNam`, `DiemKiemTraLai`, `NhanXet`, `GiaoVien`) and `TongHop` (`HocTap`, "
                "`RenLuyen`, `SoBuoiNghi`, `DuocLenLop`, `DanhHieu`, `NhanXetGVCN`, "
                "`KhenThuong`), as docs/transfers.md shows."
            )
        ),
    ]


class DigitisedOut(msgspec.Struct):
    """The SoHoa transcript opened in draft."""

    transcript_id: Annotated[str, msgspec.Meta(description="The SoHoa transcript (MaHocBa).")]
    scan_sha256: Annotated[str, msgspec.Meta(description="SHA-256 of the scanned original.")]


def _record(text: str) -> dict[str, Any]:
    try:
        value = msgspec.json.decode(text)
    except msgspec.DecodeError:
        raise InvalidInputError("record", "is not JSON", "không phải JSON") from None
    if not isinstance(value, dict):
        raise InvalidInputError("record", "must be a JSON object", "phải là một đối tượng JSON")
    return value


@post(
    "/digitised-records",
    status_code=201,
    sync_to_thread=True,
    request_max_body_size=MAX_SCAN_BYTES + 256 * 1024,
    responses={**PROBLEMS, 413: problem_spec("The scan is larger than accepted.")},
    tags=["transfers"],
    summary="Digitise one paper year of an arriving student's record",
)
def digitise(
    *,
    data: Annotated[DigitisationForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    uow: NamedDependency[UnitOfWork],
    actor: NamedDependency[Actor],
    now: NamedDependency[datetime],
) -> DigitisedOut:
    """Academic affairs of the school the student attends; the SoHoa record then waits for
    the principal's signature and the clerk's seal."""
    scan = data.scan.file.read(MAX_SCAN_BYTES + 1)
    transcript_id = digitise_paper_record(
        uow,
        personal_id=data.personal_id,
        record=_record(data.record),
        paper_school=data.paper_school,
        scan=scan,
        scan_name=data.scan.filename or "",
        actor=actor,
        now=now,
    )
    return DigitisedOut(transcript_id=transcript_id, scan_sha256=hashlib.sha256(scan).hexdigest())


@get(
    "/digitised-records/{transcript_id:str}/scan",
    sync_to_thread=True,
    responses=PROBLEMS,
    tags=["transfers"],
    summary="The scanned paper original of a digitised record",
    media_type=PDF_MEDIA_TYPE,
)
def scan(
    transcript_id: TranscriptId,
    *,
    uow: NamedDependency[UnitOfWork],
    actor: NamedDependency[Actor],
    now: NamedDependency[datetime],
) -> Response[bytes]:
    """For academic affairs, the principal and the clerk of the record's school."""
    name, content = scanned_original(uow, transcript_id=transcript_id, actor=actor, now=now)
    safe = "".join(c for c in name if c.isascii() and (c.isalnum() or c in "-_.")) or "ban-quet.pdf"
    return Response(
        content,
        media_type=PDF_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


HANDLERS = [digitise, scan]
"""The digitisation endpoints (behind the bearer middleware)."""
