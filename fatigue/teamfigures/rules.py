"""The release rules of team figures: what may be shown, to whom, and when.

This page is the privacy promise of PRIVACY.md in code; read the two side by
side. Everything else in :mod:`fatigue.teamfigures` computes, adds noise,
stores or words what these rules allow. The functions are pure: the caller
passes in the facts (dates, counts, ids), so each rule is tested on its own.

1. **One release unit.** Figures are released per week (Monday to Sunday in
   the agency's time zone) and per group: a home team, the smaller teams
   pooled, the agency. Longer views (4 weeks, a quarter) are averages of the
   weeks already released, never computed from check-ins, so no two releases
   can be subtracted to isolate anyone.
2. **Release once.** A week is released when its back-fill window has closed
   (:func:`release_date`): every group's figures, shown or hidden, and their
   noise, are computed once and stored, and never recomputed, redrawn or
   deleted (the database refuses UPDATE and DELETE on them). Deletions,
   imports, deactivations, team moves and settings changes touch only weeks
   not yet released.
3. **Nothing retroactive.** Only check-ins saved through the daily form
   inside the back-fill window count (:func:`counts_for_team`); imported
   history and anything written for a released week stay the person's own.
4. **Accounts that count** (the roster of a group in a week): active, with
   that home team, leading no team and not an admin, as they stood just
   before the week began anywhere on earth (:func:`roster_taken_at`), so that
   changing the agency's time zone cannot move the moment. Late joiners and
   accounts made during the week do not count, and their check-ins are in no
   figure of that week.
5. **Never the viewer's own data.** Leads and admins are in no roster, so
   their check-ins are in no team figure at all; and a viewer never sees a
   figure whose roster includes them (:func:`viewer_may_see`), for example a
   week from before they became a lead.
6. **Minimum group size k** (default 5, never below 5): a group is shown
   only with at least k respondents and more than k on its roster
   (:func:`hidden_code`, :func:`roster_large_enough`); a figure is shown only
   when at least k people gave it.
7. **Rounded values**, caseload against a standard never finer than one case
   (:func:`caseload_ratio_step`). **No tails** (:func:`share_text`): "at most 20%" and "at least 80%", so
   neither "every other" nor "no other" can be concluded; respondents only as
   a band (:func:`count_band`), team size only as "k or more".
8. **Differential privacy once.** Noise is drawn once per released figure
   and stored; a week is released with noise only if its cost per person
   fits the weekly cap (:func:`within_budget`); otherwise nothing is shown.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Iterable

from fatigue.validation import BACKFILL_DAYS  # the form: today and up to 7 days back

RELEASE_DELAY_DAYS = BACKFILL_DAYS  # a week is released once no form can change it
MIN_K = 5
EARLIEST_UTC_OFFSET = dt.timedelta(hours=14)  # the first zone to start a day (Pacific/Kiritimati)

# What the figures call the groups that are not a team; no team may be named so
# (fatigue.accounts.create_team), or an admin could mistake a team for the agency.
POOL_NAME = "Smaller teams combined"
AGENCY_NAME = "Agency total"
GROUP_NAMES = (POOL_NAME, AGENCY_NAME)

# Why a group's week is hidden (stored with the released cell, except OWN_DATA
# and NOT_FINAL, which depend on the viewer and the day).
NOT_FINAL = "not_final"
TEAM_TOO_SMALL = "team_too_small"
TOO_FEW = "too_few_respondents"
OVER_BUDGET = "privacy_budget"
OWN_DATA = "own_data"
NOTHING_TO_COMBINE = "nothing_to_combine"
NO_GROUPS_SHOWN = "no_groups_shown"
NOT_KEPT = "not_kept"  # pool and agency of weeks released before this model (upgrade)


def release_date(week: dt.date) -> dt.date:
    """The first day on which the week starting ``week`` is released: the day
    after the last day on which the form can still save a check-in for it."""
    return week + dt.timedelta(days=7 + RELEASE_DELAY_DAYS)


def roster_taken_at(week: dt.date) -> dt.datetime:
    """The moment a week's rosters are taken (UTC): when the week starting ``week``
    begins in the earliest time zone, so before it begins in any agency time
    zone. A fixed moment, not the agency's midnight: an admin who changed the
    time zone between the week's start and its release could otherwise move
    the cut-off up to a day later and count accounts made during the week."""
    return dt.datetime.combine(week, dt.time(0), tzinfo=dt.timezone.utc) - EARLIEST_UTC_OFFSET


def counts_for_team(day: dt.date, today: dt.date, week_released: bool) -> bool:
    """Whether a check-in for ``day`` saved through the form on ``today`` (the
    agency's date) may count in team figures: inside the back-fill window, and
    for a week not yet released. Imports never call this: they never count."""
    in_window = today - dt.timedelta(days=BACKFILL_DAYS) <= day <= today
    return in_window and not week_released


def roster_large_enough(roster_size: int, k: int) -> bool:
    """More than k accounts on a group's roster (otherwise a shown week would
    say that all of them answered). A team below it is never shown on its own."""
    return roster_size >= k + 1


def hidden_code(roster_size: int, respondents: int, k: int) -> str | None:
    """None when a group may be shown, else why not: a roster large enough
    (:func:`roster_large_enough`) and at least k respondents."""
    if not roster_large_enough(roster_size, k):
        return TEAM_TOO_SMALL
    if respondents < k:
        return TOO_FEW
    return None


def figure_shown(givers: int, k: int) -> bool:
    """A single figure (a mean rating, a share) is shown only when at least k
    people gave it (a rating left unanswered is missing, never zero)."""
    return givers >= k


def viewer_may_see(viewer_id: int, roster: Iterable[int]) -> bool:
    """A viewer never sees figures that could hold their own answers."""
    return int(viewer_id) not in set(roster)


def within_budget(values_released: int, epsilon_per_value: float, weekly_cap: float) -> bool:
    """Whether releasing ``values_released`` noisy values at ``epsilon_per_value``
    each stays within the weekly cap per person (each person is in at most one
    noisy group a week: their team's, or the pool's)."""
    return values_released * epsilon_per_value <= weekly_cap + 1e-9


def caseload_ratio_step(standard: int) -> float:
    """The step (percentage points) to which caseload against a standard is rounded:
    10 points, or coarser below a standard of 10, so that one step is never less
    than one case. Otherwise a small standard (an admin can set 1) would tell the
    mean caseload far finer than its own rounding to a whole case (1420% of 1)."""
    return 10.0 * math.ceil(10 / max(int(standard), 1))


def round_to(value: float, step: float) -> float:
    """Round half up to a multiple of ``step`` (clean float)."""
    return round(math.floor(value / step + 0.5) * step, 6)


def share_text(pct: float) -> tuple[str, int]:
    """A share in percent as words and a number, without tails.

    At most 20% -> ("at most 20%", 20); at least 80% -> ("at least 80%", 80);
    otherwise to the nearest 10 points -> ("about 40%", 40). With at least 5
    people, "at most 20%" always admits 0 or 1 person and "at least 80%" all
    or all but one, so no share says "everyone" or "no one".
    """
    if pct <= 20.0:
        return "at most 20%", 20
    if pct >= 80.0:
        return "at least 80%", 80
    rounded = int(min(max(round_to(pct, 10.0), 20.0), 80.0))
    return f"about {rounded}%", rounded


def count_band(n: float, k: int) -> str:
    """Respondents as a band that starts at ``k``: "5-9", "10-19", "20-49"..."""
    edges = [k, *(e for e in (10, 20, 50, 100, 250, 500, 1000) if e > k)]
    n = max(int(n), k)
    for low, high in zip(edges, edges[1:]):
        if low <= n < high:
            return f"{low}-{high - 1}"
    return f"{edges[-1]} or more"


def band_low(n: float, k: int) -> int:
    """The lower edge of ``n``'s band (what the noise scale may depend on)."""
    return int(count_band(n, k).split("-")[0].split(" ")[0])


def team_size_text(roster_size: int, k: int) -> str:
    """Team size only as "k or more" (or "fewer than k")."""
    return f"{k} or more" if roster_size >= k else f"fewer than {k}"
