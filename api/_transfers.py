"""Transfers between two schools of the system (REQ-26) and the record a school holds.

Academic affairs of either school asks (``POST /transfers``), the other school's accepts
(``POST /transfers/{id}/accept``: the leaving school's ChuyenTruong record opens in draft for
its principal and clerk), and once it is sealed the receiving school completes it
(``POST /transfers/{id}/complete``). Before the school year the receiving school asks
(``POST /transfers/new-year``) and the leaving school's acceptance completes it; either
school asked may refuse (``POST /transfers/{id}/refuse``); ``GET /transfers`` lists them.
``GET /students/{personal_id}/record-chain`` lists the
student's transcripts as the caller's school holds them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from api._openapi import PROBLEMS
from workflow import (
    Actor,
    UnitOfWork,
    accept_transfer_request,
    complete_transfer,
    refuse_transfer,
    request_new_year_transfer,
    request_transfer,
    student_record_chain,
    transfer_overview,
)

RowId = Annotated[int, PathParameter(ge=1, le=2**31 - 1, description="The transfer's id.")]
PersonalId = Annotated[
    str, PathParameter(pattern=r"^\d{12}$", description="The student's 12-digit personal ID.")
]
ClassId = Annotated[
    int,
    msgspec.Meta(ge=1, le=2**31 - 1, description="The receiving school's class (its id)."),
]


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class TransferIn(msgspec.Struct, forbid_unknown_fields=True):
    """A transfer request."""

    personal_id: Annotated[
        str, msgspec.Meta(pattern=r"^\d{12}$", description="The student's 12-digit personal ID.")
    ]
    to_school_code: Annotated[
        str,
        msgspec.Meta(min_length=1, max_length=16, description="MaTruong of the receiving school."),
    ]
    to_class_id: ClassId | None = None
    reason: Annotated[str, msgspec.Meta(max_length=500, description="Why (optional).")] = ""


class NewYearTransferIn(msgspec.Struct, forbid_unknown_fields=True):
    """The receiving school asks for a student before the school year starts."""

    personal_id: Annotated[
        str, msgspec.Meta(pattern=r"^\d{12}$", description="The student's 12-digit personal ID.")
    ]
    to_class_id: Annotated[
        int,
        msgspec.Meta(
            ge=1, le=2**31 - 1, description="The receiving school's class of the new year."
        ),
    ]
    reason: Annotated[str, msgspec.Meta(max_length=500, description="Why (optional).")] = ""


class RefuseIn(msgspec.Struct, forbid_unknown_fields=True):
    """The school asked declines, saying why."""

    reason: Annotated[
        str, msgspec.Meta(min_length=1, max_length=500, description="Why (shown to the asker).")
    ]


class AcceptIn(msgspec.Struct, forbid_unknown_fields=True):
    """The other school's acceptance; the receiving school names the class if not yet."""

    to_class_id: ClassId | None = None


class CompleteIn(msgspec.Struct, forbid_unknown_fields=True):
    """The day the student joins the receiving class."""

    effective_on: Annotated[date, _d("The day the student leaves one class and joins the other.")]


class TransferCreated(msgspec.Struct):
    """The new transfer's id."""

    id: Annotated[int, _d("The transfer's id.")]


class TransferAccepted(msgspec.Struct):
    """What accepting did: mid-year, the leaving school's ChuyenTruong transcript opened in
    draft for its principal; before the year, the transfer is completed."""

    transcript_id: Annotated[
        str | None, _d("The ChuyenTruong transcript (MaHocBa); null before the year.")
    ]
    kind: Annotated[str, _d("`mid_year` or `before_year`.")] = "mid_year"


class TransferLineOut(msgspec.Struct):
    """One transfer into or out of the caller's school."""

    id: Annotated[int, _d("The transfer's id.")]
    kind: Annotated[str, _d("`mid_year` or `before_year`.")]
    stage: Annotated[str, _d("`requested`, `accepted`, `completed` or `refused`.")]
    incoming: Annotated[bool, _d("The caller's school receives the student.")]
    student_name: Annotated[str, _d("The student's full name.")]
    personal_id_masked: Annotated[str, _d("The personal ID, masked.")]
    school_year: Annotated[str, _d("NamHoc of the transfer.")]
    from_school: Annotated[str, _d("The leaving school.")]
    from_class: Annotated[str, _d("The student's class there.")]
    to_school: Annotated[str, _d("The receiving school.")]
    to_class: Annotated[str | None, _d("The receiving class, once chosen.")]
    requested_at: Annotated[datetime, _d("When it was asked.")]
    reason: Annotated[str, _d("Why it was asked.")]
    refusal_reason: Annotated[str | None, _d("Why it was refused.")]
    transcript_id: Annotated[str | None, _d("The ChuyenTruong record (mid-year).")]
    actions: Annotated[list[str], _d("What the caller may do now: accept, refuse, complete.")]


class TransfersOut(msgspec.Struct):
    """The transfers into and out of the caller's schools, newest first."""

    items: Annotated[list[TransferLineOut], _d("The transfers, newest first.")]


class ChainLinkOut(msgspec.Struct):
    """One version of the student's record."""

    transcript_id: Annotated[str, _d("MaHocBa of the version.")]
    version: Annotated[int, _d("PhienBan.")]
    kind: Annotated[str, _d("`CaNam`, `ChuyenTruong` or `SoHoa`.")]
    status: Annotated[str, _d("The transcript status (as received, for an imported one).")]
    school_year: Annotated[str, _d("NamHoc, e.g. `2024-2025`.")]
    school_code: Annotated[str, _d("MaTruong of the issuing school.")]
    source: Annotated[str, _d("`own`, `transferred` or `imported`.")]
    xml_sha256: Annotated[str | None, _d("SHA-256 of the signed XML, once there is one.")]
    pdf_sha256: Annotated[str | None, _d("SHA-256 of the signed PDF, once there is one.")]


class ChainOut(msgspec.Struct):
    """The student's record at the caller's school, oldest year first."""

    items: Annotated[list[ChainLinkOut], _d("The versions, oldest year first.")]


class TransferController(Controller):
    """``/transfers`` and ``/students/{personal_id}/record-chain``."""

    path = "/"
    tags = ["transfers"]  # noqa: RUF012  (Litestar's class attribute)

    @post("/transfers", status_code=201, sync_to_thread=True, responses=PROBLEMS)
    def request(
        self,
        data: JSONBody[TransferIn],
        *,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> TransferCreated:
        """Academic affairs of the leaving or the receiving school asks for a transfer."""
        transfer_id = request_transfer(
            uow,
            personal_id=data.personal_id,
            to_school_code=data.to_school_code,
            to_class_id=data.to_class_id,
            reason=data.reason,
            actor=actor,
            now=now,
        )
        return TransferCreated(id=transfer_id)

    @post("/transfers/new-year", status_code=201, sync_to_thread=True, responses=PROBLEMS)
    def request_new_year(
        self,
        data: JSONBody[NewYearTransferIn],
        *,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> TransferCreated:
        """The receiving school's academic affairs asks for a student before the year."""
        transfer_id = request_new_year_transfer(
            uow,
            personal_id=data.personal_id,
            to_class_id=data.to_class_id,
            reason=data.reason,
            actor=actor,
            now=now,
        )
        return TransferCreated(id=transfer_id)

    @get("/transfers", sync_to_thread=True, responses=PROBLEMS)
    def overview(
        self,
        *,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> TransfersOut:
        """Academic affairs: the transfers into and out of their schools, newest first."""
        seen = transfer_overview(uow, actor=actor, now=now)
        return TransfersOut(
            items=[
                TransferLineOut(
                    id=line.id,
                    kind=line.kind.value,
                    stage=line.stage.value,
                    incoming=line.incoming,
                    student_name=line.student_name,
                    personal_id_masked=line.personal_id_masked,
                    school_year=line.school_year,
                    from_school=line.from_school,
                    from_class=line.from_class,
                    to_school=line.to_school,
                    to_class=line.to_class,
                    requested_at=line.requested_at,
                    reason=line.reason,
                    refusal_reason=line.refusal_reason,
                    transcript_id=line.transcript_id,
                    actions=list(line.actions),
                )
                for line in seen.lines
            ]
        )

    @post(
        "/transfers/{transfer_id:int}/refuse",
        status_code=204,
        sync_to_thread=True,
        responses=PROBLEMS,
    )
    def refuse(
        self,
        transfer_id: RowId,
        data: JSONBody[RefuseIn],
        *,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> None:
        """The school asked declines a requested transfer, saying why."""
        refuse_transfer(uow, transfer_id=transfer_id, reason=data.reason, actor=actor, now=now)

    @post(
        "/transfers/{transfer_id:int}/accept",
        status_code=200,
        sync_to_thread=True,
        responses=PROBLEMS,
    )
    def accept(
        self,
        transfer_id: RowId,
        data: JSONBody[AcceptIn],
        *,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> TransferAccepted:
        """The other school's academic affairs accepts (the queue's `accept_transfer`)."""
        accepted = accept_transfer_request(
            uow, transfer_id=transfer_id, to_class_id=data.to_class_id, actor=actor, now=now
        )
        return TransferAccepted(transcript_id=accepted.transcript_id, kind=accepted.kind.value)

    @post(
        "/transfers/{transfer_id:int}/complete",
        status_code=204,
        sync_to_thread=True,
        responses=PROBLEMS,
    )
    def complete(
        self,
        transfer_id: RowId,
        data: JSONBody[CompleteIn],
        *,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> None:
        """The receiving school inherits the sealed record; the enrolment moves."""
        complete_transfer(
            uow, transfer_id=transfer_id, effective_on=data.effective_on, actor=actor, now=now
        )

    @get("/students/{personal_id:str}/record-chain", sync_to_thread=True, responses=PROBLEMS)
    def chain(
        self,
        personal_id: PersonalId,
        *,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> ChainOut:
        """The student's transcripts at the caller's school: its own, inherited, imported."""
        links = student_record_chain(uow, personal_id=personal_id, actor=actor, now=now)
        return ChainOut(
            items=[
                ChainLinkOut(
                    transcript_id=link.transcript_id,
                    version=link.version,
                    kind=link.kind.value,
                    status=link.status.value,
                    school_year=link.school_year,
                    school_code=link.school_code,
                    source=link.source,
                    xml_sha256=link.xml_sha256,
                    pdf_sha256=link.pdf_sha256,
                )
                for link in links
            ]
        )
