"""What an event on a transcript could change: captured before and after, compared."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from domain.model import (
    AuditEvent,
    AuditHead,
    Blob,
    CorrectionRequest,
    EntryCorrection,
    HomeroomRecord,
    ScoreLine,
    Transcript,
    TranscriptSignature,
)


@dataclass(frozen=True, slots=True)
class Footprint:
    """What an event on one transcript may write or change, as comparable values."""

    totals: tuple[Any, ...]
    """Rows in every table an event writes to, and the audit chain's head (seq, hash)."""
    around: tuple[tuple[Any, ...], ...]
    """The transcript's row, its signatures, its correction requests and entry corrections,
    its student's score lines, and the versions that replace it, every column."""


def _table(model: type[SQLModel]) -> sa.Table:
    return cast(sa.Table, model.__table__)  # type: ignore[attr-defined]


_TRANSCRIPTS = _table(Transcript)
_SIGNATURES = _table(TranscriptSignature)
_REQUESTS = _table(CorrectionRequest)
_ENTRY_CORRECTIONS = _table(EntryCorrection)
_LINES = _table(ScoreLine)
_TID: sa.BindParameter[str] = sa.bindparam("tid", type_=sa.String)
_TOTALS = sa.select(
    *(
        sa.select(sa.func.count()).select_from(_table(model)).scalar_subquery()
        for model in (
            AuditEvent,
            Blob,
            Transcript,
            TranscriptSignature,
            CorrectionRequest,
            EntryCorrection,
            ScoreLine,
            HomeroomRecord,
        )
    ),
    sa.select(_table(AuditHead).c.seq).scalar_subquery(),
    sa.select(_table(AuditHead).c.hash).scalar_subquery(),
)
_AROUND = {
    "transcript": sa.select(_TRANSCRIPTS).where(
        (_TRANSCRIPTS.c.id == _TID) | (_TRANSCRIPTS.c.replaces_id == _TID)
    ),
    "signature": sa.select(_SIGNATURES).where(_SIGNATURES.c.transcript_id == _TID),
    "request": sa.select(_REQUESTS).where(_REQUESTS.c.transcript_id == _TID),
    "entry_correction": sa.select(_ENTRY_CORRECTIONS).where(
        _ENTRY_CORRECTIONS.c.transcript_id == _TID
    ),
    "score_line": sa.select(_LINES).where(
        _LINES.c.student_id
        == sa.select(_TRANSCRIPTS.c.student_id).where(_TRANSCRIPTS.c.id == _TID).scalar_subquery()
    ),
}


def footprint(engine: Engine, transcript_id: str) -> Footprint:
    """The database as an event on ``transcript_id`` could change it, captured now."""
    with engine.connect() as connection:
        totals = tuple(connection.execute(_TOTALS).one())
        around = sorted(
            (name, *map(str, row))
            for name, statement in _AROUND.items()
            for row in connection.execute(statement, {"tid": transcript_id})
        )
    return Footprint(totals=totals, around=tuple(around))
