"""Delete a person's data: by themselves (account kept) or by an admin (account closed).

Every personal row goes in one transaction: check-ins (with their notes),
questionnaire responses (and their scores), suggestion actions and muted
rules, and failed-login counts kept under the username. SQLite's
``secure_delete`` overwrites the freed pages, so the deleted rows do not stay
readable in the database file.

Team figures already released stay as they are: they are anonymous
aggregates of at least k people, released once and never recomputed
(:mod:`fatigue.teamfigures.rules`), so a deletion cannot be read off as the
difference between two views. Weeks not yet released are released without
the deleted check-ins.

The person deleting their own data keeps their account and can go on using
the tool. An admin deleting a departed person's data also deactivates the
account and blanks its display name; the username stays, so the audit log
keeps naming who did what. Both are audited, without any value, count or
date of the person's data (how many check-ins someone had is itself personal).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from fatigue import audit, sessions
from fatigue.db import write_lock
from fatigue.errors import ValidationError

# Tables whose rows belong to one person, by the column naming them.
PERSONAL_TABLES: dict[str, str] = {
    "checkins": "user_id",
    "questionnaire_responses": "user_id",  # questionnaire_scores cascade
    "suggestion_actions": "user_id",
    "suggestion_mutes": "user_id",
    "note_keys": "user_id",  # the key of the notes deleted with them (fatigue.note_keys)
    "reminder_preferences": "user_id",  # e-mail reminders: address, schedule
    "reminder_sends": "user_id",  # ... and the days one was sent
}
# Tables with a user_id that are about the account, not the person's answers:
# home team and teams led, and their history; a random cache stamp (renewed by
# the delete); sign-in sessions (the other ones end with a deletion); notices of
# admins' changes to how the account signs in (fatigue.sso).
ACCOUNT_TABLES: frozenset[str] = frozenset(
    {"team_members", "membership_log", "data_versions", "sessions", "sign_in_notices"})


@dataclass(frozen=True)
class Deleted:
    rows: dict[str, int]  # table -> rows deleted


def _username(db: Database, user_id: int) -> str:
    row = db.execute("SELECT username FROM users WHERE id = ?", [user_id]).fetchone()
    if row is None:
        raise ValidationError({"user_id": f"There is no user with id {user_id}."})
    return row[0]


def check_confirmation(username: str, typed: str | None) -> None:
    """ValidationError unless ``typed`` is the username (spaces around it ignored)."""
    if not isinstance(typed, str) or typed.strip() != username:
        raise ValidationError(
            {"confirm": f"Type the username '{username}' exactly to confirm; nothing was deleted."}
        )


def _delete(db: Database, user_id: int, username: str) -> Deleted:
    db.execute("PRAGMA secure_delete = ON")
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    rows: dict[str, int] = {}
    for table, column in PERSONAL_TABLES.items():
        if table in tables:
            rows[table] = db.execute(f"DELETE FROM {table} WHERE {column} = ?", [user_id]).rowcount
    if "login_failures" in tables:
        rows["login_failures"] = db.execute(
            "DELETE FROM login_failures WHERE username = ?", [username]
        ).rowcount
    return Deleted(rows)


def delete_my_data(
    db: Database, user_id: int, confirm: str, *, keep_session: int | None = None
) -> Deleted:
    """Delete every personal row of ``user_id``; the account stays, and so does
    ``keep_session`` (the one asking): every other session of the account ends.

    ``confirm`` must be the person's username, typed. Raises
    :class:`ValidationError` (nothing deleted) otherwise.
    """
    with write_lock(db):
        username = _username(db, user_id)
        check_confirmation(username, confirm)
        deleted = _delete(db, user_id, username)
        sessions.end_all(db, user_id, reason="own_data_deleted", keep=keep_session)
        audit.record(db, user_id, "own_data_deleted", {"user_id": user_id})
    return deleted


def delete_user_data(db: Database, admin_id: int, user_id: int, confirm: str) -> Deleted:
    """An admin deletes a departed person's data and closes the account.

    ``confirm`` must be that person's username. The account is deactivated
    and its display name blanked. An admin cannot do this to their own account
    (they use "Delete my data"). Raises :class:`ValidationError` (nothing
    deleted) or :class:`PermissionError` for a non-admin.
    """
    row = db.execute("SELECT is_admin, active FROM users WHERE id = ?", [admin_id]).fetchone()
    if row is None or not (row[0] and row[1]):
        audit.record(db, admin_id, "delete_user_data_refused", {"user_id": user_id})
        raise PermissionError("Only an active admin can delete another person's data.")
    with write_lock(db):
        if admin_id == user_id:
            raise ValidationError(
                {"user_id": "Use 'Delete my data' on My account for your own data."}
            )
        username = _username(db, user_id)
        check_confirmation(username, confirm)
        deleted = _delete(db, user_id, username)
        db.execute("UPDATE users SET active = 0, display_name = '' WHERE id = ?", [user_id])
        sessions.end_all(db, user_id, reason="user_data_deleted", actor_id=admin_id)
        audit.record(
            db, admin_id, "user_data_deleted", {"user_id": user_id, "username": username}
        )
    return deleted
