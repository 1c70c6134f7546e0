"""Early warning: the smoothed level of the last two weeks against the usual range."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from fatigue.analytics import carry_over as co
from fatigue.analytics import early_warning as ew
from fatigue.analytics import usual_range as us

from histories import make_history, weekdays

TODAY = dt.date(2026, 3, 16)  # a Monday
# Last two weeks: weekdays 3, 4, 5, 6, 9, 10, 11, 12, 13, 16 March.
RECENT = weekdays(TODAY, 10)
LAM = ew.EWMA_LAMBDA


def step(rating: str, before: int, after: int, from_index: int, n: int = 45) -> pd.DataFrame:
    """Weekday check-ins at ``before``, then ``after`` from the from_index-th of the last 10."""
    days = weekdays(TODAY, n)
    return make_history(days, **{rating: [before] * (n - 10 + from_index)
                                 + [after] * (10 - from_index)})


# ------------------------------------------------------------------ the exact variances
def test_ewma_variance_known_answers():
    # t = 1: lam^2; t = 2: lam^2 (1 + (1 - lam)^2 + 2 (1 - lam) phi)
    v = ew.ewma_variance(2, 0.5, 0.3)
    assert v.tolist() == pytest.approx([0.09, 0.09 * (1 + 0.49 + 2 * 0.7 * 0.5)])


@pytest.mark.parametrize("phi", [0.0, 0.2, 0.5, 0.8])
def test_ewma_variance_equals_the_weighted_sum_of_correlations(phi):
    t, lam = 9, 0.4
    index = np.arange(t)
    weights = np.where(index[None, :] <= index[:, None], (1 - lam) ** (index[:, None] - index[None, :]), 0)
    direct = lam**2 * np.einsum("ik,kl,il->i", weights, co.ar1_correlation(t, phi), weights)
    assert ew.ewma_variance(t, phi, lam) == pytest.approx(direct)


def test_without_carry_over_it_is_the_textbook_ewma_variance():
    t = np.arange(1, 11)
    assert ew.ewma_variance(10, 0.0, 0.3) == pytest.approx(0.3 / 1.7 * (1 - 0.7 ** (2 * t)))


def test_edge_factor_is_a_t_quantile_on_the_usual_s_effective_checkins():
    # 60 check-ins with carry-over 0.5 are worth 60 * 0.75 / 1.25 = 36 for a spread: 35 df.
    assert ew.edge_factor(60, 0.5, 0.006) == pytest.approx(stats.t.isf(0.006, 35))
    assert ew.edge_factor(20, 0.0, 0.006) == pytest.approx(stats.t.isf(0.006, 19))
    assert ew.edge_factor(20, 0.5, 0.006) > ew.edge_factor(60, 0.5, 0.006)


def test_half_widths_combine_the_smoothing_and_the_usual_s_uncertainty():
    width = ew.half_widths(3, 1.5, 40, 0.5)
    expected = ew.edge_factor(40, 0.5, ew.EWMA_ALPHA) * 1.5 * np.sqrt(
        ew.ewma_variance(3, 0.5, LAM) + co.mean_variance(40, 0.5))
    assert width == pytest.approx(expected)


def test_ewma_path():
    assert ew.ewma_path([1.0, 1.0], 0.0, 0.3).tolist() == pytest.approx([0.3, 0.51])


# ------------------------------------------------------------------ signals
def test_step_is_flagged_from_the_check_in_its_smoothed_level_passes_the_edge():
    # Usual 4 (SD 0, floored at 1; carry-over cannot be estimated: 0.5). Exhaustion 8
    # from Tue 10 Mar: the smoothed level is 5.6 on the 10th, 6.56 on the 11th.
    history = step("exhaustion", 4, 8, 5)
    base = us.usual(history, TODAY)
    assert (base.carry_over, base.ratings["exhaustion"].sd_used) == (0.5, 1.0)
    limits = 4 + ew.half_widths(10, 1.0, 35, 0.5)
    assert limits[5] > 5.6 and limits[6] < 6.56  # so the run starts on Wed 11 Mar
    (signal,) = ew.early_warnings(history, TODAY).signals
    assert (signal.rating, signal.direction, signal.since, signal.checkins_outside) == (
        "exhaustion", "higher", dt.date(2026, 3, 11), 4)
    assert (signal.run_mean, signal.difference, signal.difference_sd) == (8.0, 4.0, 4.0)
    assert signal.limit == pytest.approx(limits[-1])
    assert signal.message == (
        "Your exhaustion has been above your usual range since Wed 11 Mar: your 4 check-ins "
        "since then averaged 8.0 out of 10, 4.0 points above your usual 4.0."
    )
    assert signal.why.startswith("Your recent check-ins, smoothed so that one odd day does not "
                                 f"count, went above {signal.limit:.1f}, the edge")


def test_lower_side_for_empathy_and_a_single_check_in_message():
    history = step("empathy", 7, 1, 9)  # only the latest check-in
    (signal,) = ew.early_warnings(history, TODAY).signals
    assert (signal.direction, signal.since, signal.checkins_outside) == ("lower", TODAY, 1)
    assert signal.message == (
        "Your empathy has been below your usual range since Mon 16 Mar: that check-in was 1.0 "
        "out of 10, 6.0 points below your usual 7.0."
    )


@pytest.mark.parametrize(("rating", "before", "after"), [
    ("exhaustion", 6, 1),  # easier side: never a warning
    ("recovery", 3, 8),
])
def test_the_easier_side_is_never_flagged(rating, before, after):
    assert ew.early_warnings(step(rating, before, after, 0), TODAY).signals == ()


def test_one_odd_day_then_usual_again_is_not_flagged():
    days = weekdays(TODAY, 45)
    history = make_history(days, exhaustion=[4] * 42 + [9, 4, 4])
    assert ew.early_warnings(history, TODAY).signals == ()


def test_signals_come_strongest_first():
    history = step("exhaustion", 4, 7, 0).assign(
        intrusion=[3] * 35 + [9] * 10, detachment=[2] * 35 + [6] * 10)
    signals = ew.early_warnings(history, TODAY).signals
    assert [s.rating for s in signals] == ["intrusion", "detachment", "exhaustion"]


def test_nothing_before_the_usual_is_ready_and_a_single_check_in_never_counts():
    early = ew.early_warnings(make_history(weekdays(TODAY, 25), exhaustion=9), TODAY)
    assert not early.ready and early.signals == () and "of the 20 needed" in early.message
    history = make_history(weekdays(dt.date(2026, 3, 2), 30) + [dt.date(2026, 3, 10)],
                           empathy=[7] * 30 + [0])
    single = ew.early_warnings(history, TODAY)
    assert single.ready and single.recent_n == 1 and single.signals == ()
    assert single.message == (
        "Only 1 check-in in the last two weeks; a change is pointed out from 2 check-ins on, "
        "so a single day never counts on its own."
    )
    assert single.chart.empty


def test_missing_ratings_are_skipped_not_filled():
    history = step("exhaustion", 4, 8, 5).astype({"exhaustion": float})
    history.loc[history.index[-3], "exhaustion"] = np.nan  # Thu 12 Mar not answered
    (signal,) = ew.early_warnings(history, TODAY).signals
    assert signal.checkins_outside == 3 and signal.recent_n == 9


def test_chart_rows_follow_the_smoothed_level():
    history = step("exhaustion", 4, 8, 5)
    result = ew.early_warnings(history, TODAY)
    rows = result.chart[result.chart["rating"] == "exhaustion"]
    assert list(result.chart.columns) == ew.CHART_COLUMNS
    assert [d.date() for d in rows["day"]] == RECENT
    assert rows["smoothed"].tolist() == pytest.approx(ew.ewma_path([4] * 5 + [8] * 5, 4.0, LAM))
    assert rows["outside"].tolist() == [False] * 6 + [True] * 4
    assert (rows["center"] == 4.0).all()


def test_levels_arrow_follows_the_number_and_states_the_range():
    history = step("exhaustion", 4, 8, 5).assign(meaning=[7] * 35 + [8] * 10)
    base = us.usual(history, TODAY)
    levels = {lv.rating: lv for lv in ew.rating_levels(history, TODAY, base,
                                                       ew.early_warnings(history, TODAY, base))}
    assert (levels["exhaustion"].moved, levels["exhaustion"].change) == ("up", "↑ 2.0 points")
    assert levels["exhaustion"].state == "above your usual range since Wed 11 Mar"
    # meaning rose: the arrow points up although up is the easier side
    assert (levels["meaning"].moved, levels["meaning"].change) == ("up", "↑ 1.0 points")
    assert levels["meaning"].state == "within your usual range"
    assert (levels["empathy"].moved, levels["empathy"].change) == ("same", "→ about the same")
