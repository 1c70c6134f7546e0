"""Released weeks and their cells: written once, then only read.

``released_weeks`` has one row per released week (with the k, noise setting
and weekly privacy cap it was released under); ``released_cells`` one row per
group and week: why it is hidden (or NULL when shown), its roster (the ids of
the accounts whose answers could be in it; membership, not participation) and
its released figures (JSON: rounded, noisy when noise was on; empty when
hidden). The database refuses UPDATE and DELETE on both (migration
``0009_release_model``), so nothing released can be recomputed or redrawn.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Iterable

from sqlite_utils import Database

TEAM_PREFIX = "team:"
POOL = "pool"
AGENCY = "agency"


def team_key(team_id: int) -> str:
    return f"{TEAM_PREFIX}{int(team_id)}"


@dataclass(frozen=True)
class Released:
    """One group's released week."""

    week: dt.date
    group_key: str
    hidden_code: str | None
    roster: tuple[int, ...]
    figures: dict[str, Any]


def released_weeks(db: Database, first: dt.date | None = None) -> set[dt.date]:
    sql, params = "SELECT week_start FROM released_weeks", []
    if first is not None:
        sql, params = sql + " WHERE week_start >= ?", [first.isoformat()]
    return {dt.date.fromisoformat(row[0]) for row in db.execute(sql, params)}


def is_released(db: Database, week: dt.date) -> bool:
    return db.execute("SELECT 1 FROM released_weeks WHERE week_start = ?",
                      [week.isoformat()]).fetchone() is not None


def week_settings(db: Database, week: dt.date) -> dict[str, Any] | None:
    """The settings a week was released under (``k``, ``dp``, ...), or None."""
    rows = list(db.query("SELECT * FROM released_weeks WHERE week_start = ?", [week.isoformat()]))
    return rows[0] if rows else None


def add_week(db: Database, week: dt.date, *, rules: str, k: int, dp: bool,
             epsilon: float | None, epsilon_cap: float | None) -> None:
    db.execute(
        "INSERT INTO released_weeks (week_start, rules, k, dp, epsilon, epsilon_cap)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [week.isoformat(), rules, int(k), int(dp), epsilon, epsilon_cap],
    )


def add_cell(db: Database, week: dt.date, group_key: str, hidden_code: str | None,
             roster: Iterable[int], figures: dict[str, Any]) -> None:
    db.execute(
        "INSERT INTO released_cells (week_start, group_key, hidden_code, roster, figures)"
        " VALUES (?, ?, ?, ?, ?)",
        [week.isoformat(), group_key, hidden_code, json.dumps(sorted(int(u) for u in roster)),
         json.dumps(figures, sort_keys=True)],
    )


def cells(db: Database, group_keys: Iterable[str], first: dt.date,
          last: dt.date) -> dict[tuple[str, dt.date], Released]:
    """The released cells of ``group_keys`` for the weeks ``first`` to ``last``.

    Read in one query and decoded in bulk (one JSON document for all rosters,
    one for all figures): an organisation of 667 teams has thousands of cells.
    """
    keys = list(group_keys)
    if not keys:
        return {}
    marks = ", ".join("?" for _ in keys)
    rows = db.execute(
        "SELECT week_start, group_key, hidden_code, roster, figures FROM released_cells"
        f" WHERE week_start BETWEEN ? AND ? AND group_key IN ({marks})",
        [first.isoformat(), last.isoformat(), *keys],
    ).fetchall()
    # Each stored value is valid JSON (the table's CHECKs), so joined they make one array.
    rosters = json.loads("[" + ",".join(row[3] for row in rows) + "]")
    figures = json.loads("[" + ",".join(row[4] for row in rows) + "]")
    days = {week: dt.date.fromisoformat(week) for week in {row[0] for row in rows}}
    return {(key, days[week]): Released(days[week], key, code, tuple(roster), cell_figures)
            for (week, key, code, _, _), roster, cell_figures in zip(rows, rosters, figures)}


def version(db: Database) -> int:
    """Grows with every release: a cache of reports keyed by it is never stale."""
    return int(db.execute("SELECT coalesce(max(rowid), 0) FROM released_weeks").fetchone()[0])
