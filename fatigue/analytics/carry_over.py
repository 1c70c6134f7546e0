"""Carry-over: how much a rating on one check-in resembles the one before, and the
statistics that allow for it.

Daily self-ratings carry over (bad weeks cluster; lag-1 autocorrelation is
typically 0.3-0.6). Treated as independent, they make limits too narrow and
links look clearer than they are. Every personal figure therefore assumes that
the check-ins follow an AR(1) process with the person's own carry-over
``phi``: the correlation between check-ins k positions apart is ``phi ** k``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.regression.linear_model import OLS

# The carry-over used is the estimate, corrected for its small-sample bias and
# kept within these bounds: a handful of weeks cannot tell 0.1 from 0.3, and
# assuming some carry-over only widens the limits a little.
CARRY_OVER_MIN = 0.2
CARRY_OVER_MAX = 0.8
CARRY_OVER_PRIOR = 0.5  # while it cannot be estimated (typical of daily ratings)


def carry_over(block: np.ndarray) -> float:
    """Pooled lag-1 autocorrelation of the rows of ``block`` (ratings x consecutive
    check-ins, NaN where not given; a pair with a missing value counts for nothing),
    corrected for its small-sample bias (Marriott & Pope 1954: E[r] ~ phi - (1 + 3 phi)
    / n) and kept within CARRY_OVER_MIN .. CARRY_OVER_MAX."""
    present = ~np.isnan(block)
    counts = present.sum(axis=1)
    use = counts >= 3
    n = block.shape[1]
    if not use.any() or n < 3:
        return CARRY_OVER_PRIOR
    deviations = deviations_from_mean(block[use], present[use], counts[use])
    square = float((deviations**2).sum())
    if square == 0.0:
        return CARRY_OVER_PRIOR
    r = float((deviations[:, 1:] * deviations[:, :-1]).sum()) / square
    return float(np.clip(r + (1 + 3 * r) / n, CARRY_OVER_MIN, CARRY_OVER_MAX))


def deviations_from_mean(block: np.ndarray, present: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Each value minus its row's mean; 0 where not given."""
    means = np.where(present, block, 0.0).sum(axis=1) / np.maximum(counts, 1)
    return np.where(present, block - means[:, None], 0.0)


def ar1_correlation(positions: np.ndarray | int, phi: float) -> np.ndarray:
    """phi^|p_i - p_j| for check-ins at ``positions`` in the sequence (an int n: 0..n-1)."""
    index = np.arange(positions) if isinstance(positions, (int, np.integer)) else np.asarray(positions)
    return phi ** np.abs(index[:, None] - index[None, :]).astype(float)


def mean_variance(n: int, phi: float) -> float:
    """Variance of the mean of n consecutive AR(1) values, in units of their variance:
    the sum of phi^|i-j| over all pairs, divided by n^2, in closed form."""
    if n <= 0:
        return float("inf")
    if phi == 0:
        return 1.0 / n
    return ((1 + phi) / (1 - phi) - 2 * phi * (1 - phi**n) / (n * (1 - phi) ** 2)) / n


@functools.lru_cache(maxsize=512)
def t_upper(alpha: float, df: int) -> float:
    """The Student's t value with upper-tail probability ``alpha`` (cached: the limits
    and intervals ask for the same few again and again)."""
    return float(stats.t.isf(alpha, df))


@dataclass(frozen=True)
class Fit:
    """One coefficient of a straight-line fit that allows for carry-over."""

    estimate: float
    se: float
    df: int
    p_value: float  # two-sided

    def interval(self, confidence: float) -> tuple[float, float]:
        half = t_upper((1.0 - confidence) / 2.0, self.df) * self.se
        return self.estimate - half, self.estimate + half


def whiten(values: np.ndarray, positions: np.ndarray, phi: float) -> np.ndarray:
    """Columns of ``values`` turned into independent, equal-variance terms under AR(1)
    errors observed at ``positions`` (Prais-Winsten, with gaps: the process is Markov,
    so each row needs only the one before, at correlation phi^gap)."""
    values = np.asarray(values, dtype=float)
    rho = phi ** np.diff(np.asarray(positions)).astype(float)
    shape = (-1,) + (1,) * (values.ndim - 1)
    out = values.copy()
    out[1:] = (values[1:] - rho.reshape(shape) * values[:-1]) / np.sqrt(1 - rho**2).reshape(shape)
    return out


def fit_with_carry_over(y: np.ndarray, x: np.ndarray, positions: np.ndarray, phi: float) -> Fit:
    """The slope of y on x by generalised least squares with AR(1) errors of lag-1
    correlation ``phi`` over the check-ins at ``positions``: least squares
    (``statsmodels`` OLS) on the whitened data. The error variance is estimated from
    the data, so the t test on n - 2 df stays honest for a handful of points."""
    design = np.column_stack([np.ones(len(y)), np.asarray(x, dtype=float)])
    result = OLS(whiten(y, positions, phi), whiten(design, positions, phi)).fit()
    estimate, se, df = float(result.params[1]), float(result.bse[1]), int(result.df_resid)
    if se < 1e-9:  # a perfect fit (e.g. a constant series): nothing left to be uncertain about
        if abs(estimate) < 1e-9:  # rounding noise of an exact zero
            return Fit(0.0, 0.0, df, 1.0)
        return Fit(estimate, 0.0, df, 0.0)
    return Fit(estimate, se, df, float(result.pvalues[1]))
