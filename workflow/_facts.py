"""What the guards need to know about a transcript beyond its row, gathered in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.model import SlotKind, TranscriptKind


@dataclass(frozen=True, slots=True)
class TranscriptFacts:
    """The context a transition is judged in; built by ``load_facts`` inside the use case."""

    school_id: int
    school_year_id: int
    class_id: int
    department_code: str
    kind: TranscriptKind
    subjects: frozenset[str]
    """Subjects on the transcript (GVBM slots that may be signed)."""
    required_subjects: frozenset[str]
    """GVBM slots that must be signed before the transcript leaves draft (CaNam: all)."""
    live_slots: frozenset[str]
    """Slots holding a live (not archived) signature."""
    staffed_subjects: frozenset[str]
    """Subjects of the class with a subject teacher assigned now (else the principal stands in)."""
    has_homeroom_teacher: bool
    """Whether the class has a homeroom teacher assigned now."""
    lock_at: datetime
    """When this transcript's data locks: the main date, or the supplementary one (REQ-20)."""

    def unsigned_required_subjects(self) -> frozenset[str]:
        """Required subjects whose GVBM slot is still empty."""
        signed = {
            slot.split(":", 1)[1]
            for slot in self.live_slots
            if slot.startswith(f"{SlotKind.GVBM.value}:")
        }
        return self.required_subjects - signed

    @property
    def needs_teacher_slots(self) -> bool:
        """CaNam needs every subject teacher and the homeroom teacher; the other kinds do not."""
        return self.kind is TranscriptKind.CA_NAM
