"""Group commit of read-audit entries: concurrent reads share one short chain transaction.

Every read of personal data is an audit entry (REQ-17), and every entry is chained under the
audit head's row lock. One transaction per read made the head row the bottleneck of every
read endpoint: each read held the lock for an INSERT, an UPDATE and a commit while the others
queued behind it. Here a read's entries wait in a per-process queue; the first waiting thread
takes everything queued so far and appends it in one transaction (lock the head, insert the
entries, move the head, commit), and the others wait for that batch. A reader is answered
only after its entries are committed, and a failed batch fails every read in it: no data
leaves unaudited. The chain is the same as one transaction per read would write, so
``hocba audit verify`` checks it unchanged.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from workflow._audit import AuditEntry, AuditTrail
from workflow._database import WRITE_OPTION


@dataclass(slots=True)
class _Ticket:
    entries: Sequence[AuditEntry]
    done: bool = False
    error: BaseException | None = None


class AuditBatcher:
    """Appends the entries handed to it by concurrent threads, in batches, to one engine's
    chain."""

    def __init__(self, engine: Engine) -> None:
        # Weak: the registry below must not keep a closed test database's engine alive.
        self._engine = weakref.ref(engine)
        self._lock = threading.Lock()
        self._written = threading.Condition(self._lock)
        self._waiting: list[_Ticket] = []
        self._writing = False

    def append(self, entries: Sequence[AuditEntry]) -> None:
        """Return once ``entries`` are committed to the chain; raise the batch's error if the
        batch they were written in failed."""
        if not entries:
            return
        ticket = _Ticket(entries)
        with self._lock:
            self._waiting.append(ticket)
            while not ticket.done:
                if self._writing:
                    self._written.wait()
                    continue
                batch, self._waiting = self._waiting, []
                self._writing = True
                self._lock.release()
                error: BaseException | None = None
                try:
                    self._write(batch)
                except BaseException as failure:  # handed to every reader of the batch
                    error = failure
                finally:
                    self._lock.acquire()
                    self._writing = False
                    for waiting in batch:
                        waiting.done, waiting.error = True, error
                    self._written.notify_all()
        if ticket.error is not None:
            raise ticket.error

    def _write(self, batch: list[_Ticket]) -> None:
        trail = AuditTrail()
        trail.extend(entry for ticket in batch for entry in ticket.entries)
        engine = self._engine()
        if engine is None:
            raise RuntimeError("the database engine is gone")
        bind = engine.execution_options(**{WRITE_OPTION: True})
        with Session(bind, expire_on_commit=False, autoflush=False) as session:
            trail.write(session)
            session.commit()


_BATCHERS: weakref.WeakKeyDictionary[Engine, AuditBatcher] = weakref.WeakKeyDictionary()
_BATCHERS_LOCK = threading.Lock()


def audit_batcher(engine: Engine) -> AuditBatcher:
    """The process's batcher for ``engine`` (one queue per database)."""
    with _BATCHERS_LOCK:
        found = _BATCHERS.get(engine)
        if found is None:
            found = _BATCHERS[engine] = AuditBatcher(engine)
        return found
