"""Server-side sign-in sessions: a random token in the browser, only its hash here.

Signing in (the ``/signin`` route, :mod:`fatigue.web.signin`) makes a new
session and hands the browser its token in the ``fatigue_session`` cookie
(HttpOnly, SameSite=Strict, Secure over HTTPS, path ``/``). The ``sessions``
table keeps the SHA-256 of the token, never the token, with the account, the
sign-in method, a device label ("Firefox on Windows"), and when the session
was created, last used and ends. Every request that needs a signed-in person
(each script run, each download, each upload) calls :func:`resolve`, which
enforces the limits below on the server, ends a session that has run out, and
otherwise records the request as activity.

Two kinds of session:

* **Kept** ("keep me signed in on this device"): lasts ``remember_days``
  (:mod:`fatigue.settings`, default 30) from sign-in, used or not; the cookie
  carries the same expiry. No idle limit: this is the person's own device.
* **Browser session only** (the default): the cookie has no expiry, so the
  browser forgets it when it closes; the server ends the session after
  ``session_idle_minutes`` without a request (default 30) and at the latest
  :data:`BROWSER_SESSION_HOURS` after sign-in.

Signing out deletes the session's row, so its token stops working
everywhere at once. Password changes and resets, deactivation and data
deletion end a person's other sessions the same way, through :func:`end_all`
(called by the core functions that make those changes). A session that runs
out is marked ``ended`` ("idle" or "expired") instead, and kept for a day
after its end, so that the page, a reload and a download all say the same
thing about why the person was signed out. Endings are written to the audit
log; starting one is audited as ``login`` by :mod:`fatigue.accounts`.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlite_utils import Database

from fatigue import audit, settings
from fatigue.db import write_lock
from fatigue.errors import NotSaved
from fatigue.timestamps import iso, parse_iso, utc

COOKIE = "fatigue_session"
TOKEN_BYTES = 32  # 256 random bits, URL-safe base64 in the cookie
BROWSER_SESSION_HOURS = 12
MAX_DEVICE_CHARS = 80
KEEP_ENDED = dt.timedelta(days=1)  # how long a run-out session still says why
# Activity is stored at most this often: every script run would otherwise be a write
# transaction, and a visit's runs queued for the one writer. The idle limit is checked
# against what is stored, so a sign-out for being idle comes at most this much early.
ACTIVITY_STEP = dt.timedelta(seconds=30)
METHODS = ("password", "sso")
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


@dataclass(frozen=True)
class Session:
    """One signed-in browser (or device) of one account."""

    id: int
    user_id: int
    method: str
    kept: bool
    device: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True)
class Resolved:
    """What a request's token stands for: a live ``session``, or None and, when a
    session had just run out, ``ended`` ("idle" or "expired") and the idle limit."""

    session: Session | None
    ended: str | None = None
    idle_minutes: int | None = None


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _looks_like_token(token: object) -> bool:
    return isinstance(token, str) and bool(_TOKEN_RE.match(token))


_COLUMNS = "id, user_id, method, kept, device, created_at, last_seen_at, expires_at"


def _session(row: tuple) -> Session:
    return Session(
        id=row[0], user_id=row[1], method=row[2], kept=bool(row[3]), device=row[4],
        created_at=parse_iso(row[5]), last_seen_at=parse_iso(row[6]),
        expires_at=parse_iso(row[7]),
    )


def device_label(user_agent: str | None) -> str:
    """A short, human label for a browser's User-Agent: "Chrome on Android"."""
    agent = user_agent or ""
    browsers = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari")]
    systems = [("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
               ("CrOS", "ChromeOS"), ("Windows", "Windows"), ("Macintosh", "Mac"),
               ("Linux", "Linux")]
    browser = next((name for marker, name in browsers if marker in agent), "A browser")
    system = next((name for marker, name in systems if marker in agent), None)
    label = f"{browser} on {system}" if system else browser
    return label[:MAX_DEVICE_CHARS]


def start(
    db: Database,
    user_id: int,
    *,
    method: str = "password",
    kept: bool = False,
    device: str = "",
    replacing: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[str, Session]:
    """A new session for ``user_id``; returns the token (for the cookie only) and the session.

    Call only after the person has proved who they are. ``kept``: "keep me
    signed in on this device", honoured when ``remember_days`` is above 0.
    ``replacing``: the token the browser held until now, whose session ends
    (a new token at every sign-in).
    """
    if method not in METHODS:
        raise ValueError(f"unknown sign-in method {method!r}")
    now = utc(now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with write_lock(db):
        days = settings.remember_days(db)
        kept = bool(kept) and days > 0
        ends = now + (dt.timedelta(days=days) if kept else dt.timedelta(hours=BROWSER_SESSION_HOURS))
        if _looks_like_token(replacing):
            db.execute("DELETE FROM sessions WHERE token_hash = ?", [hash_token(replacing)])
        db.execute("DELETE FROM sessions WHERE expires_at <= ?", [iso(now - KEEP_ENDED)])
        new_id = db["sessions"].insert({
            "token_hash": hash_token(token), "user_id": user_id, "method": method,
            "kept": int(kept), "device": (device or "")[:MAX_DEVICE_CHARS],
            "created_at": iso(now), "last_seen_at": iso(now), "expires_at": iso(ends),
        }).last_pk
        row = db.execute(f"SELECT {_COLUMNS} FROM sessions WHERE id = ?", [new_id]).fetchone()
    return token, _session(row)


def resolve(db: Database, token: str | None, *, now: dt.datetime | None = None) -> Resolved:
    """The live session of ``token``, enforcing its limits; the request counts as activity
    (stored when :data:`ACTIVITY_STEP` has passed since the last).

    A session past its end, or idle for longer than ``session_idle_minutes``
    (browser-session-only ones), is ended here (audited once) and resolves to
    no session and the reason; one of an account that is no longer active is
    deleted. When the storage refuses these writes (:class:`NotSaved`: a full
    disk, say), the verdict is the same: a live session stays live without its
    activity recorded, one past its limits is refused.
    """
    if not _looks_like_token(token):
        return Resolved(None)
    now = utc(now)
    row = db.execute(
        f"SELECT {', '.join('s.' + c for c in _COLUMNS.split(', '))}, s.ended, u.active"
        " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        [hash_token(token)],
    ).fetchone()
    if row is None:
        return Resolved(None)
    session, ended, active = _session(row[:-2]), row[-2], bool(row[-1])
    idle = settings.idle_minutes(db)
    if not active:
        with contextlib.suppress(NotSaved):
            _end(db, session, None)
        return Resolved(None)
    if ended is None and now >= session.expires_at:
        ended = "expired"
        with contextlib.suppress(NotSaved):
            _run_out(db, session, ended, "session_expired", {"kept": session.kept})
    elif (ended is None and not session.kept
          and now - session.last_seen_at > dt.timedelta(minutes=idle)):
        ended = "idle"
        with contextlib.suppress(NotSaved):
            _run_out(db, session, ended, "idle_sign_out", {"idle_minutes": idle})
    if ended is not None:
        return Resolved(None, ended, idle if ended == "idle" else None)
    if not dt.timedelta(0) <= now - session.last_seen_at < ACTIVITY_STEP:
        with contextlib.suppress(NotSaved):
            with write_lock(db):
                db.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ?",
                           [iso(now), session.id])
            session = Session(**{**session.__dict__, "last_seen_at": now})
    return Resolved(session)


def _run_out(db: Database, session: Session, ended: str, action: str, detail: dict) -> str:
    """Mark ``session`` as run out (``ended``); audit ``action`` the first time."""
    with write_lock(db):
        first = db.execute("UPDATE sessions SET ended = ? WHERE id = ? AND ended IS NULL",
                           [ended, session.id]).rowcount == 1
        if first:
            audit.record(db, session.user_id, action,
                         {"method": session.method, "device": session.device, **detail})
    return ended


def _end(db: Database, session: Session, action: str | None, detail: dict | None = None) -> bool:
    """Delete ``session``; audit ``action`` for its owner if this call ended it."""
    with write_lock(db):
        gone = db.execute("DELETE FROM sessions WHERE id = ?", [session.id]).rowcount == 1
        if gone and action:
            audit.record(db, session.user_id, action,
                         {"method": session.method, "device": session.device, **(detail or {})})
    return gone


def end(db: Database, session_id: int, *, user_id: int, reason: str = "logout") -> bool:
    """End one of ``user_id``'s own sessions (signing out, here or on another device).

    Returns False when there is no such session of theirs (already ended, or
    someone else's: a person can only end their own).
    """
    row = db.execute(f"SELECT {_COLUMNS} FROM sessions WHERE id = ? AND user_id = ?"
                     " AND ended IS NULL", [session_id, user_id]).fetchone()
    return row is not None and _end(db, _session(row), reason)


def end_token(db: Database, token: str | None, *, reason: str = "logout") -> bool:
    """End the session of ``token`` (signing out from the browser that holds it)."""
    if not _looks_like_token(token):
        return False
    row = db.execute(f"SELECT {_COLUMNS}, ended FROM sessions WHERE token_hash = ?",
                     [hash_token(token)]).fetchone()
    return row is not None and _end(db, _session(row[:-1]), None if row[-1] else reason)


def end_all(
    db: Database,
    user_id: int,
    *,
    reason: str,
    keep: int | None = None,
    actor_id: int | None = None,
) -> int:
    """End every session of ``user_id`` except ``keep``; return how many ended.

    ``reason`` (e.g. ``password_changed``) goes into one ``sessions_ended``
    audit entry, made by ``actor_id`` (default: the person themselves).
    Sessions that had already run out are cleared too, uncounted.
    """
    with write_lock(db):
        ended = db.execute(
            "SELECT count(*) FROM sessions WHERE user_id = ? AND id IS NOT ? AND ended IS NULL",
            [user_id, keep]).fetchone()[0]
        db.execute("DELETE FROM sessions WHERE user_id = ? AND id IS NOT ?", [user_id, keep])
        if ended:
            audit.record(db, user_id if actor_id is None else actor_id, "sessions_ended",
                         {"user_id": user_id, "reason": reason, "sessions": ended,
                          "kept_this_one": keep is not None})
    return ended


def for_user(db: Database, user_id: int, *, now: dt.datetime | None = None) -> list[Session]:
    """``user_id``'s sessions that have not ended, most recently used first (one idle
    past the limit is listed until a request finds it so)."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM sessions WHERE user_id = ? AND expires_at > ?"
        " AND ended IS NULL ORDER BY last_seen_at DESC, id DESC",
        [user_id, iso(utc(now))],
    ).fetchall()
    return [_session(row) for row in rows]


def cookie_max_age(session: Session, *, now: dt.datetime | None = None) -> int | None:
    """Seconds the browser should keep the cookie: until the end of a kept
    session; None (until the browser closes) for a browser-session-only one."""
    if not session.kept:
        return None
    return max(0, int((session.expires_at - utc(now)).total_seconds()))
