"""The student's own copies over the API: share links (REQ-32) and lost files (REQ-33).

``/me/share-links`` needs the student's or guardian's bearer token; ``/shared/{token}`` and
``/lost-files/…`` are public (the link's token, or the code sent to the registered phone, is
the credential). Tokens are never stored: only their SHA-256.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, PathParameter

from api._openapi import PROBLEMS, problem_spec
from api._schemas_in import NO_NUL
from workflow import (
    MAX_RECIPIENT,
    SHARE_LINK_DAYS,
    Actor,
    RecoveryPolicy,
    SignedFile,
    SignedFileKind,
    UnitOfWork,
    confirm_recovery_code,
    create_share_link,
    list_share_links,
    open_share_link,
    read_recovered_file,
    read_shared_file,
    recovered_files,
    request_recovery_code,
    revoke_share_link,
)
from workflow import ShareLinkView as LinkView


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


Token = Annotated[
    str,
    PathParameter(description="The token of the link or page.", pattern="^[A-Za-z0-9_-]{16,64}$"),
]
TranscriptId = Annotated[
    str,
    PathParameter(
        description="MaHocBa: the transcript version's id.", pattern="^[0-9A-Za-z-]{1,36}$"
    ),
]
RequestId = Annotated[
    str,
    PathParameter(description="The request's id, as step 1 answered it.", pattern="^[0-9a-f]{32}$"),
]


class ShareLinkCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new share link for one of the caller's own finalized transcript versions."""

    transcript_id: Annotated[
        str, msgspec.Meta(pattern="^[0-9A-Za-z-]{1,36}$", description="The version to share.")
    ]
    recipient: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=MAX_RECIPIENT,
            pattern=NO_NUL,
            description="Whom the link is for (a university, an employer), in your words.",
        ),
    ]
    expires_in_days: Annotated[
        int, _d(f"How long the link lasts: one of {', '.join(map(str, SHARE_LINK_DAYS))} days.")
    ]


class ShareLinkOut(msgspec.Struct):
    """A share link as its creator sees it (never its token after creation)."""

    id: Annotated[int, _d("The link's id (for revoking it).")]
    transcript_id: Annotated[str, _d("The shared version.")]
    version: Annotated[int, _d("PhienBan of the shared version.")]
    school_year: Annotated[str, _d("Its school year.")]
    class_name: Annotated[str, _d("Its class.")]
    student_name: Annotated[str, _d("Whose transcript.")]
    recipient: Annotated[str, _d("Whom the link is for.")]
    created_at: Annotated[datetime, _d("When it was made, UTC.")]
    expires_at: Annotated[datetime, _d("When it stops opening, UTC.")]
    revoked_at: Annotated[datetime | None, _d("When it was revoked, if it was.")]
    open_count: Annotated[int, _d("How often the link's page or files were opened.")]
    last_opened_at: Annotated[datetime | None, _d("The last opening, UTC.")]
    state: Annotated[str, _d("`active`, `expired`, `revoked` or `withdrawn` (version replaced).")]


class ShareLinkCreated(ShareLinkOut):
    """A new link: the token and the page address are shown this once."""

    token: Annotated[str, _d("The link's secret token (only its hash is kept).")] = ""
    url: Annotated[str, _d("The page to give the recipient: `<public url>/chia-se/<token>`.")] = ""


class ShareLinkList(msgspec.Struct):
    """The caller's share links, newest first."""

    items: Annotated[list[ShareLinkOut], _d("The links, newest first.")]


class SharedTranscriptOut(msgspec.Struct):
    """What a share link opens: the transcript's identity and its files."""

    transcript_id: Annotated[str, _d("MaHocBa of the shared version.")]
    version: Annotated[int, _d("PhienBan.")]
    kind: Annotated[str, _d("`CaNam`, `ChuyenTruong` or `SoHoa`.")]
    school_year: Annotated[str, _d("The school year.")]
    school_name: Annotated[str, _d("The school.")]
    class_name: Annotated[str, _d("The class.")]
    student_name: Annotated[str, _d("The student's full name.")]
    personal_id_masked: Annotated[str, _d("The personal ID, masked.")]
    date_of_birth: Annotated[date, _d("Date of birth.")]
    recipient: Annotated[str, _d("Whom the link was made for.")]
    expires_at: Annotated[datetime, _d("When the link stops opening, UTC.")]
    xml_url: Annotated[str | None, _d("The signed XML (None while there is none).")]
    pdf_url: Annotated[str | None, _d("The signed PDF (None while there is none).")]


class RecoveryRequestIn(msgspec.Struct, forbid_unknown_fields=True):
    """Step 1 of the lost-files recovery."""

    personal_id: Annotated[
        str, msgspec.Meta(max_length=32, description="The student's 12-digit personal ID.")
    ]
    phone: Annotated[
        str,
        msgspec.Meta(
            max_length=32,
            description="The phone number registered on the student's or a guardian's account.",
        ),
    ]


class RecoveryStartedOut(msgspec.Struct):
    """The same answer whether the personal ID and phone matched anyone or not."""

    request_id: Annotated[str, _d("Send it back with the code.")]
    expires_at: Annotated[datetime, _d("Until when a code sent for this request is valid.")]
    message: Annotated[str, _d("What to tell the person, in Vietnamese.")]


class RecoveryCodeIn(msgspec.Struct, forbid_unknown_fields=True):
    """Step 2: the code received on the registered phone."""

    code: Annotated[str, msgspec.Meta(max_length=16, description="The 6-digit code.")]


class RecoveryGrantedOut(msgspec.Struct):
    """The download page opened by the right code."""

    download_token: Annotated[str, _d("The page's token (shown once).")]
    expires_at: Annotated[datetime, _d("Until when the page opens, UTC.")]
    files_url: Annotated[str, _d("`GET` it for the list of transcripts.")]


class RecoveredTranscriptOut(msgspec.Struct):
    """One issued transcript on the download page."""

    id: Annotated[str, _d("MaHocBa of the version.")]
    version: Annotated[int, _d("PhienBan.")]
    kind: Annotated[str, _d("`CaNam`, `ChuyenTruong` or `SoHoa`.")]
    school_year: Annotated[str, _d("The school year.")]
    class_name: Annotated[str, _d("The class.")]
    xml_url: Annotated[str | None, _d("The signed XML (None while there is none).")]
    pdf_url: Annotated[str | None, _d("The signed PDF (None while there is none).")]


class RecoveredFilesOut(msgspec.Struct):
    """The student's issued transcripts, downloadable until ``expires_at``."""

    student_name: Annotated[str, _d("The student's full name.")]
    date_of_birth: Annotated[date, _d("Date of birth.")]
    expires_at: Annotated[datetime, _d("Until when the page opens, UTC.")]
    transcripts: Annotated[list[RecoveredTranscriptOut], _d("The issued versions, newest first.")]


PUBLIC_PROBLEMS: dict[int, ResponseSpec] = {
    400: problem_spec("The body is not well-formed JSON."),
    404: problem_spec("No such link, request or page."),
    410: problem_spec("Expired, revoked, used or void: it no longer opens anything."),
    422: problem_spec("Invalid input (or a wrong code); `field` names it."),
    429: problem_spec("Too many requests; `Retry-After` says when to try again."),
}

REQUESTED_VI = (
    "Nếu mã định danh và số điện thoại khớp với hồ sơ đã đăng ký, một mã xác nhận gồm 6 chữ số "
    "đã được gửi tới số điện thoại đó. Hãy nhập mã trong vòng {minutes} phút."
)
"""The answer to step 1, matched or not (nothing reveals whether the personal ID exists)."""


def link_out(view: LinkView) -> dict[str, Any]:
    """The fields of a link's answer."""
    return {
        "id": view.id,
        "transcript_id": view.transcript_id,
        "version": view.version,
        "school_year": view.school_year,
        "class_name": view.class_name,
        "student_name": view.student_name,
        "recipient": view.recipient,
        "created_at": view.created_at,
        "expires_at": view.expires_at,
        "revoked_at": view.revoked_at,
        "open_count": view.open_count,
        "last_opened_at": view.last_opened_at,
        "state": view.state,
    }


def share_page_url(state: State, token: str) -> str:
    """The public page of a share link."""
    return f"{state.settings.public_url.rstrip('/')}/chia-se/{token}"


def client_address(request: Request[Any, Any, Any]) -> str:
    """The caller's address, as the per-address rate limits count it."""
    return request.client.host if request.client else "unknown"


def file_response(found: SignedFile) -> Response[bytes]:
    """A signed file as a download; never cached by a shared cache (it is personal data)."""
    name = f"hocba-{found.transcript_id}-v{found.version}.{found.kind.value}"
    return Response(
        found.content,
        media_type=found.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
    )


@post(
    "/me/share-links",
    status_code=201,
    sync_to_thread=True,
    responses=PROBLEMS,
    tags=["me"],
    summary="Share one of my finalized transcripts",
)
def create_link(
    *,
    data: JSONBody[ShareLinkCreate],
    uow: NamedDependency[UnitOfWork],
    actor: NamedDependency[Actor],
    now: NamedDependency[datetime],
    state: State,
) -> ShareLinkCreated:
    """A link (expiring, revocable, every opening audited) to one of the caller's own
    finalized versions, for whoever they choose (REQ-32). The token is answered this once."""
    made = create_share_link(
        uow,
        transcript_id=data.transcript_id,
        recipient=data.recipient,
        days=data.expires_in_days,
        actor=actor,
        now=now,
    )
    return ShareLinkCreated(
        **link_out(made.link), token=made.token, url=share_page_url(state, made.token)
    )


@get(
    "/me/share-links",
    sync_to_thread=True,
    responses=PROBLEMS,
    tags=["me"],
    summary="My share links",
)
def my_links(
    *,
    uow: NamedDependency[UnitOfWork],
    actor: NamedDependency[Actor],
    now: NamedDependency[datetime],
) -> ShareLinkList:
    """The links the caller made, newest first, with their state and how often each opened."""
    return ShareLinkList(
        items=[ShareLinkOut(**link_out(v)) for v in list_share_links(uow, actor=actor, now=now)]
    )


@delete(
    "/me/share-links/{link_id:int}",
    status_code=200,
    sync_to_thread=True,
    responses=PROBLEMS,
    tags=["me"],
    summary="Revoke one of my share links",
)
def revoke_link(
    *,
    link_id: Annotated[int, PathParameter(ge=1, le=2**31 - 1, description="The link's id.")],
    uow: NamedDependency[UnitOfWork],
    actor: NamedDependency[Actor],
    now: NamedDependency[datetime],
) -> ShareLinkOut:
    """The link stops opening at once. Another person's link is 404."""
    return ShareLinkOut(**link_out(revoke_share_link(uow, link_id=link_id, actor=actor, now=now)))


@get(
    "/shared/{token:str}",
    sync_to_thread=True,
    responses=PUBLIC_PROBLEMS,
    tags=["shared"],
    summary="Open a share link",
)
def shared(
    *, token: Token, uow: NamedDependency[UnitOfWork], now: NamedDependency[datetime]
) -> SharedTranscriptOut:
    """No login: the shared transcript's identity and its files' addresses (audited). 410
    when the link expired, was revoked, or the version was replaced."""
    view = open_share_link(uow, token=token, now=now)
    base = f"/api/v1/shared/{token}"
    return SharedTranscriptOut(
        transcript_id=view.transcript_id,
        version=view.version,
        kind=view.kind,
        school_year=view.school_year,
        school_name=view.school_name,
        class_name=view.class_name,
        student_name=view.student_name,
        personal_id_masked=view.personal_id_masked,
        date_of_birth=view.date_of_birth,
        recipient=view.recipient,
        expires_at=view.expires_at,
        xml_url=f"{base}/xml" if view.has_xml else None,
        pdf_url=f"{base}/pdf" if view.has_pdf else None,
    )


@get(
    "/shared/{token:str}/xml",
    sync_to_thread=True,
    responses=PUBLIC_PROBLEMS,
    tags=["shared"],
    summary="The shared signed XML",
    media_type="application/xml",
)
def shared_xml(
    *, token: Token, uow: NamedDependency[UnitOfWork], now: NamedDependency[datetime]
) -> Response[bytes]:
    """The shared version's signed XML (audited)."""
    return file_response(read_shared_file(uow, token=token, kind=SignedFileKind.XML, now=now))


@get(
    "/shared/{token:str}/pdf",
    sync_to_thread=True,
    responses=PUBLIC_PROBLEMS,
    tags=["shared"],
    summary="The shared signed PDF",
    media_type="application/pdf",
)
def shared_pdf(
    *, token: Token, uow: NamedDependency[UnitOfWork], now: NamedDependency[datetime]
) -> Response[bytes]:
    """The shared version's signed PDF (audited)."""
    return file_response(read_shared_file(uow, token=token, kind=SignedFileKind.PDF, now=now))


@post(
    "/lost-files/requests",
    status_code=202,
    sync_to_thread=True,
    responses=PUBLIC_PROBLEMS,
    tags=["lost-files"],
    summary="Ask for a one-time code to get lost files again",
)
def lost_files_request(
    *,
    data: JSONBody[RecoveryRequestIn],
    request: Request[Any, Any, Any],
    uow: NamedDependency[UnitOfWork],
    now: NamedDependency[datetime],
    state: State,
) -> RecoveryStartedOut:
    """Step 1 (REQ-33): if the personal ID names a student and the phone is registered on
    the student's or a guardian's account, a 6-digit code goes to that phone. The answer is
    the same either way. Limited per personal ID and per address (429)."""
    policy: RecoveryPolicy = state.recovery_policy
    started = request_recovery_code(
        uow,
        personal_id=data.personal_id,
        phone=data.phone,
        client=client_address(request),
        notifier=state.notifier,
        now=now,
        policy=policy,
    )
    minutes = int(policy.code_lifetime.total_seconds() // 60)
    return RecoveryStartedOut(
        request_id=started.request_id,
        expires_at=started.expires_at,
        message=REQUESTED_VI.format(minutes=minutes),
    )


@post(
    "/lost-files/requests/{request_id:str}/confirm",
    status_code=200,
    sync_to_thread=True,
    responses=PUBLIC_PROBLEMS,
    tags=["lost-files"],
    summary="Enter the one-time code",
)
def lost_files_confirm(
    *,
    request_id: RequestId,
    data: JSONBody[RecoveryCodeIn],
    uow: NamedDependency[UnitOfWork],
    now: NamedDependency[datetime],
    state: State,
) -> RecoveryGrantedOut:
    """Step 2: the right code opens a short-lived download page. A wrong code is 422
    `recovery_code_wrong`; after the last attempt allowed the code is void (410)."""
    granted = confirm_recovery_code(
        uow, request_id=request_id, code=data.code, now=now, policy=state.recovery_policy
    )
    return RecoveryGrantedOut(
        download_token=granted.download_token,
        expires_at=granted.expires_at,
        files_url=f"/api/v1/lost-files/downloads/{granted.download_token}",
    )


@get(
    "/lost-files/downloads/{token:str}",
    sync_to_thread=True,
    responses=PUBLIC_PROBLEMS,
    tags=["lost-files"],
    summary="The transcripts a right code opened",
)
def lost_files_list(
    *, token: Token, uow: NamedDependency[UnitOfWork], now: NamedDependency[datetime]
) -> RecoveredFilesOut:
    """The student's issued transcripts with their files' addresses (audited); 410 once
    the page has expired."""
    found = recovered_files(uow, token=token, now=now)
    base = f"/api/v1/lost-files/downloads/{token}/transcripts"
    return RecoveredFilesOut(
        student_name=found.student_name,
        date_of_birth=found.date_of_birth,
        expires_at=found.expires_at,
        transcripts=[
            RecoveredTranscriptOut(
                id=t.id,
                version=t.version,
                kind=t.kind,
                school_year=t.school_year,
                class_name=t.class_name,
                xml_url=f"{base}/{t.id}/xml" if t.has_xml else None,
                pdf_url=f"{base}/{t.id}/pdf" if t.has_pdf else None,
            )
            for t in found.transcripts
        ],
    )


@get(
    "/lost-files/downloads/{token:str}/transcripts/{transcript_id:str}/{kind:str}",
    sync_to_thread=True,
    responses=PUBLIC_PROBLEMS,
    tags=["lost-files"],
    summary="Download one recovered file",
)
def lost_files_file(
    *,
    token: Token,
    transcript_id: TranscriptId,
    kind: Annotated[str, PathParameter(description="`xml` or `pdf`.", pattern="^(xml|pdf)$")],
    uow: NamedDependency[UnitOfWork],
    now: NamedDependency[datetime],
) -> Response[bytes]:
    """The signed XML or PDF of one of the student's issued transcripts (audited)."""
    return file_response(
        read_recovered_file(
            uow, token=token, transcript_id=transcript_id, kind=SignedFileKind(kind), now=now
        )
    )


PROTECTED_HANDLERS = (create_link, my_links, revoke_link)
"""Routes that need the student's or guardian's bearer token."""
PUBLIC_HANDLERS = (
    shared,
    shared_xml,
    shared_pdf,
    lost_files_request,
    lost_files_confirm,
    lost_files_list,
    lost_files_file,
)
"""Routes anyone may call (the token or the code is the credential)."""
