"""Acting on suggestions: plan, done, not now, not relevant; history and follow-up.

Every action is one row in ``suggestion_actions`` (migration ``0004_actions``),
never changed afterwards, so the table is also the history. The state of a
suggestion is its latest action:

* ``planned`` ("I'll do this", optionally for a date from today up to 90 days
  ahead): hidden from the suggestions while the plan is open; listed by
  :func:`open_plans`. Planning again changes the date.
* ``done``: hidden for the suggestion's cooldown; 14 days later
  :func:`follow_up` shows how its target ratings moved.
* ``not_now``: hidden for exactly ``cooldown_days`` days (acted on day D, it
  is back on day D + cooldown_days).
* ``not_relevant``: mutes the suggestion's *rule* (every suggestion of that
  rule) until :func:`unmute`; muted rules are listed by :func:`muted`.

The urgent-support item can be planned or marked done, but never put aside
(not now / not relevant), and it is never hidden. Missed check-ins are never
counted or scored here: there are no streaks.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlite_utils import Database

from fatigue import analytics, settings, suggestions
from fatigue.db import write_lock
from fatigue.errors import ValidationError
from fatigue.validation import LABELS, parse_day

STATUSES: dict[str, str] = {
    "planned": "I'll do this",
    "done": "Done",
    "not_now": "Not now",
    "not_relevant": "Not relevant to me",
    "unmuted": "Shown again",
}
USER_STATUSES: tuple[str, ...] = ("planned", "done", "not_now", "not_relevant")
MAX_PLAN_AHEAD_DAYS = 90
FOLLOW_UP_DAYS = 14
MIN_FOLLOW_UP_CHECKINS = 3  # on each side, for a before/after

HISTORY_COLUMNS: tuple[str, ...] = (
    "id",  # int
    "suggestion_id",  # str
    "title",  # str (the id itself if the catalogue no longer has it)
    "category",  # str, "" if unknown
    "rule",  # str
    "status",  # planned, done, not_now, not_relevant, unmuted
    "status_label",  # e.g. "I'll do this"
    "acted_on",  # datetime64[ns], midnight
    "planned_for",  # datetime64[ns], NaT unless planned with a date
    "created_at",  # str, UTC timestamp
)


# ----------------------------------------------------------------- validation
def _require_user(db: Database, user_id: int) -> None:
    if db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone() is None:
        raise ValidationError({"user_id": f"There is no user with id {user_id}."})


def _day(value: Any, name: str) -> dt.date:
    try:
        return parse_day(value)
    except ValidationError as exc:
        raise ValidationError({name: next(iter(exc.errors.values()))}) from exc


def _entry(suggestion_id: Any) -> suggestions.Entry:
    item = suggestions.entry(suggestion_id) if isinstance(suggestion_id, str) else None
    if item is None:
        raise ValidationError({"suggestion_id": f"There is no suggestion {suggestion_id!r}."})
    return item


def _is_muted(db: Database, user_id: int, rule: str) -> bool:
    return db.execute(
        "SELECT 1 FROM suggestion_mutes WHERE user_id = ? AND rule = ?", [user_id, rule]
    ).fetchone() is not None


def _row(db: Database, action_id: int) -> dict[str, Any]:
    row = next(db.query(
        "SELECT id, user_id, suggestion_id, rule, status, acted_on, planned_for, created_at"
        " FROM suggestion_actions WHERE id = ?", [action_id]
    ))
    row["status_label"] = STATUSES[row["status"]]
    return row


# ----------------------------------------------------------------- actions
def record(
    db: Database,
    user_id: int,
    suggestion_id: str,
    status: str,
    today: dt.date,
    *,
    planned_for: dt.date | str | None = None,
) -> dict[str, Any]:
    """Store one action on a suggestion; return the stored row.

    ``status`` is ``planned``, ``done``, ``not_now`` or ``not_relevant``;
    ``today`` is the person's local date (the action's date). ``planned_for``
    only goes with ``planned``: from ``today`` to 90 days ahead. Raises
    :class:`ValidationError`, writing nothing, for an unknown suggestion or
    status, a bad date, a muted rule (unmute it first), or putting aside the
    urgent-support item.
    """
    if status not in USER_STATUSES:
        raise ValidationError(
            {"status": f"Choose one of: {', '.join(USER_STATUSES)} (not {status!r})."}
        )
    item = _entry(suggestion_id)
    today = _day(today, "today")
    plan_day: dt.date | None = None
    if planned_for is not None and planned_for != "":
        if status != "planned":
            raise ValidationError({"planned_for": "A date only goes with \"I'll do this\"."})
        plan_day = _day(planned_for, "planned_for")
        if plan_day < today:
            raise ValidationError({"planned_for": "Choose today or a later date."})
        if plan_day > today + dt.timedelta(days=MAX_PLAN_AHEAD_DAYS):
            raise ValidationError(
                {"planned_for": f"Choose a date within the next {MAX_PLAN_AHEAD_DAYS} days."}
            )
    if item.category == suggestions.URGENT and status in ("not_now", "not_relevant"):
        raise ValidationError(
            {"status": "The support panel stays visible while it applies; it cannot be put aside."}
        )
    with write_lock(db):
        _require_user(db, user_id)
        if _is_muted(db, user_id, item.rule):
            raise ValidationError(
                {"suggestion_id": "You marked this as not relevant. Show it again first "
                                  "(in your settings), then choose."}
            )
        cursor = db.execute(
            "INSERT INTO suggestion_actions"
            " (user_id, suggestion_id, rule, status, acted_on, planned_for)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [user_id, item.id, item.rule, status, today.isoformat(),
             None if plan_day is None else plan_day.isoformat()],
        )
        action_id = cursor.lastrowid
        if status == "not_relevant":
            db.execute(
                "INSERT INTO suggestion_mutes (user_id, rule, suggestion_id, muted_on)"
                " VALUES (?, ?, ?, ?)",
                [user_id, item.rule, item.id, today.isoformat()],
            )
    return _row(db, action_id)


def plan(db: Database, user_id: int, suggestion_id: str, today: dt.date,
         planned_for: dt.date | str | None = None) -> dict[str, Any]:
    """ "I'll do this", optionally on ``planned_for`` (today .. today + 90 days)."""
    return record(db, user_id, suggestion_id, "planned", today, planned_for=planned_for)


def mark_done(db: Database, user_id: int, suggestion_id: str, today: dt.date) -> dict[str, Any]:
    """ "Done" (today); the before/after follows 14 days later."""
    return record(db, user_id, suggestion_id, "done", today)


def not_now(db: Database, user_id: int, suggestion_id: str, today: dt.date) -> dict[str, Any]:
    """ "Not now": hidden for the suggestion's cooldown_days, then back if still relevant."""
    return record(db, user_id, suggestion_id, "not_now", today)


def not_relevant(db: Database, user_id: int, suggestion_id: str, today: dt.date) -> dict[str, Any]:
    """ "Not relevant to me": mutes the suggestion's rule until :func:`unmute`."""
    return record(db, user_id, suggestion_id, "not_relevant", today)


def unmute(db: Database, user_id: int, rule: str, today: dt.date) -> dict[str, Any]:
    """Show a muted rule's suggestions again. ``rule`` may also be a suggestion id.

    Raises :class:`ValidationError` when that rule is not muted.
    """
    item = suggestions.entry(rule) if isinstance(rule, str) else None
    name = item.rule if item is not None else rule
    today = _day(today, "today")
    with write_lock(db):
        _require_user(db, user_id)
        row = db.execute(
            "SELECT suggestion_id FROM suggestion_mutes WHERE user_id = ? AND rule = ?",
            [user_id, name],
        ).fetchone()
        if row is None:
            raise ValidationError({"rule": f"{rule!r} is not muted."})
        db.execute("DELETE FROM suggestion_mutes WHERE user_id = ? AND rule = ?", [user_id, name])
        cursor = db.execute(
            "INSERT INTO suggestion_actions (user_id, suggestion_id, rule, status, acted_on)"
            " VALUES (?, ?, ?, 'unmuted', ?)",
            [user_id, row[0], name, today.isoformat()],
        )
        action_id = cursor.lastrowid
    return _row(db, action_id)


# ----------------------------------------------------------------- state
def _title(suggestion_id: str) -> tuple[str, str]:
    item = suggestions.entry(suggestion_id)
    return (item.title, item.category) if item is not None else (suggestion_id, "")


def muted(db: Database, user_id: int) -> list[dict[str, Any]]:
    """The muted rules: ``{"rule", "suggestion_id", "title", "muted_on" (ISO), "titles"}``.

    ``titles`` lists every catalogue suggestion the rule hides.
    """
    rows = list(db.query(
        "SELECT rule, suggestion_id, muted_on FROM suggestion_mutes WHERE user_id = ?"
        " ORDER BY muted_on, rule", [user_id]
    ))
    for row in rows:
        row["title"] = _title(row["suggestion_id"])[0]
        row["titles"] = [e.title for e in suggestions.entries_for_rule(row["rule"])]
    return rows


def _latest(db: Database, user_id: int) -> list[dict[str, Any]]:
    """The latest action of each suggestion of ``user_id``."""
    return list(db.query(
        """
        SELECT a.id, a.suggestion_id, a.rule, a.status, a.acted_on, a.planned_for
        FROM suggestion_actions a
        WHERE a.user_id = ? AND a.id = (
            SELECT max(b.id) FROM suggestion_actions b
            WHERE b.user_id = a.user_id AND b.suggestion_id = a.suggestion_id)
        ORDER BY a.id
        """,
        [user_id],
    ))


def open_plans(db: Database, user_id: int) -> list[dict[str, Any]]:
    """Suggestions whose latest action is "I'll do this", oldest plan first.

    Each: ``{"action_id", "suggestion_id", "title", "category", "steps",
    "planned_on" (ISO), "planned_for" (ISO or None)}``.
    """
    plans = []
    for row in _latest(db, user_id):
        if row["status"] != "planned":
            continue
        item = suggestions.entry(row["suggestion_id"])
        plans.append({
            "action_id": row["id"],
            "suggestion_id": row["suggestion_id"],
            "title": item.title if item else row["suggestion_id"],
            "category": item.category if item else "",
            "steps": item.steps if item else (),
            "planned_on": row["acted_on"],
            "planned_for": row["planned_for"],
        })
    return plans


def hidden(db: Database, user_id: int, today: dt.date) -> dict[str, str]:
    """Suggestion ids hidden on ``today`` and why, e.g. ``{"protect_a_break": "not now
    until 2026-03-26"}``. The caller keeps the urgent item visible regardless."""
    result: dict[str, str] = {}
    for row in _latest(db, user_id):
        item = suggestions.entry(row["suggestion_id"])
        if item is None:
            continue
        acted = dt.date.fromisoformat(row["acted_on"])
        back = acted + dt.timedelta(days=item.cooldown_days)
        if row["status"] == "planned":
            result[item.id] = "planned"
        elif row["status"] in ("not_now", "done") and today < back:
            result[item.id] = f"{row['status'].replace('_', ' ')} until {back.isoformat()}"
    for row in db.query("SELECT rule FROM suggestion_mutes WHERE user_id = ?", [user_id]):
        for item in suggestions.entries_for_rule(row["rule"]):
            result[item.id] = "not relevant (muted)"
    return result


def evaluate(db: Database, user_id: int, today: dt.date, *, history: pd.DataFrame | None = None,
             summary: analytics.PersonalSummary | None = None) -> list[suggestions.Suggestion]:
    """The suggestions to show ``user_id`` on ``today``: urgent first, then catalogue order.

    Hidden: suggestions marked "Not now" or "Done" within their cooldown, those
    with an open plan ("I'll do this"), and those whose rule the person muted
    ("Not relevant to me"). The urgent-support item is never hidden. ``history`` and
    ``summary``: see :func:`fatigue.suggestions.triggered_for`.
    """
    found = suggestions.triggered_for(db, user_id, today, settings.support_resources(db),
                                      history=history, summary=summary)
    put_aside = hidden(db, user_id, today)
    return [s for s in found if s.urgent or s.id not in put_aside]


def urgent(db: Database, user_id: int, today: dt.date) -> suggestions.Suggestion | None:
    """The urgent-support item when it applies (for a prominent panel), else None."""
    return next((s for s in evaluate(db, user_id, today) if s.urgent), None)


def history(db: Database, user_id: int) -> pd.DataFrame:
    """Every action of ``user_id``, newest first; columns :data:`HISTORY_COLUMNS`."""
    rows = list(db.query(
        "SELECT id, suggestion_id, rule, status, acted_on, planned_for, created_at"
        " FROM suggestion_actions WHERE user_id = ? ORDER BY id DESC", [user_id]
    ))
    for row in rows:
        row["title"], row["category"] = _title(row["suggestion_id"])
        row["status_label"] = STATUSES[row["status"]]
    frame = pd.DataFrame.from_records(rows, columns=list(HISTORY_COLUMNS))
    frame["id"] = frame["id"].astype("int64")
    for name in ("acted_on", "planned_for"):
        frame[name] = pd.to_datetime(frame[name], format="%Y-%m-%d").astype("datetime64[ns]")
    for name in ("suggestion_id", "title", "category", "rule", "status", "status_label",
                 "created_at"):
        frame[name] = frame[name].astype(object)
    return frame


# ----------------------------------------------------------------- follow-up
@dataclass(frozen=True)
class RatingChange:
    """One target rating: its mean in the 14 days before "done" and the 14 days after."""

    rating: str
    label: str
    before_mean: float | None
    before_n: int
    after_mean: float | None
    after_n: int
    difference: float | None  # after - before
    message: str


@dataclass(frozen=True)
class FollowUp:
    """What happened to the target ratings after a suggestion was marked done."""

    action_id: int
    suggestion_id: str
    title: str
    done_on: dt.date
    ready_on: dt.date  # done_on + 14: when the after-window is complete
    ready: bool
    before: tuple[dt.date, dt.date]  # done_on - 14 .. done_on - 1
    after: tuple[dt.date, dt.date]  # done_on + 1 .. done_on + 14
    before_n: int  # check-ins in each window
    after_n: int
    changes: tuple[RatingChange, ...]  # empty until ready
    message: str
    caveat: str


CAVEAT = (
    "This describes what happened in your check-ins. Many things change at the same time, "
    "so it cannot show whether this step was the reason."
)


def _change(rating: str, before: pd.Series, after: pd.Series) -> RatingChange:
    label = LABELS.get(rating, rating)
    b, a = before.dropna(), after.dropna()
    if len(b) < MIN_FOLLOW_UP_CHECKINS or len(a) < MIN_FOLLOW_UP_CHECKINS:
        return RatingChange(
            rating, label, float(b.mean()) if len(b) else None, len(b),
            float(a.mean()) if len(a) else None, len(a), None,
            f"Your {label.lower()}: not enough check-ins around that date to compare "
            f"({len(b)} in the two weeks before, {len(a)} in the two weeks after).",
        )
    bm, am = float(b.mean()), float(a.mean())
    diff = am - bm
    bt, at = f"{bm:.1f}", f"{am:.1f}"
    if at == bt:
        how = f"about the same as in the two weeks before ({bt})"
    else:
        how = f"{'down' if diff < 0 else 'up'} from {bt} in the two weeks before"
    return RatingChange(
        rating, label, bm, len(b), am, len(a), diff,
        f"Since you marked this done, your {label.lower()} averaged {at}, {how}.",
    )


def follow_up(
    db: Database, user_id: int, today: dt.date, *, include_pending: bool = False
) -> list[FollowUp]:
    """Before/after for every "done" action whose 14 days after have passed, newest first.

    The before-window is the 14 days before the done date, the after-window the
    14 days after it (the done day itself is in neither); ready on done + 14.
    With ``include_pending`` the not-yet-ready ones are listed too (no changes).
    """
    from fatigue import checkins

    today = _day(today, "today")
    done = list(db.query(
        "SELECT id, suggestion_id, acted_on FROM suggestion_actions"
        " WHERE user_id = ? AND status = 'done' AND acted_on <= ? ORDER BY acted_on DESC, id DESC",
        [user_id, today.isoformat()],
    ))
    if not done:
        return []
    history_frame = checkins.load_history(db, user_id, end=today)
    days = history_frame["day"]
    results: list[FollowUp] = []
    for row in done:
        done_on = dt.date.fromisoformat(row["acted_on"])
        ready_on = done_on + dt.timedelta(days=FOLLOW_UP_DAYS)
        ready = today >= ready_on
        if not ready and not include_pending:
            continue
        item = suggestions.entry(row["suggestion_id"])
        title = item.title if item else row["suggestion_id"]
        targets = item.targets if item else ()
        before = (done_on - dt.timedelta(days=FOLLOW_UP_DAYS), done_on - dt.timedelta(days=1))
        after = (done_on + dt.timedelta(days=1), ready_on)
        in_before = history_frame[(days >= pd.Timestamp(before[0])) & (days <= pd.Timestamp(before[1]))]
        in_after = history_frame[(days >= pd.Timestamp(after[0])) & (days <= pd.Timestamp(after[1]))]
        if ready:
            changes = tuple(
                _change(r, pd.to_numeric(in_before[r]), pd.to_numeric(in_after[r])) for r in targets
            )
            message = (
                f"You marked \"{title}\" done on {done_on:%a} {done_on.day} {done_on:%b}. "
                f"Based on {len(in_before)} check-ins in the two weeks before and "
                f"{len(in_after)} in the two weeks after:"
            )
        else:
            changes = ()
            message = (
                f"You marked \"{title}\" done on {done_on:%a} {done_on.day} {done_on:%b}. "
                f"How your ratings moved afterwards shows here from "
                f"{ready_on:%a} {ready_on.day} {ready_on:%b}."
            )
        results.append(FollowUp(
            row["id"], row["suggestion_id"], title, done_on, ready_on, ready, before, after,
            len(in_before), len(in_after), changes, message, CAVEAT,
        ))
    return results

