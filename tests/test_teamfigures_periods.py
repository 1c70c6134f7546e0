"""Weeks and the fixed 4-week and quarter blocks made of them."""
from __future__ import annotations

import datetime as dt

import pytest

from fatigue.errors import ValidationError
from fatigue.teamfigures import periods


@pytest.mark.parametrize("day, view, start", [
    (dt.date(2024, 1, 1), "4week", dt.date(2024, 1, 1)),
    (dt.date(2024, 1, 28), "4week", dt.date(2024, 1, 1)),
    (dt.date(2024, 1, 29), "4week", dt.date(2024, 1, 29)),
    (dt.date(2023, 12, 31), "4week", dt.date(2023, 12, 4)),
    (dt.date(2026, 3, 16), "4week", dt.date(2026, 2, 23)),
    (dt.date(2026, 3, 16), "week", dt.date(2026, 3, 16)),
    (dt.date(2026, 3, 22), "week", dt.date(2026, 3, 16)),
    (dt.date(2026, 1, 1), "week", dt.date(2025, 12, 29)),
    (dt.date(2024, 4, 1), "quarter", dt.date(2024, 4, 1)),
    (dt.date(2024, 3, 31), "quarter", dt.date(2024, 1, 1)),
])
def test_blocks_are_fixed_from_2024_01_01(day, view, start):
    assert periods.block_start(day, view) == start
    assert periods.block_weeks(start, view)[0] == start
    assert len(periods.block_weeks(start, view)) == {"week": 1, "4week": 4, "quarter": 13}[view]


@pytest.mark.parametrize("start, view, text", [
    (dt.date(2026, 11, 16), "week", "16 Nov - 22 Nov 2026"),
    (dt.date(2025, 12, 29), "week", "29 Dec 2025 - 4 Jan 2026"),
    (dt.date(2026, 1, 26), "4week", "26 Jan - 22 Feb 2026"),
])
def test_labels(start, view, text):
    assert periods.label(start, view) == text


def test_starts_are_limited_to_the_latest_count():
    starts = periods.starts(dt.date(2025, 1, 1), dt.date(2026, 3, 16), "week", 3)
    assert starts == [dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16)]


def test_unknown_view_is_refused():
    with pytest.raises(ValidationError):
        periods.check_view("month")
