"""Accounts, teams and team membership; passwords, login and lockout (single sign-on:
:mod:`fatigue.sso`).

Passwords are hashed with argon2id (:mod:`fatigue.password_cost`) and re-hashed
at the next login when those parameters change. A login answers the same way,
and takes about as long, for an unknown user as for a wrong password, so the
form cannot be used to find out who has an account.

Password rules (:func:`check_password`, used by every place that sets one):
12 to 256 characters, and not a common password. Compared ignoring case, a
password is refused when

1. it is on the list of the 30,000 most common passwords
   (``data/common_passwords.txt``, see its NOTICE);
2. it is a listed password with only digits, spaces or punctuation added
   before or after it ("password1234", "2026!dragon");
3. it is one piece repeated, the piece being a listed password or at most 4
   characters long, alone or with such additions ("passwordpassword",
   "abcabcabcabc", "qwertyqwerty!").

Lockout (:func:`authenticate`, and the current-password check of
:func:`change_password`): failed logins are counted per normalised username
as typed (whether or not the account exists, so a lockout does not reveal who
has an account) *and client address*, and per client address over all names.
The first 4 failures of a name from an address are free; the 5th and every
further one lock that name from that address for 30 seconds, doubling per
failure up to 15 minutes. An address locks the same way after 20 failures
over all names. Above 60 failures a minute on the whole server, addresses
with failures in the last day wait for the next minute. An attempt refused by
a lock is not counted and checks no password; once the lock has passed, the
right password signs in. So someone elsewhere cannot keep the owner locked
out, and the owner's right password works after a cooling-off even from an
address that is under attack. A success clears the name's count from that
address; an admin reset or ``python -m fatigue unlock`` clears it from every
address. Counts whose last failure is over a day old start again. The counts
are in the database, so they hold across sessions and processes.

Logins, failed logins, lockouts and every admin change made here with an
``actor_id`` are written to the audit log (:mod:`fatigue.audit`); a failed
login records the username as typed (truncated), never the password.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from fatigue import audit, note_keys, password_cost, sessions
from fatigue.dates import day_text
from fatigue.db import ROOT, write_lock
from fatigue.errors import AuthError, NotSaved, ValidationError
from fatigue.teamfigures import rules
from fatigue.timestamps import iso, parse_iso, utc
from fatigue.validation import has_surrogates, text_problem

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 256
USERNAME_RE = re.compile(r"^[a-z0-9._-]{3,40}$")
LOGIN_FAILED = "Username or password is not right."
DEFAULT_CASELOAD_STANDARD = 15
COMMON_PASSWORDS_FILE = ROOT / "data" / "common_passwords.txt"
TOO_COMMON = (
    "This password is too common (on a list of common passwords, or one of them with only "
    "digits or symbols added, or repeated). A few unrelated words work well."
)
SHORT_PIECE_CHARS = 4

FREE_FAILURES = 5  # per username and client address
ADDRESS_FREE_FAILURES = 20  # per client address, over all usernames
GLOBAL_FAILURES_PER_MINUTE = 60  # on the whole server
FIRST_LOCK_SECONDS = 30
MAX_LOCK_SECONDS = 15 * 60
FORGET_FAILURES_AFTER = dt.timedelta(days=1)
MAX_THROTTLE_KEY_CHARS = 80
MAX_ADDRESS_CHARS = 64
TOO_MANY_FOR_NAME = "Too many failed logins for this username."
TOO_MANY_FROM_ADDRESS = "Too many failed logins from your network address."
TOO_MANY_ON_SERVER = "Too many failed logins on this server in the last minute."
WRONG_CURRENT = "Your current password is not right."
AUDIT_USERNAME_CHARS = 40

log = logging.getLogger("fatigue")
_hasher = PasswordHasher(*password_cost.COST)
# Verified against when the username is unknown, so both failures cost the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")
# Each password check holds argon2id's memory cost (19 MiB) while it runs: a burst of
# sign-ins (everyone at 17:00) would hold that much each. More checks at once than this
# per app process only queue for the same cores, so the rest wait their turn.
PASSWORD_CHECKS_AT_ONCE = 2
_checking = threading.BoundedSemaphore(PASSWORD_CHECKS_AT_ONCE)


def _verify(stored: str, password: str) -> None:
    """``_hasher.verify``, at most :data:`PASSWORD_CHECKS_AT_ONCE` at a time."""
    with _checking:
        _hasher.verify(stored, password)


@dataclass(frozen=True)
class User:
    """A signed-in person and what they may see."""

    id: int
    username: str
    display_name: str
    is_admin: bool
    home_team_id: int | None
    lead_team_ids: tuple[int, ...] = field(default_factory=tuple)
    must_change_password: bool = False

    @property
    def is_lead(self) -> bool:
        return bool(self.lead_team_ids)

    @property
    def name(self) -> str:
        return self.display_name or self.username


class LockedOut(AuthError):
    """Too many failed logins for this username; ``until`` is when to try again."""

    def __init__(self, message: str, until: dt.datetime):
        super().__init__(message)
        self.until = until


# --- passwords -------------------------------------------------------------

@functools.cache
def common_passwords() -> frozenset[str]:
    """The common-password list (lower-case), read once from ``data/``."""
    with open(COMMON_PASSWORDS_FILE, encoding="utf-8") as handle:
        return frozenset(
            line.strip() for line in handle if line.strip() and not line.startswith("#")
        )


def _repeated_piece(text: str) -> str | None:
    """The shortest piece of which ``text`` is two or more copies, or None."""
    period = (text + text).find(text, 1)
    return text[:period] if 0 < period < len(text) else None


def is_common_password(password: str) -> bool:
    """Whether ``password`` is common or a trivial stretching of one (rules in the module doc)."""
    common = common_passwords()
    text = password.casefold()

    def repeats_a_weak_piece(candidate: str) -> bool:
        piece = _repeated_piece(candidate)
        return piece is not None and (len(piece) <= SHORT_PIECE_CHARS or piece in common)

    if text in common or repeats_a_weak_piece(text):
        return True
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    # Candidates: the password less padding (no letters) at either end.
    starts = range(letters[0] + 1) if letters else range(len(text))
    for i in starts:
        first_end = letters[-1] + 1 if letters else i + 1
        for j in range(max(first_end, i + 1), len(text) + 1):
            core = text[i:j]
            if core in common or (letters and repeats_a_weak_piece(core)):
                return True
    return False


def check_password(password: str) -> None:
    """Raise :class:`ValidationError` if ``password`` is too weak to store."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise ValidationError(
            {"password": f"Password must be at least {MIN_PASSWORD_CHARS} characters."}
        )
    if not password.strip():
        raise ValidationError({"password": "Password cannot be only spaces."})
    if has_surrogates(password):
        raise ValidationError({"password": "Password contains characters that are not valid text."})
    if text_problem(password):  # NUL, tabs, escapes: nothing a login form can type back
        raise ValidationError({"password": "Password cannot contain control characters "
                                           "(such as NUL, tab or escape)."})
    if len(password) > MAX_PASSWORD_CHARS:
        raise ValidationError(
            {"password": f"Password must be at most {MAX_PASSWORD_CHARS} characters."}
        )
    if is_common_password(password):
        raise ValidationError({"password": TOO_COMMON})


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (after :func:`check_password`)."""
    check_password(password)
    return _hasher.hash(password)


# --- teams -----------------------------------------------------------------

def normalize_username(username: str) -> str:
    """Usernames are stored lower-case and trimmed."""
    return username.strip().lower() if isinstance(username, str) else ""


def create_team(
    db: Database,
    name: str,
    *,
    caseload_standard: int = DEFAULT_CASELOAD_STANDARD,
    actor_id: int | None = None,
) -> int:
    """Create a team; return its id. Names are unique, ignoring case.

    With ``actor_id`` (an admin) the creation is written to the audit log.
    """
    name = name.strip() if isinstance(name, str) else ""
    if not 1 <= len(name) <= 80:
        raise ValidationError({"name": "Team name must be 1 to 80 characters."})
    if any(not ch.isprintable() for ch in name):
        raise ValidationError({"name": "Team name cannot contain control characters."})
    if name.casefold() in {group.casefold() for group in rules.GROUP_NAMES}:
        raise ValidationError({"name": f"'{name}' is what the organisation figures call a group "
                                       "that is not a team: choose another name."})
    if (isinstance(caseload_standard, bool) or not isinstance(caseload_standard, int)
            or not 1 <= caseload_standard <= 200):
        raise ValidationError(
            {"caseload_standard": "Caseload standard must be a whole number from 1 to 200."}
        )
    with write_lock(db):
        if team_id(db, name) is not None:
            raise ValidationError({"name": f"A team called '{name}' exists already."})
        new_id = db["teams"].insert(
            {"name": name, "caseload_standard": caseload_standard}
        ).last_pk
        if actor_id is not None:
            audit.record(db, actor_id, "team_created",
                         {"team_id": new_id, "team": name, "caseload_standard": caseload_standard})
        return new_id


def set_caseload_standard(
    db: Database, team: str | int, caseload_standard: int, *, actor_id: int | None = None
) -> None:
    """Change a team's caseload standard (used by the workload index and team reports).

    With ``actor_id`` the change (old and new value) is written to the audit log.
    """
    if (isinstance(caseload_standard, bool) or not isinstance(caseload_standard, int)
            or not 1 <= caseload_standard <= 200):
        raise ValidationError(
            {"caseload_standard": "Caseload standard must be a whole number from 1 to 200."}
        )
    found = _require_team(db, team)
    with write_lock(db):
        name, before = db.execute(
            "SELECT name, caseload_standard FROM teams WHERE id = ?", [found]
        ).fetchone()
        db.execute("UPDATE teams SET caseload_standard = ? WHERE id = ?", [caseload_standard, found])
        if actor_id is not None:
            audit.record(db, actor_id, "caseload_standard_changed",
                         {"team_id": found, "team": name, "from": before, "to": caseload_standard})


def team_id(db: Database, name_or_id: str | int) -> int | None:
    """The id of a team given its id or its name (any case), or None."""
    if (isinstance(name_or_id, bool) or not isinstance(name_or_id, (int, str))
            or (isinstance(name_or_id, int) and not 0 < name_or_id < 2**63)
            or (isinstance(name_or_id, str) and has_surrogates(name_or_id))):
        return None  # NaN, None, lists, huge ids, untypeable text: no such team
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
    must_change_password: bool = False,
    actor_id: int | None = None,
) -> int:
    """Create an account with a home ``team`` and the teams it leads; return its id.

    ``password_hash`` lets the demo reuse one hash for many demo accounts.
    ``must_change_password``: the person must choose a new password at their
    next login (the admin page sets it, because the admin knows the first
    one); the default is False, so scripts and tests say so explicitly.
    With ``actor_id`` the creation is written to the audit log.
    """
    username = normalize_username(username)
    if not USERNAME_RE.match(username):
        raise ValidationError(
            {
                "username": "Username must be 3 to 40 characters: lower-case letters, "
                "digits, dots, dashes or underscores."
            }
        )
    problem = (display_name is not None and not isinstance(display_name, str)) or text_problem(
        display_name or "", shown_to_others=True)
    if problem:
        raise ValidationError({"display_name": "Display name must be one line of text, without "
                                               "control, invisible or text-direction characters."})
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
                "must_change_password": int(bool(must_change_password)),
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
        if actor_id is not None:
            audit.record(db, actor_id, "account_created", {
                "user_id": user_id, "username": username, "is_admin": bool(is_admin),
                "home_team": _team_name(db, home), "leads": sorted(_team_name(db, t) for t in leads),
                "must_change_password": bool(must_change_password)})
    return user_id


def _team_name(db: Database, team_id: int | None) -> str | None:
    if team_id is None:
        return None
    row = db.execute("SELECT name FROM teams WHERE id = ?", [team_id]).fetchone()
    return None if row is None else row[0]


def _username(db: Database, user_id: int) -> str:
    row = db.execute("SELECT username FROM users WHERE id = ?", [user_id]).fetchone()
    if row is None:
        raise ValidationError({"user": "There is no such account."})
    return row[0]


def get_user(db: Database, user_id: int) -> User | None:
    """The active user with ``user_id`` and their roles, or None."""
    row = db.execute(
        "SELECT id, username, display_name, is_admin, must_change_password FROM users"
        " WHERE id = ? AND active = 1",
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
        must_change_password=bool(row[4]),
    )


# --- failed logins and lockout ------------------------------------------------------

def throttle_key(username: str) -> str:
    """The name failed logins are counted under: the normalised name, truncated."""
    return normalize_username(username)[:MAX_THROTTLE_KEY_CHARS]


def client_address(address: str | None) -> str:
    """A client address as counted ('' when unknown), truncated."""
    return address.strip()[:MAX_ADDRESS_CHARS] if isinstance(address, str) else ""


def lock_seconds(failures: int, free: int = FREE_FAILURES) -> int:
    """How long a key is locked after its ``failures``-th failure in a row (0: not),
    when the first ``free`` - 1 failures are free."""
    if failures < free:
        return 0
    return min(FIRST_LOCK_SECONDS * 2 ** min(failures - free, 30), MAX_LOCK_SECONDS)


def _wait_words(seconds: float) -> str:
    if seconds <= 90:
        whole = max(1, math.ceil(seconds))
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"


def locked_message(until: dt.datetime, now: dt.datetime | None = None, *,
                   reason: str = TOO_MANY_FOR_NAME) -> str:
    """The message for a lock: why, and when to try again."""
    wait = (until - utc(now)).total_seconds()
    return f"{reason} Try again in {_wait_words(wait)} (after {until:%H:%M:%S} UTC)."


def _keys(username: str, address: str) -> list[tuple[str, str, str, int, str]]:
    """The counters a failure from ``address`` for ``username`` adds to:
    (kind, username, address, free failures, reason shown when locked)."""
    keys = [("name", throttle_key(username), address, FREE_FAILURES, TOO_MANY_FOR_NAME)]
    if address:
        keys.append(("address", "", address, ADDRESS_FREE_FAILURES, TOO_MANY_FROM_ADDRESS))
    return keys


def _minute(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def lock_in_force(
    db: Database, username: str, address: str = "", *, now: dt.datetime | None = None
) -> LockedOut | None:
    """Why an attempt for ``username`` from ``address`` is refused now, or None.

    A lock holds for the username from that address, or for the address;
    over the server-wide ceiling of failures per minute, an address with
    failures in the last day must also wait for the next minute. Nothing
    here depends on whether the account exists.
    """
    now, address = utc(now), client_address(address)
    locks: list[tuple[dt.datetime, str]] = []
    for kind, name, addr, _, reason in _keys(username, address):
        row = db.execute(
            "SELECT locked_until FROM login_failures WHERE kind = ? AND username = ? AND address = ?",
            [kind, name, addr],
        ).fetchone()
        if row and row[0] and parse_iso(row[0]) > now:
            locks.append((parse_iso(row[0]), reason))
    if address:
        row = db.execute("SELECT failures FROM login_failure_minutes WHERE minute = ?",
                         [_minute(now)]).fetchone()
        failed_here = db.execute("SELECT 1 FROM login_failures WHERE address = ? LIMIT 1",
                                 [address]).fetchone()
        if row and row[0] >= GLOBAL_FAILURES_PER_MINUTE and failed_here:
            locks.append((now.replace(second=0) + dt.timedelta(minutes=1), TOO_MANY_ON_SERVER))
    if not locks:
        return None
    until, reason = max(locks)
    return LockedOut(locked_message(until, now, reason=reason), until)


def _record_failure(
    db: Database, username: str, address: str, now: dt.datetime, *,
    actor_id: int | None = None, action: str = "login_failed",
) -> dt.datetime | None:
    """Count a failure for ``username`` from ``address``; return the end of the
    longest lock it starts, if any. Audited as ``action``."""
    locks: list[tuple[dt.datetime, str]] = []
    with write_lock(db):
        db.execute("DELETE FROM login_failures WHERE last_failure_at < ?",
                   [iso(now - FORGET_FAILURES_AFTER)])
        db.execute("DELETE FROM login_failure_minutes WHERE minute < ?",
                   [_minute(now - dt.timedelta(hours=1))])
        for kind, name, addr, free, _ in _keys(username, address):
            row = db.execute(
                "SELECT failures FROM login_failures WHERE kind = ? AND username = ? AND address = ?",
                [kind, name, addr]).fetchone()
            failures = (row[0] if row else 0) + 1
            seconds = lock_seconds(failures, free)
            until = now + dt.timedelta(seconds=seconds) if seconds else None
            db.execute(
                "INSERT INTO login_failures (kind, username, address, failures, last_failure_at,"
                " locked_until) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, username, address)"
                " DO UPDATE SET failures = excluded.failures,"
                " last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until",
                [kind, name, addr, failures, iso(now), None if until is None else iso(until)],
            )
            if until is not None:
                locks.append((until, kind))
                audit.record(db, actor_id, "login_locked", {
                    "lock": kind, **_audit_name(db, name), "address": addr,
                    "failures": failures, "until": iso(until)})
        db.execute(
            "INSERT INTO login_failure_minutes (minute, failures) VALUES (?, 1)"
            " ON CONFLICT (minute) DO UPDATE SET failures = failures + 1", [_minute(now)])
        audit.record(db, actor_id, action, {**_audit_name(db, username), "address": address})
    return max(locks)[0] if locks else None


def _audit_name(db: Database, typed: str | None) -> dict[str, Any]:
    """How a failed login names its username in the audit log: the account's name
    when there is such an account, else only that there is none. What was typed
    into the username box is never stored otherwise (it may be a password)."""
    name = normalize_username(typed or "")
    if name and db.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchone():
        return {"username": name[:AUDIT_USERNAME_CHARS]}
    return {"username": None, "no_such_account": True}


def clear_failures(db: Database, username: str, address: str | None = None) -> None:
    """Forget the failed logins of ``username``: from ``address`` (after a success
    there), or from every address (an admin reset, ``fatigue unlock``)."""
    sql = "DELETE FROM login_failures WHERE kind = 'name' AND username = ?"
    params = [throttle_key(username)]
    if address is not None:
        sql += " AND address = ?"
        params.append(client_address(address))
    db.execute(sql, params)


def unlock(db: Database, *, username: str | None = None, address: str | None = None) -> int:
    """Lift the locks on ``username`` (from every address) or on ``address``; for the
    operator (``python -m fatigue unlock``). Returns how many counters were removed."""
    if (username is None) == (address is None):
        raise ValidationError({"unlock": "Give a username or an address to unlock."})
    with write_lock(db):
        if username is not None:
            key = throttle_key(username)
            if not key:
                raise ValidationError({"username": "Give the username to unlock."})
            removed = db.execute("DELETE FROM login_failures WHERE kind = 'name' AND username = ?",
                                 [key]).rowcount
            detail = {"username": key[:AUDIT_USERNAME_CHARS]}
        else:
            addr = client_address(address)
            if not addr:
                raise ValidationError({"address": "Give the address to unlock."})
            removed = db.execute("DELETE FROM login_failures WHERE address = ?", [addr]).rowcount
            detail = {"address": addr}
        audit.record(db, None, "unlocked", {**detail, "counters": removed})
    return removed


def _typed(text: object) -> str:
    """Typed text as usable by the checks ('' for non-text or broken text)."""
    return text if isinstance(text, str) and not has_surrogates(text) else ""


def authenticate(
    db: Database, username: str, password: str, *, address: str | None = None,
    now: dt.datetime | None = None,
) -> User:
    """The user whose credentials these are; :class:`AuthError` otherwise.

    ``address``: the client's network address, for the per-address counts
    (None: unknown; then only the username is counted). An unknown user, an
    inactive one and a wrong password all raise the same message after the
    same amount of hashing work. A lock in force (see the module doc) raises
    :class:`LockedOut` before any password is checked, whether or not the
    account exists, and the refused attempt is not counted: once the lock
    has passed, the right password signs in.
    """
    now, typed, address = utc(now), _typed(username), client_address(address)
    refused = lock_in_force(db, typed, address, now=now)
    if refused is not None:
        try:
            audit.record(db, None, "login_failed", {**_audit_name(db, typed),
                                                    "address": address, "reason": "locked"})
        except NotSaved:  # a full disk: still refused (the log says what was not recorded)
            pass
        raise refused
    row = db.execute(
        "SELECT id, password_hash FROM users WHERE username = ? AND active = 1",
        [normalize_username(typed)],
    ).fetchone()
    stored = row[1] if row else _DUMMY_HASH
    try:
        _verify(stored, _typed(password))
        if row is None:
            raise VerificationError
    except (VerificationError, InvalidHashError):
        try:
            until = _record_failure(db, typed, address, now)
        except NotSaved:  # a full disk: the failure is not counted (the log says why)
            until = None
        if until is not None:
            lock = lock_in_force(db, typed, address, now=now)
            raise LockedOut(f"{LOGIN_FAILED} {lock}", lock.until) from None
        raise AuthError(LOGIN_FAILED) from None
    try:  # a full disk must not refuse the right password: the log says what was not recorded
        with write_lock(db):
            if _hasher.check_needs_rehash(stored):
                db.execute(
                    "UPDATE users SET password_hash = ? WHERE id = ?", [_hasher.hash(password), row[0]]
                )
            clear_failures(db, typed, address)
            audit.record(db, row[0], "login", {"method": "password"})
    except NotSaved:
        log.warning("The login of user %s was let through without being recorded.", row[0])
    user = get_user(db, row[0])
    assert user is not None
    return user


def set_password(
    db: Database, user_id: int, password: str, *, must_change: bool = False,
    keep_session: int | None = None, reason: str = "password_set",
    current: str | None = None, token: str | None = None,
) -> None:
    """Replace the password of ``user_id``; ``must_change``: ask for a new one at next login.

    Every session of the account ends, except ``keep_session`` (the one
    making the change, whose browser holds ``token``); ``reason`` says why in
    the audit log. The private-notes key is wrapped under the new password in
    the same transaction (from ``current``, the old password, or the key open
    in the session; :func:`fatigue.note_keys.password_set`).
    """
    hashed = hash_password(password)
    with write_lock(db):
        db.execute(
            "UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?",
            [hashed, int(bool(must_change)), user_id],
        )
        sessions.end_all(db, user_id, reason=reason, keep=keep_session)
        if not must_change:
            note_keys.password_set(db, user_id, password, current=current,
                                   session_id=keep_session, token=token)


def reset_password(db: Database, user_id: int, password: str, *, actor_id: int) -> None:
    """An admin sets a new password for ``user_id``: it must be changed at the next
    login, every open session of the account ends (so none can choose the new
    password), the name's failed logins are cleared, and the reset is audited.

    The admin's password cannot open the person's private notes: they stay
    locked until the person enters their recovery code
    (:func:`fatigue.note_keys.password_reset`). The person finds a notice
    saying what happened, when and what to do at their next sign-in."""
    check_password(password)
    with write_lock(db):
        username = _username(db, user_id)
        set_password(db, user_id, password, must_change=True, reason="password_reset")
        locked = note_keys.password_reset(db, user_id)
        clear_failures(db, username)
        audit.record(db, actor_id, "password_reset", {"user_id": user_id, "username": username})
        db["sign_in_notices"].insert({"user_id": user_id, "message": reset_notice(
            _username(db, actor_id) if actor_id != user_id else username, locked)})


def reset_notice(admin: str, notes_locked: bool, day: dt.date | None = None) -> str:
    """What the person reads at their next sign-in after an admin reset their password."""
    text = f"On {day_text(day or utc(None).date())} the admin '{admin}' reset your password."
    if notes_locked:
        text += (" Your private notes are locked: the admin's password cannot open them. Enter "
                 "your recovery code under 'Private notes' on My account to open them again; "
                 "without it nobody can read them, and you can choose there to start afresh.")
    return text + (" If you did not ask for this, tell your agency's data protection contact "
                   "and change your password.")


def change_password(
    db: Database, user_id: int, current: str, new: str, *, address: str | None = None,
    keep_session: int | None = None, now: dt.datetime | None = None, token: str | None = None,
) -> None:
    """Replace one's own password after checking the current one.

    The check of the current password is throttled and audited like a login
    (under the account's username and ``address``): a wrong one raises
    :class:`AuthError` (:class:`LockedOut` when locked), a weak new one
    :class:`ValidationError`; nothing changes then. A change clears a
    pending "must change", ends every other session of the account (all but
    ``keep_session``, whose browser holds ``token``) and writes
    ``password_changed`` to the audit log; the notes key is re-wrapped.
    """
    now, address = utc(now), client_address(address)
    row = db.execute("SELECT password_hash, username FROM users WHERE id = ? AND active = 1",
                     [user_id]).fetchone()
    username = row[1] if row else ""
    refused = lock_in_force(db, username, address, now=now) if row else None
    if refused is not None:
        audit.record(db, user_id, "password_check_failed", {"address": address, "reason": "locked"})
        raise refused
    try:
        _verify(row[0] if row else _DUMMY_HASH, _typed(current))
        if row is None:
            raise VerificationError
    except (VerificationError, InvalidHashError):
        if row is not None and _record_failure(db, username, address, now, actor_id=user_id,
                                               action="password_check_failed") is not None:
            lock = lock_in_force(db, username, address, now=now)
            raise LockedOut(f"{WRONG_CURRENT} {lock}", lock.until) from None
        raise AuthError(WRONG_CURRENT) from None
    if new == current:
        raise ValidationError({"password": "The new password must differ from the current one."})
    with write_lock(db):
        set_password(db, user_id, new, keep_session=keep_session, reason="password_changed",
                     current=current, token=token)
        clear_failures(db, username, address)
        audit.record(db, user_id, "password_changed", {})


def complete_forced_change(
    db: Database, user_id: int, new: str, *, keep_session: int | None = None,
    token: str | None = None,
) -> None:
    """Choose a new password right after logging in with one an admin set.

    Only while the account must change its password (the person has just
    proved they know the current one by logging in: an admin reset ended
    every session opened before it). The new password must differ from the
    admin's; :class:`ValidationError` otherwise. Every other session ends.
    """
    row = db.execute(
        "SELECT password_hash, must_change_password FROM users WHERE id = ? AND active = 1",
        [user_id],
    ).fetchone()
    if row is None or not row[1]:
        raise ValidationError({"password": "This account does not need a new password now."})
    check_password(new)
    try:
        _verify(row[0], new)
    except (VerificationError, InvalidHashError):
        pass
    else:
        raise ValidationError(
            {"password": "Choose a password different from the one the admin set."})
    with write_lock(db):
        set_password(db, user_id, new, keep_session=keep_session, reason="password_changed",
                     token=token)
        audit.record(db, user_id, "password_changed", {"forced": True})


def set_active(db: Database, user_id: int, active: bool, *, actor_id: int | None = None) -> None:
    """Deactivate (or reactivate) an account; its data stays. Deactivating ends
    every session of the account at once.

    With ``actor_id`` the change is written to the audit log.
    """
    with write_lock(db):
        username = _username(db, user_id)
        db.execute("UPDATE users SET active = ? WHERE id = ?", [int(bool(active)), user_id])
        if not active:
            sessions.end_all(db, user_id, reason="account_deactivated", actor_id=actor_id)
        if actor_id is not None:
            audit.record(db, actor_id, "account_reactivated" if active else "account_deactivated",
                         {"user_id": user_id, "username": username})


def set_leads(
    db: Database, user_id: int, teams: Iterable[str | int], *, actor_id: int | None = None
) -> None:
    """Make ``user_id`` the lead of exactly ``teams`` (empty: of none); the home team stays."""
    wanted = {_require_team(db, t) for t in teams}
    with write_lock(db):
        username = _username(db, user_id)
        rows = db.execute(
            "SELECT team_id, home FROM team_members WHERE user_id = ?", [user_id]
        ).fetchall()
        homes = {tid for tid, home in rows if home}
        for tid, home in rows:
            if tid not in wanted:
                if home:
                    db.execute("UPDATE team_members SET lead = 0 WHERE user_id = ? AND team_id = ?",
                               [user_id, tid])
                else:
                    db.execute("DELETE FROM team_members WHERE user_id = ? AND team_id = ?",
                               [user_id, tid])
        for tid in wanted:
            db.execute(
                "INSERT INTO team_members (user_id, team_id, home, lead) VALUES (?, ?, ?, 1)"
                " ON CONFLICT (user_id, team_id) DO UPDATE SET lead = 1",
                [user_id, tid, int(tid in homes)],
            )
        if actor_id is not None:
            audit.record(db, actor_id, "leads_changed", {
                "user_id": user_id, "username": username,
                "teams": sorted(_team_name(db, t) for t in wanted)})


def lead_teams(db: Database, user_id: int) -> list[str]:
    """Names of the teams ``user_id`` leads, by name."""
    return [row[0] for row in db.execute(
        "SELECT t.name FROM team_members m JOIN teams t ON t.id = m.team_id"
        " WHERE m.user_id = ? AND m.lead = 1 ORDER BY t.name", [user_id]).fetchall()]


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
                   u.is_admin, u.active, u.must_change_password, u.sso_email
            FROM users u ORDER BY u.username
            """
        )
    )
