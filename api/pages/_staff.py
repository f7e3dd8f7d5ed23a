"""The staff pages: the inbox, a class's transcripts, one transcript and its actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter

from api.pages._core import PageError, Visit
from workflow import (
    SignedFileKind,
    TaskItem,
    TranscriptView,
    file_correction_request,
    list_transcripts,
    my_tasks,
    read_signed_file,
    return_transcript,
    revoke_transcript,
    view_transcript,
)

TranscriptId = Annotated[str, PathParameter(pattern="^[0-9A-Za-z-]{1,36}$")]
ClassId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]


@dataclass(frozen=True, slots=True)
class TaskGroup:
    """The inbox's tasks of one class (or of no class: the Department's)."""

    title: str
    class_id: int | None
    school_year: str
    tasks: tuple[TaskItem, ...]

    @property
    def count(self) -> int:
        """Transcripts waiting in this group."""
        return sum(t.count for t in self.tasks)


def group_tasks(items: list[TaskItem]) -> list[TaskGroup]:
    """Tasks grouped by class, in queue order."""
    groups: dict[tuple[str, int | None], list[TaskItem]] = {}
    for item in items:
        groups.setdefault((item.school_year, item.class_id), []).append(item)
    return [
        TaskGroup(
            title=f"Lớp {tasks[0].class_name}" if tasks[0].class_name else "Việc chung",
            class_id=class_id,
            school_year=year,
            tasks=tuple(tasks),
        )
        for (year, class_id), tasks in groups.items()
    ]


@get("/", include_in_schema=False)
async def inbox(*, visit: NamedDependency[Visit]) -> Response[str]:
    """The start page: the staff inbox; students and guardians go to their own page."""
    if visit.actor is not None and visit.kind == "admin":
        admin, uow = visit.actor, visit.uow()
        duties = await visit.run(lambda: my_tasks(uow, actor=admin, now=visit.now))
        return visit.render("admin.html.j2", tasks=duties)
    actor = visit.staff()
    if visit.kind == "own":
        return visit.redirect("/cua-toi")
    uow = visit.uow()
    items = await visit.run(lambda: my_tasks(uow, actor=actor, now=visit.now))
    return visit.render(
        # The refresh button asks htmx for the list only.
        "inbox_list.html.j2" if visit.htmx else "inbox.html.j2",
        groups=group_tasks(items),
        total=len(items),
        now=visit.now,
    )


@get("/lop/{class_id:int}", include_in_schema=False)
async def class_page(*, class_id: ClassId, visit: NamedDependency[Visit]) -> Response[str]:
    """A class's transcripts in the reader's scope, with their states (staff pages only)."""
    actor = visit.staff()
    if visit.kind == "own":
        raise PageError(403, "Trang này dành cho cán bộ, giáo viên của trường.")
    uow = visit.uow()
    items = await visit.run(
        lambda: list_transcripts(uow, actor=actor, now=visit.now, class_id=class_id, limit=500)
    )
    if not items:
        raise PageError(404, "Không tìm thấy lớp này trong phạm vi bạn được xem.")
    return visit.render("class.html.j2", items=items, class_id=class_id)


def data_summary(view: TranscriptView) -> dict[str, Any]:
    """The parts of the transcript's data a page shows (never the unmasked personal ID)."""
    data = view.data
    totals = data.get("TongHop") or {}
    return {
        "subjects": [
            {
                "name": s.get("Ten") or s.get("Ma"),
                "hk1": s.get("HK1"),
                "hk2": s.get("HK2"),
                "year": s.get("CaNam"),
                "teacher": s.get("GiaoVien"),
            }
            for s in data.get("KetQuaHocTap") or []
            if isinstance(s, dict)
        ],
        "academic": (totals.get("HocTap") or {}).get("CaNam"),
        "conduct": (totals.get("RenLuyen") or {}).get("CaNam"),
        "absences": totals.get("SoBuoiNghi"),
    }


@get("/hoc-ba/{transcript_id:str}", include_in_schema=False)
async def transcript_page(
    *, transcript_id: TranscriptId, visit: NamedDependency[Visit]
) -> Response[str]:
    """One transcript: data, signatures, files and the actions allowed to the reader."""
    actor = visit.staff()
    uow = visit.uow()
    view = await visit.run(
        lambda: view_transcript(uow, transcript_id=transcript_id, actor=actor, now=visit.now)
    )
    allowed = set(view.allowed_actions)
    signing = sorted(a for a in allowed if a.startswith(("sign_", "stamp")))
    return visit.render(
        "transcript.html.j2",
        t=view,
        summary=data_summary(view),
        signed=any(not s.archived for s in view.signatures),
        signing=signing,
        allowed=allowed,
    )


@get("/hoc-ba/{transcript_id:str}/{kind:str}", include_in_schema=False)
async def transcript_file(
    *,
    transcript_id: TranscriptId,
    kind: Annotated[str, PathParameter(pattern="^(xml|pdf)$")],
    visit: NamedDependency[Visit],
) -> Response[bytes]:
    """The current signed XML or PDF, for a reader in scope (audited by the workflow)."""
    actor = visit.staff()
    if kind not in ("xml", "pdf"):
        raise PageError(404, "Không có tệp này.")
    file_kind = SignedFileKind(kind)
    uow = visit.uow()
    found = await visit.run(
        lambda: read_signed_file(
            uow, transcript_id=transcript_id, kind=file_kind, actor=actor, now=visit.now
        )
    )
    name = f"hocba-{found.transcript_id}-v{found.version}.{kind}"
    return Response(
        found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _reason(form: Any, field: str = "reason") -> str:
    text = str(form.get(field) or "").strip()
    if not text:
        raise PageError(422, "Hãy ghi rõ lý do.")
    return text


@post("/hoc-ba/{transcript_id:str}/tra-lai", include_in_schema=False)
async def return_action(
    *, transcript_id: TranscriptId, visit: NamedDependency[Visit]
) -> Response[str]:
    """Send the transcript back to draft with a reason."""
    actor = visit.staff()
    reason = _reason(await visit.form())
    uow = visit.uow()
    await visit.run(
        lambda: return_transcript(
            uow, transcript_id=transcript_id, actor=actor, reason=reason, now=visit.now
        )
    )
    return visit.redirect(f"/hoc-ba/{transcript_id}")


@post("/hoc-ba/{transcript_id:str}/thu-hoi", include_in_schema=False)
async def revoke_action(
    *, transcript_id: TranscriptId, visit: NamedDependency[Visit]
) -> Response[str]:
    """Withdraw an issued version; the new draft's page follows."""
    actor = visit.staff()
    reason = _reason(await visit.form())
    uow = visit.uow()
    outcome = await visit.run(
        lambda: revoke_transcript(
            uow, transcript_id=transcript_id, actor=actor, reason=reason, now=visit.now
        )
    )
    return visit.redirect(f"/hoc-ba/{outcome.new_transcript_id or transcript_id}")


@post("/hoc-ba/{transcript_id:str}/yeu-cau-dinh-chinh", include_in_schema=False)
async def correction_action(
    *, transcript_id: TranscriptId, visit: NamedDependency[Visit]
) -> Response[str]:
    """Ask the Department to correct a locked transcript."""
    actor = visit.staff()
    form = await visit.form()
    reason, details = _reason(form), _reason(form, "details")
    uow = visit.uow()
    await visit.run(
        lambda: file_correction_request(
            uow,
            transcript_id=transcript_id,
            actor=actor,
            reason=reason,
            details=details,
            now=visit.now,
        )
    )
    return visit.redirect(f"/hoc-ba/{transcript_id}")
