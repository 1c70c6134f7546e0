"""Differential-privacy noise for released team figures, through OpenDP.

The mechanisms are OpenDP's (https://opendp.org, version 0.16): nothing here
draws noise itself. Noise is drawn only while a week is released
(:mod:`fatigue.teamfigures.release`), once per figure; the noisy figure is
stored with the release and never drawn again, and every draw appends its
epsilon to the append-only ``dp_ledger`` table.

Two kinds of value are released:

* a **mean** over the people of a cell of one person-level value per person
  (each person's check-ins in the period are averaged first, then clamped to
  fixed bounds ``[lower, upper]``). The sensitivity, how far one person's
  values can move the mean, is taken from OpenDP's own bounded, sized mean
  transformation (``make_mean`` over ``vector_domain(atom_domain(bounds=...),
  size=n)``, one person's row replaced: symmetric distance 2). We pass it the
  *lower edge* of the cell's respondent band instead of the exact number of
  respondents: the true sensitivity is no larger, so the guarantee holds, and
  the noise scale (and the uncertainty shown with the value) then reveals
  only the band, never the exact count. The Laplace noise itself is added by
  ``make_laplace`` on the float value.
* a **count** (respondents): OpenDP's ``make_count`` gives the sensitivity
  (1: one person added or removed), and ``make_laplace`` over integers adds
  discrete Laplace noise.

The 95% half-width of Laplace noise with scale b is b x ln 20 (P(|X| > t) =
exp(-t / b)); for the discrete version it is a close approximation.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

LN20 = math.log(20.0)


@functools.cache
def _dp():
    """opendp.prelude with the ``contrib`` features on (imported on first use)."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    return dp


@dataclass(frozen=True)
class Release:
    """One noisy value: the value, the Laplace scale, the epsilon it cost and the
    half-width of its 95% noise interval (in the value's own units)."""

    value: float
    scale: float
    epsilon: float
    half_width: float
    mechanism: str


def half_width_95(scale: float) -> float:
    """Half-width of the central 95% interval of Laplace(scale) noise."""
    return scale * LN20


def mean_sensitivity(n: int, lower: float, upper: float) -> float:
    """How far one person's (clamped) values can move the mean of ``n`` people,
    as OpenDP's bounded, sized mean transformation states it."""
    if n < 1:
        raise ValueError("n must be at least 1")
    if not upper > lower:
        raise ValueError("upper must be above lower")
    dp = _dp()
    space = (
        dp.vector_domain(dp.atom_domain(bounds=(float(lower), float(upper))), size=int(n)),
        dp.symmetric_distance(),
    )
    mean = space >> dp.t.then_mean()
    return float(mean.map(2))  # one person's row replaced: symmetric distance 2


def noisy_mean(value: float, *, n_low: int, lower: float, upper: float, epsilon: float) -> Release:
    """``value`` (a mean of clamped person-level values over at least ``n_low``
    people) with Laplace noise for ``epsilon``-DP; clipped to the bounds."""
    if not epsilon > 0:
        raise ValueError("epsilon must be positive")
    dp = _dp()
    sensitivity = mean_sensitivity(n_low, lower, upper)
    scale = sensitivity / epsilon
    laplace = dp.m.make_laplace(
        dp.atom_domain(T=float, nan=False), dp.absolute_distance(T=float), scale=scale
    )
    spent = float(laplace.map(sensitivity))
    clamped = min(max(float(value), lower), upper)
    noisy = float(laplace(clamped))
    return Release(
        value=min(max(noisy, lower), upper),  # post-processing: no privacy cost
        scale=scale,
        epsilon=spent,
        half_width=half_width_95(scale),
        mechanism="laplace_mean",
    )


def noisy_count(value: int, *, epsilon: float) -> Release:
    """A count with discrete Laplace noise for ``epsilon``-DP (never below 0)."""
    if not epsilon > 0:
        raise ValueError("epsilon must be positive")
    dp = _dp()
    count = (dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.symmetric_distance()) >> dp.t.then_count()
    sensitivity = int(count.map(1))  # one person added or removed
    scale = sensitivity / epsilon
    laplace = dp.m.make_laplace(dp.atom_domain(T=int), dp.absolute_distance(T=int), scale=scale)
    spent = float(laplace.map(sensitivity))
    noisy = int(laplace(int(value)))
    return Release(
        value=float(max(noisy, 0)),
        scale=scale,
        epsilon=spent,
        half_width=half_width_95(scale),
        mechanism="laplace_count",
    )


def record_spend(db: Database, week: dt.date, cell_key: str, metric: str, release: Release) -> None:
    """Append one draw to the ledger (inside the releasing transaction)."""
    db.execute(
        "INSERT INTO dp_ledger (cell_key, period, period_start, metric, epsilon, mechanism, scale)"
        " VALUES (?, 'week', ?, ?, ?, ?, ?)",
        [cell_key, week.isoformat(), metric, release.epsilon, release.mechanism, release.scale],
    )


def ledger(db: Database, limit: int = 1000) -> list[dict[str, Any]]:
    """The most recent ledger entries first: ``id``, ``at``, ``cell_key``,
    ``period``, ``period_start``, ``metric``, ``epsilon``, ``mechanism``, ``scale``."""
    return list(
        db.query(
            "SELECT id, at, cell_key, period, period_start, metric, epsilon, mechanism, scale"
            " FROM dp_ledger ORDER BY id DESC LIMIT ?",
            [int(limit)],
        )
    )


def epsilon_spent(
    db: Database,
    *,
    cell_key: str | None = None,
    period: str | None = None,
    period_start: dt.date | str | None = None,
) -> float:
    """Total epsilon recorded in the ledger, optionally for one cell or period."""
    sql = "SELECT coalesce(sum(epsilon), 0.0) FROM dp_ledger"
    where: list[str] = []
    params: list[Any] = []
    for column, value in (("cell_key", cell_key), ("period", period), ("period_start", period_start)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(str(value))
    if where:
        sql += " WHERE " + " AND ".join(where)
    return float(db.execute(sql, params).fetchone()[0])


def epsilon_by_cell(db: Database) -> list[dict[str, Any]]:
    """Epsilon spent per cell (sequential composition over its metrics), largest first."""
    return list(
        db.query(
            "SELECT cell_key, period, period_start, count(*) AS values_released,"
            " sum(epsilon) AS epsilon FROM dp_ledger"
            " GROUP BY cell_key, period, period_start ORDER BY epsilon DESC, period_start"
        )
    )


def opendp_version() -> str:
    """The installed OpenDP version (for the admin page and the privacy notes)."""
    from importlib.metadata import version

    return version("opendp")
