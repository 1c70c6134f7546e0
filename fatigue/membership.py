"""Who belonged where, and when: the history of each account's standing.

Team figures count a person in a week only if, just before that week began,
their account was active, had that home team, led no team and was not an
admin (:mod:`fatigue.teamfigures.rules`). So the standing of every account is
kept over time in ``membership_log``: one row per change (home team, whether
it leads any team, admin, active), written by triggers on ``users`` and
``team_members`` in the same transaction as the change, so no code path can
forget it. The triggers stamp the time of :mod:`fatigue.clock` (the SQL
function ``fatigue_now()``, registered by :func:`fatigue.db.connect`), the
clock the release rules read; a connection without it cannot change accounts. Membership is not secret (a lead knows who is in the team); whether
someone checked in is, and is never written here.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlite_utils import Database

NOW_SQL = "fatigue_now()"  # fatigue.clock's time, a function every connection registers


def state_insert_sql(user: str | None, at: str = NOW_SQL) -> str:
    """INSERT of the current standing of account ``user`` (an SQL expression; None:
    every account) as holding from ``at`` (an SQL expression)."""
    where = "" if user is None else f" WHERE u.id = {user}"
    return (
        "INSERT INTO membership_log (user_id, at, home_team_id, leads, is_admin, active)"
        f" SELECT u.id, {at},"
        " (SELECT m.team_id FROM team_members m WHERE m.user_id = u.id AND m.home = 1),"
        " EXISTS (SELECT 1 FROM team_members m WHERE m.user_id = u.id AND m.lead = 1),"
        f" u.is_admin, u.active FROM users u{where}"
    )


def utc_text(moment: dt.datetime) -> str:
    """A moment as the log stores it (``2026-03-16T00:00:00Z``)."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_state(db: Database, user_id: int, at: dt.datetime) -> None:
    """Log the current standing of ``user_id`` as holding from ``at`` (for the demo
    agency, whose accounts date from before its history, and for upgrades)."""
    db.execute(state_insert_sql("?", "?"), [utc_text(at), int(user_id)])


def rosters(db: Database, before: dt.datetime,
            team_id: int | None = None) -> dict[int | None, list[int]]:
    """The accounts that count, by home team (None: no home team), as they stood
    just before ``before``: active, not an admin, leading no team. With ``team_id``,
    only that team's (the accounts ever logged in it are the only ones that can be)."""
    only = "" if team_id is None else (
        " AND user_id IN (SELECT user_id FROM membership_log WHERE home_team_id = :team)")
    rows = db.execute(
        f"""
        SELECT user_id, home_team_id FROM (
            SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY at DESC, id DESC) AS latest
            FROM membership_log WHERE at < :before{only})
        WHERE latest = 1 AND active = 1 AND is_admin = 0 AND leads = 0
        ORDER BY user_id
        """,
        {"before": utc_text(before), "team": team_id},
    ).fetchall()
    out: dict[int | None, list[int]] = {}
    for user_id, team in rows:
        if team_id is None or team == team_id:
            out.setdefault(team, []).append(int(user_id))
    return out


def history(db: Database, user_id: int) -> list[dict[str, Any]]:
    """The standing of ``user_id`` over time, oldest first."""
    return list(db.query(
        "SELECT at, home_team_id, leads, is_admin, active FROM membership_log"
        " WHERE user_id = ? ORDER BY at, id", [int(user_id)]))
