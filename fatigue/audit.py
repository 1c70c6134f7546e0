"""An append-only audit log: who looked at which team aggregates, who signed in,
and what admins changed, and when.

Every view of team or agency aggregates is recorded here by
:mod:`fatigue.teamfigures.reports` itself (a page cannot forget to), as are refused
attempts and changes to settings. :mod:`fatigue.accounts` records logins
(``login``, with the method), failed logins (``login_failed``, the account's
username when there is such an account, else only that there is none, never
what was typed, and the client address), failed
current-password checks (``password_check_failed``), lockouts
(``login_locked``), ``unlocked``, password changes and resets, and admin
changes to accounts and teams (``account_created``, ``account_deactivated``,
``account_reactivated``, ``leads_changed``, ``team_created``,
``caseload_standard_changed``); :mod:`fatigue.sso` records single sign-on
refusals (``sso_refused``), the binding of an account to its identity at the
provider (``sso_linked``) and admins' changes of the single sign-on email
(``sso_email_set``); :mod:`fatigue.sessions` records sign-outs
(``logout``, ``signed_out_device``), sessions that ran out (``idle_sign_out``,
``session_expired``) and sessions ended together (``sessions_ended``, with the
reason); :mod:`fatigue.team_actions` records team action plans
(``team_action_planned``, ``team_action_done``, ``team_action_dropped``).
Admins read the log with :func:`entries`.
The table refuses UPDATE and DELETE (triggers in migration
``0003_aggregates_privacy``), so an entry cannot be edited away from the app.

``detail`` is a small JSON object: team ids and names, the kind of period and
the first and last period viewed, account names; never passwords, answers,
scores or notes.

Admins do not see who checks in: :func:`admin_entries`, the admin's view,
keeps only security events and admin actions (:data:`ADMIN_VIEW`), never a
person's routine sign-ins and sign-outs or what they did with their own data
(imports, deletions), which would tell when each person uses the tool. Those
stay in the table, for the person's own account page and for the operator.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from sqlite_utils import Database

from fatigue.dates import day_text
from fatigue.db import write_lock
from fatigue.errors import ValidationError

MAX_ACTION_CHARS = 60
# What the admin's audit view shows: security events and admin actions (and
# refused attempts, ``denied_*``). An allow-list, so a new routine action is
# hidden from admins until someone decides otherwise.
ADMIN_VIEW: frozenset[str] = frozenset({
    "account_created", "account_deactivated", "account_reactivated", "leads_changed",
    "password_reset", "password_changed", "sso_email_set", "sso_refused", "sso_linked",
    "login_failed", "login_locked", "password_check_failed", "unlocked",
    "team_created", "caseload_standard_changed",
    "change_setting", "user_data_deleted", "delete_user_data_refused",
    "data_exported_by_operator", "view_team_report", "view_org_report",
    "view_agency_comparison", "team_action_planned", "team_action_done", "team_action_dropped",
})
MAX_DETAIL_CHARS = 4000
MAX_LIMIT = 10_000


def _default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def record(db: Database, actor_id: int | None, action: str, detail: dict[str, Any] | None = None) -> int:
    """Append an entry; return its id.

    ``actor_id`` is the user who acted (None for the system); ``action`` a
    short code such as ``view_team_report``; ``detail`` a JSON-able dict.
    """
    if not isinstance(action, str) or not 1 <= len(action) <= MAX_ACTION_CHARS:
        raise ValidationError({"action": f"An audit action must be 1 to {MAX_ACTION_CHARS} characters."})
    if detail is not None and not isinstance(detail, dict):
        raise ValidationError({"detail": "Audit detail must be a dict."})
    text = json.dumps(detail or {}, default=_default, sort_keys=True, ensure_ascii=False)
    if len(text) > MAX_DETAIL_CHARS:
        raise ValidationError({"detail": f"Audit detail is longer than {MAX_DETAIL_CHARS} characters."})
    actor = None if actor_id is None else int(actor_id)
    with write_lock(db):
        return db["audit_log"].insert(
            {"actor_id": actor, "action": action, "detail": text}
        ).last_pk


def entries(
    db: Database,
    limit: int = 200,
    *,
    action: str | None = None,
    actor_id: int | None = None,
    admin_view: bool = False,
) -> list[dict[str, Any]]:
    """The most recent entries first: ``id``, ``at`` (UTC, ISO), ``actor_id``,
    ``actor`` (username, or None), ``action`` and ``detail`` (a dict).
    ``admin_view``: only what an admin may see (:data:`ADMIN_VIEW`)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError({"limit": f"limit must be a whole number from 1 to {MAX_LIMIT}."})
    sql = (
        "SELECT a.id, a.at, a.actor_id, u.username AS actor, a.action, a.detail"
        " FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id"
    )
    where: list[str] = []
    params: list[Any] = []
    if action is not None:
        where.append("a.action = ?")
        params.append(action)
    if actor_id is not None:
        where.append("a.actor_id = ?")
        params.append(int(actor_id))
    if admin_view:
        marks = ", ".join("?" for _ in ADMIN_VIEW)
        where.append(f"(a.action IN ({marks}) OR a.action GLOB 'denied_*')")
        params.extend(sorted(ADMIN_VIEW))
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY a.id DESC LIMIT ?"
    params.append(limit)
    rows = list(db.query(sql, params))
    for row in rows:
        row["detail"] = json.loads(row["detail"])
    return rows


def admin_entries(db: Database, limit: int = 200) -> list[dict[str, Any]]:
    """The admin's audit view: security events and admin actions, newest first."""
    return entries(db, limit, admin_view=True)


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def detail_text(detail: dict[str, Any]) -> str:
    """An entry's detail for people: ``team: Family Support; from: Mon 16 Nov 2026``
    (dates in the app's format, lists joined, nothing when empty)."""
    def value(item: Any) -> str:
        if isinstance(item, list):
            return ", ".join(value(i) for i in item)
        if isinstance(item, str) and _ISO_DAY.match(item):
            return day_text(dt.date.fromisoformat(item))
        if isinstance(item, bool):
            return "yes" if item else "no"
        return "" if item is None else str(item)

    return "; ".join(f"{key.replace('_', ' ')}: {value(item)}" for key, item in detail.items())
