"""Calendar rolling means and the plain-language summary for My trends."""
import datetime as dt
import math

import pandas as pd
import pytest

from fatigue import metrics


def history(days_values, empathy=5, caseload=12):
    days = pd.to_datetime([d for d, _ in days_values])
    return pd.DataFrame({
        "day": days,
        "exhaustion": [v for _, v in days_values],
        "empathy": empathy,
        "caseload": caseload,
    })


def as_dict(frame, column):
    return {
        row.day.date().isoformat(): (None if math.isnan(getattr(row, column)) else round(getattr(row, column), 3))
        for row in frame.itertuples()
    }


def test_rolling_mean_uses_calendar_days_and_leaves_gaps():
    h = history([("2026-03-02", 2), ("2026-03-03", 4), ("2026-03-04", 6),
                 ("2026-03-09", 8), ("2026-03-10", 8), ("2026-03-12", 8)])
    frame = metrics.rolling_means(h, ["exhaustion"])
    assert as_dict(frame, "exhaustion") == {
        "2026-03-02": 2, "2026-03-03": 4, "2026-03-04": 6, "2026-03-05": None,
        "2026-03-06": None, "2026-03-07": None, "2026-03-08": None, "2026-03-09": 8,
        "2026-03-10": 8, "2026-03-11": None, "2026-03-12": 8,
    }
    assert as_dict(frame, "exhaustion_mean") == {
        "2026-03-02": None,         # 1 check-in in window: too few
        "2026-03-03": None,         # 2
        "2026-03-04": 4.0,          # (2+4+6)/3
        "2026-03-05": 4.0, "2026-03-06": 4.0, "2026-03-07": 4.0, "2026-03-08": 4.0,
        "2026-03-09": 6.0,          # window 03-03..03-09: 4, 6, 8
        "2026-03-10": 7.333,        # 03-04..03-10: 6, 8, 8
        "2026-03-11": None,         # 03-05..03-11: only 8, 8
        "2026-03-12": 8.0,          # 03-06..03-12: 8, 8, 8
    }


def test_long_gap_is_a_gap_not_a_line():
    h = history([(f"2026-01-{d:02d}", 5) for d in range(1, 6)] +
                [(f"2026-02-{d:02d}", 7) for d in range(1, 6)])
    frame = metrics.rolling_means(h, ["exhaustion"])
    middle = frame[(frame.day > "2026-01-12") & (frame.day < "2026-02-01")]
    assert middle["exhaustion_mean"].isna().all()


def test_empty_history():
    empty = pd.DataFrame(columns=["day", "exhaustion"])
    assert metrics.rolling_means(empty, ["exhaustion"]).empty
    assert metrics.summary_sentence(empty, dt.date(2026, 3, 16)).startswith("No check-ins yet")


def test_long_for_chart_keeps_missing_rows_inside_range():
    h = history([("2026-03-02", 2), ("2026-03-04", 6)])
    frame = metrics.rolling_means(h, ["exhaustion"])
    tidy = metrics.long_for_chart(frame, ["exhaustion"], dt.date(2026, 3, 3), dt.date(2026, 3, 4))
    assert tidy[tidy.series == "daily"]["value"].tolist()[1] == 6
    assert math.isnan(tidy[tidy.series == "daily"]["value"].tolist()[0])
    assert set(tidy["measure"]) == {"Exhaustion"}


@pytest.mark.parametrize("recent, before, expected", [
    (8, 4, "exhaustion averaged 8.0, up 4.0 from 4.0 in the 4 weeks before"),
    (3, 5, "exhaustion averaged 3.0, down 2.0 from 5.0 in the 4 weeks before"),
    (5, 5.2, "exhaustion averaged 5.0, about the same as the 4 weeks before (5.2)"),
])
def test_summary_compares_last_7_days_with_4_weeks_before(recent, before, expected):
    today = dt.date(2026, 3, 16)
    rows = [((today - dt.timedelta(days=d)).isoformat(), recent) for d in range(0, 7, 2)]
    rows += [((today - dt.timedelta(days=d)).isoformat(), before) for d in range(7, 35, 3)]
    h = history(sorted(rows))
    sentence = metrics.summary_sentence(h, today)
    assert sentence.startswith("Over the last 7 days (4 check-ins), ")
    assert expected in sentence
    assert "empathy averaged 5.0, about the same" in sentence


def test_compare_windows_are_exact():
    today = dt.date(2026, 3, 16)
    h = history([("2026-03-10", 9), ("2026-03-09", 1), ("2026-02-09", 1), ("2026-02-08", 100)])
    c = metrics.compare_recent(h, "exhaustion", today)
    # Recent: 03-10..03-16 (9). Before: 02-10..03-09 holds only 03-09; 02-09 is outside.
    assert (c.recent_mean, c.recent_n, c.before_mean, c.before_n) == (9.0, 1, 1.0, 1)
