"""The whole transcript document (``DLHocBa``) and the rules that span its parts.

What the kind requires (a whole year for CaNam, the paper original for SoHoa) and which scales
the circular uses cannot be said by the XSD; they are checked here, when the value is made.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.assessment import Circular, Conduct58, Learning58, Level, Title, Title58
from domain.documents._checks import require
from domain.documents._model import (
    Certification,
    DocumentHeader,
    ScannedOriginal,
    StudentDetails,
    SubjectRecord,
    Summary,
)
from domain.documents._vocabulary import LevelCode
from domain.model import TranscriptKind

MAX_SUBJECTS = 40
"""At most this many ``MonHoc`` (the catalogue has 21): bounds the work of a verification."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TranscriptDocument:
    """``DLHocBa``: everything the signatures cover."""

    header: DocumentHeader
    """``TTChung``."""
    student: StudentDetails
    """``HocSinh``."""
    subjects: tuple[SubjectRecord, ...]
    """``KetQuaHocTap``: in the order they are printed (and their GVBM slots are laid out)."""
    summary: Summary
    """``TongHop``."""
    certification: Certification
    """``XacNhan``."""
    original: ScannedOriginal | None = None
    """``BanGoc``: required for a digitised record (SoHoa), absent otherwise."""

    def __post_init__(self) -> None:
        codes = [subject.code for subject in self.subjects]
        require(1 <= len(codes) <= MAX_SUBJECTS, "subjects", f"1 to {MAX_SUBJECTS} subjects")
        require(len(set(codes)) == len(codes), "subjects", "a subject code appears twice")
        kind = self.header.kind
        require(
            (self.original is not None) == (kind is TranscriptKind.SO_HOA),
            "original",
            "a digitised record (SoHoa) needs BanGoc; no other kind has one",
        )
        if kind is TranscriptKind.CA_NAM:
            self._check_complete_year()
        academic: type[LevelCode] = Level if self.header.circular is Circular.C22 else Learning58
        conduct: type[LevelCode] = Level if self.header.circular is Circular.C22 else Conduct58
        titles = Title if self.header.circular is Circular.C22 else Title58
        summary = self.summary
        for levels, scale, name in (
            (summary.academic, academic, "academic"),
            (summary.conduct, conduct, "conduct"),
        ):
            require(
                all(isinstance(value, scale) for value in levels.values()),
                f"summary.{name}",
                f"Circular {self.header.circular} levels are {', '.join(scale)}",
            )
        require(
            self.summary.title is None or isinstance(self.summary.title, titles),
            "summary.title",
            f"Circular {self.header.circular} titles are {', '.join(titles)}",
        )

    def _check_complete_year(self) -> None:
        for subject in self.subjects:
            require(
                subject.hk2 is not None and subject.year is not None,
                f"subjects[{subject.code}]",
                "an annual record (CaNam) has HK2 and CaNam",
            )
        summary = self.summary
        for name, levels in (("academic", summary.academic), ("conduct", summary.conduct)):
            require(
                levels.hk2 is not None and levels.year is not None,
                f"summary.{name}",
                "an annual record (CaNam) has HK2 and CaNam",
            )
        require(
            self.summary.promoted is not None, "summary.promoted", "an annual record decides it"
        )
