"""Transcripts: the scoped list, one transcript, its signed files, return and revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from api._openapi import PROBLEMS
from api._schemas_in import CorrectionRequestBody, ReasonRequest
from api._schemas_out import (
    CorrectionOutcomeOut,
    SignatureOut,
    StudentOut,
    TranscriptList,
    TranscriptOut,
    TranscriptOutcomeOut,
    TranscriptSummaryOut,
)
from domain.model import TranscriptStatus
from workflow import (
    MAX_OFFSET,
    MAX_PAGE,
    Actor,
    SignedFileKind,
    TranscriptOutcome,
    TranscriptSummary,
    TranscriptView,
    UnitOfWork,
    file_correction_request,
    list_transcripts,
    read_signed_file,
    return_transcript,
    revoke_transcript,
    view_transcript,
)

TranscriptId = Annotated[
    str,
    PathParameter(
        description="MaHocBa: the transcript version's id.", pattern="^[0-9A-Za-z-]{1,36}$"
    ),
]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description=f"Page size (1–{MAX_PAGE}).")]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="How many rows to skip.")]


def summary_out(item: TranscriptSummary) -> TranscriptSummaryOut:
    """The list line of a transcript."""
    return TranscriptSummaryOut(
        id=item.id,
        version=item.version,
        kind=item.kind,
        status=item.status,
        school_year=item.school_year,
        class_id=item.class_id,
        class_name=item.class_name,
        student_id=item.student_id,
        student_name=item.student_name,
    )


def _transcript_out(view: TranscriptView) -> TranscriptOut:
    s = view.student
    return TranscriptOut(
        id=view.id,
        version=view.version,
        kind=view.kind,
        status=view.status,
        school_year=view.school_year,
        school_name=view.school_name,
        class_name=view.class_name,
        replaces_id=view.replaces_id,
        student=StudentOut(
            id=s.id,
            full_name=s.full_name,
            personal_id_masked=s.personal_id_masked,
            date_of_birth=s.date_of_birth,
            gender=s.gender,
        ),
        data=view.data,
        signatures=[
            SignatureOut(
                slot=g.slot,
                signer=g.signer,
                signed_at=g.signed_at,
                on_behalf_of=g.on_behalf_of,
                archived=g.archived,
            )
            for g in view.signatures
        ],
        allowed_actions=list(view.allowed_actions),
    )


def _outcome_out(outcome: TranscriptOutcome) -> TranscriptOutcomeOut:
    return TranscriptOutcomeOut(
        transcript_id=outcome.transcript_id,
        status=outcome.status,
        new_transcript_id=outcome.new_transcript_id,
    )


class TranscriptController(Controller):
    """``/transcripts``: everything here is scoped to what the caller may read."""

    path = "/transcripts"
    tags = ["transcripts"]  # noqa: RUF012  (Litestar's class attribute)

    @get(
        "/",
        sync_to_thread=True,
        responses=PROBLEMS,
        summary="List transcripts in the caller's scope",
    )
    def index(
        self,
        *,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
        class_id: Annotated[
            int | None, QueryParameter(ge=1, le=2**31 - 1, description="Only this class.")
        ] = None,
        school_year: Annotated[
            str | None,
            QueryParameter(
                pattern="^[0-9]{4}-[0-9]{4}$", description="Only this year, e.g. `2024-2025`."
            ),
        ] = None,
        status: Annotated[
            TranscriptStatus | None, QueryParameter(description="Only this status.")
        ] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> TranscriptList:
        """Transcripts the caller may read, newest school year first; each student listed is
        recorded in the audit log."""
        items = list_transcripts(
            uow,
            actor=actor,
            now=now,
            class_id=class_id,
            school_year=school_year,
            status=status.value if status else None,
            limit=limit,
            offset=offset,
        )
        return TranscriptList(items=[summary_out(i) for i in items], limit=limit, offset=offset)

    @get(
        "/{transcript_id:str}",
        sync_to_thread=True,
        responses=PROBLEMS,
        summary="Read one transcript",
    )
    def show(
        self,
        *,
        transcript_id: TranscriptId,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> TranscriptOut:
        """The transcript, its signatures and what the caller may do now (audited). 404 for
        a transcript outside the caller's scope, as for one that does not exist."""
        return _transcript_out(
            view_transcript(uow, transcript_id=transcript_id, actor=actor, now=now)
        )

    @get(
        "/{transcript_id:str}/xml",
        sync_to_thread=True,
        responses=PROBLEMS,
        summary="Download the signed XML",
        media_type="application/xml",
    )
    def xml(
        self,
        *,
        transcript_id: TranscriptId,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> Response[bytes]:
        """The current signed XML (audited); 404 while nothing is signed."""
        return _file(uow, transcript_id, SignedFileKind.XML, actor, now)

    @get(
        "/{transcript_id:str}/pdf",
        sync_to_thread=True,
        responses=PROBLEMS,
        summary="Download the signed PDF",
        media_type="application/pdf",
    )
    def pdf(
        self,
        *,
        transcript_id: TranscriptId,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> Response[bytes]:
        """The current signed PDF (audited); 404 while nothing is signed."""
        return _file(uow, transcript_id, SignedFileKind.PDF, actor, now)

    @post(
        "/{transcript_id:str}/return",
        status_code=200,
        sync_to_thread=True,
        responses=PROBLEMS,
        summary="Return a transcript to draft",
    )
    def send_back(
        self,
        *,
        transcript_id: TranscriptId,
        data: JSONBody[ReasonRequest],
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> TranscriptOutcomeOut:
        """A later signer sends the transcript back to draft before the seal; the earlier
        signatures are archived and the reason is kept in the audit log."""
        return _outcome_out(
            return_transcript(
                uow, transcript_id=transcript_id, actor=actor, reason=data.reason, now=now
            )
        )

    @post(
        "/{transcript_id:str}/revoke",
        status_code=200,
        sync_to_thread=True,
        responses=PROBLEMS,
        summary="Revoke an issued version",
    )
    def revoke(
        self,
        *,
        transcript_id: TranscriptId,
        data: JSONBody[ReasonRequest],
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> TranscriptOutcomeOut:
        """The principal withdraws an issued version before the lock date; a new version
        starts as draft."""
        return _outcome_out(
            revoke_transcript(
                uow, transcript_id=transcript_id, actor=actor, reason=data.reason, now=now
            )
        )

    @post(
        "/{transcript_id:str}/correction-requests",
        status_code=201,
        sync_to_thread=True,
        responses=PROBLEMS,
        summary="Ask the Department to correct a locked transcript",
    )
    def request_correction(
        self,
        *,
        transcript_id: TranscriptId,
        data: JSONBody[CorrectionRequestBody],
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> CorrectionOutcomeOut:
        """The principal files a correction request after the lock date; the transcript
        becomes `correction_requested`."""
        outcome = file_correction_request(
            uow,
            transcript_id=transcript_id,
            actor=actor,
            reason=data.reason,
            details=data.details,
            now=now,
        )
        return CorrectionOutcomeOut(
            id=outcome.request_id,
            transcript_id=outcome.transcript_id,
            status=outcome.status,
            new_transcript_id=outcome.new_transcript_id,
        )


def _file(
    uow: UnitOfWork, transcript_id: str, kind: SignedFileKind, actor: Actor, now: datetime
) -> Response[bytes]:
    found = read_signed_file(uow, transcript_id=transcript_id, kind=kind, actor=actor, now=now)
    name = f"hocba-{found.transcript_id}-v{found.version}.{kind.value}"
    return Response(
        found.content,
        media_type=found.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "ETag": f'"{found.sha256}"',
        },
    )
