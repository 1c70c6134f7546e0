"""A group's figures for one week: exact or noisy, combined, then rounded.

Pure arithmetic over :class:`~fatigue.teamfigures.measures.Cell` sums (the
noise is OpenDP's, through :mod:`.noise`); what may be shown is decided by
:mod:`.rules`, and when, by :mod:`.release`.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from sqlite_utils import Database

from fatigue.teamfigures import noise, rules
from fatigue.teamfigures.measures import BOUNDS, NUMERIC, SHARES, VALUES, Cell


@dataclass
class Estimate:
    """A group's figures before rounding: exact, or noisy when noise is on.

    ``weights`` say how much each figure weighs when groups are combined into
    the agency (the number of people who gave it, or the noisy respondents).
    """

    respondents: int  # exact: only its band is released
    roster: tuple[int, ...]
    reported: float  # the respondents used for participation (noisy with noise)
    means: dict[str, float | None]
    weights: dict[str, float]
    half: dict[str, float] = field(default_factory=dict)  # 95% noise half-widths
    dp: bool = False


def exact(cell: Cell, k: int) -> Estimate:
    means = {name: cell.sums[name] / cell.givers[name]
             if rules.figure_shown(cell.givers[name], k) else None for name in VALUES}
    weights = {name: float(cell.givers[name]) for name in VALUES}
    return Estimate(cell.respondents, cell.roster, float(cell.respondents), means, weights)


def noisy(db: Database, week: dt.date, key: str, cell: Cell, k: int, epsilon: float) -> Estimate:
    counted = noise.noisy_count(cell.respondents, epsilon=epsilon)
    noise.record_spend(db, week, key, "respondents", counted)
    means: dict[str, float | None] = {}
    half: dict[str, float] = {}
    for name in VALUES:
        givers = cell.givers[name]
        if not rules.figure_shown(givers, k):
            means[name] = None
            continue
        low, high = BOUNDS[name]
        drawn = noise.noisy_mean(cell.clamped[name] / givers, n_low=rules.band_low(givers, k),
                                 lower=low, upper=high, epsilon=epsilon)
        noise.record_spend(db, week, key, name, drawn)
        means[name], half[name] = drawn.value, drawn.half_width
    reported = max(counted.value, 1.0)
    return Estimate(cell.respondents, cell.roster, reported, means,
                    dict.fromkeys(VALUES, reported), half, dp=True)


def combined(parts: list[Estimate]) -> Estimate:
    """The agency: a weighted mean of groups already released (post-processing)."""
    means: dict[str, float | None] = {}
    half: dict[str, float] = {}
    weights: dict[str, float] = {}
    for name in VALUES:
        given = [(p.weights[name], p) for p in parts if p.means[name] is not None]
        total = sum(w for w, _ in given)
        weights[name] = total
        if not given or total <= 0:
            means[name] = None
            continue
        means[name] = sum(w * p.means[name] for w, p in given) / total
        if any(p.dp for _, p in given):
            half[name] = math.sqrt(sum((w / total * p.half.get(name, 0.0)) ** 2 for w, p in given))
    return Estimate(
        sum(p.respondents for p in parts), tuple(sorted(u for p in parts for u in p.roster)),
        sum(p.reported for p in parts), means, weights, half, dp=any(p.dp for p in parts),
    )


def _pm(half: float, multiplier: float, step: float) -> float:
    """A noise half-width in report units, rounded up (never understated)."""
    pm_step = 0.1 if step < 1 else 1.0
    return round(math.ceil(half * multiplier / pm_step - 1e-9) * pm_step, 6)


def figures(estimate: Estimate, k: int, standard: int | None,
            smallest_standard: int | None = None) -> dict:
    """The released numbers of one group: rounded (see PRIVACY.md, rule 11).
    Caseload against the standard is rounded by ``standard`` (a team's), or for
    the pool and the agency by ``smallest_standard``, the smallest of the
    standards its people's ratios are taken against (:func:`.rules.caseload_ratio_step`)."""
    ratio_step = rules.caseload_ratio_step(standard or smallest_standard or 10)
    out: dict = {
        "respondents_band": rules.count_band(estimate.respondents, k),
        "caseload_standard": standard,
        "dp": estimate.dp,
    }
    out["participation_text"], out["participation_pct"] = rules.share_text(
        100.0 * min(estimate.reported / max(len(estimate.roster), 1), 1.0))
    for column, (name, multiplier, step) in NUMERIC.items():
        step = max(step, ratio_step) if column == "caseload_vs_standard_pct" else step
        mean = estimate.means[name]
        out[column] = None if mean is None else rules.round_to(mean * multiplier, step)
        if name in estimate.half:
            out[f"{column}_pm95"] = _pm(estimate.half[name], multiplier, step)
    for column, name in SHARES.items():
        mean = estimate.means[name]
        text = column.replace("_pct", "_text")
        out[text], out[column] = (None, None) if mean is None else rules.share_text(
            100.0 * min(max(mean, 0.0), 1.0))
        if name in estimate.half:
            out[f"{column}_pm95"] = float(math.ceil(estimate.half[name] * 100.0 - 1e-9))
    return out
