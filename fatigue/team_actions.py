"""Team action plans: plan a team suggestion, mark it done, follow it up.

A plan is team-level only: one step of a team suggestion
(:data:`fatigue.teamfigures.suggestions.CATALOGUE`), who owns it as a role
(:data:`ROLES`, never a name), by when, and its status (planned, done,
dropped). There is no free text and no person in a plan: who planned or
changed it is in the audit log, not in the plan.

The follow-up (:func:`follow_up`) is made from the team's released report
rows only, once two periods that began after the step was done have been
released, and it says what happened to the figures the suggestion aims at,
not that the step caused it.

A team's plans are seen and changed by its leads and by admins (the same
check as the team's figures, :func:`fatigue.teamfigures.reports.can_view_team`);
every change, and every refused attempt, is audited.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlite_utils import Database

from fatigue import audit, settings
from fatigue.dates import day_text
from fatigue.db import write_lock
from fatigue.errors import ValidationError
from fatigue.teamfigures import changes, rules
from fatigue.teamfigures.charts import CHART_LABELS
from fatigue.teamfigures.display import figure_text
from fatigue.teamfigures.periods import VIEW_NAMES, VIEW_WEEKS, block_end, block_start, label
from fatigue.teamfigures.reports import can_view_team
from fatigue.teamfigures.suggestions import CATALOGUE
from fatigue.validation import parse_day

ROLES: tuple[str, ...] = (
    "Team lead", "Team manager", "Practice supervisor", "Service manager", "Whole team",
    "Wellbeing lead",
)
MAX_DUE_DAYS = 366  # a plan is for the coming year
DUE_WEEKS = (1, 2, 4, 6, 8, 12, 26)  # the "by when" choices
MAX_DONE_BACK_DAYS = 182  # a step can be recorded as done up to 26 weeks after it was taken
FOLLOW_UP_PERIODS = 2
NOT_PROOF = ("This is what happened to the team's figures after the step, not proof that the "
             "step caused it: workloads, the season and who checked in change too.")


def _denied(db: Database, viewer_id: Any, detail: dict[str, Any]) -> PermissionError:
    actor = viewer_id if isinstance(viewer_id, int) and not isinstance(viewer_id, bool) else None
    audit.record(db, actor, "denied_team_action", detail)
    return PermissionError("You do not have access to this team's action plans.")


def _team_name(db: Database, team_id: int) -> str:
    return db.execute("SELECT name FROM teams WHERE id = ?", [int(team_id)]).fetchone()[0]


def _row(row: dict[str, Any]) -> dict[str, Any]:
    entry = CATALOGUE.get(row["suggestion_id"], {})
    return {
        **row,
        "title": entry.get("title", ""),
        "aims": list(entry.get("aims", ())),
        "due": dt.date.fromisoformat(row["due"]),
        "planned_on": dt.date.fromisoformat(row["planned_on"]),
        "done_on": None if row["done_on"] is None else dt.date.fromisoformat(row["done_on"]),
    }


def _date(value: Any, name: str) -> dt.date:
    try:
        return parse_day(value)
    except ValidationError:
        raise ValidationError({name: "Choose a date."}) from None


def plan_action(db: Database, team_id: int, suggestion_id: str, what: str, owner_role: str,
                due: dt.date | str, *, viewer_id: int, period: str = "week") -> int:
    """Plan ``what`` (the suggestion's title or one of its steps) for the team,
    owned by ``owner_role`` (one of :data:`ROLES`), by ``due`` (today to a year
    ahead, the agency's date); followed up per ``period`` (week, 4week, quarter).
    Returns the plan's id. :class:`ValidationError` (nothing written) for
    anything else; :class:`PermissionError` unless the viewer leads the team or
    is an admin."""
    if not can_view_team(db, viewer_id, team_id):
        raise _denied(db, viewer_id, {"team_id": team_id, "step": "plan"})
    entry = CATALOGUE.get(suggestion_id)
    if entry is None:
        raise ValidationError({"suggestion": "Choose one of the team suggestions."})
    if what not in (entry["title"], *entry["steps"]):
        raise ValidationError({"what": "Choose what to do from the suggestion's steps."})
    if owner_role not in ROLES:
        raise ValidationError({"owner": "Choose who owns it as a role: "
                                        + ", ".join(ROLES) + "."})
    if period not in VIEW_WEEKS:
        raise ValidationError({"period": "The period must be 'week', '4week' or 'quarter'."})
    today = settings.agency_today(db)
    due_day = _date(due, "due")
    latest = today + dt.timedelta(days=MAX_DUE_DAYS)
    if not today <= due_day <= latest:
        raise ValidationError({"due": f"Choose a date from today to {day_text(latest)}."})
    with write_lock(db):
        action_id = db.execute(
            "INSERT INTO team_actions (team_id, suggestion_id, what, owner_role, due, period,"
            " planned_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [int(team_id), suggestion_id, what, owner_role, due_day.isoformat(), period,
             today.isoformat()]).lastrowid
    audit.record(db, viewer_id, "team_action_planned", {
        "team_id": int(team_id), "team": _team_name(db, team_id), "action_id": action_id,
        "suggestion_id": suggestion_id, "owner_role": owner_role, "due": due_day})
    return int(action_id)


def _plan_for_change(db: Database, action_id: Any, viewer_id: int, step: str) -> dict[str, Any]:
    """The plan, if the viewer may change it and it is still planned."""
    found = None
    if isinstance(action_id, int) and not isinstance(action_id, bool):
        found = next(iter(db.query("SELECT * FROM team_actions WHERE id = ?", [action_id])), None)
    if found is None or not can_view_team(db, viewer_id, found["team_id"]):
        raise _denied(db, viewer_id, {"action_id": action_id, "step": step})
    if found["status"] != "planned":
        raise ValidationError({"status": f"This plan is already {found['status']}."})
    return found


def mark_done(db: Database, action_id: int, done_on: dt.date | str, *, viewer_id: int) -> None:
    """Mark a planned step done on ``done_on``: today, or up to 26 weeks back
    (a step is often recorded after it was taken)."""
    plan = _plan_for_change(db, action_id, viewer_id, "done")
    today = settings.agency_today(db)
    day = _date(done_on, "done_on")
    earliest = today - dt.timedelta(days=MAX_DONE_BACK_DAYS)
    if not earliest <= day <= today:
        raise ValidationError({"done_on": f"Choose a date from {day_text(earliest)} to today."})
    with write_lock(db):
        db.execute("UPDATE team_actions SET status = 'done', done_on = ? WHERE id = ?"
                   " AND status = 'planned'", [day.isoformat(), action_id])
    audit.record(db, viewer_id, "team_action_done", {
        "team_id": plan["team_id"], "team": _team_name(db, plan["team_id"]),
        "action_id": action_id, "done_on": day})


def drop_action(db: Database, action_id: int, *, viewer_id: int) -> None:
    """Drop a planned step (it stays in the list as dropped)."""
    plan = _plan_for_change(db, action_id, viewer_id, "drop")
    with write_lock(db):
        db.execute("UPDATE team_actions SET status = 'dropped' WHERE id = ? AND status = 'planned'",
                   [action_id])
    audit.record(db, viewer_id, "team_action_dropped", {
        "team_id": plan["team_id"], "team": _team_name(db, plan["team_id"]),
        "action_id": action_id})


def team_plans(db: Database, team_id: int, *, viewer_id: int) -> list[dict[str, Any]]:
    """The team's plans, newest first: ``id``, ``team_id``, ``suggestion_id``,
    ``title``, ``what``, ``owner_role``, ``due``, ``period``, ``status``,
    ``planned_on``, ``done_on`` (dates) and ``aims`` (report columns)."""
    if not can_view_team(db, viewer_id, team_id):
        raise _denied(db, viewer_id, {"team_id": team_id, "step": "list"})
    return [_row(r) for r in db.query(
        "SELECT * FROM team_actions WHERE team_id = ? ORDER BY id DESC", [int(team_id)])]


def all_plans(db: Database, *, viewer_id: int) -> list[dict[str, Any]]:
    """Every team's plans (admins only), by team name then newest first, with ``team``."""
    viewer = db.execute("SELECT is_admin FROM users WHERE id = ? AND active = 1",
                        [viewer_id if isinstance(viewer_id, int) else -1]).fetchone()
    if viewer is None or not viewer[0]:
        raise _denied(db, viewer_id, {"step": "list_all"})
    return [_row(r) for r in db.query(
        "SELECT a.*, t.name AS team FROM team_actions a JOIN teams t ON t.id = a.team_id"
        " ORDER BY t.name, a.id DESC")]


# ------------------------------------------------------------------ follow-up

@dataclass(frozen=True)
class FollowUp:
    """How the figures a done step aimed at moved, from released rows only.

    ``ready`` once two periods that began after the step are released;
    before that, ``ready_on`` says when. ``lines``: one sentence per figure.
    """

    ready: bool
    ready_on: dt.date | None = None
    before: str | None = None
    after: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    note: str = NOT_PROOF


def _after_starts(done: dt.date, view: str) -> list[dt.date]:
    """The first periods of ``view`` that begin on or after ``done``."""
    first = block_start(done, view)
    length = dt.timedelta(days=7 * VIEW_WEEKS[view])
    if first < done:
        first += length
    return [first + length * i for i in range(FOLLOW_UP_PERIODS)]


def _released_on(start: dt.date, view: str) -> dt.date:
    """When the last week of the period beginning ``start`` is released."""
    return rules.release_date(block_start(block_end(start, view), "week"))


def _outcome(column: str, before: pd.Series, after: list[pd.Series]) -> str:
    moves = {changes.tone(column, changes.difference(row, before, column)) for row in after}
    if len(moves) != 1:
        return "mixed"
    move = moves.pop()
    return {"better": "better for people in both", "worse": "worse for people in both",
            "same": "unchanged", "neutral": "changed"}[move]


def follow_up(plan: dict[str, Any], report: pd.DataFrame, today: dt.date) -> FollowUp | None:
    """What happened to the figures ``plan`` aimed at, from ``report`` (the
    team's released rows in the plan's ``period``; ``today`` the agency's
    date). None unless the plan is done."""
    if plan["status"] != "done" or plan["done_on"] is None:
        return None
    view = plan["period"]
    if not report.empty and set(report["period"]) != {view}:
        raise ValueError(f"the follow-up of this plan needs the {VIEW_NAMES[view]} report")
    starts = _after_starts(plan["done_on"], view)
    ready_on = _released_on(starts[-1], view)
    if today < ready_on:
        return FollowUp(ready=False, ready_on=ready_on)
    by_start = {row["period_start"].date(): row for _, row in report.iterrows()}
    earlier = [row for start, row in sorted(by_start.items())
               if row["shown"] and row["period_end"].date() < plan["done_on"]]
    before = earlier[-1] if earlier else None
    after = [by_start.get(start) for start in starts]
    after_labels = [label(start, view) for start in starts]
    lines = []
    for column in plan["aims"]:
        name = CHART_LABELS.get(column, column)
        values = [figure_text(row, column) if row is not None and row["shown"] else ""
                  for row in after]
        then = " and ".join(f"{value or 'not shown'} in {text}"
                            for value, text in zip(values, after_labels))
        base = "" if before is None else figure_text(before, column)
        if not base:
            lines.append(f"{name}: {then}; no figure from before the step to compare with.")
            continue
        shown_after = [row for row, value in zip(after, values) if value]
        outcome = (f" ({_outcome(column, before, shown_after)})"
                   if len(shown_after) == FOLLOW_UP_PERIODS else "")
        lines.append(f"{name}: {base} in {before['label']}, then {then}{outcome}.")
    return FollowUp(ready=True, before=None if before is None else before["label"],
                    after=after_labels, lines=lines)


def due_choices(today: dt.date) -> dict[str, dt.date]:
    """"By when" choices, in the app's date format: ``In 4 weeks: Fri 1 Jan 2027``."""
    return {f"In {n} week{'s' if n > 1 else ''}: {day_text(today + dt.timedelta(weeks=n))}":
            today + dt.timedelta(weeks=n) for n in DUE_WEEKS}


def done_weeks(today: dt.date) -> dict[str, dt.date]:
    """"Done in" choices: this week and the 26 before it, each standing for its
    last day (or today), so the follow-up compares the periods after that week."""
    this_week = block_start(today, "week")
    out = {}
    for back in range(MAX_DONE_BACK_DAYS // 7 + 1):
        start = this_week - dt.timedelta(weeks=back)
        name = {0: "This week, ", 1: "Last week, "}.get(back, "")
        out[name + label(start, "week")] = min(start + dt.timedelta(days=6), today)
    return out


def status_text(plan: dict[str, Any], today: dt.date) -> str:
    """``Planned, by Thu 26 Nov 2026`` (``past its date`` when late),
    ``Done on Mon 7 Dec 2026`` or ``Dropped``."""
    if plan["status"] == "done":
        return f"Done on {day_text(plan['done_on'])}"
    if plan["status"] == "dropped":
        return "Dropped"
    late = ", past its date" if plan["due"] < today else ""
    return f"Planned, by {day_text(plan['due'])}{late}"


def aims_text(plan: dict[str, Any]) -> str:
    """The figures the plan aims at, in words (``Caseload vs standard, In high strain``)."""
    return ", ".join(CHART_LABELS.get(c, c) for c in plan["aims"])
