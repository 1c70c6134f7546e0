"""Weeks released before this release model: kept as they were shown, once.

Before migration ``0009_release_model``, each group's week (and 4-week
period) was frozen in ``aggregate_cells`` as sums, and turned into figures on
every view; noise was kept in ``dp_releases``. The upgrade turns each frozen
team week into a released cell exactly as it was last shown (the k in force,
its stored noise), never recomputing it from check-ins, then drops the old
tables, sums included. Under the old model the pool and the agency were not
frozen, and 4-week periods were frozen separately: those are not kept (the
new 4-week view is built from released weeks). A team week whose noise was
never drawn is not kept either. Old cells counted leads' own check-ins
(though not towards k) and stored no roster: the roster of an adopted cell is
the team's home members at the upgrade, leads included, so none of them is
shown a cell that could hold their own answers.
"""
from __future__ import annotations

import datetime as dt
import json

from sqlite_utils import Database

from fatigue.teamfigures import rules, store
from fatigue.teamfigures.estimates import Estimate, figures
from fatigue.teamfigures.measures import VALUES

RULES_VERSION = "legacy"


def _k(db: Database) -> int:
    row = db.execute("SELECT value FROM settings WHERE key = 'min_group_size'").fetchone()
    try:
        return max(rules.MIN_K, int(row[0])) if row else rules.MIN_K
    except ValueError:
        return rules.MIN_K


def _draws(db: Database, team_key: str, week: str) -> dict[str, tuple[float, float]]:
    return {metric: (value, half) for metric, value, half in db.execute(
        "SELECT metric, value, half_width FROM dp_releases"
        " WHERE cell_key = ? AND period = 'week' AND period_start = ?", [team_key, week])}


def _converted(db: Database, row: dict, k: int, roster: tuple[int, ...]) -> tuple[str | None, dict]:
    """(hidden code, figures) of one old team week, as the old model showed it."""
    if row["members_eligible"] < k + 1:
        return rules.TEAM_TOO_SMALL, {}
    if row["eligible"] < k:
        return rules.TOO_FEW, {}
    n = row["respondents"]
    stats = json.loads(row["stats"])
    means = {name: float(stats["sum"].get(name, 0.0)) / n for name in VALUES}
    half: dict[str, float] = {}
    reported = float(n)
    if row["dp"]:
        draws = _draws(db, row["group_key"], row["period_start"])
        if not all(name in draws for name in (*VALUES, "respondents")):
            return rules.NOT_KEPT, {}
        means = {name: draws[name][0] for name in VALUES}
        half = {name: draws[name][1] for name in VALUES}
        reported = draws["respondents"][0]
    estimate = Estimate(n, roster, reported, means, dict.fromkeys(VALUES, 1.0), half,
                        dp=bool(row["dp"]))
    out = figures(estimate, k, row["caseload_standard"])
    out["participation_text"], out["participation_pct"] = rules.share_text(
        100.0 * min(reported / max(row["members"], 1), 1.0))
    return None, out


def adopt(db: Database) -> int:
    """Turn the old frozen team weeks into released cells; return how many weeks."""
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "aggregate_cells" not in tables:
        return 0
    k = _k(db)
    teams = [row[0] for row in db.execute("SELECT id FROM teams ORDER BY id")]
    homes: dict[int, list[int]] = {}
    for user_id, team_id in db.execute("SELECT user_id, team_id FROM team_members WHERE home = 1"):
        homes.setdefault(team_id, []).append(user_id)
    old = list(db.query(
        "SELECT * FROM aggregate_cells WHERE period = 'week' AND group_key GLOB 'team:*'"
        " ORDER BY period_start, group_key"))
    weeks = sorted({row["period_start"] for row in old})
    for week_text in weeks:
        week = dt.date.fromisoformat(week_text)
        rows = {row["team_id"]: row for row in old if row["period_start"] == week_text}
        store.add_week(db, week, rules=RULES_VERSION, k=k,
                       dp=any(row["dp"] for row in rows.values()), epsilon=None, epsilon_cap=None)
        for team_id in teams:
            roster = tuple(sorted(homes.get(team_id, [])))
            code, out = (_converted(db, rows[team_id], k, roster) if team_id in rows
                         else (rules.NOT_KEPT, {}))
            store.add_cell(db, week, store.team_key(team_id), code, roster, out)
        everyone = tuple(sorted(u for members in homes.values() for u in members))
        for key in (store.POOL, store.AGENCY):
            store.add_cell(db, week, key, rules.NOT_KEPT, everyone, {})
    return len(weeks)
