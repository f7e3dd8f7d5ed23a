"""``/ky/{class_id}``: batch signing of a class for the signer's step.

In demo mode the server signs through the API's demo signer keys (``api._demo_signer``:
only the demo PKI's key of a demo staff login, the school seal for the clerk's step, opened
once per process); outside demo mode there are none and the page explains the signing
client for USB tokens.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter

from api._demo_signer import DemoKeys
from api.pages._core import PageError, Visit
from domain.signatures import Pkcs12Signer
from workflow import (
    ItemResult,
    SignerFailedError,
    SigningStep,
    TaskItem,
    my_tasks,
    sign_with,
)

ClassId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]


def demo_signer(visit: Visit, login: str, step: SigningStep) -> Pkcs12Signer:
    """The demo key ``login`` signs ``step`` with: the one whitelist the API's demo signer
    uses (none outside demo mode)."""
    keys: DemoKeys | None = visit.request.app.state.demo_keys
    if keys is None or not visit.settings.demo:
        raise PageError(403, "Ký trên máy chủ chỉ bật ở chế độ thử nghiệm (demo).")
    try:
        return keys.signer_for(login=login, step=step)
    except NotFoundException:
        raise PageError(403, "Không có chứng thư số thử nghiệm cho tài khoản này.") from None
    except SignerFailedError:
        raise PageError(409, "Không mở được chứng thư số thử nghiệm của tài khoản này.") from None


def _origin(visit: Visit) -> str:
    return str(visit.request.base_url).rstrip("/")


async def _sign_tasks(visit: Visit, class_id: int) -> list[TaskItem]:
    actor = visit.staff()
    uow = visit.uow()
    items = await visit.run(lambda: my_tasks(uow, actor=actor, now=visit.now))
    return [t for t in items if t.action == "sign" and t.class_id == class_id]


@get("/ky/{class_id:int}", include_in_schema=False)
async def signing_page(*, class_id: ClassId, visit: NamedDependency[Visit]) -> Response[str]:
    """What waits for the signer's signature in this class, and how to sign it."""
    tasks = await _sign_tasks(visit, class_id)
    return visit.render(
        "signing.html.j2",
        tasks=tasks,
        class_id=class_id,
        results=None,
        class_name=None,
        page_origin=_origin(visit),
    )


@post("/ky/{class_id:int}", include_in_schema=False)
async def sign_class(*, class_id: ClassId, visit: NamedDependency[Visit]) -> Response[str]:
    """Sign one task of the class with the demo signer (demo mode only)."""
    actor = visit.staff()
    form = await visit.form()
    if not visit.settings.demo:
        raise PageError(403, "Ký trên máy chủ chỉ bật ở chế độ thử nghiệm (demo).")
    task_id = str(form.get("task") or "")
    tasks = await _sign_tasks(visit, class_id)
    task = next((t for t in tasks if t.id == task_id), None)
    if task is None or task.step is None:
        raise PageError(409, "Việc ký này không còn trong danh sách của bạn. Hãy tải lại trang.")
    step = SigningStep(task.step)
    login = actor.label
    signer = await visit.run(lambda: demo_signer(visit, login, step))
    uow = visit.uow()
    results: list[ItemResult] = await visit.run(
        lambda: sign_with(
            uow,
            signer=signer,
            actor=actor,
            transcript_ids=task.transcript_ids,
            step=step,
            subject_code=task.subject_code,
            now=visit.now,
            pdf=visit.request.app.state.pdf_signing,
        )
    )
    remaining = await _sign_tasks(visit, class_id)
    return visit.render(
        "signing.html.j2",
        tasks=remaining,
        class_id=class_id,
        results=results,
        class_name=task.class_name,
        page_origin=_origin(visit),
    )
