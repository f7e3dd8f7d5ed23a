"""Access monitoring and the data subject's rights over the API (REQ-17, REQ-32).

``GET /access-report`` (principal, Department officer), ``GET /me/personal-data`` (student,
guardian) and ``GET /students/{id}/personal-data`` (the principal of the student's school).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from api._openapi import PROBLEMS
from workflow import (
    AccessReport,
    Actor,
    InvalidInputError,
    UnitOfWork,
    access_policy,
    access_report,
    export_personal_data,
)

DEFAULT_DAYS = 30
"""A report without dates covers the last 30 days."""


def period(
    zone: str, since: date | None, until: date | None, now: datetime
) -> tuple[datetime, datetime]:
    """``[since 00:00, until+1 00:00)`` in the school's zone; defaults: the last 30 days."""
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    last = until or today
    first = since or last - timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise InvalidInputError(
            "until", "must not be before since", "không được trước ngày bắt đầu"
        )
    return (
        datetime.combine(first, time(0), tz),
        datetime.combine(last + timedelta(days=1), time(0), tz),
    )


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class ExampleOut(msgspec.Struct):
    """One read behind a finding: ids only."""

    seq: Annotated[int, _d("The audit entry (`hocba audit` shows it).")]
    student_id: Annotated[int, _d("The student read.")]
    at: Annotated[datetime, _d("When, UTC.")]


class FindingOut(msgspec.Struct):
    """An account's unusual reads of one kind."""

    account_id: Annotated[int, _d("The account (person id).")]
    username: Annotated[str, _d("Its login.")]
    full_name: Annotated[str, _d("Its holder.")]
    kind: Annotated[str, _d("`volume`, `off_hours` or `foreign_school`.")]
    count: Annotated[int, _d("Reads of this kind (`volume`: distinct students read).")]
    students: Annotated[int, _d("Distinct students among them.")]
    covered: Annotated[
        int | None, _d("`volume`: students the account's duties cover at the period's end.")
    ]
    first_at: Annotated[datetime, _d("The first such read, UTC.")]
    last_at: Annotated[datetime, _d("The last such read, UTC.")]
    examples: Annotated[list[ExampleOut], _d("Up to five reads, ids only.")]


class SchoolOut(msgspec.Struct):
    """A school the report covers."""

    id: Annotated[int, _d("The school's id.")]
    name: Annotated[str, _d("Its name.")]


class PolicyOut(msgspec.Struct):
    """What counted as unusual (`HOCBA_ACCESS_*`)."""

    timezone: Annotated[str, _d("The zone working hours are counted in.")]
    read_multiple: Annotated[float, _d("Students read / students covered above which.")]
    reads_without_duty: Annotated[int, _d("Students an account without duty may read.")]
    working_days: Annotated[list[int], _d("ISO weekdays (1 = Monday).")]
    working_hours: Annotated[list[int], _d("`[start, end)` hours, local.")]


class AccessReportOut(msgspec.Struct):
    """Unusual access to students' personal data in `[since, until)`."""

    since: Annotated[datetime, _d("Start of the period (school's zone).")]
    until: Annotated[datetime, _d("End of the period, excluded.")]
    generated_at: Annotated[datetime, _d("When the report was made.")]
    schools: Annotated[list[SchoolOut], _d("The schools covered.")]
    policy: Annotated[PolicyOut, _d("The thresholds applied.")]
    findings: Annotated[list[FindingOut], _d("By kind, then most reads first.")]


def report_out(report: AccessReport) -> AccessReportOut:
    """The report as the API answers it."""
    policy = report.policy
    return AccessReportOut(
        since=report.since,
        until=report.until,
        generated_at=report.generated_at,
        schools=[SchoolOut(id=i, name=n) for i, n in report.schools],
        policy=PolicyOut(
            timezone=policy.timezone,
            read_multiple=policy.read_multiple,
            reads_without_duty=policy.reads_without_duty,
            working_days=sorted(policy.working_days),
            working_hours=list(policy.working_hours),
        ),
        findings=[
            FindingOut(
                account_id=f.account_id,
                username=f.username,
                full_name=f.full_name,
                kind=f.kind,
                count=f.count,
                students=f.students,
                covered=f.covered,
                first_at=f.first_at,
                last_at=f.last_at,
                examples=[ExampleOut(e.seq, e.student_id, e.occurred_at) for e in f.examples],
            )
            for f in report.findings
        ],
    )


def export_response(document: dict[str, Any], student_id: int) -> Response[bytes]:
    """The export as a JSON download, never cached."""
    return Response(
        msgspec.json.encode(document),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="du-lieu-ca-nhan-{student_id}.json"',
            "Cache-Control": "no-store",
        },
    )


@get(
    "/access-report",
    sync_to_thread=True,
    responses=PROBLEMS,
    tags=["privacy"],
    summary="Unusual access to students' personal data",
)
def get_access_report(
    *,
    uow: NamedDependency[UnitOfWork],
    actor: NamedDependency[Actor],
    now: NamedDependency[datetime],
    state: State,
    since: Annotated[
        date | None, QueryParameter(description="First day (school's zone), default 30 days ago.")
    ] = None,
    until: Annotated[
        date | None, QueryParameter(description="Last day, included; default today.")
    ] = None,
) -> AccessReportOut:
    """Findings (`volume`, `off_hours`, `foreign_school`) per account for the principal's
    schools or the Department officer's; 403 for anyone else. Reading it is audited."""
    settings = state.settings
    start, end = period(settings.timezone, since, until, now)
    report = access_report(
        uow, actor=actor, now=now, since=start, until=end, policy=access_policy(settings)
    )
    return report_out(report)


@get(
    "/me/personal-data",
    sync_to_thread=True,
    responses=PROBLEMS,
    tags=["me"],
    summary="Everything the system holds about me (or my child)",
)
def my_personal_data(
    *,
    uow: NamedDependency[UnitOfWork],
    actor: NamedDependency[Actor],
    now: NamedDependency[datetime],
    student_id: Annotated[
        int | None,
        QueryParameter(ge=1, le=2**31 - 1, description="A guardian of several children names one."),
    ] = None,
) -> Response[bytes]:
    """The data subject's access export as JSON (`format_version`); audited."""
    document = export_personal_data(uow, actor=actor, now=now, student_id=student_id)
    return export_response(document, document["student"]["id"])


@get(
    "/students/{student_id:int}/personal-data",
    sync_to_thread=True,
    responses=PROBLEMS,
    tags=["privacy"],
    summary="A student's personal data, for their school's principal",
)
def student_personal_data(
    *,
    student_id: Annotated[int, PathParameter(ge=1, le=2**31 - 1, description="The student.")],
    uow: NamedDependency[UnitOfWork],
    actor: NamedDependency[Actor],
    now: NamedDependency[datetime],
) -> Response[bytes]:
    """The export, on the data subject's request made at the school; audited."""
    return export_response(
        export_personal_data(uow, actor=actor, now=now, student_id=student_id), student_id
    )


HANDLERS = (get_access_report, my_personal_data, student_personal_data)
"""Routes that need a bearer token."""
