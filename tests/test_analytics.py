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
from fatigue.validation import FLAGS, INT_RANGES, RATINGS

TODAY = dt.date(2026, 3, 16)  # a Monday
# Baseline window for TODAY: Tue 10 Feb .. Mon 9 Mar (20 weekdays);
# recent window: Tue 10 Mar .. Mon 16 Mar (weekdays 10, 11, 12, 13, 16).
RECENT = [dt.date(2026, 3, d) for d in (10, 11, 12, 13, 16)]
USUAL = dict(
    exhaustion=4, empathy=7, detachment=2, intrusion=3, meaning=7, recovery=5, time_pressure=5
)


def weekdays(end: dt.date, n: int) -> list[dt.date]:
    """The ``n`` weekdays ending on ``end`` (or the weekday before it)."""
    return [d.date() for d in pd.bdate_range(end=end, periods=n)]


def make_history(days: list[dt.date], **columns) -> pd.DataFrame:
    """A history like load_history's: scalars broadcast, sequences per day."""
    n = len(days)
    values = {
        **USUAL,
        "caseload": 15, "contacts": 5, "crisis_contacts": 1, "trauma_contacts": 1,
        "direct_hours": 4.0, "after_hours_minutes": 0, "supervision": False,
        "break_taken": True, "note": "",
        **columns,
    }
    frame = pd.DataFrame({"day": pd.to_datetime(pd.Series(days, dtype=object)).astype("datetime64[ns]")})
    for name, value in values.items():
        frame[name] = np.resize(np.asarray(value), n) if np.ndim(value) else [value] * n
    for name in INT_RANGES:
        frame[name] = frame[name].astype("int64")
    for name in FLAGS:
        frame[name] = frame[name].astype(bool)
    frame["direct_hours"] = frame["direct_hours"].astype(float)
    return frame


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
    texts = [summary.baseline.message, summary.warnings.message,
             summary.compassion_fatigue.message, summary.drivers.message,
             *summary.drivers.skipped, *summary.status.reasons, summary.status.suggestion]
    texts += [s.message for s in summary.warnings.signals]
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
    assert f"so far there are {n}" in drivers.message


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
    assert card.reasons[0] == "Exhaustion was 8 or more on 5 of your last 7 check-ins."


def test_disclaimer_wording():
    card = an.status(make_history([]), TODAY)
    for phrase in ("not a diagnosis", "occupational phenomenon", "not a medical condition",
                   "QD85", "reflection"):
        assert phrase in card.disclaimer
    assert card.disclaimer == an.DISCLAIMER


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
