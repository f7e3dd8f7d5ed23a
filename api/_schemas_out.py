"""What the API answers: response schemas built from the workflow's views, never from tables."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class TokenResponse(msgspec.Struct):
    """A bearer token for the ``Authorization: Bearer …`` header."""

    access_token: Annotated[str, _d("The token (a JWT signed by the server).")]
    token_type: Annotated[str, _d("Always `bearer`.")]
    expires_in: Annotated[int, _d("Seconds until the token expires.")]


class TaskItemOut(msgspec.Struct):
    """One line of the caller's queue: an action on a group of transcripts."""

    id: Annotated[str, _d("Stable id of the line: `<action>:<step>:<class>:<subject>`.")]
    action: Annotated[str, _d("`sign`, `review_correction`, `overdue`, …")]
    step: Annotated[str | None, _d("For `sign`: `subject`, `homeroom`, `principal`, `school`.")]
    school_year: Annotated[str, _d("The school year, e.g. `2024-2025`.")]
    class_id: Annotated[int | None, _d("The class's id.")]
    class_name: Annotated[str | None, _d("The class's name, e.g. `6A1`.")]
    subject_code: Annotated[str | None, _d("For a subject signature: the subject's code.")]
    transcript_ids: Annotated[list[str], _d("The transcripts the action applies to.")]
    count: Annotated[int, _d("How many transcripts.")]
    due_at: Annotated[datetime | None, _d("When it is due (the lock date), UTC.")]


class TaskList(msgspec.Struct):
    """The caller's queue, ordered by due date, class and subject."""

    items: Annotated[list[TaskItemOut], _d("The lines of the queue.")]


class StudentOut(msgspec.Struct):
    """The student, with the personal ID masked."""

    id: Annotated[int, _d("The student's id.")]
    full_name: Annotated[str, _d("Full name.")]
    personal_id_masked: Annotated[str, _d("The 12-digit personal ID, masked: `079*******12`.")]
    date_of_birth: Annotated[date, _d("Date of birth.")]
    gender: Annotated[str, _d("`Nam` or `Nữ`.")]


class SignatureOut(msgspec.Struct):
    """One signature of the transcript, live or archived."""

    slot: Annotated[str, _d("`GVBM:<subject>`, `GVCN`, `HieuTruong` or `DonVi`.")]
    signer: Annotated[str, _d("The signer's full name.")]
    signed_at: Annotated[datetime, _d("When it was signed, UTC.")]
    on_behalf_of: Annotated[str | None, _d("The departed teacher signed for, if any.")]
    archived: Annotated[bool, _d("True once the transcript was returned and re-signed.")]


class TranscriptOut(msgspec.Struct):
    """A transcript as its reader may see it, with what they may do to it now."""

    id: Annotated[str, _d("MaHocBa: the id of this version.")]
    version: Annotated[int, _d("PhienBan: 1, 2, …")]
    kind: Annotated[str, _d("`CaNam`, `ChuyenTruong` or `SoHoa`.")]
    status: Annotated[str, _d("Where it stands in the signing workflow.")]
    school_year: Annotated[str, _d("The school year, e.g. `2024-2025`.")]
    school_name: Annotated[str, _d("The school's name.")]
    class_name: Annotated[str, _d("The class's name.")]
    replaces_id: Annotated[str | None, _d("ThayTheCho: the version this one replaces.")]
    student: Annotated[StudentOut, _d("Whose transcript it is.")]
    data: Annotated[dict[str, Any], _d("The year's results the documents are rendered from.")]
    signatures: Annotated[list[SignatureOut], _d("Signatures in the order they were made.")]
    allowed_actions: Annotated[
        list[str], _d("Events the caller may fire now (`sign_subject:<code>`, `revoke`, …).")
    ]


class TranscriptSummaryOut(msgspec.Struct):
    """One line of a transcript list."""

    id: Annotated[str, _d("MaHocBa: the id of this version.")]
    version: Annotated[int, _d("PhienBan: 1, 2, …")]
    kind: Annotated[str, _d("`CaNam`, `ChuyenTruong` or `SoHoa`.")]
    status: Annotated[str, _d("Where it stands in the signing workflow.")]
    school_year: Annotated[str, _d("The school year.")]
    class_id: Annotated[int, _d("The class's id.")]
    class_name: Annotated[str, _d("The class's name.")]
    student_id: Annotated[int, _d("The student's id.")]
    student_name: Annotated[str, _d("The student's full name.")]


class TranscriptList(msgspec.Struct):
    """A page of transcripts the caller may read."""

    items: Annotated[list[TranscriptSummaryOut], _d("The transcripts of this page.")]
    limit: Annotated[int, _d("The page size asked for.")]
    offset: Annotated[int, _d("How many were skipped.")]


class TranscriptOutcomeOut(msgspec.Struct):
    """Where the transcript stands after the action."""

    transcript_id: Annotated[str, _d("The transcript acted on.")]
    status: Annotated[str, _d("Its status now.")]
    new_transcript_id: Annotated[str | None, _d("The new draft version it started, if any.")]


class CorrectionOutcomeOut(msgspec.Struct):
    """A correction request after it was filed or decided."""

    id: Annotated[int, _d("The correction request's id.")]
    transcript_id: Annotated[str, _d("The transcript it is about.")]
    status: Annotated[str, _d("`pending`, `approved` or `rejected`.")]
    new_transcript_id: Annotated[str | None, _d("On approval: the new draft version.")]


class CorrectionRequestOut(msgspec.Struct):
    """A correction request as the Department reviews it."""

    id: Annotated[int, _d("The request's id.")]
    transcript_id: Annotated[str, _d("The transcript it is about.")]
    school_name: Annotated[str, _d("The school.")]
    class_name: Annotated[str, _d("The class.")]
    student_name: Annotated[str, _d("The student's full name.")]
    reason: Annotated[str, _d("Why the school asks.")]
    details: Annotated[str, _d("What should change.")]
    status: Annotated[str, _d("`pending`, `approved` or `rejected`.")]
    created_at: Annotated[datetime, _d("When it was filed, UTC.")]
    decided_at: Annotated[datetime | None, _d("When it was decided, UTC.")]
    decision_note: Annotated[str | None, _d("The Department's note.")]
    new_transcript_id: Annotated[str | None, _d("On approval: the new draft version.")]


class CorrectionRequestList(msgspec.Struct):
    """Correction requests of the officer's department."""

    items: Annotated[list[CorrectionRequestOut], _d("The requests, oldest first.")]


class FieldErrorOut(msgspec.Struct):
    """One invalid field of a request."""

    field: Annotated[str, _d("The field (`reason`, `limit`, `items[0].id`, …).")]
    message: Annotated[str, _d("Why it is refused.")]


class ProblemOut(msgspec.Struct):
    """An error (RFC 9457 problem details, `application/problem+json`)."""

    type: Annotated[str, _d("`urn:hocba:problem:<code>`: stable, switch on it.")]
    title: Annotated[str, _d("A short summary of the kind of error.")]
    status: Annotated[int, _d("The HTTP status.")]
    detail: Annotated[str, _d("What went wrong this time (English).")]
    code: Annotated[str, _d("The error code (`not_assigned`, `invalid_input`, …).")]
    instance: Annotated[str | None, _d("The path of the request.")] = None
    detail_vi: Annotated[str | None, _d("The message for a school user (Vietnamese).")] = None
    field: Annotated[str | None, _d("For invalid input: the first field at fault.")] = None
    errors: Annotated[
        list[FieldErrorOut] | None, _d("For invalid input: every field at fault.")
    ] = None
