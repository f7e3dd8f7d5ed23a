"""Certified paper copies (REQ-28) over HTTP, signed in two steps like the signing sessions.

``POST /certified-copies`` (the clerk, with the school's organisation certificate) prepares
the copy and answers the bytes to sign; ``POST /certified-copies/{id}/complete`` takes the
signature value and seals it; ``GET /certified-copies/{id}/pdf`` gives the sealed copy to the
school's staff.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from api._base64 import decode_base64, read_certificates
from api._openapi import PROBLEMS
from workflow import (
    Actor,
    UnitOfWork,
    certified_copy_pdf,
    complete_certified_copy,
    prepare_certified_copy,
)

CopyId = Annotated[int, PathParameter(ge=1, le=2**31 - 1, description="The copy's id.")]
PDF_MEDIA_TYPE = "application/pdf"


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class CopyIn(msgspec.Struct, forbid_unknown_fields=True):
    """The versions to copy and the seal's certificate chain."""

    transcript_ids: Annotated[
        list[Annotated[str, msgspec.Meta(min_length=36, max_length=36)]],
        msgspec.Meta(min_length=1, max_length=12, description="MaHocBa of each issued version."),
    ]
    certificate: Annotated[
        str | list[str],
        _d("The school's organisation certificate (base64 DER or PEM), then intermediates."),
    ]


class CopyPrepared(msgspec.Struct):
    """What the clerk's token signs."""

    id: Annotated[int, _d("The copy's id.")]
    to_sign: Annotated[str, _d("Base64 of the DER CMS signed attributes to sign.")]
    algorithm: Annotated[str, _d("`sha256WithRSA` or `sha256WithECDSA`.")]


class CopySignature(msgspec.Struct, forbid_unknown_fields=True):
    """The token's signature value over `to_sign`."""

    signature: Annotated[str, _d("Base64 of the signature value.")]


class CopySealed(msgspec.Struct):
    """The sealed copy."""

    id: Annotated[int, _d("The copy's id.")]
    pdf_sha256: Annotated[str, _d("SHA-256 of the sealed PDF.")]


@post(
    "/certified-copies",
    status_code=201,
    sync_to_thread=True,
    responses=PROBLEMS,
    tags=["transfers"],
    summary="Prepare a certified paper copy of a student's transcripts",
)
def prepare_copy(
    *,
    data: JSONBody[CopyIn],
    state: State,
    uow: NamedDependency[UnitOfWork],
    actor: NamedDependency[Actor],
    now: NamedDependency[datetime],
) -> CopyPrepared:
    """The school's clerk, with the school's own organisation certificate."""
    prepared = prepare_certified_copy(
        uow,
        transcript_ids=data.transcript_ids,
        certificate_chain=read_certificates(data.certificate, field="certificate"),
        actor=actor,
        now=now,
        pdf=state.pdf_signing,
    )
    return CopyPrepared(
        id=prepared.copy_id,
        to_sign=base64.b64encode(prepared.to_sign).decode(),
        algorithm=prepared.algorithm,
    )


@post(
    "/certified-copies/{copy_id:int}/complete",
    status_code=200,
    sync_to_thread=True,
    responses=PROBLEMS,
    tags=["transfers"],
    summary="Seal a prepared certified copy",
)
def complete_copy(
    copy_id: CopyId,
    *,
    data: JSONBody[CopySignature],
    state: State,
    uow: NamedDependency[UnitOfWork],
    actor: NamedDependency[Actor],
    now: NamedDependency[datetime],
) -> CopySealed:
    """The signature value is assembled into the PDF, which must verify before it is kept."""
    digest = complete_certified_copy(
        uow,
        copy_id=copy_id,
        signature_value=decode_base64(data.signature, field="signature"),
        actor=actor,
        now=now,
        pdf=state.pdf_signing,
    )
    return CopySealed(id=copy_id, pdf_sha256=digest)


@get(
    "/certified-copies/{copy_id:int}/pdf",
    sync_to_thread=True,
    responses=PROBLEMS,
    tags=["transfers"],
    summary="Download a sealed certified copy",
    media_type=PDF_MEDIA_TYPE,
)
def copy_pdf(
    copy_id: CopyId,
    *,
    uow: NamedDependency[UnitOfWork],
    actor: NamedDependency[Actor],
    now: NamedDependency[datetime],
) -> Response[bytes]:
    """For the staff of the copy's school."""
    content = certified_copy_pdf(uow, copy_id=copy_id, actor=actor, now=now)
    return Response(
        content,
        media_type=PDF_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="ban-sao-hoc-ba-{copy_id}.pdf"'},
    )


HANDLERS = [prepare_copy, complete_copy, copy_pdf]
"""The certified-copy endpoints (behind the bearer middleware)."""
