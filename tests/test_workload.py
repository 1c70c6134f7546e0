"""The daily workload index: known answers, vectorisation and edge cases."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from fatigue.workload import (
    DEFAULT_CASELOAD_STANDARD,
    FORMULA_TEXT,
    caseload_ratio,
    contact_intensity,
    describe_caseload,
    formula_text,
    workload_frame,
    workload_index,
)


def rows(*records: tuple[int, int, int, int, int]) -> pd.DataFrame:
    """History rows from (caseload, contacts, crisis, trauma, after_hours_minutes)."""
    frame = pd.DataFrame(
        records,
        columns=["caseload", "contacts", "crisis_contacts", "trauma_contacts", "after_hours_minutes"],
    )
    frame.insert(0, "day", pd.date_range("2026-03-02", periods=len(frame), freq="D"))
    return frame


@pytest.mark.parametrize(
    ("record", "standard", "expected"),
    [
        ((15, 0, 0, 0, 0), 15, 10.0),  # caseload at the standard, a quiet day
        ((18, 6, 1, 2, 45), 15, 22.75),  # the worked example in FORMULA_TEXT
        ((30, 4, 4, 4, 0), 15, 36.0),  # 20 + 4 contacts + 2*4 crisis + 1*4 trauma
        ((0, 0, 0, 0, 90), 15, 1.5),  # only after-hours work
        ((12, 5, 0, 0, 0), 12, 15.0),  # standard 12 (CWLA investigations)
        ((20, 3, 0, 3, 30), 10, 26.5),  # 20 + 3 + 3 + 0.5
        ((7, 10, 2, 0, 120), 14, 21.0),  # 5 + 10 + 4 + 2
    ],
)
def test_known_answers(record, standard, expected):
    assert workload_index(rows(record), standard).iloc[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("contacts", "crisis", "trauma", "overlap"),
    [(5, 1, 1, 0), (5, 1, 1, 1), (6, 3, 3, 3), (4, 2, 2, 0), (3, 0, 0, 0)],
)
def test_intensity_does_not_depend_on_overlap(contacts, crisis, trauma, overlap):
    # Scored contact by contact: routine 1, crisis-only 3, trauma-only 2, both 4.
    both = overlap
    crisis_only, trauma_only = crisis - both, trauma - both
    routine = contacts - crisis_only - trauma_only - both
    by_contact = routine * 1 + crisis_only * 3 + trauma_only * 2 + both * 4
    intensity = contact_intensity(rows((15, contacts, crisis, trauma, 0))).iloc[0]
    assert intensity == pytest.approx(by_contact)


def test_vectorised_and_index_preserved():
    frame = rows((15, 0, 0, 0, 0), (18, 6, 1, 2, 45), (30, 4, 4, 4, 0))
    frame.index = [10, 20, 30]
    result = workload_index(frame)
    assert result.name == "workload_index"
    assert list(result.index) == [10, 20, 30]
    assert result.tolist() == pytest.approx([10.0, 22.75, 36.0])
    assert caseload_ratio(frame).tolist() == pytest.approx([1.0, 1.2, 2.0])


def test_default_standard_is_15():
    assert DEFAULT_CASELOAD_STANDARD == 15
    assert workload_index(rows((15, 0, 0, 0, 0))).iloc[0] == pytest.approx(10.0)


def test_missing_values_stay_missing():
    frame = rows((15, 2, 0, 0, 0), (15, 2, 0, 0, 0)).astype({"contacts": float})
    frame.loc[1, "contacts"] = np.nan
    result = workload_index(frame)
    assert result.iloc[0] == pytest.approx(12.0)
    assert math.isnan(result.iloc[1])


def test_empty_history_gives_empty_series():
    result = workload_index(rows())
    assert result.empty
    assert result.dtype == float


def test_inconsistent_import_counts_at_least_the_crisis_contacts():
    # Validation forbids crisis > contacts; if an import ever had it, the
    # crisis contacts still count as contacts.
    assert contact_intensity(rows((15, 1, 3, 0, 0))).iloc[0] == pytest.approx(3 + 2 * 3)


@pytest.mark.parametrize("standard", [0, -5, float("nan")])
def test_invalid_standard_is_rejected(standard):
    with pytest.raises(ValueError):
        workload_index(rows((15, 0, 0, 0, 0)), standard)


def test_workload_frame_columns():
    frame = workload_frame(rows((18, 6, 1, 2, 45)), 15)
    assert list(frame.columns) == [
        "day", "caseload_ratio", "caseload_points", "contact_intensity", "workload_index"
    ]
    row = frame.iloc[0]
    assert (row.caseload_points, row.contact_intensity, row.workload_index) == pytest.approx(
        (12.0, 10.75, 22.75)
    )


def test_formula_text_matches_the_code():
    assert "22.75" in FORMULA_TEXT
    assert "{standard}" in FORMULA_TEXT
    text = formula_text(12)
    assert "(currently 12)" in text
    assert "not a validated measure" in text


@pytest.mark.parametrize(
    ("caseload", "standard", "words"),
    [(15, 15, "about at"), (18, 15, "1.2 times"), (9, 15, "60% of")],
)
def test_describe_caseload(caseload, standard, words):
    assert words in describe_caseload(caseload, standard)


def test_recent_workload_window_and_words():
    import datetime as dt

    from fatigue import workload

    history = pd.DataFrame({
        "day": pd.to_datetime(["2026-01-05", "2026-03-09", "2026-03-16"]),
        "caseload": [15, 15, 30], "contacts": [0, 2, 4], "crisis_contacts": [0, 0, 1],
        "trauma_contacts": [0, 0, 0], "after_hours_minutes": [0, 0, 0],
    })
    recent, words = workload.recent_workload(history, dt.date(2026, 3, 16), 15)
    # 2026-01-05 is outside the 56 days; 03-09: 10 + 2 = 12; 03-16: 20 + 4 + 2 = 26.
    assert list(recent["workload_index"]) == [12.0, 26.0]
    assert words == ("Over the last 8 weeks your workload index averaged 19.0 (highest 26.0). "
                     "Your active caseload of 30 is 2.0 times your team's standard of 15.")
    empty, words = workload.recent_workload(history, dt.date(2027, 1, 1), 15)
    assert empty.empty and words == "No check-ins in the last 8 weeks."
