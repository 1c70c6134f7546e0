"""Direction over the last two weeks: an interval that stays honest at n = 7-10."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from fatigue.analytics import direction as di
from fatigue.analytics import simulation as sim
from fatigue.analytics.frame import prepare, to_date
from fatigue.analytics.usual_range import usual
from fatigue.analytics.words import format_signed

from histories import make_history, weekdays

TODAY = dt.date(2026, 3, 16)  # a Monday
FORTNIGHT = weekdays(TODAY, 10)  # Tue 3 Mar .. Mon 16 Mar
START = TODAY - dt.timedelta(days=13)


def test_a_steady_climb_is_rising_with_a_calendar_day_slope():
    # 1 point every 2 calendar days (rounded); weekends are gaps, not squeezed out, so
    # the slope is per calendar day: about 0.5, not the 0.7 a check-in count would give.
    values = [round(1 + 0.5 * (d - START).days) for d in FORTNIGHT]
    assert values == [1, 2, 2, 2, 4, 4, 5, 6, 6, 8]
    t = di.trend(make_history(FORTNIGHT, exhaustion=values), TODAY, "exhaustion", 0.5)
    assert t.direction == "rising" and t.n == 10
    assert t.slope_per_day == pytest.approx(0.5, abs=0.05) and t.low_per_day > 0.3
    assert t.slope_per_week == pytest.approx(7 * t.slope_per_day)
    assert t.message == (
        f"Exhaustion: rising over the last two weeks ({format_signed(t.slope_per_week)} points "
        f"a week, somewhere between {format_signed(t.low_per_week)} and "
        f"{format_signed(t.high_per_week)})."
    )
    assert di.is_worsening(t)


def test_exact_line_gives_its_slope_exactly():
    history = make_history(FORTNIGHT)
    history["exhaustion"] = [(d - START).days / 2 for d in FORTNIGHT]  # not rounded
    t = di.trend(history, TODAY, "exhaustion", 0.5)
    assert (t.slope_per_day, t.low_per_day, t.high_per_day) == pytest.approx((0.5, 0.5, 0.5))


def test_falling_empathy_is_worsening_and_falling_meaning_too():
    history = make_history(FORTNIGHT, empathy=list(range(9, -1, -1)), meaning=list(range(9, -1, -1)))
    trends = di.trends(history, TODAY, 0.5)
    assert trends["empathy"].direction == trends["meaning"].direction == "falling"
    assert di.is_worsening(trends["empathy"]) and di.is_worsening(trends["meaning"])


def test_a_constant_series_is_no_clear_change_without_signed_zeros():
    t = di.trend(make_history(FORTNIGHT), TODAY, "exhaustion", 0.5)
    assert (t.direction, t.slope_per_day, t.low_per_day, t.high_per_day) == (
        "no clear change", 0.0, 0.0, 0.0)
    assert t.message == (
        "Exhaustion: no clear change over the last two weeks (0.0 points a week, somewhere "
        "between 0.0 and 0.0)."
    )


def test_more_carry_over_means_a_wider_interval():
    history = make_history(FORTNIGHT, exhaustion=[3, 5, 4, 6, 5, 5, 7, 6, 6, 8])
    narrow, wide = (di.trend(history, TODAY, "exhaustion", phi) for phi in (0.2, 0.8))
    assert wide.high_per_day - wide.low_per_day > narrow.high_per_day - narrow.low_per_day


@pytest.mark.parametrize("n", [0, 1, 6])
def test_too_few_checkins_to_tell(n):
    t = di.trend(make_history(weekdays(TODAY, n)), TODAY, "exhaustion", 0.5)
    assert t.direction == "too few check-ins to tell" and t.n == n and t.slope_per_day is None
    assert t.message == (
        f"Exhaustion: too few check-ins in the last two weeks to tell a direction ({n} of the "
        "7 needed)."
    )


def test_window_is_the_last_14_calendar_days():
    history = make_history([TODAY - dt.timedelta(days=14)] + FORTNIGHT, exhaustion=[10] + [5] * 10)
    t = di.trend(history, TODAY, "exhaustion", 0.5)
    assert t.n == 10 and t.direction == "no clear change"


@pytest.mark.parametrize("phi", [0.0, sim.PHI])
def test_interval_is_honest_for_stable_simulated_people(phi):
    # Stable people with carry-over, rounded to whole numbers: rising or falling is said
    # on about 5% of (day, rating) trends (two-sided 95%), not more.
    called = total = 0
    for person in range(12):
        checkins = prepare(sim.simulate_person(np.random.default_rng([7, person]), 60, phi=phi))
        for day in checkins.days[45::2]:
            today = to_date(int(day))
            for t in di.trends(checkins, today, usual(checkins, today).carry_over).values():
                total += 1
                called += t.direction in ("rising", "falling")
    assert total == 12 * 8 * 7
    assert called / total <= 0.07
