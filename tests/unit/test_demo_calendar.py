"""The demo's years and the instants of its script follow from ``now``, never the clock."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import pytest

from tests.support.clock import VN, vn
from workflow._demo_calendar import demo_years
from workflow._demo_data import CLASS_SIZES, SUBJECT_CODES, YearRef
from workflow._demo_plan import Step, TranscriptKey, plan_steps
from workflow._demo_tracking import UNBUILT, entry_steps


@pytest.mark.parametrize(
    ("now", "previous", "current"),
    [
        (vn(2026, 11, 29), "2025-2026", "2026-2027"),
        (vn(2026, 9, 1, 0, 0), "2025-2026", "2026-2027"),
        (vn(2026, 8, 31, 23, 59), "2024-2025", "2025-2026"),
        (vn(2027, 3, 15), "2025-2026", "2026-2027"),
    ],
)
def test_the_current_year_is_the_september_to_august_year_containing_now(
    now: datetime, previous: str, current: str
) -> None:
    years = demo_years(now, zone=VN)
    assert (years[YearRef.PREVIOUS].name, years[YearRef.CURRENT].name) == (previous, current)


def test_the_year_turns_at_midnight_in_vietnam_not_in_utc() -> None:
    just_after = vn(2026, 9, 1, 0, 30).astimezone(UTC)  # still 31 August in UTC
    assert just_after.month == 8
    assert demo_years(just_after, zone=VN)[YearRef.CURRENT].name == "2026-2027"


def test_the_lock_calendar_defaults_to_30_june_and_15_august() -> None:
    current = demo_years(vn(2026, 11, 29), zone=VN)[YearRef.CURRENT]
    assert current.main_lock_at == vn(2027, 6, 30, 23, 59, 59)
    assert current.supplementary_lock_at == vn(2027, 8, 15, 23, 59, 59)
    assert current.opens_at == vn(2026, 9, 1, 0, 0)


def _by_transcript(steps: list[Step]) -> dict[TranscriptKey, list[Step]]:
    grouped: dict[TranscriptKey, list[Step]] = defaultdict(list)
    for step in steps:
        grouped[step.transcript].append(step)
    return grouped


@pytest.mark.parametrize(
    "now",
    [vn(2026, 11, 29), vn(2026, 9, 1, 0, 0), vn(2026, 9, 2, 7, 0), vn(2027, 8, 31, 23, 59)],
)
def test_every_step_happens_in_its_year_in_order_and_never_after_now(now: datetime) -> None:
    years = demo_years(now, zone=VN)
    steps = plan_steps(class_sizes=dict(CLASS_SIZES), years=years, now=now)
    entries = entry_steps(classes=list(CLASS_SIZES), years=years, now=now)
    assert [s.at for s in steps] == sorted(s.at for s in steps)
    assert [s.at for s in entries] == sorted(s.at for s in entries)
    built = {s.klass: s.at for s in entries if s.action == "build"}
    for (key, _), own in _by_transcript(steps).items():
        year = years[key[0]]
        assert built[key] <= own[0].at  # the seed plays the tracking book first on a tie
        assert all(year.opens_at <= s.at <= now for s in own)
        if key[0] is YearRef.PREVIOUS:
            assert all(s.at <= year.main_lock_at for s in own if s.action != "request_correction")
    corrections = [s for s in steps if s.action == "request_correction"]
    assert len(corrections) == 1
    assert corrections[0].at > years[YearRef.PREVIOUS].main_lock_at


@pytest.mark.parametrize(
    "now",
    [vn(2026, 11, 29), vn(2026, 9, 1, 0, 0), vn(2026, 9, 2, 7, 0), vn(2027, 8, 31, 23, 59)],
)
def test_the_tracking_book_is_opened_then_filled_then_built_from_before_the_lock(
    now: datetime,
) -> None:
    years = demo_years(now, zone=VN)
    entries = entry_steps(classes=list(CLASS_SIZES), years=years, now=now)
    opened = {(s.year, s.semester): s.at for s in entries if s.action == "open_window"}
    reviewed = {s.klass: s.at for s in entries if s.action == "review"}
    built = {s.klass: s.at for s in entries if s.action == "build"}
    assert set(opened) == {(ref, semester) for ref in YearRef for semester in (1, 2)}
    assert set(reviewed) == set(CLASS_SIZES)
    # This year's 6A2 is left for academic affairs to build (its queue's work).
    assert set(built) == set(CLASS_SIZES) - {UNBUILT}
    assert all(reviewed[key] <= at for key, at in built.items())
    for entry in entries:
        year = years[entry.year]
        assert year.opens_at <= entry.at <= min(now, year.main_lock_at)
        if entry.action in ("scores", "homeroom"):
            assert entry.klass is not None
            assert opened[entry.year, entry.semester] <= entry.at <= reviewed[entry.klass]
    sheets = [(s.klass, s.subject_code, s.semester) for s in entries if s.action == "scores"]
    assert len(sheets) == len(set(sheets)) == len(CLASS_SIZES) * len(SUBJECT_CODES) * 2
