"""The unit of work: one use case, one transaction, the audit entries included."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from workflow._audit import AuditTrail
from workflow._audit_batches import audit_batcher
from workflow._database import WRITE_OPTION, is_postgresql
from workflow._errors import ConflictError


class UnitOfWork:
    """Opens a session; ``commit`` writes the changes and the audit entries together.

    Leaving the ``with`` block without ``commit`` rolls everything back, entries included.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._session: Session | None = None
        self.audit = AuditTrail()

    @property
    def session(self) -> Session:
        """The open session (only inside ``with``)."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    def __enter__(self) -> UnitOfWork:
        bind = self._engine.execution_options(**{WRITE_OPTION: True})
        self._session = Session(bind, expire_on_commit=False, autoflush=False)
        self.audit = AuditTrail()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            session.rollback()
        finally:
            session.close()
            self._session = None

    def read_once(
        self, statement: sa.Executable, parameters: Mapping[str, Any]
    ) -> Sequence[sa.Row[Any]]:
        """The rows of one read-only statement, run on its own outside the unit's transaction.

        On PostgreSQL the statement is autocommitted (a single statement is a transaction of
        its own): no BEGIN and ROLLBACK round trips, which matters for the one query every
        authenticated request makes. On SQLite it is a deferred (shared-lock) read.
        """
        with self._engine.connect() as opened:
            connection = (
                opened.execution_options(isolation_level="AUTOCOMMIT")
                if is_postgresql(self._engine)
                else opened
            )
            return connection.execute(statement, parameters).all()

    def flush(self, what: str = "the record") -> None:
        """Send pending changes; a concurrent writer's win becomes a ConflictError."""
        try:
            self.session.flush()
        except (StaleDataError, IntegrityError) as error:
            self.session.rollback()
            raise ConflictError(what) from error

    def commit_reads(self) -> None:
        """End a use case that only read: its transaction is rolled back (it wrote nothing)
        and its audit entries are chained together with other concurrent reads' entries in
        one short transaction (``AuditBatcher``). Returns once they are committed."""
        self.session.rollback()
        audit_batcher(self._engine).append(self.audit.take())

    def commit(self, what: str = "the record") -> None:
        """Flush the changes, chain the audit entries, commit once."""
        self.flush(what)
        self.audit.write(self.session)
        try:
            self.session.commit()
        except (StaleDataError, IntegrityError) as error:
            self.session.rollback()
            raise ConflictError(what) from error
