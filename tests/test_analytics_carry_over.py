"""Carry-over: the estimate, and the statistics that allow for it (known answers)."""
from __future__ import annotations

import numpy as np
import pytest
from statsmodels.regression.linear_model import GLS

from fatigue.analytics import carry_over as co


def test_carry_over_is_the_pooled_lag1_autocorrelation_bias_corrected():
    block = np.array([[1.0, 2, 3, 4, 5, 6], [6.0, 4, 5, 3, 4, 2]])
    d = block - block.mean(axis=1, keepdims=True)
    r = (d[:, 1:] * d[:, :-1]).sum() / (d**2).sum()
    assert co.carry_over(block) == pytest.approx(np.clip(r + (1 + 3 * r) / 6, 0.2, 0.8))


def test_carry_over_skips_pairs_with_a_missing_value():
    block = np.array([[1.0, 2, np.nan, 4, 5, 6, 2, 3]])
    present = ~np.isnan(block)
    d = np.where(present, block - np.nanmean(block), 0.0)
    r = (d[:, 1:] * d[:, :-1]).sum() / (d**2).sum()  # pairs touching the gap add 0
    assert co.carry_over(block) == pytest.approx(np.clip(r + (1 + 3 * r) / 8, 0.2, 0.8))


@pytest.mark.parametrize(("block", "expected"), [
    (np.empty((7, 0)), co.CARRY_OVER_PRIOR),  # nothing to estimate from
    (np.full((7, 30), 4.0), co.CARRY_OVER_PRIOR),  # constant: no spread at all
    (np.tile([0.0, 10.0], (7, 15)), co.CARRY_OVER_MIN),  # see-saw: negative, floored
    (np.tile(np.repeat([0.0, 10.0], 15), (7, 1)), co.CARRY_OVER_MAX),  # one step: capped
])
def test_carry_over_bounds_and_prior(block, expected):
    assert co.carry_over(block) == expected


@pytest.mark.parametrize("phi", [0.0, 0.3, 0.5, 0.8])
@pytest.mark.parametrize("n", [1, 2, 5, 20, 60])
def test_mean_variance_closed_form_equals_the_sum(n, phi):
    assert co.mean_variance(n, phi) == pytest.approx(co.ar1_correlation(n, phi).sum() / n**2)


def test_mean_variance_known_answers():
    assert co.mean_variance(2, 0.5) == pytest.approx(0.75)  # (2 + 2 * 0.5) / 4
    assert co.mean_variance(10, 0.0) == pytest.approx(0.1)


def test_ar1_correlation_with_gaps():
    assert co.ar1_correlation(np.array([0, 1, 3]), 0.5).tolist() == [
        [1.0, 0.5, 0.125], [0.5, 1.0, 0.25], [0.125, 0.25, 1.0]]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("phi", [0.0, 0.5])
def test_fit_with_carry_over_equals_gls_with_the_ar1_matrix(seed, phi):
    rng = np.random.default_rng(seed)
    positions = np.sort(rng.choice(40, 25, replace=False))
    x, y = rng.integers(0, 2, 25).astype(float), np.round(rng.normal(5, 1.5, 25))
    fit = co.fit_with_carry_over(y, x, positions, phi)
    gls = GLS(y, np.column_stack([np.ones(25), x]), sigma=co.ar1_correlation(positions, phi)).fit()
    assert (fit.estimate, fit.se, fit.p_value) == pytest.approx(
        (gls.params[1], gls.bse[1], gls.pvalues[1]))
    assert fit.df == 23
    low, high = fit.interval(0.95)
    assert (low, high) == pytest.approx(tuple(gls.conf_int(0.05)[1]))


def test_fit_of_a_constant_series_is_exactly_zero():
    fit = co.fit_with_carry_over(np.full(8, 4.0), np.arange(8.0), np.arange(8), 0.5)
    assert (fit.estimate, fit.se, fit.p_value) == (0.0, 0.0, 1.0)
    assert fit.interval(0.95) == (0.0, 0.0)


def test_t_upper():
    assert co.t_upper(0.025, 10_000) == pytest.approx(1.96, abs=1e-3)
    assert co.t_upper(0.025, 2) == pytest.approx(4.303, abs=1e-3)
