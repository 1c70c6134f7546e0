"""Personal analytics on constructed histories (same shape as load_history)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from fatigue import analytics as an
from fatigue.validation import RATINGS

from histories import USUAL, make_history, weekdays

TODAY = dt.date(2026, 3, 16)  # a Monday
# Baseline window for TODAY: Tue 10 Feb .. Mon 9 Mar (20 weekdays);
# recent window: Tue 10 Mar .. Mon 16 Mar (weekdays 10, 11, 12, 13, 16).
RECENT = [dt.date(2026, 3, d) for d in (10, 11, 12, 13, 16)]
def noisy(rng: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    return np.clip(np.round(mean + rng.normal(0, sd, n)), 0, 10).astype(int)


def stable_history(seed: int, n: int = 45, sd: float = 1.5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return make_history(
        weekdays(TODAY, n), **{name: noisy(rng, mean, sd, n) for name, mean in USUAL.items()}
    )


def step_history(rating: str, before: int, after: int, step_day: dt.date,
                 end: dt.date = TODAY) -> pd.DataFrame:
    days = weekdays(end, 45)
    return make_history(days, **{rating: [after if d >= step_day else before for d in days]})


def ramp_history() -> pd.DataFrame:
    """Exhaustion usual at 4, then climbing about 0.35 a day over the last 14 days."""
    days = weekdays(TODAY, 45)
    start = TODAY - dt.timedelta(days=13)
    exhaustion = [4 if d < start else round(4 + 0.35 * (d - start).days) for d in days]
    return make_history(days, exhaustion=exhaustion)  # last 10: 4 4 5 5 6 6 7 7 8 9


def all_messages(summary: an.PersonalSummary) -> list[str]:
    texts = [summary.baseline.message, summary.warnings.message, summary.drift.message,
             summary.compassion_fatigue.message, summary.drivers.message,
             *summary.drivers.skipped, *summary.status.reasons, summary.status.suggestion]
    texts += [s.message for s in summary.warnings.signals]
    texts += [d.message for d in summary.drift.signals]
    texts += [t.message for t in summary.trends.values()]
    texts += [r.message for r in summary.drivers.results]
    return texts


# ------------------------------------------------------------------ baseline
@pytest.mark.parametrize("n", [0, 1, 5, 9])
def test_baseline_building_reports_n_of_10(n):
    history = make_history(weekdays(dt.date(2026, 3, 9), n) + RECENT)
    base = an.baseline(history, TODAY)
    assert not base.ready
    assert base.n == n
    assert base.ratings == {}
    assert f"Building your baseline ({n} of 10" in base.message


@pytest.mark.parametrize("n", [10, 20])
def test_baseline_ready_from_10(n):
    history = make_history(weekdays(dt.date(2026, 3, 9), n))
    base = an.baseline(history, TODAY)
    assert base.ready and base.n == n
    assert set(base.ratings) == set(RATINGS)
    assert (base.start, base.end) == (dt.date(2026, 2, 10), dt.date(2026, 3, 9))


def test_baseline_window_edges():
    # Check-ins every calendar day: today-34 .. today-7 are in (28 of them),
    # today-35 and today-6 are out.
    days = [TODAY - dt.timedelta(days=k) for k in range(0, 40)]
    history = make_history(days, exhaustion=[k % 10 for k in range(40)])
    base = an.baseline(history, TODAY)
    assert base.n == 28
    inside = [k % 10 for k in range(7, 35)]
    assert base.ratings["exhaustion"].mean == pytest.approx(np.mean(inside))
    assert base.ratings["exhaustion"].sd == pytest.approx(np.std(inside, ddof=1))


def test_constant_baseline_uses_the_sd_floor():
    base = an.baseline(make_history(weekdays(TODAY, 30)), TODAY)
    rb = base.ratings["exhaustion"]
    assert (rb.mean, rb.sd, rb.sd_used) == (4.0, 0.0, an.SD_FLOOR)


def test_baseline_ignores_future_rows_and_missing_values():
    days = weekdays(dt.date(2026, 3, 9), 12) + [TODAY + dt.timedelta(days=3)]
    history = make_history(days).astype({"meaning": float})
    history.loc[0:4, "meaning"] = np.nan  # only 7 meaning values left in the window
    base = an.baseline(history, TODAY)
    assert base.n == 12
    assert "meaning" not in base.ratings and "exhaustion" in base.ratings


# ------------------------------------------------------------------ early warning
@pytest.mark.parametrize(
    ("rating", "before", "after", "lag"),
    [
        # Constant baseline, so the floored SD is 1: lag in check-ins worked out by hand
        # (EWMA rises by step*(1-0.7^t); exact limit 3*sqrt(0.3/1.7*(1-0.49^t))).
        ("exhaustion", 4, 8, 0),
        ("intrusion", 3, 5, 2),
        ("empathy", 7, 3, 0),  # lower side
        ("recovery", 5, 3, 2),
    ],
)
def test_step_change_signals_with_the_right_since(rating, before, after, lag):
    step_day = RECENT[0]
    history = step_history(rating, before, after, step_day)
    warnings = an.early_warnings(history, TODAY)
    (signal,) = [s for s in warnings.signals if s.rating == rating]
    assert signal.since == RECENT[lag]
    assert signal.checkins_outside == len(RECENT) - lag
    assert signal.direction == ("higher" if after > before else "lower")
    assert signal.difference == pytest.approx(after - before)
    assert signal.difference_sd == pytest.approx(after - before)  # SD floor of 1
    assert len(warnings.signals) == 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_step_on_noisy_baseline_signals_within_3_checkins(seed):
    rng = np.random.default_rng(seed)
    days = weekdays(TODAY, 45)
    step_day = dt.date(2026, 3, 10)
    exhaustion = [min(10, v + (4 if d >= step_day else 0))
                  for d, v in zip(days, noisy(rng, 4, 1.0, len(days)))]
    history = make_history(days, exhaustion=exhaustion)
    first_signal = None
    for today in RECENT:  # day by day, as the person checks in
        found = [s for s in an.early_warnings(history, today).signals if s.rating == "exhaustion"]
        if found:
            first_signal = (today, found[0].since)
            break
    assert first_signal is not None
    today, since = first_signal
    assert RECENT.index(today) <= 2  # within 3 check-ins of the step
    assert step_day <= since <= today


def test_chart_rows_match_signal():
    history = step_history("exhaustion", 4, 8, RECENT[0])
    chart = an.early_warnings(history, TODAY).chart
    rows = chart[chart["rating"] == "exhaustion"]
    assert [d.date() for d in rows["day"]] == RECENT
    assert rows["outside"].all()
    assert (rows["center"] == 4.0).all()
    assert rows["ewma"].iloc[0] == pytest.approx(0.3 * 8 + 0.7 * 4)


def test_ewma_path_exact_variance():
    z, width = an.ewma_path([1.0, 1.0], mean=0.0, sd=1.0)
    assert z.tolist() == pytest.approx([0.3, 0.51])
    assert width[0] == pytest.approx(3 * 0.3)  # first point: the Shewhart limit times lambda
    assert width[1] == pytest.approx(3 * np.sqrt(0.3 / 1.7 * (1 - 0.7**4)))


def test_flat_series_does_not_signal():
    warnings = an.early_warnings(make_history(weekdays(TODAY, 45)), TODAY)
    assert warnings.ready and warnings.signals == ()
    assert "within your usual range" in warnings.message


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_noisy_but_stable_series_does_not_signal(seed):
    assert an.early_warnings(stable_history(seed), TODAY).signals == ()


def test_step_back_inside_clears_the_signal():
    days = weekdays(TODAY, 45)
    exhaustion = [8 if d in RECENT[:1] else 4 for d in days]  # one bad day, then usual
    warnings = an.early_warnings(make_history(days, exhaustion=exhaustion), TODAY)
    assert warnings.signals == ()


def test_no_warnings_until_baseline_ready():
    history = step_history("exhaustion", 4, 9, RECENT[0])
    history = history[history["day"] >= pd.Timestamp("2026-03-02")]
    warnings = an.early_warnings(history, TODAY)
    assert not warnings.ready and warnings.signals == ()
    assert "of 10" in warnings.message


def test_no_recent_checkins():
    history = make_history(weekdays(dt.date(2026, 3, 9), 20))
    warnings = an.early_warnings(history, TODAY)
    assert warnings.ready and warnings.recent_n == 0 and warnings.signals == ()
    assert "No check-ins in the last 7 days" in warnings.message


def test_high_side_only_for_exhaustion():
    # A drop in exhaustion is not a warning.
    assert an.early_warnings(step_history("exhaustion", 6, 1, RECENT[0]), TODAY).signals == ()


def daily(end: dt.date, n: int) -> list[dt.date]:
    """The ``n`` calendar days ending on ``end``."""
    return [end - dt.timedelta(days=k) for k in range(n - 1, -1, -1)]


def test_warning_describes_the_current_run_not_the_whole_week():
    # Usual 5 (constant, SD floor 1); the last 7 days 0 0 0 0 10 10 10: the week
    # averages 4.3 (below 5), but only the last check-in is outside the limit
    # (EWMA 6.98 > 6.26), so the message is about that check-in.
    history = make_history(daily(TODAY, 45), exhaustion=[5] * 38 + [0, 0, 0, 0, 10, 10, 10])
    (signal,) = an.early_warnings(history, TODAY).signals
    assert (signal.since, signal.checkins_outside, signal.direction) == (TODAY, 1, "higher")
    assert (signal.run_mean, signal.difference, signal.difference_sd) == (10.0, 5.0, 5.0)
    assert signal.recent_mean == pytest.approx(30 / 7)  # the whole week, kept as before
    assert signal.ewma == pytest.approx(6.98, abs=0.01) and signal.limit == pytest.approx(6.26, abs=0.01)
    assert signal.message == (
        "Your exhaustion has been higher than your usual range since Mon 16 Mar. That check-in "
        "was 10.0, 5.0 points above your usual 5.0 (about 5.0 times your usual day-to-day "
        "variation)."
    )


def test_warning_on_the_lower_side_says_below():
    history = make_history(daily(TODAY, 45), empathy=[5] * 38 + [10, 10, 10, 10, 0, 0, 0])
    (signal,) = an.early_warnings(history, TODAY).signals
    assert (signal.rating, signal.direction, signal.difference) == ("empathy", "lower", -5.0)
    assert signal.message == (
        "Your empathy has been lower than your usual range since Mon 16 Mar. That check-in "
        "was 0.0, 5.0 points below your usual 5.0 (about 5.0 times your usual day-to-day "
        "variation)."
    )


def test_warning_run_that_starts_inside_the_week():
    # Usual 4; recent 2 2 8 8 8: outside from the 4th check-in (EWMA 5.54 > 5.22).
    history = make_history(weekdays(TODAY, 45), exhaustion=[4] * 40 + [2, 2, 8, 8, 8])
    (signal,) = an.early_warnings(history, TODAY).signals
    assert (signal.since, signal.checkins_outside) == (dt.date(2026, 3, 13), 2)
    assert signal.recent_mean == pytest.approx(5.6)
    assert signal.message == (
        "Your exhaustion has been higher than your usual range since Fri 13 Mar. Your 2 "
        "check-ins from that day on averaged 8.0, 4.0 points above your usual 4.0 (about 4.0 "
        "times your usual day-to-day variation)."
    )


def test_a_single_recent_checkin_never_signals():
    # Usual empathy 7; one check-in 6 days ago at 3 (a 4-point drop would be
    # flagged on its first check-in if one were enough).
    days = weekdays(dt.date(2026, 3, 9), 20) + [dt.date(2026, 3, 10)]
    history = make_history(days, empathy=[7] * 20 + [3])
    warnings = an.early_warnings(history, TODAY)
    assert warnings.ready and warnings.recent_n == 1 and warnings.signals == ()
    assert warnings.chart.empty
    assert warnings.message == (
        "Only 1 check-in in the last 7 days; the early warning starts from 2 check-ins, so a "
        "single day is never flagged on its own."
    )
    assert not any("has been lower" in r for r in an.status(history, TODAY).reasons)
    # From the second recent check-in on, the same drop is flagged from the first.
    history = make_history(days + [dt.date(2026, 3, 11)], empathy=[7] * 20 + [3, 3])
    (signal,) = an.early_warnings(history, TODAY).signals
    assert (signal.rating, signal.since, signal.checkins_outside) == ("empathy", dt.date(2026, 3, 10), 2)


# ------------------------------------------------------------------ trend
def _last_14_days_weekdays() -> list[dt.date]:
    return [d for d in weekdays(TODAY, 10)]  # Tue 3 Mar .. Mon 16 Mar


def test_rising_line_is_rising_with_calendar_slope():
    days = _last_14_days_weekdays()
    start = TODAY - dt.timedelta(days=13)
    # exactly 0.5 points per calendar day; weekends are gaps, not squeezed out
    exhaustion = [round(1 + 0.5 * (d - start).days) for d in days]
    history = make_history(days, exhaustion=exhaustion)
    t = an.trend(history, TODAY, "exhaustion")
    assert t.direction == "rising"
    assert t.low_per_day > 0
    assert t.low_per_day <= 0.5 <= t.high_per_day
    assert t.slope_per_week == pytest.approx(7 * t.slope_per_day)
    assert "rising" in t.message and t.n == 10


def test_falling_line_is_falling():
    days = _last_14_days_weekdays()
    history = make_history(days, empathy=list(range(9, -1, -1)))
    t = an.trend(history, TODAY, "empathy")
    assert t.direction == "falling" and t.high_per_day < 0
    assert an.is_worsening(t)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_flat_noisy_line_is_no_clear_change(seed):
    rng = np.random.default_rng(seed)
    days = _last_14_days_weekdays()
    history = make_history(days, exhaustion=noisy(rng, 5, 1.5, len(days)))
    t = an.trend(history, TODAY, "exhaustion")
    assert t.direction == "no clear change"
    assert t.low_per_day <= 0 <= t.high_per_day
    assert "rising" not in t.message and "falling" not in t.message


def test_constant_line_is_no_clear_change():
    t = an.trend(make_history(_last_14_days_weekdays()), TODAY, "exhaustion")
    assert t.direction == "no clear change"
    assert (t.slope_per_day, t.low_per_day, t.high_per_day) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("n", [0, 1, 4])
def test_trend_needs_5_checkins(n):
    history = make_history(weekdays(TODAY, n))
    t = an.trend(history, TODAY, "exhaustion")
    assert t.direction == "not enough check-ins" and t.n == n
    assert t.slope_per_day is None
    assert f"({n} of 5 needed)" in t.message


def test_trend_window_is_14_calendar_days():
    # An old high value outside the window does not count.
    days = [TODAY - dt.timedelta(days=14)] + _last_14_days_weekdays()
    history = make_history(days, exhaustion=[10] + [5] * 10)
    t = an.trend(history, TODAY, "exhaustion")
    assert t.n == 10 and t.direction == "no clear change"


# ------------------------------------------------------------------ compassion fatigue
def cf_history(matches: list[bool]) -> pd.DataFrame:
    """Usual levels, then the last len(matches) check-ins on or up to TODAY."""
    days = weekdays(TODAY, 45)
    tail = dict(zip(days[-len(matches):], matches))
    def pick(usual, pattern):
        return [pattern if tail.get(d) else usual for d in days]
    return make_history(
        days,
        exhaustion=pick(4, 8),
        intrusion=pick(3, 7),
        empathy=pick(7, 2),
    )


@pytest.mark.parametrize(
    ("matches", "present"),
    [
        ([True] * 5 + [False] * 2, True),  # exactly 5 of 7
        ([False, True, False, True, True, True, True], True),
        ([True] * 7, True),
        ([True] * 4 + [False] * 3, False),  # 4 of 7
        ([False] * 7, False),
    ],
)
def test_cf_pattern_threshold(matches, present):
    history = cf_history(matches)
    cf = an.compassion_fatigue_pattern(history, TODAY)
    days = weekdays(TODAY, 7)
    assert cf.ready
    assert cf.present is present
    assert (cf.count, cf.considered) == (sum(matches), 7)
    assert cf.days == tuple(d for d, m in zip(days, matches) if m)
    assert cf.checked_days == tuple(days)
    if present:
        assert f"On {sum(matches)} of your last 7 check-ins" in cf.message


def test_cf_needs_all_three_conditions():
    history = cf_history([True] * 7)
    history.loc[history.index[-7:], "empathy"] = 7  # empathy at its usual level
    cf = an.compassion_fatigue_pattern(history, TODAY)
    assert not cf.present and cf.count == 0


def test_cf_not_ready_without_baseline():
    history = make_history(RECENT, exhaustion=9, intrusion=9, empathy=0)
    cf = an.compassion_fatigue_pattern(history, TODAY)
    assert not cf.ready and not cf.present
    assert "of 10" in cf.message


def test_cf_accepts_a_precomputed_baseline():
    history = cf_history([True] * 5 + [False] * 2)
    base = an.baseline(history, TODAY)
    assert an.compassion_fatigue_pattern(history, TODAY, baseline=base) == \
        an.compassion_fatigue_pattern(history, TODAY)


def test_cf_ignores_stale_checkins():
    # Check-ins 3 weeks ago are not "the last 7" for today.
    history = cf_history([True] * 7)
    history = history[history["day"] <= pd.Timestamp("2026-02-24")]
    cf = an.compassion_fatigue_pattern(history, dt.date(2026, 3, 16))
    assert not cf.present


# ------------------------------------------------------------------ strain drivers
def driver_history(n: int, seed: int = 7, effect: float = 0.5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    crisis = rng.integers(0, 7, n)
    exhaustion = np.clip(np.round(3 + effect * crisis + rng.normal(0, 0.5, n)), 0, 10).astype(int)
    return make_history(
        weekdays(TODAY, n),
        crisis_contacts=crisis,
        contacts=crisis + 4,
        trauma_contacts=rng.integers(0, 3, n),
        after_hours_minutes=rng.choice([0, 0, 30, 60], n),
        exhaustion=exhaustion,
        intrusion=noisy(rng, 3, 1.0, n),
    )


@pytest.mark.parametrize("n", [0, 1, 10, 20])
def test_drivers_hidden_below_21_days(n):
    drivers = an.strain_drivers(driver_history(n) if n else make_history([]))
    assert not drivers.ready
    assert drivers.results == ()
    assert drivers.n_paired_days == n
    assert drivers.message.endswith(f"so far there {'is 1' if n == 1 else f'are {n}'}.")


def test_drivers_shown_from_21_days():
    drivers = an.strain_drivers(driver_history(21))
    assert drivers.ready and drivers.n_paired_days == 21
    assert any(r.driver == "crisis_contacts" and r.lag == 0 for r in drivers.results)


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_known_linear_effect_is_recovered(seed):
    history = driver_history(60, seed=seed)
    drivers = an.strain_drivers(history)
    (result,) = [r for r in drivers.results
                 if (r.driver, r.outcome, r.lag) == ("crisis_contacts", "exhaustion", 0)]
    crisis = history["crisis_contacts"].to_numpy()
    heavy = crisis > np.median(crisis)
    true_difference = 0.5 * (crisis[heavy].mean() - crisis[~heavy].mean())
    assert result.low <= true_difference <= result.high
    assert result.clear and result.difference > 0
    assert (result.n_heavier, result.n_lighter) == (heavy.sum(), (~heavy).sum())
    assert re.search(r"exhaustion was \d\.\d points higher \(95% interval", result.message)
    assert result.message.startswith("On your heavier crisis-contact days (more than")


def test_no_effect_gives_no_clear_link():
    drivers = an.strain_drivers(driver_history(60, effect=0.0))
    (result,) = [r for r in drivers.results
                 if (r.driver, r.outcome, r.lag) == ("crisis_contacts", "intrusion", 0)]
    assert not result.clear and result.low <= 0 <= result.high
    assert "no clear link" in result.message


def test_next_day_pairs_only_consecutive_calendar_days():
    history = driver_history(40)  # weekdays only: Friday -> Monday is not a pair
    drivers = an.strain_drivers(history)
    next_day = [r for r in drivers.results if r.lag == 1]
    days = history["day"]
    expected = int(days.isin(days - pd.Timedelta(days=1)).sum())
    assert expected == 31  # Tue-Thu of the first week, then 7 weeks of Mon-Thu
    assert next_day and all(r.n_pairs == expected for r in next_day)
    assert next_day[0].message.startswith("On the day after your heavier")


def test_driver_without_variation_is_skipped():
    history = driver_history(30).assign(trauma_contacts=0)
    drivers = an.strain_drivers(history)
    assert not any(r.driver == "trauma_contacts" for r in drivers.results)
    assert any("no variation in contacts involving traumatic material" in s for s in drivers.skipped)


def test_median_ties_go_to_the_lighter_days():
    history = driver_history(30).assign(after_hours_minutes=[0, 0, 30, 60, 90] * 6)
    (result,) = [r for r in an.strain_drivers(history).results
                 if (r.driver, r.outcome, r.lag) == ("after_hours_minutes", "exhaustion", 0)]
    assert result.split == 30 and (result.n_heavier, result.n_lighter) == (12, 18)
    assert "(more than 30 minutes after hours)" in result.message


def test_median_at_the_maximum_goes_to_the_heavier_days():
    history = driver_history(30).assign(after_hours_minutes=[60, 60, 60, 0, 0] * 6)
    (result,) = [r for r in an.strain_drivers(history).results
                 if (r.driver, r.outcome, r.lag) == ("after_hours_minutes", "exhaustion", 0)]
    assert (result.n_heavier, result.n_lighter) == (18, 12)
    assert "(60 or more minutes after hours)" in result.message


def test_next_day_skipped_when_too_few_pairs():
    history = driver_history(60)
    history = history[history["day"].dt.day_of_week.isin([0, 2, 4])]  # Mon, Wed, Fri only
    drivers = an.strain_drivers(history)
    assert drivers.ready and not any(r.lag == 1 for r in drivers.results)
    assert any("(next day)" in s and "0 of 21 paired days" in s for s in drivers.skipped)


def test_welch_interval_matches_scipy():
    rng = np.random.default_rng(3)
    a, b = rng.normal(5, 1, 12), rng.normal(4, 2, 20)
    diff, low, high = an.welch_interval(a, b)
    ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert (diff, low, high) == pytest.approx((a.mean() - b.mean(), ci.low, ci.high))
    assert an.welch_interval(np.full(5, 7.0), np.full(6, 3.0)) == (4.0, 4.0, 4.0)


# ------------------------------------------------------------------ status
def test_status_building_on_empty_history():
    card = an.status(make_history([]), TODAY)
    assert card.level == "building"
    assert card.title == "Not enough check-ins yet"
    assert "0 of 10" in card.reasons[0]


def test_status_steady_on_flat_history():
    assert an.status(make_history(weekdays(TODAY, 45)), TODAY).level == "steady"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_status_steady_on_noisy_stable_history(seed):
    assert an.status(stable_history(seed), TODAY).level == "steady"


def test_status_watch_on_single_signal():
    card = an.status(step_history("detachment", 2, 6, RECENT[0]), TODAY)
    assert card.level == "watch"
    assert any("detachment has been higher than your usual range" in r for r in card.reasons)


def test_status_watch_on_worsening_trend_alone():
    days = weekdays(TODAY, 45)
    start = TODAY - dt.timedelta(days=13)
    # intrusion creeps up by a point every 3 days within the last 2 weeks,
    # staying inside the EWMA limits of a noisy baseline
    rng = np.random.default_rng(5)
    base = noisy(rng, 3, 1.5, len(days))
    intrusion = [int(b) if d < start else 1 + (d - start).days // 4 for d, b in zip(days, base)]
    history = make_history(days, intrusion=intrusion)
    summary = an.personal_summary(history, TODAY)
    assert summary.trends["intrusion"].direction == "rising"
    assert summary.warnings.signals == ()
    assert summary.status.level == "watch"


def test_status_watch_on_step_without_clear_trend():
    # A step is a clear EWMA signal, but with tied values Theil-Sen's interval
    # still includes zero over 14 days: one signal, so "watch".
    summary = an.personal_summary(step_history("exhaustion", 4, 7, RECENT[0]), TODAY)
    assert [s.rating for s in summary.warnings.signals] == ["exhaustion"]
    assert summary.trends["exhaustion"].direction == "no clear change"
    assert summary.status.level == "watch"


def test_status_act_on_exhaustion_signal_and_rising_trend():
    summary = an.personal_summary(ramp_history(), TODAY)
    assert [s.rating for s in summary.warnings.signals] == ["exhaustion"]
    assert summary.trends["exhaustion"].direction == "rising"
    assert summary.status.level == "act"
    assert "It has also been rising" in summary.status.reasons[0]


def test_status_act_on_cf_pattern():
    card = an.status(cf_history([True] * 5 + [False] * 2), TODAY)
    assert card.level == "act"
    assert any("compassion fatigue" in r for r in card.reasons)


def test_status_act_on_sustained_high_exhaustion_even_while_building():
    history = make_history(weekdays(TODAY, 7), exhaustion=[9, 8, 9, 9, 8, 4, 5])
    card = an.status(history, TODAY)
    assert card.level == "act"
    assert card.reasons[0] == (
        "Exhaustion was 8 or more (a fixed level this tool always points out) on 5 of your "
        "last 7 check-ins."
    )


def test_disclaimer_wording():
    card = an.status(make_history([]), TODAY)
    for phrase in ("not a diagnosis", "occupational phenomenon", "not a medical condition",
                   "QD85", "reflection", "one fixed rule about very high exhaustion"):
        assert phrase in card.disclaimer
    assert card.disclaimer == an.DISCLAIMER


def test_status_steady_message_for_constant_trend_has_no_signed_zero():
    t = an.trend(make_history(_last_14_days_weekdays()), TODAY, "exhaustion")
    assert t.message == (
        "Exhaustion: no clear change over the last 14 days (0.0 points per week; 95% interval "
        "0.0 to 0.0)."
    )


# ------------------------------------------------------------------ long-term drift
STEP = dt.date(2026, 3, 2)  # a Monday


def long_step_history(rating: str = "exhaustion", before: int = 3, after: int = 7,
                      end: dt.date = STEP + dt.timedelta(days=45)) -> pd.DataFrame:
    """About 7 months of weekday check-ins at ``before``, then ``after`` from STEP on."""
    days = [d.date() for d in pd.bdate_range(end=end, periods=170)]
    return make_history(days, **{rating: [after if d >= STEP else before for d in days]})


@pytest.mark.parametrize("after_days", [16, 30, 45])
def test_lasting_rise_stays_at_least_watch(after_days):
    # The rolling baseline has absorbed the step by day 14 (no early warning),
    # but the last 4 weeks are still far above the months before.
    summary = an.personal_summary(long_step_history(), STEP + dt.timedelta(days=after_days))
    assert summary.status.level in ("watch", "act")
    (drift,) = summary.drift.signals
    assert drift.rating == "exhaustion" and drift.direction == "higher"
    assert drift.message in summary.status.reasons
    assert summary.drift.ready


def test_lasting_rise_drift_values():
    # Day 16 (Wed 18 Mar): last 4 weeks Thu 19 Feb .. Wed 18 Mar hold 20 weekday
    # check-ins, 13 of them at 7 and 7 at 3: (13*7 + 7*3) / 20 = 5.6. The 22
    # weeks before (Thu 18 Sep .. Wed 18 Feb) are 110 check-ins, all at 3.
    summary = an.personal_summary(long_step_history(), dt.date(2026, 3, 18))
    assert summary.warnings.signals == ()  # the rolling baseline alone would say steady
    (drift,) = summary.drift.signals
    assert (drift.recent_n, drift.reference_n) == (20, 110)
    assert drift.recent_mean == pytest.approx(5.6) and drift.reference_mean == 3.0
    assert drift.reference_sd == 1.0  # SD 0, floored
    assert drift.difference == pytest.approx(2.6) and drift.difference_sd == pytest.approx(2.6)
    assert (drift.reference_first, drift.reference_last) == (dt.date(2025, 9, 18), dt.date(2026, 2, 18))
    assert drift.message == (
        "Your exhaustion over the last 4 weeks (5.6) has been well above your level in the "
        "months before (3.0, from Thu 18 Sep 2025 to Wed 18 Feb)."
    )
    assert summary.status.reasons == (drift.message,)
    assert summary.status.level == "watch"
    # Day 30: 3 of the 110 reference check-ins are already at 7: 3 + 4 * 3/110.
    later = an.long_term_drift(long_step_history(), dt.date(2026, 4, 1))
    assert later.signals[0].reference_mean == pytest.approx(3 + 12 / 110)
    assert later.signals[0].recent_mean == 7.0


def test_lasting_drop_in_empathy_is_drift_on_the_lower_side():
    drift = an.long_term_drift(long_step_history("empathy", 7, 3), dt.date(2026, 4, 1))
    (signal,) = drift.signals
    assert signal.direction == "lower" and signal.difference < 0
    assert "has been well below your level in the months before (6.9," in signal.message


def test_lasting_improvement_is_not_drift():
    assert an.long_term_drift(long_step_history("exhaustion", 7, 3), dt.date(2026, 4, 1)).signals == ()
    assert an.long_term_drift(long_step_history("empathy", 3, 7), dt.date(2026, 4, 1)).signals == ()


def drift_history(reference: list[int], recent: list[int]) -> pd.DataFrame:
    """130 weekdays to TODAY: the last 20 (Tue 17 Feb .. Mon 16 Mar) get ``recent``."""
    days = weekdays(TODAY, 130)
    values = list(np.resize(reference, 110)) + list(recent)
    return make_history(days, exhaustion=values)


@pytest.mark.parametrize(
    ("reference", "recent", "flagged"),
    [
        ([3], [4, 5] * 10, True),  # 4.5 - 3.0 = 1.5 points = 1.5 floored SDs
        ([3], [4] * 12 + [5] * 8, False),  # 4.4: 1.4 points
        ([1, 5], [5] * 10 + [6] * 10, False),  # SD 2.01: 2.5 points is only 1.24 SDs
        ([1, 5], [6] * 10 + [7] * 10, True),  # 3.5 points = 1.74 SDs
    ],
)
def test_drift_rule_points_and_sds(reference, recent, flagged):
    drift = an.long_term_drift(drift_history(reference, recent), TODAY)
    assert drift.ready and (drift.recent_n, drift.reference_n) == (20, 110)
    assert bool(drift.signals) is flagged
    assert [d.rating for d in drift.signals] == (["exhaustion"] if flagged else [])


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("sd", [0.7, 1.5, 2.5])
def test_stable_series_never_drifts(seed, sd):
    history = stable_history(seed, n=200, sd=sd)
    for back in range(0, 70, 7):
        assert an.long_term_drift(history, TODAY - dt.timedelta(days=back)).signals == ()


def test_flat_series_drift_is_in_line():
    drift = an.long_term_drift(make_history(weekdays(TODAY, 130)), TODAY)
    assert drift.ready and drift.signals == ()
    assert drift.message == "Over the last 4 weeks your check-ins are in line with your level before them."


def test_no_old_history_means_no_drift_and_no_error():
    drift = an.long_term_drift(make_history(weekdays(TODAY, 25), exhaustion=9), TODAY)
    assert not drift.ready and drift.signals == ()
    assert (drift.recent_n, drift.reference_n) == (20, 5)
    assert drift.message == (
        "A longer-term comparison needs 8 check-ins in the last 4 weeks (so far 20) and 10 in "
        "the 22 weeks before them (so far 5)."
    )
    assert (drift.reference_start, drift.reference_end) == (dt.date(2025, 9, 16), dt.date(2026, 2, 16))
    assert (drift.recent_start, drift.recent_end) == (dt.date(2026, 2, 17), TODAY)
    for history in (make_history([]), pd.DataFrame()):
        summary = an.personal_summary(history, TODAY)
        assert not summary.drift.ready and summary.drift.signals == ()


def test_drift_needs_8_recent_checkins():
    days = weekdays(dt.date(2026, 2, 16), 110) + [d for d in weekdays(TODAY, 20)][-7:]
    history = make_history(days, exhaustion=[3] * 110 + [8] * 7)
    assert not an.long_term_drift(history, TODAY).ready
    days = weekdays(dt.date(2026, 2, 16), 110) + [d for d in weekdays(TODAY, 20)][-8:]
    history = make_history(days, exhaustion=[3] * 110 + [8] * 8)
    assert [d.rating for d in an.long_term_drift(history, TODAY).signals] == ["exhaustion"]


def test_drift_raises_watch_while_the_baseline_is_building():
    # Two check-ins a week: too few for the 10-check-in baseline, enough for drift.
    days = [d for d in weekdays(TODAY, 130) if d.weekday() in (0, 3)]
    history = make_history(days, exhaustion=[8 if d >= dt.date(2026, 2, 17) else 3 for d in days])
    summary = an.personal_summary(history, TODAY)
    assert not summary.baseline.ready
    assert summary.status.level == "watch"
    assert summary.status.reasons[0].startswith("Your exhaustion over the last 4 weeks (8.0)")
    assert summary.status.reasons[-1] == summary.baseline.message


# ------------------------------------------------------------------ no recent check-ins
def test_status_quiet_after_a_break_with_a_ready_baseline():
    # 60 check-ins ending 10 days ago: the old data alone would say "Steady".
    card = an.status(make_history(weekdays(TODAY - dt.timedelta(days=10), 60)), TODAY)
    assert card.level == "quiet"
    assert card.title == "No recent check-ins"
    assert card.reasons == (
        "Your last check-in was on Fri 6 Mar; the picture here starts again with your next one.",
    )
    assert card.suggestion == (
        "There is nothing to catch up on. Whenever you check in next, this page picks up from "
        "there."
    )
    assert card.disclaimer == an.DISCLAIMER
    for word in ("streak", "missed", "forgot", "should", "behind", "first few weeks"):
        assert word not in " ".join(card.reasons + (card.suggestion,)).lower()


def test_status_quiet_for_a_returning_user_with_an_empty_baseline_window():
    card = an.status(make_history(weekdays(TODAY - dt.timedelta(days=60), 100)), TODAY)
    assert card.level == "quiet"
    assert card.reasons == (
        "Your last check-in was on Thu 15 Jan; the picture here starts again with your next one.",
    )


def test_status_quiet_names_the_year_when_it_differs():
    card = an.status(make_history(weekdays(dt.date(2025, 12, 19), 40)), dt.date(2026, 1, 12))
    assert card.reasons[0].startswith("Your last check-in was on Fri 19 Dec 2025;")


@pytest.mark.parametrize(("days_ago", "level"), [(6, "steady"), (7, "quiet")])
def test_status_quiet_edge_is_the_recent_7_days(days_ago, level):
    last = TODAY - dt.timedelta(days=days_ago)
    history = make_history(weekdays(dt.date(2026, 3, 6), 40) + [last])
    assert an.status(history, TODAY).level == level


def test_status_quiet_takes_precedence_over_old_high_exhaustion():
    history = make_history(weekdays(dt.date(2026, 3, 6), 7), exhaustion=9)  # ends 10 days ago
    assert an.status(history, TODAY).level == "quiet"
    assert an.status(history, dt.date(2026, 3, 6)).level == "act"


def test_status_building_for_a_returning_user_says_welcome_back():
    history = make_history(weekdays(TODAY - dt.timedelta(days=60), 100) + RECENT)
    card = an.status(history, TODAY)
    assert card.level == "building" and card.title == "Not enough check-ins yet"
    assert card.suggestion == an.REBUILDING_SUGGESTION
    assert "first few weeks" not in card.suggestion
    # A new user keeps the first-weeks wording.
    assert an.status(make_history(RECENT), TODAY).suggestion == an.SUGGESTIONS["building"]


# ------------------------------------------------------------------ wording
@pytest.mark.parametrize(
    ("driver", "median", "strict", "rule"),
    [
        ("crisis_contacts", 0, True, "any crisis contact"),
        ("trauma_contacts", 0, True, "any contact involving traumatic material"),
        ("after_hours_minutes", 0, True, "any after-hours work"),
        ("crisis_contacts", 1, True, "more than 1 crisis contact"),
        ("crisis_contacts", 1.5, True, "more than 1.5 crisis contacts"),
        ("trauma_contacts", 2, True, "more than 2 contacts involving traumatic material"),
        ("after_hours_minutes", 30, True, "more than 30 minutes after hours"),
        ("crisis_contacts", 3, False, "3 or more crisis contacts"),
        ("workload_index", 12.5, True, "workload index above 12.5"),
        ("workload_index", 20, False, "workload index 20 or more"),
    ],
)
def test_heavier_rule_words(driver, median, strict, rule):
    assert an._heavier_rule(driver, median, strict) == rule


@pytest.mark.parametrize(
    ("driver", "median", "rule"),
    [
        # Counts are whole numbers: a median of 0.5 splits at "any", 1.5 at "more than 1".
        ("trauma_contacts", 0.5, "any contact involving traumatic material"),
        ("crisis_contacts", 1.5, "more than 1 crisis contact"),
        ("crisis_contacts", 2.5, "more than 2 crisis contacts"),
        ("after_hours_minutes", 7.5, "more than 7 minutes after hours"),
        ("workload_index", 12.5, "workload index above 12.5"),
    ],
)
def test_heavier_rule_for_whole_numbers(driver, median, rule):
    assert an._heavier_rule(driver, median, True, whole=True) == rule


def test_driver_with_half_median_says_any():
    history = driver_history(30).assign(trauma_contacts=[0, 1] * 15)
    (result,) = [r for r in an.strain_drivers(history).results
                 if (r.driver, r.outcome, r.lag) == ("trauma_contacts", "exhaustion", 0)]
    assert result.split == 0.5 and (result.n_heavier, result.n_lighter) == (15, 15)
    assert result.heavier_rule == "any contact involving traumatic material"


def test_driver_with_median_zero_says_any():
    history = driver_history(30).assign(crisis_contacts=[0, 0, 0, 1, 2] * 6)
    (result,) = [r for r in an.strain_drivers(history).results
                 if (r.driver, r.outcome, r.lag) == ("crisis_contacts", "exhaustion", 0)]
    assert result.split == 0 and result.heavier_rule == "any crisis contact"
    assert result.message.startswith("On your heavier crisis-contact days (any crisis contact),")


def test_intervals_never_show_minus_zero():
    text = an._driver_message("crisis_contacts", "exhaustion", 0, "any crisis contact",
                              0.61, -0.03, 1.24, False)
    assert text == (
        "On your heavier crisis-contact days (any crisis contact), your exhaustion was 0.6 "
        "points higher (95% interval 0.0 to 1.2) than on lighter days. The interval includes "
        "no difference, so there is no clear link."
    )
    assert (an._num(-0.04), an._num(0.04), an._num(-0.26)) == ("0.0", "0.0", "-0.3")
    assert (an._signed(-0.04), an._signed(0.0), an._signed(0.26), an._signed(-0.26)) == \
        ("0.0", "0.0", "+0.3", "-0.3")
    assert an.format_signed(-0.001) == "0.0"


def test_cf_messages_without_checkins_or_matches():
    history = cf_history([False] * 7)
    cf = an.compassion_fatigue_pattern(history, TODAY)
    assert cf.message == (
        "The compassion-fatigue pattern (exhaustion and intrusion up, empathy down) did not "
        "show on any of your last 7 check-ins; it is flagged from 5."
    )
    old = history[history["day"] <= pd.Timestamp("2026-03-01")]
    cf = an.compassion_fatigue_pattern(old, TODAY)
    assert cf.message == (
        "No check-ins in the last 14 days, so the compassion-fatigue pattern was not checked."
    )


@pytest.mark.parametrize(
    ("history", "today"),
    [
        pytest.param(lambda: make_history(weekdays(TODAY, 1)), TODAY, id="one"),
        pytest.param(lambda: make_history(weekdays(TODAY, 21) + [dt.date(2026, 3, 17)]),
                     TODAY, id="future"),
        pytest.param(lambda: make_history(weekdays(dt.date(2026, 3, 9), 20) + [dt.date(2026, 3, 10)]),
                     TODAY, id="single-recent"),
        pytest.param(lambda: driver_history(22).assign(
            crisis_contacts=0, trauma_contacts=[0, 1] * 11, after_hours_minutes=[0, 0, 15] * 7 + [0]),
            TODAY, id="zero-medians"),
        pytest.param(lambda: driver_history(60, effect=0.0), TODAY, id="no-effect"),
        pytest.param(long_step_history, dt.date(2026, 3, 18), id="drift"),
        pytest.param(lambda: make_history(weekdays(TODAY - dt.timedelta(days=10), 60)), TODAY,
                     id="quiet"),
    ],
)
def test_no_odd_wording(history, today):
    summary = an.personal_summary(history(), today)
    for text in all_messages(summary):
        for odd in (r"-0\.0\b", r"\b1 check-ins", r"\b1 days", r"\bmore than 0 ",
                    r"\bthere are 1\b", r"\bOnly 0\b", r"\b0 of your", r"\+0\.0\b", r"\s{2}",
                    r"\.\.", r"more than \d+\.\d+ (crisis|contacts?|minutes?)\b"):
            assert not re.search(odd, text), (odd, text)

# ------------------------------------------------------------------ one call, robustness
def test_personal_summary_is_complete_and_deterministic():
    history = driver_history(45)
    first = an.personal_summary(history, TODAY, caseload_standard=12)
    second = an.personal_summary(history.sample(frac=1.0, random_state=1), TODAY, 12)
    assert first == second  # row order does not matter
    assert set(first.trends) == set(RATINGS)
    assert first.baseline.ready and first.drivers.ready
    assert first.today == TODAY and first.caseload_standard == 12.0
    assert first.disclaimer == an.DISCLAIMER


def test_history_is_not_modified():
    history = driver_history(45)
    copy = history.copy()
    an.personal_summary(history, TODAY)
    pd.testing.assert_frame_equal(history, copy)


@pytest.mark.parametrize("today", [TODAY, "2026-03-16", pd.Timestamp("2026-03-16 15:30")])
def test_today_accepts_dates_strings_and_timestamps(today):
    assert an.personal_summary(ramp_history(), today).status.level == "act"


def test_bare_empty_frame():
    summary = an.personal_summary(pd.DataFrame(), TODAY)
    assert summary.status.level == "building"
    assert summary.trends["exhaustion"].direction == "not enough check-ins"


@pytest.mark.parametrize(
    "history",
    [
        pytest.param(lambda: step_history("exhaustion", 4, 8, RECENT[0]), id="step"),
        pytest.param(ramp_history, id="ramp"),
        pytest.param(lambda: cf_history([True] * 6 + [False]), id="cf"),
        pytest.param(lambda: driver_history(60), id="drivers"),
        pytest.param(lambda: make_history(weekdays(TODAY, 3)), id="few"),
    ],
)
def test_wording_is_non_diagnostic_and_not_causal(history):
    summary = an.personal_summary(history(), TODAY)
    for text in all_messages(summary):
        lowered = text.lower()
        for banned in ("you have burnout", "diagnos", "disorder", "because", "caused by",
                       "due to", "leads to", "makes you"):
            assert banned not in lowered, (banned, text)


def test_rows_after_today_are_ignored():
    history = step_history("exhaustion", 4, 4, RECENT[0])
    future = make_history([TODAY + dt.timedelta(days=k) for k in (1, 2, 3)], exhaustion=10)
    combined = pd.concat([history, future], ignore_index=True)
    assert an.personal_summary(combined, TODAY) == an.personal_summary(history, TODAY)


def test_summary_with_replaced_standard_changes_only_workload_drivers():
    history = driver_history(45)
    a = an.personal_summary(history, TODAY, 15)
    b = an.personal_summary(history, TODAY, 30)
    assert replace(a, drivers=b.drivers, caseload_standard=30.0) == b


# --- optimised paths agree with the simple ones (issue 7) ---------------------------

@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("ties", [False, True])
def test_theil_sen_equals_scipy(seed, ties):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 15))
    x = np.sort(rng.choice(np.arange(14), size=n, replace=ties)).astype(float)
    y = np.rint(rng.normal(5, 2, n)) if ties else rng.normal(5, 2, n)
    expected = stats.theilslopes(y, x, alpha=0.95)
    assert an.theil_sen(y, x, 0.95) == (
        float(expected.slope), float(expected.low_slope), float(expected.high_slope))


def random_history(seed: int, n: int = 80) -> pd.DataFrame:
    """Weekday check-ins with gaps and some missing workload values."""
    rng = np.random.default_rng(seed)
    days = [d for d in weekdays(TODAY, n) if rng.random() < 0.8]
    history = make_history(days)
    for name in RATINGS:
        history[name] = rng.integers(0, 11, len(history))
    history["caseload"] = rng.integers(5, 40, len(history)).astype(float)
    history.loc[rng.random(len(history)) < 0.1, "caseload"] = np.nan
    return history


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("lag", [0, 1])
def test_pair_arrays_match_the_pandas_merge(seed, lag):
    frame = an._prepare(random_history(seed), TODAY)
    driver = an._values(frame, "caseload")
    expected = an._pairs(frame, driver, "exhaustion", lag)
    x, y = an._pair_arrays(frame["day"].to_numpy().view("int64"), driver.to_numpy(),
                           an._values(frame, "exhaustion").to_numpy(), lag)
    assert x.tolist() == expected["x"].tolist() and y.tolist() == expected["y"].tolist()


@pytest.mark.parametrize("seed", range(4))
def test_summary_of_a_prepared_history_equals_the_summary_of_a_messy_one(seed):
    history = random_history(seed)
    messy = pd.concat([history.iloc[::-1], history.iloc[:3]], ignore_index=True)
    messy["day"] = messy["day"].dt.strftime("%Y-%m-%d")  # strings, unsorted, duplicated days
    prepared = an._prepare(history, TODAY)
    assert an._is_prepared(prepared, TODAY)
    assert an._prepare(prepared, TODAY) is prepared  # no copy
    assert an.personal_summary(prepared, TODAY) == an.personal_summary(messy, TODAY)


@pytest.mark.parametrize("change", ["unsorted", "duplicate", "after_today", "not_midnight",
                                    "index"])
def test_is_prepared_spots_what_prepare_would_change(change):
    frame = an._prepare(random_history(1), TODAY)
    if change == "unsorted":
        frame = frame.iloc[::-1].reset_index(drop=True)
    elif change == "duplicate":
        frame = pd.concat([frame, frame.iloc[-1:]], ignore_index=True)
    elif change == "after_today":
        return assert_not_prepared(frame, frame["day"].iloc[-1].date() - dt.timedelta(days=1))
    elif change == "not_midnight":
        frame = frame.assign(day=frame["day"] + pd.Timedelta(hours=9))
    else:
        frame = frame.set_axis(range(1, len(frame) + 1))
    assert_not_prepared(frame, TODAY)


def assert_not_prepared(frame, today):
    assert not an._is_prepared(frame, today)


@pytest.mark.parametrize("seed", range(4))
def test_early_warning_chart_is_the_ewma_of_each_rating(seed):
    history = random_history(seed)
    result = an.early_warnings(history, TODAY)
    base = an.baseline(history, TODAY)
    assert result.ready and len(result.chart)
    assert list(result.chart.columns) == ["day", "rating", "value", "ewma", "center", "limit",
                                          "outside"]
    assert str(result.chart["day"].dtype) == "datetime64[ns]" and result.chart["outside"].dtype == bool
    recent = history[history["day"] > pd.Timestamp(TODAY) - pd.Timedelta(days=7)]
    for rating, rows in result.chart.groupby("rating", sort=False):
        rb = base.ratings[rating]
        z, _ = an.ewma_path(recent[rating].to_numpy(dtype=float), rb.mean, rb.sd_used)
        assert rows["value"].tolist() == recent[rating].astype(float).tolist()
        assert rows["ewma"].tolist() == z.tolist()
        assert (rows["center"] == rb.mean).all()


def test_data_version_changes_with_every_write_of_that_person_only(db, team, user):
    from conftest import PASSWORD, RATINGS as VALUES
    from fatigue import accounts, checkins

    other = accounts.create_user(db, "robin", PASSWORD, team=team)
    assert an.data_version(db, user) == 0
    checkins.save_checkin(db, user, TODAY, today=TODAY, **VALUES)
    first = an.data_version(db, user)
    checkins.save_checkin(db, other, TODAY, today=TODAY, **VALUES)
    assert an.data_version(db, user) == first
    checkins.save_checkin(db, user, TODAY, today=TODAY, **{**VALUES, "exhaustion": 9})
    second = an.data_version(db, user)
    assert second != first
    with db.conn:
        db.execute("UPDATE checkins SET note = '' WHERE user_id = ?", [user])
    third = an.data_version(db, user)
    assert third != second
    with db.conn:
        db.execute("DELETE FROM checkins WHERE user_id = ?", [user])
    assert an.data_version(db, user) not in (first, second, third)
