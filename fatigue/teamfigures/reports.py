"""Team and organisation reports: who may look, and the released rows they get.

A report never computes figures: it releases the weeks that are due
(:func:`.release.release_due`), then reads what was released (:mod:`.store`)
and words it (:mod:`.display`), hiding from the viewer any figure whose roster
includes them. Only leads of a team (and admins) see its report; only admins
see the organisation. Every view, and every refused attempt, is audited.
"""
from __future__ import annotations

import datetime as dt
import numbers
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlite_utils import Database

from fatigue import audit, clock, membership, settings
from fatigue.crypto import database_file
from fatigue.errors import ValidationError
from fatigue.teamfigures import display, release, rules, store
from fatigue.teamfigures.periods import (
    DEFAULT_PERIODS, MAX_PERIODS, block_weeks, check_view, starts as block_starts, week_start,
)

REPORT_COLUMNS = display.REPORT_COLUMNS
ORG_COLUMNS = display.ORG_COLUMNS
ORG_DEFAULT_PERIODS = {"week": 8, "4week": 6, "quarter": 4}


# -------------------------------------------------------------- authorization

def _viewer(db: Database, viewer_id: Any) -> dict[str, Any] | None:
    if isinstance(viewer_id, bool) or not isinstance(viewer_id, numbers.Integral):
        return None
    row = db.execute("SELECT id, is_admin FROM users WHERE id = ? AND active = 1",
                     [int(viewer_id)]).fetchone()
    return None if row is None else {"id": row[0], "is_admin": bool(row[1])}


def _denied(db: Database, viewer_id: Any, action: str, detail: dict[str, Any]) -> PermissionError:
    actor = (int(viewer_id) if isinstance(viewer_id, numbers.Integral)
             and not isinstance(viewer_id, bool) else None)
    audit.record(db, actor, f"denied_{action}", detail)
    return PermissionError("You do not have access to these team results.")


def can_view_team(db: Database, viewer_id: int, team_id: int) -> bool:
    """Whether ``viewer_id`` (an active account) leads ``team_id`` or is an admin."""
    viewer = _viewer(db, viewer_id)
    if viewer is None:
        return False
    if viewer["is_admin"]:
        return True
    if isinstance(team_id, bool) or not isinstance(team_id, numbers.Integral):
        return False
    return db.execute("SELECT 1 FROM team_members WHERE user_id = ? AND team_id = ? AND lead = 1",
                      [int(viewer_id), int(team_id)]).fetchone() is not None


def viewable_teams(db: Database, viewer_id: int) -> list[dict[str, Any]]:
    """Teams whose report ``viewer_id`` may see (``id``, ``name``): the teams
    they lead, or every team for an admin. No sizes, no member names."""
    viewer = _viewer(db, viewer_id)
    if viewer is None:
        return []
    if viewer["is_admin"]:
        return list(db.query("SELECT id, name FROM teams ORDER BY name"))
    return list(db.query(
        "SELECT t.id, t.name FROM team_members m JOIN teams t ON t.id = m.team_id"
        " WHERE m.user_id = ? AND m.lead = 1 ORDER BY t.name", [int(viewer_id)]))


def report_version(db: Database) -> tuple:
    """What a report depends on besides the day: the releases so far and the
    teams' names and standards. A cache keyed by this (and the day) is never stale."""
    teams = db.execute(
        "SELECT group_concat(id || ':' || caseload_standard || ':' || name, '|')"
        " FROM (SELECT id, caseload_standard, name FROM teams ORDER BY id)").fetchone()[0]
    return (store.version(db), teams or "")


# ------------------------------------------------------------------- reports

def _count(view: str, wanted: int | None, default: int) -> int:
    check_view(view)
    count = default if wanted is None else wanted
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_PERIODS:
        raise ValidationError(
            {"periods": f"periods must be a whole number from 1 to {MAX_PERIODS}."})
    return count


def _weeks(first: dt.date, today: dt.date, view: str, count: int) -> tuple[list[dt.date], list[dt.date]]:
    """The view's block starts, and every week in them up to this week."""
    starts = block_starts(first, today, view, count)
    current = week_start(today)
    weeks = [w for s in starts for w in block_weeks(s, view) if w <= current]
    return starts, weeks


def _ks(db: Database, weeks: list[dt.date]) -> dict[dt.date, int]:
    return {dt.date.fromisoformat(w): k for w, k in db.execute(
        "SELECT week_start, k FROM released_weeks WHERE week_start BETWEEN ? AND ?",
        [min(weeks).isoformat(), max(weeks).isoformat()])}


def _group_rows(cells: dict, key: str, weeks: list[dt.date], ks: dict[dt.date, int],
                viewer_id: int, group: str, today_k: int) -> dict[dt.date, dict[str, Any]]:
    """The weekly rows of one group: released, not final yet, or absent (no row)."""
    out: dict[dt.date, dict[str, Any]] = {}
    for week in weeks:
        cell = cells.get((key, week))
        if cell is not None:
            out[week] = display.week_row(cell, ks[week], viewer_id, group)
        elif week not in ks:  # not released yet
            out[week] = display.hidden("week", week, rules.NOT_FINAL, display.reason(
                rules.NOT_FINAL, today_k, shown_from=rules.release_date(week)))
    return out


def _view_rows(weekly: dict[dt.date, dict[str, Any]], starts: list[dt.date], view: str,
               ks: dict[dt.date, int]) -> list[dict[str, Any]]:
    """Weekly rows as they are, or one row per 4-week or quarter block."""
    if view == "week":
        return [weekly[s] for s in starts if s in weekly]
    rows = []
    for start in starts:
        weeks = block_weeks(start, view)
        present = [weekly[w] for w in weeks if w in weekly]
        if not present:
            continue
        rows.append(display.block_row(
            present, view, start, released=sum(1 for w in weeks if w in ks),
            first_release=rules.release_date(weeks[0])))
    return rows


@dataclass(frozen=True)
class TeamWeeks:
    """What a team report is made of: its periods, and its weekly rows for this viewer."""

    name: str
    starts: list[dt.date]
    ks: dict[dt.date, int]
    weekly: dict[dt.date, dict[str, Any]]
    k: int


def _team_weeks(db: Database, team_id: int, period: str, count: int, viewer_id: int,
                action: str) -> TeamWeeks:
    """Check the viewer (audited refusal as ``action``), release what is due, read
    the team's released weeks."""
    detail = {"team_id": team_id, "period": period}
    if not can_view_team(db, viewer_id, team_id):
        raise _denied(db, viewer_id, action, detail)
    team = db.execute("SELECT id, name FROM teams WHERE id = ?", [int(team_id)]).fetchone()
    if team is None:
        raise ValidationError({"team": f"There is no team with id {team_id}."})
    release.release_due(db)
    key = store.team_key(team[0])
    first_cell = db.execute("SELECT min(week_start) FROM released_cells WHERE group_key = ?",
                            [key]).fetchone()[0]
    today = settings.agency_today(db)
    first = dt.date.fromisoformat(first_cell) if first_cell else today
    starts, weeks = _weeks(first, today, period, count)
    cells = store.cells(db, [key], weeks[0], weeks[-1])
    ks = _ks(db, weeks)
    k = settings.get_k(db)
    weekly = _group_rows(cells, key, weeks, ks, viewer_id, "team", k)
    return TeamWeeks(team[1], starts, ks, weekly, k)


def team_report(db: Database, team_id: int, period: str = "week", *, viewer_id: int,
                periods: int | None = None) -> pd.DataFrame:
    """One row per week (or 4 weeks, or quarter) of one team, oldest first.

    Covers the last ``periods`` periods (default 26 weeks, 13 4-week
    periods or 8 quarters) up to the current one, from the team's first
    released week on. Columns are :data:`REPORT_COLUMNS`; a hidden row has ``shown`` False,
    missing values and ``hidden_code`` / ``hidden_reason``. The viewer must
    lead the team or be an admin (:class:`PermissionError` otherwise, and the
    attempt is audited); every view is recorded in the audit log.
    """
    count = _count(period, periods, DEFAULT_PERIODS.get(period, 13))
    team = _team_weeks(db, team_id, period, count, viewer_id, "team_report")
    rows = _view_rows(team.weekly, team.starts, period, team.ks)
    frame = display.frame(rows, REPORT_COLUMNS)
    audit.record(db, viewer_id, "view_team_report", {
        "team_id": team_id, "period": period, "team": team.name, "from": team.starts[0],
        "to": team.starts[-1], "periods": len(team.starts), "shown": int(frame["shown"].sum()),
    })
    return frame


TEAM_NOT_SHOWN = "team_not_shown"
TEAM_NOT_SHOWN_TEXT = "The team is not shown this week, so there is nothing to compare."
# Only the figures of the agency go next to a team's: not its respondents,
# participation or scope (which names the teams left out).
_AGENCY_WITHHELD = ("respondents_band", "participation_text", "participation_pct",
                    "team_size_text", "caseload_standard", "weeks_text")


def agency_alongside(db: Database, team_id: int, period: str = "week", *, viewer_id: int,
                     periods: int | None = None) -> pd.DataFrame:
    """The agency's released figures for the periods of :func:`team_report`, to
    compare the team with (same columns, same ``period_start`` values).

    Only weeks in which the team itself is shown to this viewer count, so a 4-week
    or quarter row of the agency covers exactly the weeks its team row does; a
    week the team is hidden in, or whose agency figures could hold the viewer's
    own answers, has no agency figures either. Only the figures are given, not
    the agency's respondents, participation or scope. For the team's leads and
    admins (refusals audited); every view is audited (``view_agency_comparison``).
    """
    count = _count(period, periods, DEFAULT_PERIODS.get(period, 13))
    team = _team_weeks(db, team_id, period, count, viewer_id, "agency_comparison")
    weeks = sorted(team.weekly)
    cells = store.cells(db, [store.AGENCY], weeks[0], weeks[-1])
    agency = _group_rows(cells, store.AGENCY, weeks, team.ks, viewer_id, "agency", team.k)
    for week, row in agency.items():
        if row["shown"] and not team.weekly[week]["shown"]:
            agency[week] = display.hidden("week", week, TEAM_NOT_SHOWN, TEAM_NOT_SHOWN_TEXT)
    rows = _view_rows(agency, team.starts, period, team.ks)
    for row in rows:
        row.update(dict.fromkeys(_AGENCY_WITHHELD))
    frame = display.frame(rows, REPORT_COLUMNS)
    audit.record(db, viewer_id, "view_agency_comparison", {
        "team_id": team_id, "period": period, "team": team.name, "from": team.starts[0],
        "to": team.starts[-1], "periods": len(team.starts),
    })
    return frame


@dataclass(frozen=True)
class ReleaseStatus:
    """How fresh the figures are (dates in the agency's time zone).

    ``latest_week``: the latest week released (None before the first), due for
    release on ``released_on``; ``next_week`` is released on ``next_release``.
    ``large_enough``: whether the team, as its accounts stand now, has the
    ``members_needed`` (k + 1) accounts that count to be shown on its own
    (None for the organisation). Accounts only, never check-ins.
    """

    latest_week: dt.date | None
    released_on: dt.date | None
    next_week: dt.date
    next_release: dt.date
    members_needed: int
    large_enough: bool | None


def release_status(db: Database, *, viewer_id: int, team_id: int | None = None) -> ReleaseStatus:
    """When the figures a viewer sees were released and when the next week is.

    With ``team_id``: for the team's leads and admins; without: admins only
    (refusals audited, as for the reports). Releases what is due first.
    """
    if team_id is None:
        viewer = _viewer(db, viewer_id)
        if viewer is None or not viewer["is_admin"]:
            raise _denied(db, viewer_id, "release_status", {})
    elif not can_view_team(db, viewer_id, team_id):
        raise _denied(db, viewer_id, "release_status", {"team_id": team_id})
    release.release_due(db)
    latest = db.execute("SELECT max(week_start) FROM released_weeks").fetchone()[0]
    latest_week = dt.date.fromisoformat(latest) if latest else None
    next_week = release.last_due_week(settings.agency_today(db)) + dt.timedelta(days=7)
    k = settings.get_k(db)
    large_enough = None
    if team_id is not None:
        roster = membership.rosters(db, clock.utc_now(), int(team_id)).get(int(team_id), ())
        large_enough = rules.roster_large_enough(len(roster), k)
    return ReleaseStatus(
        latest_week, rules.release_date(latest_week) if latest_week else None,
        next_week, rules.release_date(next_week), k + 1, large_enough)


def _scope(group: str, figures: dict[str, Any], names: dict[int, str]) -> str | None:
    if group == "pool" and figures.get("pooled") is not None:
        parts = [names.get(t, "a team") for t in figures["pooled"]]
        parts += ["people without a home team"] if figures.get("noteam") else []
        return "Combines: " + ", ".join(parts) + "." if parts else None
    if group == "agency" and "left_out" in figures:
        if figures["left_out"]:
            return ("Adds up the groups shown above; leaves out "
                    + ", ".join(names.get(t, "a team") for t in figures["left_out"])
                    + " (too few people to show).")
        return "All teams" + (" (smaller teams combined)." if figures.get("pool_shown") else ".")
    return None


@dataclass(frozen=True)
class _OrgRows:
    """One view of the organisation as built for one admin: the rows and what the audit names."""

    frame: pd.DataFrame
    starts: list[dt.date]
    teams: int


# The organisation's rows, kept in this process: at 20,000 staff (667 teams) building them
# takes about 0.3 CPU-seconds, and an admin's later views (a new tab, the next visit) would
# repeat it although only a release, a team's name or the day can change them.
_KEPT: OrderedDict[tuple, _OrgRows] = OrderedDict()
KEPT_MAX = 16  # views kept (a few admins x 3 period views); 1.5-3 MB each at 20,000 staff
_KEPT_LOCK = threading.Lock()


def _kept_key(db: Database, period: str, count: int, viewer_id: int, today: dt.date,
              k: int) -> tuple | None:
    """Everything the organisation's rows are made from besides the released cells' own
    content, with the version of those (:func:`report_version`); None for a database in
    memory (no file names it). The viewer is in it: a cell whose roster holds the viewer
    is hidden from them (rule 5), so two admins can see different rows."""
    file = database_file(db)
    if file is None:
        return None
    return (str(file), period, count, int(viewer_id), today, k, report_version(db))


def forget_kept() -> None:
    """Drop the organisation rows kept in this process (tests)."""
    with _KEPT_LOCK:
        _KEPT.clear()


def _org_rows(db: Database, period: str, count: int, viewer_id: int, today: dt.date,
              k_now: int) -> _OrgRows:
    """The organisation's rows for ``viewer_id``, built from the released cells."""
    teams = list(db.query("SELECT id, name FROM teams ORDER BY name"))
    names = {t["id"]: t["name"] for t in teams}
    first = db.execute("SELECT min(week_start) FROM released_weeks").fetchone()[0]
    starts, weeks = _weeks(dt.date.fromisoformat(first) if first else today, today, period, count)
    groups = [(store.team_key(t["id"]), "team", t) for t in teams]
    groups += [(store.POOL, "pool", None), (store.AGENCY, "agency", None)]
    cells = store.cells(db, [g[0] for g in groups], weeks[0], weeks[-1])
    ks = _ks(db, weeks)
    by_group = {}
    for key, group, team in groups:
        weekly = _group_rows(cells, key, weeks, ks, viewer_id, group, k_now)
        for week, row in weekly.items():
            cell = cells.get((key, week))
            row["scope_text"] = _scope(group, cell.figures, names) if cell and row["shown"] else None
            if group == "pool" and row["shown"]:
                row["team_size_text"] = None
        rows = _view_rows(weekly, starts, period, ks)
        for row in rows:
            row.update(group={"pool": "smaller_teams"}.get(group, group),
                       team_id=team["id"] if team else None,
                       team=team["name"] if team else (
                           rules.POOL_NAME if group == "pool" else rules.AGENCY_NAME))
            if period != "week" and row["shown"] and group != "team":
                starts_of = [w for w in block_weeks(row["period_start"], period) if w in weekly]
                latest = [weekly[w] for w in starts_of if weekly[w]["shown"]]
                row["scope_text"] = latest[-1].get("scope_text") if latest else None
        by_group[key] = {row["period_start"]: row for row in rows}
    ordered = [by_group[key][start] for start in starts for key, _, _ in groups
               if start in by_group[key]]
    out = display.frame(ordered, ORG_COLUMNS)
    out["team_id"] = out["team_id"].astype("Int64")
    return _OrgRows(out, starts, len(teams))


def org_report(db: Database, period: str = "week", *, viewer_id: int,
               periods: int | None = None) -> pd.DataFrame:
    """Every team side by side, the pooled smaller teams and the agency total.

    Per period (oldest first): one row per team (``group`` "team", by name),
    one "smaller_teams" row (hidden teams and people without a home team,
    pooled; shown only when the pool itself passes the rules) and one
    "agency" row that adds up exactly the groups shown, so no hidden group can
    be worked out by subtraction (``scope_text`` says what it leaves out).
    Admins only (:class:`PermissionError` otherwise); every view is audited.
    Default: the last 8 weeks, 6 4-week periods or 4 quarters. The rows are
    kept in this process for the viewer until a release, a team's name or
    standard, k or the day changes them (:func:`report_version`); each call
    still checks the viewer, releases what is due and is audited.
    """
    count = _count(period, periods, ORG_DEFAULT_PERIODS.get(period, 6))
    detail = {"period": period}
    viewer = _viewer(db, viewer_id)
    if viewer is None or not viewer["is_admin"]:
        raise _denied(db, viewer_id, "org_report", detail)
    release.release_due(db)
    today, k_now = settings.agency_today(db), settings.get_k(db)
    key = _kept_key(db, period, count, viewer_id, today, k_now)
    with _KEPT_LOCK:
        rows = _KEPT.get(key) if key is not None else None
        if rows is not None:
            _KEPT.move_to_end(key)
    if rows is None:
        rows = _org_rows(db, period, count, viewer_id, today, k_now)
        if key is not None:
            with _KEPT_LOCK:
                _KEPT[key] = rows
                while len(_KEPT) > KEPT_MAX:
                    _KEPT.popitem(last=False)
    audit.record(db, viewer_id, "view_org_report", {
        **detail, "from": rows.starts[0], "to": rows.starts[-1], "periods": len(rows.starts),
        "teams": rows.teams,
    })
    return rows.frame.copy()  # the caller's own: a page may add columns
