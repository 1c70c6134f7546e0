"""Simulated people, and how often the personal signals are right about them.

A simulated person checks in on weekdays. Each of the seven ratings is

    usual level + 1.5 x (sqrt(1/2) x sign x strain + sqrt(1/2) x own noise)

rounded and clipped to 0-10, where ``strain`` (shared by all seven ratings)
and each rating's own noise are AR(1) series with lag-1 correlation
:data:`PHI` (0.5: bad weeks cluster) and unit variance, so the common strain
factor carries half of each rating's variance, with the signs of real strain
(exhaustion, detachment, intrusion and time pressure up when empathy, meaning
and recovery go down). ``phi=0`` gives independent days. Workload measures
(crisis and trauma contacts, other contacts, after-hours minutes, caseload)
carry over with lag-1 correlation :data:`WORKLOAD_PHI` (0.7) and are unrelated
to the ratings unless a link is asked for. ``unanswered`` is the chance that
an answer the form lets people skip is left out (NaN): each optional rating
and yes/no on its own, the workload as a whole (the form copies it from the
last check-in or takes it fresh, all at once); exhaustion and empathy, which
the form needs, are always given.

The measurements (all seeded, so every figure can be reproduced):

* :func:`false_alarms`: a stable person; how often the status card says
  "Worth watching" or worse, and "Time to look after yourself", per check-in
  day and per week;
* :func:`detection`: a real change (exhaustion +3, empathy -3, intrusion +3
  from one day on); how often it is flagged within 5 check-ins;
* :func:`links`: 60 weekday check-ins; with no real link, how many people are
  shown any link as clear; with a real one (exhaustion 2.5 points higher on
  days with 2 or more crisis contacts), how many see it as clear;
* :func:`trend_false_rate`: a stable person; how often a trend is called
  rising or falling;
* :func:`pattern_rate`: a stable person; how often exhaustion and intrusion
  up, empathy down shows (it never raises the card on its own);
* :func:`lasting_weeks`: a change that lasts; how long it stays flagged.

``python -m fatigue.analytics.simulation`` prints them all for
docs/analytics.md (``--people`` for a larger run); the test suite runs small
seeded versions against the targets.
"""
from __future__ import annotations

import argparse
import datetime as dt
import time
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import signal

from fatigue.analytics import status_on
from fatigue.analytics.drivers import _strain_drivers
from fatigue.analytics.direction import trends
from fatigue.analytics.early_warning import early_warnings
from fatigue.analytics.frame import Checkins, to_date
from fatigue.analytics.pattern import combined_pattern
from fatigue.analytics.usual_range import HIGHER_IS_HARDER, usual
from fatigue.validation import FLAGS, RATINGS, REQUIRED, WORKLOAD

PHI = 0.5  # lag-1 correlation of the ratings from one check-in to the next
WORKLOAD_PHI = 0.7  # ... and of the workload measures
SD = 1.5  # day-to-day SD of each rating, points
FACTOR_SHARE = 0.5  # share of each rating's variance carried by the common strain factor
MEANS: dict[str, float] = dict(
    exhaustion=4, empathy=7, detachment=3, intrusion=3, meaning=7, recovery=5, time_pressure=5
)
CHANGE: dict[str, float] = dict(exhaustion=3, empathy=-3, intrusion=3)  # about 2 SD each
LINK_POINTS = 2.5  # exhaustion on days with LINK_CRISIS or more crisis contacts
LINK_CRISIS = 2
END = dt.date(2026, 3, 13)  # a Friday: the last simulated check-in


def ar1(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    """A stationary AR(1) series with unit variance and lag-1 correlation ``phi``:
    x_0 = e_0, x_t = phi x_(t-1) + sqrt(1 - phi^2) e_t (``scipy.signal.lfilter``)."""
    shocks = rng.standard_normal(n)
    if n == 0:
        return shocks
    scale = np.sqrt(1.0 - phi**2)
    x, _ = signal.lfilter([scale], [1.0, -phi], shocks[1:], zi=[phi * shocks[0]])
    return np.concatenate([shocks[:1], x])


def _count(rng: np.random.Generator, n: int, phi: float, mean: float, sd: float,
           common: np.ndarray) -> np.ndarray:
    latent = np.sqrt(0.5) * common + np.sqrt(0.5) * ar1(rng, n, phi)
    return np.clip(np.round(mean + sd * latent), 0, None)


def simulate_person(
    rng: np.random.Generator,
    n: int,
    *,
    phi: float = PHI,
    workload_phi: float = WORKLOAD_PHI,
    change: Mapping[str, float] | None = None,
    change_at: int = 0,
    link: float = 0.0,
    unanswered: float = 0.0,
    end: dt.date = END,
) -> pd.DataFrame:
    """``n`` weekday check-ins ending on ``end``, shaped like ``load_history``.

    ``change`` adds points to ratings from check-in ``change_at`` on; ``link`` adds
    points to exhaustion on days with LINK_CRISIS or more crisis contacts;
    ``unanswered`` is the chance that an optional answer is left out (NaN).
    """
    columns = _simulate(rng, n, phi, workload_phi, change, change_at, link, unanswered)
    frame = {"day": pd.bdate_range(end=end, periods=n).astype("datetime64[ns]")}
    for name, values in columns.items():
        frame[name] = (pd.array(np.where(np.isnan(values), None, values == 1), dtype="boolean")
                       if name in FLAGS else values)
    return pd.DataFrame({**frame, "note": ""})


def simulated_checkins(rng: np.random.Generator, n: int, **options) -> Checkins:
    """:func:`simulate_person` as :class:`Checkins` directly (for the measurement loops)."""
    columns = _simulate(rng, n, options.get("phi", PHI), options.get("workload_phi", WORKLOAD_PHI),
                        options.get("change"), options.get("change_at", 0), options.get("link", 0.0),
                        options.get("unanswered", 0.0))
    days = pd.bdate_range(end=options.get("end", END), periods=n).to_numpy()
    return Checkins(days.astype("datetime64[D]").astype(np.int64),
                    {name: values.astype(float) for name, values in columns.items()})


def _simulate(rng: np.random.Generator, n: int, phi: float, workload_phi: float,
              change: Mapping[str, float] | None, change_at: int,
              link: float, unanswered: float = 0.0) -> dict[str, np.ndarray]:
    strain = ar1(rng, n, phi)
    busy = ar1(rng, n, workload_phi)
    crisis = _count(rng, n, workload_phi, 1.2, 1.2, busy)
    trauma = _count(rng, n, workload_phi, 1.0, 1.0, busy)
    columns: dict[str, np.ndarray] = {}
    for rating in RATINGS:
        sign = 1.0 if HIGHER_IS_HARDER[rating] else -1.0
        noise = np.sqrt(FACTOR_SHARE) * sign * strain + np.sqrt(1 - FACTOR_SHARE) * ar1(rng, n, phi)
        value = MEANS[rating] + SD * noise
        if change and rating in change:
            value[change_at:] += change[rating]
        if rating == "exhaustion" and link:
            value += link * (crisis >= LINK_CRISIS)
        columns[rating] = np.clip(np.round(value), 0, 10)
    columns.update(
        caseload=_count(rng, n, 0.95, 15, 2.0, busy),
        contacts=crisis + trauma + _count(rng, n, workload_phi, 3, 1.5, busy),
        crisis_contacts=crisis,
        trauma_contacts=trauma,
        direct_hours=np.round(np.clip(4 + busy, 0, 12), 1),
        after_hours_minutes=15 * _count(rng, n, workload_phi, 0.3, 1.5, busy),
        supervision=(rng.random(n) < 0.1).astype(float),
        break_taken=(rng.random(n) < 0.7).astype(float),
    )
    if unanswered:
        skipped_workload = rng.random(n) < unanswered  # "same as last time" or nothing
        for name, values in columns.items():
            if name in WORKLOAD:
                values[skipped_workload] = np.nan
            elif name not in REQUIRED:
                values[rng.random(n) < unanswered] = np.nan
    return columns


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


# ----------------------------------------------------------------- false alarms
@dataclass(frozen=True)
class FalseAlarms:
    """A stable person: how often the card is raised, per check-in day and per week."""

    people: int
    days: int  # check-in days judged (the usual ready)
    weeks: int  # whole weeks judged
    watch_day: float  # "Worth watching" or worse
    act_day: float  # "Time to look after yourself"
    watch_week: float  # a week with at least one such day
    act_week: float


def false_alarms(people: int, *, phi: float = PHI, seed: int = 1, weeks: int = 26,
                 unanswered: float = 0.0) -> FalseAlarms:
    """Simulate ``people`` stable people for ``weeks`` weeks; judge every check-in day."""
    watch = act = days = 0
    week_watch = week_act = n_weeks = 0
    for person in range(people):
        checkins = simulated_checkins(_rng(seed, person), 5 * weeks, phi=phi,
                                      unanswered=unanswered)
        levels: list[tuple[int, str, bool]] = []
        for day in checkins.days:
            card = status_on(checkins, int(day))
            if card.level in ("building", "quiet"):
                continue
            levels.append((int(day), card.level, card.level in ("watch", "act")))
        days += len(levels)
        watch += sum(raised for _, _, raised in levels)
        act += sum(level == "act" for _, level, _ in levels)
        by_week: dict[int, list[str]] = {}
        for day, level, _ in levels:
            by_week.setdefault((day + 3) // 7, []).append(level)  # Monday-based weeks
        for week in by_week.values():
            if len(week) < 5:
                continue  # only whole weeks
            n_weeks += 1
            week_watch += any(level in ("watch", "act") for level in week)
            week_act += "act" in week
    return FalseAlarms(people, days, n_weeks, watch / days, act / days, week_watch / n_weeks,
                       week_act / n_weeks)


# ----------------------------------------------------------------- detection
@dataclass(frozen=True)
class Detection:
    """A real change from one check-in on: flagged within ``within`` check-ins?"""

    people: int
    within: int
    flagged: float  # a changed rating beyond the usual range by the ``within``-th check-in
    raised: float  # the card at "Worth watching" or worse by then, for any reason
    act: float  # "Time to look after yourself" by then
    median_checkins: float  # check-ins until the first flag (of those flagged)


def detection(people: int, *, phi: float = PHI, seed: int = 2, history_weeks: int = 12,
              within: int = 5, change: Mapping[str, float] = CHANGE,
              unanswered: float = 0.0) -> Detection:
    """``history_weeks`` of stable check-ins, then ``change`` from one check-in on."""
    flagged = raised = act = 0
    first: list[int] = []
    before = 5 * history_weeks
    for person in range(people):
        checkins = simulated_checkins(_rng(seed, person), before + within, phi=phi,
                                      change=change, change_at=before, unanswered=unanswered)
        hit = None
        levels = []
        for k in range(within):
            card = status_on(checkins, int(checkins.days[before + k]))
            levels.append(card.level)
            if hit is None and any(r.rating in change for r in card.reasons):
                hit = k + 1
        flagged += hit is not None
        raised += any(level in ("watch", "act") for level in levels)
        act += "act" in levels
        if hit is not None:
            first.append(hit)
    return Detection(people, within, flagged / people, raised / people, act / people,
                     float(np.median(first)) if first else float("nan"))


# ----------------------------------------------------------------- links
@dataclass(frozen=True)
class Links:
    """What goes with heavier strain: how many people see a link as clear."""

    people: int
    checkins: int
    any_clear: float  # any of the comparisons shown as clear
    target_clear: float  # crisis contacts with same-day exhaustion shown as clear
    comparisons: float  # comparisons shown per person (mean)


def links(people: int, *, phi: float = PHI, seed: int = 3, checkins: int = 60,
          link: float = 0.0, unanswered: float = 0.0) -> Links:
    """``checkins`` weekday check-ins; ``link`` points more exhaustion on heavy crisis days."""
    any_clear = target = shown = 0
    for person in range(people):
        drivers = _strain_drivers(simulated_checkins(_rng(seed, person), checkins, phi=phi,
                                                     link=link, unanswered=unanswered), 15.0)
        shown += len(drivers.results)
        any_clear += any(r.clear for r in drivers.results)
        target += any(r.clear for r in drivers.results
                      if (r.driver, r.outcome, r.lag) == ("crisis_contacts", "exhaustion", 0))
    return Links(people, checkins, any_clear / people, target / people, shown / people)


# ----------------------------------------------------------------- trends
def trend_false_rate(people: int, *, phi: float = PHI, seed: int = 4, weeks: int = 12,
                     unanswered: float = 0.0) -> float:
    """A stable person: the share of (check-in day, rating) trends called rising or falling."""
    called = total = 0
    for person in range(people):
        checkins = simulated_checkins(_rng(seed, person), 5 * weeks, phi=phi,
                                      unanswered=unanswered)
        for day in checkins.days[40:]:
            today = to_date(int(day))
            phi_used = usual(checkins, today).carry_over
            for t in trends(checkins, today, phi_used).values():
                if t.direction == "too few check-ins to tell":
                    continue
                total += 1
                called += t.direction in ("rising", "falling")
    return called / total


# ----------------------------------------------------------------- the combination
def pattern_rate(people: int, *, phi: float = PHI, seed: int = 6, weeks: int = 26,
                 unanswered: float = 0.0) -> float:
    """A stable person: the share of check-in days (usual ready) on which exhaustion and
    intrusion up, empathy down shows (it never raises the card on its own)."""
    shown = total = 0
    for person in range(people):
        checkins = simulated_checkins(_rng(seed, person), 5 * weeks, phi=phi,
                                      unanswered=unanswered)
        for day in checkins.days:
            found = combined_pattern(checkins, to_date(int(day)))
            total += found.ready
            shown += found.present
    return shown / total


# ----------------------------------------------------------------- lasting change
def lasting_weeks(people: int, *, phi: float = PHI, seed: int = 5, history_weeks: int = 16,
                  weeks_after: int = 16, unanswered: float = 0.0) -> float:
    """A lasting change (CHANGE, kept): median weeks until exhaustion is no longer
    beyond the usual range on two check-ins in a row (it has become the new usual)."""
    lasted = []
    before = 5 * history_weeks
    for person in range(people):
        checkins = simulated_checkins(_rng(seed, person), before + 5 * weeks_after,
                                      phi=phi, change=CHANGE, change_at=before,
                                      unanswered=unanswered)
        quiet = 0
        for k in range(5 * weeks_after):
            today = to_date(int(checkins.days[before + k]))
            flagged = any(s.rating == "exhaustion" for s in early_warnings(checkins, today).signals)
            quiet = 0 if flagged else quiet + 1
            if quiet == 2 and k >= 5:
                lasted.append((k - 1) / 5)
                break
        else:
            lasted.append(float(weeks_after))
    return float(np.median(lasted))


# ----------------------------------------------------------------- report
def report(people: int, seed: int = 1, unanswered: float = 0.0) -> str:
    """Every figure for docs/analytics.md, as a markdown table (``unanswered``: the
    chance an optional answer is left out, for the four targets' table)."""
    rows = ["| Figure | Independent days | Carry-over 0.5 |", "|---|---|---|"]

    def row(name: str, values: tuple[float, float], percent: bool = True) -> None:
        cells = [f"{v:.1%}" if percent else f"{v:.1f}" for v in values]
        rows.append(f"| {name} | {cells[0]} | {cells[1]} |")

    alarms = [false_alarms(people, phi=p, seed=seed, unanswered=unanswered) for p in (0.0, PHI)]
    row("Stable: 'Worth watching' or worse, per check-in day", tuple(a.watch_day for a in alarms))
    row("Stable: 'Time to look after yourself', per check-in day", tuple(a.act_day for a in alarms))
    row("Stable: a week with 'Worth watching' or worse", tuple(a.watch_week for a in alarms))
    row("Stable: a week with 'Time to look after yourself'", tuple(a.act_week for a in alarms))
    found = [detection(people, phi=p, seed=seed + 1, unanswered=unanswered) for p in (0.0, PHI)]
    row("Real change: flagged within 5 check-ins", tuple(d.flagged for d in found))
    row("Real change: 'Time to look after yourself' within 5 check-ins", tuple(d.act for d in found))
    row("Real change: check-ins to the first flag (median)",
        tuple(d.median_checkins for d in found), percent=False)
    null = [links(people, phi=p, seed=seed + 2, unanswered=unanswered) for p in (0.0, PHI)]
    row("No real link: any link shown as clear (60 check-ins)", tuple(n.any_clear for n in null))
    real = [links(people, phi=p, seed=seed + 3, link=LINK_POINTS, unanswered=unanswered)
            for p in (0.0, PHI)]
    row("Real link: crisis contacts and exhaustion shown as clear", tuple(r.target_clear for r in real))
    row("Stable: a trend called rising or falling (per rating and day)",
        tuple(trend_false_rate(max(people // 2, 5), phi=p, seed=seed + 4, unanswered=unanswered)
              for p in (0.0, PHI)))
    row("Stable: exhaustion and intrusion up, empathy down (per check-in day)",
        tuple(pattern_rate(max(people // 4, 5), phi=p, seed=seed + 6, unanswered=unanswered)
              for p in (0.0, PHI)))
    row("Lasting change: weeks it stays flagged (median)",
        tuple(lasting_weeks(max(people // 4, 5), phi=p, seed=seed + 5, unanswered=unanswered)
              for p in (0.0, PHI)),
        percent=False)
    days, weeks = alarms[1].days, alarms[1].weeks
    rows.append(f"\n{people} simulated people per figure (seed {seed}); the stable runs judged "
                f"{days} check-in days and {weeks} whole weeks with carry-over.")
    return "\n".join(rows)


def _share(text: str) -> float:
    """An argparse type: a chance from 0 to 0.9 (a person who skips more is not simulated)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a number") from None
    if not 0 <= value <= 0.9:
        raise argparse.ArgumentTypeError("must be a chance from 0 to 0.9, such as 0.3")
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--unanswered", type=_share, default=0.0,
                        help="chance that an optional answer is left out (0 to 0.9; "
                        "exhaustion and empathy are always given)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(report(args.people, args.seed, args.unanswered))
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
