"""Your usual: the 12 weeks before the last two weeks, ready from 20 check-ins."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from fatigue.analytics import carry_over as co
from fatigue.analytics import usual_range as us
from fatigue.validation import RATINGS

from histories import make_history, weekdays

TODAY = dt.date(2026, 3, 16)  # a Monday
# Usual window for TODAY: Tue 9 Dec 2025 .. Mon 2 Mar 2026; last two weeks: 3 .. 16 Mar.
USUAL_END = dt.date(2026, 3, 2)


@pytest.mark.parametrize("n", [0, 1, 10, 19])
def test_usual_builds_up_to_20_checkins(n):
    history = make_history(weekdays(USUAL_END, n) + weekdays(TODAY, 10))
    base = us.usual(history, TODAY)
    assert not base.ready and base.n == n and base.ratings == {}
    assert base.carry_over == co.CARRY_OVER_PRIOR
    assert base.message == (
        "Your usual builds up from check-ins that are more than two weeks old: "
        f"{n} of the 20 needed so far."
    )


def test_usual_ready_from_20_and_says_which_checkins():
    base = us.usual(make_history(weekdays(USUAL_END, 20)), TODAY)
    assert base.ready and base.n == 20 and set(base.ratings) == set(RATINGS)
    assert (base.start, base.end) == (dt.date(2025, 12, 9), USUAL_END)
    assert base.message == (
        "Your usual is your average over the 12 weeks before the last two weeks: 20 check-ins, "
        "from Tue 3 Feb to Mon 2 Mar."
    )


def test_window_edges_are_calendar_days():
    days = [TODAY - dt.timedelta(days=k) for k in range(0, 110)]
    history = make_history(days, exhaustion=[k % 10 for k in range(110)])
    base = us.usual(history, TODAY)
    inside = [k % 10 for k in range(14, 98)]  # today-14 .. today-97
    assert base.n == 84
    assert base.ratings["exhaustion"].mean == pytest.approx(np.mean(inside))


def test_sd_allows_for_carry_over():
    rng = np.random.default_rng(1)
    values = np.round(rng.normal(5, 1.5, 40))
    history = make_history(weekdays(USUAL_END, 40), exhaustion=values)
    base = us.usual(history, TODAY)
    phi = base.carry_over
    squares = ((values - values.mean()) ** 2).sum()
    expected = np.sqrt(squares / (40 * (1 - co.mean_variance(40, phi))))
    assert base.ratings["exhaustion"].sd == pytest.approx(expected)
    # with no carry-over the divisor is n - 1: the ordinary sample SD
    assert np.sqrt(squares / (40 * (1 - co.mean_variance(40, 0.0)))) == pytest.approx(
        values.std(ddof=1))


def test_constant_usual_uses_the_sd_floor():
    rb = us.usual(make_history(weekdays(TODAY, 45)), TODAY).ratings["exhaustion"]
    assert (rb.mean, rb.sd, rb.sd_used) == (4.0, 0.0, us.SD_FLOOR)


def test_missing_ratings_are_left_out_not_filled():
    history = make_history(weekdays(USUAL_END, 25)).astype({"meaning": float, "empathy": float})
    history.loc[0:9, "meaning"] = np.nan  # 15 meaning values left: too few
    history.loc[0:2, "empathy"] = np.nan  # 22 left
    base = us.usual(history, TODAY)
    assert base.ready and "meaning" not in base.ratings
    assert base.ratings["empathy"].n == 22 and base.ratings["exhaustion"].n == 25


def test_rows_after_today_do_not_count():
    history = make_history(weekdays(USUAL_END, 20) + [TODAY + dt.timedelta(days=1)],
                           exhaustion=[4] * 20 + [10])
    assert us.usual(history, TODAY) == us.usual(history.iloc[:20], TODAY)
    assert us.usual(pd.DataFrame(), TODAY).n == 0
