"""What goes with heavier strain: every comparison, with a range that allows for chance."""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from fatigue.analytics import drivers as dr
from fatigue.analytics.carry_over import carry_over, fit_with_carry_over
from fatigue.analytics.frame import prepare

from histories import make_history, weekdays

TODAY = dt.date(2026, 3, 16)


def noisy(rng: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    return np.clip(np.round(mean + rng.normal(0, sd, n)), 0, 10).astype(int)


def driver_history(n: int, seed: int = 7, effect: float = 0.5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    crisis = rng.integers(0, 7, n)
    exhaustion = np.clip(np.round(3 + effect * crisis + rng.normal(0, 0.5, n)), 0, 10).astype(int)
    return make_history(
        weekdays(TODAY, n), crisis_contacts=crisis, contacts=crisis + 4,
        trauma_contacts=rng.integers(0, 3, n), after_hours_minutes=rng.choice([0, 0, 30, 60], n),
        exhaustion=exhaustion, intrusion=noisy(rng, 3, 1.0, n),
    )


def one(drivers: dr.StrainDrivers, driver: str, outcome: str, lag: int) -> dr.DriverResult:
    (result,) = [r for r in drivers.results if (r.driver, r.outcome, r.lag) == (driver, outcome, lag)]
    return result


# ------------------------------------------------------------------ the correction
def test_benjamini_hochberg_known_answer():
    # m = 4, alpha 0.05: thresholds 0.0125, 0.025, 0.0375, 0.05. Sorted p 0.001, 0.02,
    # 0.03, 0.2: the largest k with p_(k) <= k/4 * 0.05 is 3, so three are clear, and
    # every range is drawn at 1 - 3 * 0.05 / 4 = 96.25%.
    clear, level = dr.benjamini_hochberg([0.03, 0.001, 0.2, 0.02])
    assert clear == [True, True, False, True]
    assert level == pytest.approx(0.9625)
    assert dr.benjamini_hochberg([0.5, 0.04]) == ([False, False], pytest.approx(0.975))
    assert dr.benjamini_hochberg([]) == ([], 0.95)


@pytest.mark.parametrize("seed", range(6))
def test_a_range_leaves_out_zero_exactly_when_its_link_is_clear(seed):
    drivers = dr.strain_drivers(driver_history(40, seed=seed, effect=0.25 * seed))
    levels = {r.level for r in drivers.results}
    assert len(levels) == 1  # one level for every comparison shown
    for r in drivers.results:
        assert r.clear == (r.low > 0 or r.high < 0), r


# ------------------------------------------------------------------ the comparisons
@pytest.mark.parametrize("seed", [7, 8, 9])
def test_a_known_effect_is_recovered(seed):
    history = driver_history(60, seed=seed)
    result = one(dr.strain_drivers(history), "crisis_contacts", "exhaustion", 0)
    crisis = history["crisis_contacts"].to_numpy()
    heavy = crisis > np.median(crisis)
    assert result.clear and result.low <= 0.5 * (crisis[heavy].mean() - crisis[~heavy].mean()) <= result.high
    assert (result.n_heavier, result.n_lighter) == (heavy.sum(), (~heavy).sum())
    assert result.message.startswith("On your heavier crisis-contact days (more than")
    assert re.search(r"your exhaustion was \d\.\d points higher than lighter days \(between "
                     r"\d\.\d points higher and \d\.\d points higher, allowing for chance\)\.$",
                     result.message)


def test_the_difference_allows_for_carry_over():
    history = driver_history(60)
    checkins = prepare(history)
    result = one(dr.strain_drivers(history), "crisis_contacts", "exhaustion", 0)
    x = history["crisis_contacts"].to_numpy(float)
    fit = fit_with_carry_over(history["exhaustion"].to_numpy(float), (x > np.median(x)).astype(float),
                              np.arange(60), carry_over(checkins.ratings))
    assert (result.difference, result.p_value) == pytest.approx((fit.estimate, fit.p_value))
    half = stats.t.isf((1 - result.level) / 2, fit.df) * fit.se
    assert (result.low, result.high) == pytest.approx((fit.estimate - half, fit.estimate + half))


def test_no_effect_no_clear_link_and_it_is_said():
    result = one(dr.strain_drivers(driver_history(60, effect=0.0)), "crisis_contacts", "intrusion", 0)
    assert not result.clear and result.low <= 0 <= result.high
    assert result.message.endswith("), so there is no clear link.")
    assert "chance alone could give that (anywhere between" in result.message


def test_every_comparison_is_shown_with_its_range():
    drivers = dr.strain_drivers(driver_history(60))
    assert len(drivers.results) == 16 and drivers.skipped == ()
    assert all(r.low <= r.difference <= r.high for r in drivers.results)
    assert drivers.message == (
        "Based on 60 days with a full check-in. These are links in your own check-ins, not "
        "proof that one thing causes another. Each range allows for chance across all 16 "
        "comparisons at once, so a link is called clear only when chance alone is an unlikely "
        "explanation."
    )


@pytest.mark.parametrize("n", [0, 1, 10, 20])
def test_hidden_below_21_days(n):
    drivers = dr.strain_drivers(driver_history(n) if n else make_history([]))
    assert not drivers.ready and drivers.results == () and drivers.n_paired_days == n
    assert drivers.message.endswith(f"so far there {'is 1' if n == 1 else f'are {n}'}.")


def test_next_day_pairs_only_consecutive_calendar_days():
    history = driver_history(40)  # weekdays only: Friday -> Monday is not a pair
    next_day = [r for r in dr.strain_drivers(history).results if r.lag == 1]
    days = history["day"]
    assert int(days.isin(days - pd.Timedelta(days=1)).sum()) == 31
    assert next_day and all(r.n_pairs == 31 for r in next_day)
    assert next_day[0].message.startswith("On the day after your heavier")


def test_skipped_comparisons_say_why():
    history = driver_history(30).assign(trauma_contacts=0)
    drivers = dr.strain_drivers(history)
    assert not any(r.driver == "trauma_contacts" for r in drivers.results)
    assert any("no variation in contacts involving traumatic material" in s for s in drivers.skipped)
    sparse = driver_history(60)
    sparse = sparse[sparse["day"].dt.day_of_week.isin([0, 2, 4])]  # Mon, Wed, Fri
    drivers = dr.strain_drivers(sparse)
    assert not any(r.lag == 1 for r in drivers.results)
    assert any("(next day)" in s and "0 of 21 paired days" in s for s in drivers.skipped)


def test_median_ties_go_to_the_lighter_days_unless_the_median_is_the_top():
    ties = one(dr.strain_drivers(driver_history(30).assign(after_hours_minutes=[0, 0, 30, 60, 90] * 6)),
               "after_hours_minutes", "exhaustion", 0)
    assert ties.split == 30 and (ties.n_heavier, ties.n_lighter) == (12, 18)
    assert "(more than 30 minutes after hours)" in ties.message
    top = one(dr.strain_drivers(driver_history(30).assign(after_hours_minutes=[60, 60, 60, 0, 0] * 6)),
              "after_hours_minutes", "exhaustion", 0)
    assert (top.n_heavier, top.n_lighter) == (18, 12)
    assert "(60 or more minutes after hours)" in top.message


def test_missing_ratings_leave_out_those_days():
    history = driver_history(40).astype({"exhaustion": float})
    history.loc[history.index[:5], "exhaustion"] = np.nan
    result = one(dr.strain_drivers(history), "crisis_contacts", "exhaustion", 0)
    assert result.n_pairs == 35


@pytest.mark.parametrize(("driver", "median", "strict", "rule"), [
    ("crisis_contacts", 0, True, "any crisis contact"),
    ("trauma_contacts", 0, True, "any contact involving traumatic material"),
    ("after_hours_minutes", 0, True, "any after-hours work"),
    ("crisis_contacts", 1, True, "more than 1 crisis contact"),
    ("trauma_contacts", 2, True, "more than 2 contacts involving traumatic material"),
    ("crisis_contacts", 3, False, "3 or more crisis contacts"),
    ("workload_index", 12.5, True, "workload index above 12.5"),
    ("workload_index", 20, False, "workload index 20 or more"),
])
def test_heavier_rule_words(driver, median, strict, rule):
    assert dr.heavier_rule(driver, median, strict) == rule


def test_whole_number_medians_are_said_in_whole_numbers():
    assert dr.heavier_rule("crisis_contacts", 1.5, True, whole=True) == "more than 1 crisis contact"
    assert dr.heavier_rule("trauma_contacts", 0.5, True, whole=True) == \
        "any contact involving traumatic material"


def test_words_never_show_a_signed_zero():
    text = dr.driver_message("crisis_contacts", "exhaustion", 0, "any crisis contact",
                             0.61, -0.03, 1.24, False)
    assert text == (
        "On your heavier crisis-contact days (any crisis contact), your exhaustion was 0.6 points "
        "higher than lighter days; chance alone could give that (anywhere between no different "
        "and 1.2 points higher), so there is no clear link."
    )
    assert "no different from lighter days" in dr.driver_message(
        "crisis_contacts", "intrusion", 1, "any crisis contact", 0.01, -0.5, 0.5, False)
