"""``GET /health``: answers once the database does."""

from __future__ import annotations

import sqlalchemy as sa
from litestar import get
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from sqlalchemy.engine import Engine


@get("/health", sync_to_thread=True, tags=["operations"])
def health(state: State) -> dict[str, str]:
    """``{"status": "ok"}`` when the database answers a query, 503 otherwise."""
    engine: Engine = state.engine
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        raise HTTPException(status_code=503, detail="database unavailable") from error
    return {"status": "ok"}
