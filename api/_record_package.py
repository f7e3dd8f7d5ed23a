"""A student's complete record as one package: export for another system, import from one.

``GET /students/{personal_id}/record-package`` answers the zip; ``POST /record-packages``
(multipart field ``file``) verifies every file of a package and stores it for the caller's
school, or refuses it whole with one problem per file at fault (422, ``problems``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import State, UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.openapi import ResponseSpec
from litestar.params import Body, PathParameter

from api._openapi import PROBLEMS, problem_spec
from api._problems import problem
from api._trust import TrustRoots
from workflow import (
    MAX_PACKAGE_BYTES,
    Actor,
    PackageRejectedError,
    UnitOfWork,
    export_student_record,
    import_student_record,
)

PersonalId = Annotated[
    str, PathParameter(pattern=r"^\d{12}$", description="The student's 12-digit personal ID.")
]
ZIP_MEDIA_TYPE = "application/zip"


@dataclass
class PackageForm:
    """The upload: one record package."""

    file: Annotated[UploadFile, Body(description="The record package (zip).")]


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class ImportedVersionOut(msgspec.Struct):
    """One version of the package, as stored."""

    transcript_id: Annotated[str, _d("MaHocBa as the issuing system wrote it.")]
    version: Annotated[int, _d("PhienBan.")]
    kind: Annotated[str, _d("`CaNam`, `ChuyenTruong` or `SoHoa`.")]
    school_year: Annotated[str, _d("NamHoc.")]
    school_code: Annotated[str, _d("MaTruong of the issuing school.")]
    already_present: Annotated[bool, _d("The school had already received this version.")]


class ImportedRecordOut(msgspec.Struct):
    """What the import stored for the caller's school."""

    student_id: Annotated[int, _d("The student here (found by personal ID or created).")]
    personal_id_masked: Annotated[str, _d("The personal ID, masked: `079*******12`.")]
    school_id: Annotated[int, _d("The receiving school.")]
    package_sha256: Annotated[str, _d("SHA-256 of the package as received.")]
    files: Annotated[int, _d("Signed files stored (blobs by SHA-256).")]
    versions: Annotated[list[ImportedVersionOut], _d("Every version of the package.")]


IMPORT_PROBLEMS: dict[int, ResponseSpec] = {
    **PROBLEMS,
    413: problem_spec("The package is larger than accepted."),
    422: problem_spec(
        "The package was refused whole (`problems`: `file`, `code`, `detail` per file)."
    ),
    503: problem_spec("No trust roots are configured."),
}


@get(
    "/students/{personal_id:str}/record-package",
    sync_to_thread=True,
    responses=PROBLEMS,
    tags=["record packages"],
    summary="Export a student's complete record",
    media_type=ZIP_MEDIA_TYPE,
)
def export_record(
    personal_id: PersonalId,
    *,
    uow: NamedDependency[UnitOfWork],
    actor: NamedDependency[Actor],
    now: NamedDependency[datetime],
) -> Response[bytes]:
    """Every issued version's signed XML and PDF and `manifest.json` (SHA-256 of each file).
    For academic affairs or the principal of a school the student attends or attended."""
    package = export_student_record(uow, personal_id=personal_id, actor=actor, now=now)
    name = f"hoc-ba-{personal_id[:3]}xxxxxxx{personal_id[-2:]}.zip"
    return Response(
        package,
        media_type=ZIP_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@post(
    "/record-packages",
    status_code=201,
    sync_to_thread=True,
    request_max_body_size=MAX_PACKAGE_BYTES + 64 * 1024,
    responses=IMPORT_PROBLEMS,
    tags=["record packages"],
    summary="Import a student's complete record",
)
def import_record(
    *,
    request: Request[Actor, Any, Any],
    data: Annotated[PackageForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    state: State,
    uow: NamedDependency[UnitOfWork],
    actor: NamedDependency[Actor],
    now: NamedDependency[datetime],
) -> Response[Any]:
    """Verifies every file (manifest hashes, every signature) before storing anything; the
    versions are kept as received, read-only, for the caller's school."""
    roots: TrustRoots = state.trust_roots
    package = data.file.file.read(MAX_PACKAGE_BYTES + 1)
    try:
        record = import_student_record(
            uow, package=package, actor=actor, now=now, trust=roots.settings()
        )
    except PackageRejectedError as error:
        return problem(
            status=422,
            code=error.code,
            detail=error.message,
            instance=request.url.path,
            detail_vi=error.message_vi,
            problems=[p.to_json() for p in error.problems],
        )
    body = ImportedRecordOut(
        student_id=record.student_id,
        personal_id_masked=record.personal_id_masked,
        school_id=record.school_id,
        package_sha256=record.package_sha256,
        files=record.files,
        versions=[
            ImportedVersionOut(
                transcript_id=v.transcript_id,
                version=v.version,
                kind=v.kind,
                school_year=v.school_year,
                school_code=v.school_code,
                already_present=v.already_present,
            )
            for v in record.versions
        ],
    )
    return Response(msgspec.to_builtins(body), status_code=201)


HANDLERS = [export_record, import_record]
"""The record-package endpoints (behind the bearer middleware)."""
