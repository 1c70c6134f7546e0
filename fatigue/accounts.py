"""Accounts, teams and team membership; password hashing and login.

Passwords are hashed with argon2id (argon2-cffi's defaults). A login answers
the same way, and takes about as long, for an unknown user as for a wrong
password, so the form cannot be used to find out who has an account.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from fatigue.db import write_lock
from fatigue.errors import AuthError, ValidationError

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 256
USERNAME_RE = re.compile(r"^[a-z0-9._-]{3,40}$")
LOGIN_FAILED = "Username or password is not right."
DEFAULT_CASELOAD_STANDARD = 15

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures cost the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")


@dataclass(frozen=True)
class User:
    """A signed-in person and what they may see."""

    id: int
    username: str
    display_name: str
    is_admin: bool
    home_team_id: int | None
    lead_team_ids: tuple[int, ...] = field(default_factory=tuple)

    @property
    def is_lead(self) -> bool:
        return bool(self.lead_team_ids)

    @property
    def name(self) -> str:
        return self.display_name or self.username


# --- passwords -------------------------------------------------------------

def check_password(password: str) -> None:
    """Raise :class:`ValidationError` if ``password`` is too weak to store."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise ValidationError(
            {"password": f"Password must be at least {MIN_PASSWORD_CHARS} characters."}
        )
    if not password.strip():
        raise ValidationError({"password": "Password cannot be only spaces."})
    if len(password) > MAX_PASSWORD_CHARS:
        raise ValidationError(
            {"password": f"Password must be at most {MAX_PASSWORD_CHARS} characters."}
        )


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (after :func:`check_password`)."""
    check_password(password)
    return _hasher.hash(password)


# --- teams -----------------------------------------------------------------

def normalize_username(username: str) -> str:
    """Usernames are stored lower-case and trimmed."""
    return (username or "").strip().lower()


def create_team(
    db: Database, name: str, *, caseload_standard: int = DEFAULT_CASELOAD_STANDARD
) -> int:
    """Create a team; return its id. Names are unique, ignoring case."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 80:
        raise ValidationError({"name": "Team name must be 1 to 80 characters."})
    if any(not ch.isprintable() for ch in name):
        raise ValidationError({"name": "Team name cannot contain control characters."})
    if not isinstance(caseload_standard, int) or not 1 <= caseload_standard <= 200:
        raise ValidationError(
            {"caseload_standard": "Caseload standard must be a whole number from 1 to 200."}
        )
    with write_lock(db):
        if team_id(db, name) is not None:
            raise ValidationError({"name": f"A team called '{name}' exists already."})
        return db["teams"].insert(
            {"name": name, "caseload_standard": caseload_standard}
        ).last_pk


def set_caseload_standard(db: Database, team: str | int, caseload_standard: int) -> None:
    """Change a team's caseload standard (used by the workload index and team reports)."""
    if (isinstance(caseload_standard, bool) or not isinstance(caseload_standard, int)
            or not 1 <= caseload_standard <= 200):
        raise ValidationError(
            {"caseload_standard": "Caseload standard must be a whole number from 1 to 200."}
        )
    found = _require_team(db, team)
    db.execute("UPDATE teams SET caseload_standard = ? WHERE id = ?", [caseload_standard, found])


def team_id(db: Database, name_or_id: str | int) -> int | None:
    """The id of a team given its id or its name (any case), or None."""
    if isinstance(name_or_id, int):
        row = db.execute("SELECT id FROM teams WHERE id = ?", [name_or_id]).fetchone()
    else:
        row = db.execute(
            "SELECT id FROM teams WHERE name = ? COLLATE NOCASE", [name_or_id.strip()]
        ).fetchone()
    return None if row is None else int(row[0])


def list_teams(db: Database) -> list[dict[str, Any]]:
    """Every team with its caseload standard and number of home members."""
    return list(
        db.query(
            """
            SELECT t.id, t.name, t.caseload_standard,
                   (SELECT count(*) FROM team_members m JOIN users u ON u.id = m.user_id
                    WHERE m.team_id = t.id AND m.home = 1 AND u.active = 1) AS members
            FROM teams t ORDER BY t.name
            """
        )
    )


# --- users -----------------------------------------------------------------

def _require_team(db: Database, team: str | int) -> int:
    found = team_id(db, team)
    if found is None:
        raise ValidationError({"team": f"There is no team called '{team}'."})
    return found


def create_user(
    db: Database,
    username: str,
    password: str,
    *,
    team: str | int | None = None,
    lead_of: tuple[str | int, ...] | list[str | int] = (),
    is_admin: bool = False,
    display_name: str = "",
    password_hash: str | None = None,
) -> int:
    """Create an account with a home ``team`` and the teams it leads; return its id.

    ``password_hash`` lets the demo reuse one hash for many demo accounts.
    """
    username = normalize_username(username)
    if not USERNAME_RE.match(username):
        raise ValidationError(
            {
                "username": "Username must be 3 to 40 characters: lower-case letters, "
                "digits, dots, dashes or underscores."
            }
        )
    display_name = (display_name or "").strip()
    if len(display_name) > 80:
        raise ValidationError({"display_name": "Display name must be at most 80 characters."})
    hashed = password_hash or hash_password(password)
    with write_lock(db):
        if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise ValidationError({"username": f"The username '{username}' is taken."})
        home = _require_team(db, team) if team is not None else None
        leads = {_require_team(db, t) for t in lead_of}
        user_id = db["users"].insert(
            {
                "username": username,
                "display_name": display_name,
                "password_hash": hashed,
                "is_admin": int(bool(is_admin)),
            }
        ).last_pk
        for tid in sorted({home, *leads} - {None}):
            db["team_members"].insert(
                {
                    "user_id": user_id,
                    "team_id": tid,
                    "home": int(tid == home),
                    "lead": int(tid in leads),
                }
            )
    return user_id


def get_user(db: Database, user_id: int) -> User | None:
    """The active user with ``user_id`` and their roles, or None."""
    row = db.execute(
        "SELECT id, username, display_name, is_admin FROM users WHERE id = ? AND active = 1",
        [user_id],
    ).fetchone()
    if row is None:
        return None
    memberships = db.execute(
        "SELECT team_id, home, lead FROM team_members WHERE user_id = ? ORDER BY team_id",
        [user_id],
    ).fetchall()
    home = next((tid for tid, is_home, _ in memberships if is_home), None)
    leads = tuple(tid for tid, _, is_lead in memberships if is_lead)
    return User(
        id=row[0],
        username=row[1],
        display_name=row[2],
        is_admin=bool(row[3]),
        home_team_id=home,
        lead_team_ids=leads,
    )


def authenticate(db: Database, username: str, password: str) -> User:
    """The user whose credentials these are; :class:`AuthError` otherwise.

    An unknown user, an inactive one and a wrong password all raise the same
    message after the same amount of hashing work.
    """
    row = db.execute(
        "SELECT id, password_hash FROM users WHERE username = ? AND active = 1",
        [normalize_username(username)],
    ).fetchone()
    stored = row[1] if row else _DUMMY_HASH
    try:
        _hasher.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        raise AuthError(LOGIN_FAILED) from None
    if row is None:
        raise AuthError(LOGIN_FAILED)
    if _hasher.check_needs_rehash(stored):
        db.execute(
            "UPDATE users SET password_hash = ? WHERE id = ?", [_hasher.hash(password), row[0]]
        )
    user = get_user(db, row[0])
    assert user is not None
    return user


def set_password(db: Database, user_id: int, password: str) -> None:
    """Replace the password of ``user_id``."""
    hashed = hash_password(password)
    db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [hashed, user_id])


def change_password(db: Database, user_id: int, current: str, new: str) -> None:
    """Replace one's own password after checking the current one.

    Raises :class:`AuthError` for a wrong current password and
    :class:`ValidationError` for a weak new one; nothing changes then.
    """
    row = db.execute("SELECT password_hash FROM users WHERE id = ? AND active = 1",
                     [user_id]).fetchone()
    try:
        _hasher.verify(row[0] if row else _DUMMY_HASH, current or "")
    except (VerificationError, InvalidHashError):
        raise AuthError("Your current password is not right.") from None
    if row is None:
        raise AuthError("Your current password is not right.")
    if new == current:
        raise ValidationError({"password": "The new password must differ from the current one."})
    set_password(db, user_id, new)


def set_active(db: Database, user_id: int, active: bool) -> None:
    """Deactivate (or reactivate) an account; its data stays."""
    db.execute("UPDATE users SET active = ? WHERE id = ?", [int(bool(active)), user_id])


def caseload_standard(db: Database, user_id: int) -> int:
    """The caseload standard of the person's home team (15 without a home team)."""
    row = db.execute(
        """
        SELECT t.caseload_standard FROM team_members m JOIN teams t ON t.id = m.team_id
        WHERE m.user_id = ? AND m.home = 1
        """,
        [user_id],
    ).fetchone()
    return int(row[0]) if row else DEFAULT_CASELOAD_STANDARD


def has_users(db: Database) -> bool:
    """False on a fresh database (the app then shows its first-run screen)."""
    return db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None


def list_users(db: Database) -> list[dict[str, Any]]:
    """Accounts for the admin page: names, home team, teams led, roles; no scores."""
    return list(
        db.query(
            """
            SELECT u.id, u.username, u.display_name,
                   (SELECT t.name FROM team_members m JOIN teams t ON t.id = m.team_id
                    WHERE m.user_id = u.id AND m.home = 1) AS home_team,
                   (SELECT group_concat(t.name, ', ') FROM team_members m
                    JOIN teams t ON t.id = m.team_id
                    WHERE m.user_id = u.id AND m.lead = 1) AS leads,
                   u.is_admin, u.active
            FROM users u ORDER BY u.username
            """
        )
    )
