"""The unit of work: one use case, one transaction, the audit entries included."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from workflow._audit import AuditTrail
from workflow._database import WRITE_OPTION
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

    def flush(self, what: str = "the record") -> None:
        """Send pending changes; a concurrent writer's win becomes a ConflictError."""
        try:
            self.session.flush()
        except (StaleDataError, IntegrityError) as error:
            self.session.rollback()
            raise ConflictError(what) from error

    def commit(self, what: str = "the record") -> None:
        """Flush the changes, chain the audit entries, commit once."""
        self.flush(what)
        self.audit.write(self.session)
        try:
            self.session.commit()
        except (StaleDataError, IntegrityError) as error:
            self.session.rollback()
            raise ConflictError(what) from error
