"""Releasing a week: every group's figures computed once, noised once, stored.

:func:`release_due` releases each week whose back-fill window has closed
(:func:`~fatigue.teamfigures.rules.release_date`) and that is not released
yet, oldest first, one transaction per week. Reports call it before they
read, so a week is released on the first view after its release date, and
from then on only read. What may be shown is decided by
:mod:`~fatigue.teamfigures.rules`; this module only applies it:

1. the rosters as they stood just before the week began anywhere
   (:func:`~fatigue.teamfigures.rules.roster_taken_at`, :mod:`fatigue.membership`);
2. each person's week from their counted check-ins (:mod:`.measures`);
3. each team's cell, hidden or shown; the hidden teams and the people without
   a home team pooled; the agency as the shown teams plus the pool when shown;
4. noise once per released figure when differential privacy is on (:mod:`.noise`),
   the agency being computed from the noisy groups (no further noise);
5. rounded figures stored (:mod:`.store`), never recomputed.
"""
from __future__ import annotations

import datetime as dt

from sqlite_utils import Database

from fatigue import membership, settings
from fatigue.db import write_lock
from fatigue.teamfigures import rules, store
from fatigue.teamfigures.estimates import Estimate, combined, exact, figures, noisy
from fatigue.teamfigures.measures import NOISY_VALUES, Cell, person_values, person_weeks
from fatigue.teamfigures.periods import week_start
from fatigue.workload import DEFAULT_CASELOAD_STANDARD

RULES_VERSION = "v2"


def release_week(db: Database, week: dt.date) -> None:
    """Release ``week`` for every group (call under the write lock, once)."""
    k = settings.get_k(db)
    use_dp, epsilon = settings.dp_enabled(db), settings.dp_epsilon(db)
    cap = settings.dp_weekly_cap(db)
    over_budget = use_dp and not rules.within_budget(NOISY_VALUES, epsilon, cap)
    store.add_week(db, week, rules=RULES_VERSION, k=k, dp=use_dp,
                   epsilon=epsilon if use_dp else None, epsilon_cap=cap if use_dp else None)

    rosters = membership.rosters(db, rules.roster_taken_at(week))
    standards = {row[0]: int(row[1]) for row in db.execute("SELECT id, caseload_standard FROM teams")}
    raw = person_weeks(db, week)
    smallest = min([*standards.values(), DEFAULT_CASELOAD_STANDARD])  # pool and agency ratios
    people = {uid: person_values(raw[uid], standards.get(team, DEFAULT_CASELOAD_STANDARD))
              for team, roster in rosters.items() for uid in roster if uid in raw}

    def estimate(key: str, cell: Cell) -> Estimate:
        return noisy(db, week, key, cell, k, epsilon) if use_dp else exact(cell, k)

    def code_of(cell: Cell) -> str | None:
        code = rules.hidden_code(len(cell.roster), cell.respondents, k)
        return rules.OVER_BUDGET if code is None and over_budget else code

    shown: list[Estimate] = []
    pooled_ids: list[int] = []
    pooled_cells: list[Cell] = []
    for team_id in sorted(standards):
        cell = Cell.of(rosters.get(team_id, ()), people)
        key = store.team_key(team_id)
        code = code_of(cell)
        if code is None:
            shown.append(estimate(key, cell))
            store.add_cell(db, week, key, None, cell.roster,
                           figures(shown[-1], k, standards[team_id]))
        else:
            store.add_cell(db, week, key, code, cell.roster, {})
            pooled_ids.append(team_id)
            pooled_cells.append(cell)

    noteam = Cell.of(rosters.get(None, ()), people)
    pool = Cell.combine([*pooled_cells, noteam])
    scope = {"pooled": pooled_ids, "noteam": bool(noteam.roster)}
    pool_code = rules.NOTHING_TO_COMBINE if not pool.roster else code_of(pool)
    if pool_code is None:
        shown.append(estimate(store.POOL, pool))
        store.add_cell(db, week, store.POOL, None, pool.roster,
                       {**figures(shown[-1], k, None, smallest), **scope})
    else:
        store.add_cell(db, week, store.POOL, pool_code, pool.roster, scope)

    left_out = pooled_ids if pool_code is not None else []
    scope = {"left_out": left_out, "pool_shown": pool_code is None}
    if not shown:
        store.add_cell(db, week, store.AGENCY, rules.NO_GROUPS_SHOWN, (), scope)
    else:
        agency = combined(shown)
        store.add_cell(db, week, store.AGENCY, None, agency.roster,
                       {**figures(agency, k, None, smallest), **scope})


def last_due_week(today: dt.date) -> dt.date:
    """The latest week whose release date is ``today`` or earlier."""
    return week_start(today - dt.timedelta(days=7 + rules.RELEASE_DELAY_DAYS))


# The day of the earliest stamp (ISO text, so its first ten characters are the earliest day),
# found by the index of migration 0016 rather than by reading the whole log.
FIRST_STOOD = "SELECT substr(min(at), 1, 10) FROM membership_log"


def first_week(db: Database) -> dt.date | None:
    """The first week anything could be released for: the week the first
    account stood in the agency, or of the first counted check-in if earlier."""
    stood = db.execute(FIRST_STOOD).fetchone()[0]
    day = db.execute("SELECT min(day) FROM checkins WHERE counts_for_team = 1").fetchone()[0]
    dates = [dt.date.fromisoformat(d) for d in (stood, day) if d]
    return week_start(min(dates)) if dates else None


def release_due(db: Database) -> int:
    """Release every week that is due and not released yet; return how many."""
    first = first_week(db)
    if first is None:
        return 0
    last = last_due_week(settings.agency_today(db))
    done = store.released_weeks(db, first)
    todo = [first + dt.timedelta(days=7 * i) for i in range((last - first).days // 7 + 1)]
    count = 0
    for week in todo:
        if week in done:
            continue
        with write_lock(db):
            if store.is_released(db, week):  # another process released it meanwhile
                continue
            release_week(db, week)
            count += 1
    return count
