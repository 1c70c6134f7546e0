"""E-mail reminders to check in: each person's choice, the schedule, the sender.

A person turns reminders on in My account: an address, the weekdays and a time
in their own time zone (:func:`set_preferences`). ``python -m fatigue remind``
(:func:`send_due`, run every few minutes by cron or a systemd timer) sends one
when it is due: on a chosen weekday, from the chosen time until
:data:`LATE_HOURS` later, not while paused, never when that day's check-in is
done, at most one a day. The e-mail holds no ratings and no health words in its
subject; its link opens the check-in (it signs nobody in), and two signed links
pause reminders for a week or stop them without signing in: the link shows a
confirmation and only its button acts (:func:`apply_link`), so a mail scanner
or link preview that fetches every link changes nothing; mail programs that
offer RFC 8058 one-click unsubscribe stop them with one POST.

At most once: a send is claimed in ``reminder_sends`` (one row per person and
local day, in a write transaction) before the e-mail goes out, and marked sent
after. A second sender running at once finds the claim and skips; a sender that
crashes after claiming leaves the claim, so that day's reminder is never sent
again (a missed reminder is better than a double one). Only a failure that
proves nothing went out (no connection, the server refused the address) gives
the claim back for the next run.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
import smtplib
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from fatigue import accounts, clock, mail, settings
from fatigue.db import write_lock
from fatigue.errors import ValidationError
from fatigue.reminder import WEEKDAY_NAMES

SUBJECT = "Your daily check-in"
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LATE_HOURS = 3  # a reminder is not sent more than this long after its time
PAUSE_DAYS = 7
ACTIONS = ("pause", "stop")
LINK_KEY_SETTING = "reminder_link_key"  # random, made on first use; signs pause/stop links


@dataclass(frozen=True)
class Preferences:
    user_id: int
    email: str
    weekdays: tuple[int, ...]  # 0 = Monday
    at_time: dt.time
    timezone: str
    active: bool
    paused_until: dt.date | None


# --- a person's choice ----------------------------------------------------------------

def get_preferences(db: Database, user_id: int) -> Preferences | None:
    """The person's reminder choice, or None when they never turned reminders on."""
    row = db.execute(
        "SELECT email, weekdays, at_time, timezone, active, paused_until"
        " FROM reminder_preferences WHERE user_id = ?", [user_id]).fetchone()
    if row is None:
        return None
    email, days, at, zone, active, paused = row
    return Preferences(user_id, email, tuple(int(d) for d in days), dt.time.fromisoformat(at),
                       zone, bool(active), dt.date.fromisoformat(paused) if paused else None)


def _check(email: object, weekdays: object, at_time: object, timezone: object) -> tuple[str, str, str, str]:
    errors: dict[str, str] = {}
    address = email.strip().lower() if isinstance(email, str) else ""
    if not (EMAIL_RE.match(address) and len(address) <= 254 and address.isprintable()):
        errors["email"] = "Give the e-mail address for reminders, such as name@agency.org."
    days = sorted({d for d in weekdays if isinstance(d, int) and 0 <= d <= 6}) \
        if isinstance(weekdays, Iterable) and not isinstance(weekdays, str) else []
    if not days:
        errors["weekdays"] = "Choose at least one weekday."
    if not isinstance(at_time, dt.time):
        errors["at_time"] = "Choose a time of day."
    try:
        zone = settings.check_zone(timezone)
    except ValidationError:
        errors["timezone"] = "Choose your time zone, for example Europe/London."
        zone = ""
    if errors:
        raise ValidationError(errors)
    return address, "".join(map(str, days)), f"{at_time:%H:%M}", zone


def set_preferences(db: Database, user_id: int, *, email: str, weekdays: Iterable[int],
                    at_time: dt.time, timezone: str) -> Preferences:
    """Turn reminders on (or change them): they start at once, not paused."""
    address, days, at, zone = _check(email, weekdays, at_time, timezone)
    with write_lock(db):
        db.execute(
            "INSERT INTO reminder_preferences (user_id, email, weekdays, at_time, timezone,"
            " active, paused_until, link_nonce) VALUES (?, ?, ?, ?, ?, 1, NULL, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET email = excluded.email,"
            " weekdays = excluded.weekdays, at_time = excluded.at_time,"
            " timezone = excluded.timezone, active = 1, paused_until = NULL,"
            " link_nonce = excluded.link_nonce",  # links in older e-mails stop working
            [user_id, address, days, at, zone, secrets.token_urlsafe(24)])
    return get_preferences(db, user_id)  # type: ignore[return-value]


def pause_end(today: dt.date, days: int = PAUSE_DAYS) -> dt.date:
    """The last day without reminders when paused on ``today`` for ``days`` days."""
    return today + dt.timedelta(days=days - 1)


def pause(db: Database, user_id: int, today: dt.date, days: int = PAUSE_DAYS) -> None:
    """No reminders up to and including ``today + days - 1``."""
    until = pause_end(today, days)
    with write_lock(db):
        db.execute("UPDATE reminder_preferences SET paused_until = ? WHERE user_id = ?",
                   [until.isoformat(), user_id])


def stop(db: Database, user_id: int) -> None:
    """Reminders off (the choice of days and time is kept for turning them on again)."""
    with write_lock(db):
        db.execute("UPDATE reminder_preferences SET active = 0 WHERE user_id = ?", [user_id])


def describe(prefs: Preferences, today: dt.date | None = None) -> str:
    """The choice in words, e.g. "Mon, Tue, Wed at 16:30 (Europe/London), to jo@agency.org"."""
    days = ", ".join(WEEKDAY_NAMES[d][:3] for d in prefs.weekdays)
    text = f"{days} at {prefs.at_time:%H:%M} ({prefs.timezone}), to {prefs.email}"
    if not prefs.active:
        return f"Off. (Last choice: {text}.)"
    if prefs.paused_until and (today is None or prefs.paused_until >= today):
        return f"Paused until {prefs.paused_until:%a %-d %b}; then {text}."
    return f"On: {text}."


# --- signed links -----------------------------------------------------------------------

def _link_key(db: Database) -> bytes:
    with write_lock(db):
        db.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                   [LINK_KEY_SETTING, secrets.token_urlsafe(32)])
    return str(settings.get_setting(db, LINK_KEY_SETTING)).encode()


def _sign(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:32]


def link_token(db: Database, user_id: int, action: str) -> str:
    """A token for ``/reminders/<action>?t=...``: it can only pause or stop this person's
    reminders (while they stay on with the same address), nothing else."""
    nonce = db.execute("SELECT link_nonce FROM reminder_preferences WHERE user_id = ?",
                       [user_id]).fetchone()[0]
    text = f"{user_id}.{action}.{nonce}"
    return (base64.urlsafe_b64encode(text.encode()).decode().rstrip("=") + "."
            + _sign(_link_key(db), text))


def link_user(db: Database, action: str, token: str) -> int | None:
    """The person whose ``action`` link ``token`` is, while it still works; None for a bad,
    forged, other-action or outdated token. Changes nothing."""
    if action not in ACTIONS or not isinstance(token, str) or token.count(".") != 1 \
            or len(token) > 300:
        return None
    body, signature = token.split(".")
    try:
        text = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        user, what, nonce = text.split(".", 2)
        user_id = int(user)
    except (ValueError, UnicodeDecodeError):
        return None
    if what != action or not hmac.compare_digest(signature, _sign(_link_key(db), text)):
        return None
    row = db.execute("SELECT link_nonce FROM reminder_preferences WHERE user_id = ?",
                     [user_id]).fetchone()
    if row is None or not hmac.compare_digest(row[0], nonce):
        return None
    return user_id


def apply_link(db: Database, action: str, token: str, today: dt.date) -> str | None:
    """Pause or stop as the link says; the words to show, or None for a bad link.

    Only for a request that means it (a POST: the confirmation's button, or a mail
    program's RFC 8058 one-click unsubscribe), never for a GET, which link
    scanners and previews send for every link in an e-mail.
    """
    user_id = link_user(db, action, token)
    if user_id is None:
        return None
    if action == "pause":
        pause(db, user_id, today)
        return (f"Reminders are paused until {pause_end(today):%A %-d %B}. They start again by "
                "themselves; you can change this in My account.")
    stop(db, user_id)
    return "Reminders are off. You can turn them on again in My account."


# --- when one is due --------------------------------------------------------------------

def due_day(prefs: Preferences, now: dt.datetime) -> dt.date | None:
    """The person's local day to remind for at ``now`` (UTC, aware), or None."""
    if not prefs.active:
        return None
    local = now.astimezone(ZoneInfo(prefs.timezone))
    day = local.date()
    if day.weekday() not in prefs.weekdays:
        return None
    if prefs.paused_until is not None and day <= prefs.paused_until:
        return None
    start = dt.datetime.combine(day, prefs.at_time, tzinfo=local.tzinfo)
    if not start <= local < start + dt.timedelta(hours=LATE_HOURS):
        return None
    return day


def _all_active(db: Database) -> list[Preferences]:
    ids = [r[0] for r in db.execute(
        "SELECT p.user_id FROM reminder_preferences p JOIN users u ON u.id = p.user_id"
        " WHERE p.active = 1 AND u.active = 1 ORDER BY p.user_id")]
    return [p for p in (get_preferences(db, i) for i in ids) if p is not None]


def _checked_in(db: Database, user_id: int, day: dt.date) -> bool:
    return db.execute("SELECT 1 FROM checkins WHERE user_id = ? AND day = ?",
                      [user_id, day.isoformat()]).fetchone() is not None


def _claim(db: Database, user_id: int, day: dt.date) -> bool:
    with write_lock(db):
        return db.execute(
            "INSERT INTO reminder_sends (user_id, day) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [user_id, day.isoformat()]).rowcount == 1


def _release(db: Database, user_id: int, day: dt.date) -> None:
    with write_lock(db):
        db.execute("DELETE FROM reminder_sends WHERE user_id = ? AND day = ? AND sent_at IS NULL",
                   [user_id, day.isoformat()])


def _mark_sent(db: Database, user_id: int, day: dt.date) -> None:
    with write_lock(db):
        db.execute("UPDATE reminder_sends SET sent_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
                   " WHERE user_id = ? AND day = ?", [user_id, day.isoformat()])


def body(name: str, app_url: str, pause_url: str, stop_url: str) -> str:
    """The e-mail's words: no ratings, no streaks, no guilt."""
    return (
        f"Hello {name},\n\n"
        "this is the reminder you asked for: a minute for your check-in today, if it suits you.\n\n"
        f"Open the check-in: {app_url}/checkin\n"
        "(If you are not signed in on this device, the app asks you to sign in first.)\n\n"
        "Missing a day is fine.\n\n"
        f"Pause these reminders for a week: {pause_url}\n"
        f"Stop these reminders: {stop_url}\n"
        "You can change the days and the time in My account.\n"
    )


@dataclass(frozen=True)
class Run:
    sent: int
    skipped_checked_in: int
    skipped_claimed: int
    failed: int
    problem: str = ""  # why the mail server could not be used, in words (mail.why_not_sent)

    def __str__(self) -> str:
        return (f"Reminders: {self.sent} sent, {self.skipped_checked_in} not needed (checked in), "
                f"{self.skipped_claimed} already sent or being sent, {self.failed} failed."
                + (f"\n{self.problem}" if self.problem else ""))


# Errors that prove the e-mail did not go out: the claim is given back.
NOT_SENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def send_due(db: Database, now: dt.datetime | None = None, *,
             connect: Callable[[mail.SmtpConfig], smtplib.SMTP] = mail.connect,
             environ: Mapping[str, str] | None = None) -> Run:
    """Send every reminder due at ``now`` (default: the app's clock) through the agency's server."""
    now = now or clock.utc_now()
    cfg = mail.config(db, environ)
    if cfg is None:
        raise ValidationError({"smtp": "No mail server is set: an admin sets it in Settings."})
    app_url = settings.get_setting(db, settings.APP_URL_KEY)
    if not app_url:
        raise ValidationError({"app_url": "The app's address is not set: an admin sets it in "
                                          "Settings, so the reminder's link can open the check-in."})
    sent = checked = claimed = failed = 0
    problem = ""
    server: smtplib.SMTP | None = None
    try:
        for prefs in _all_active(db):
            day = due_day(prefs, now)
            if day is None:
                continue
            if _checked_in(db, prefs.user_id, day):
                checked += 1
                continue
            if not _claim(db, prefs.user_id, day):
                claimed += 1
                continue
            user = accounts.get_user(db, prefs.user_id)
            links = {a: f"{app_url}/reminders/{a}?t={link_token(db, prefs.user_id, a)}"
                     for a in ACTIONS}
            email = mail.message(
                cfg, prefs.email, SUBJECT,
                body(user.name if user else "there", app_url, links["pause"], links["stop"]),
                {"List-Unsubscribe": f"<{links['stop']}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                 "Auto-Submitted": "auto-generated"})
            try:
                if server is None:
                    server = connect(cfg)
            except OSError as exc:  # no connection, TLS or login (ssl's and smtplib's errors
                # are OSErrors too): nothing went out, so the next run tries again
                _release(db, prefs.user_id, day)
                failed += 1
                problem = mail.why_not_sent(exc, cfg)
                break
            try:
                server.send_message(email)
            except NOT_SENT:
                _release(db, prefs.user_id, day)
                failed += 1
                continue
            except OSError:  # cut off mid-way: it may have gone out, so the claim stays
                failed += 1
                server.close()
                server = None
                continue
            _mark_sent(db, prefs.user_id, day)
            sent += 1
    finally:
        if server is not None:
            try:
                server.quit()
            except (smtplib.SMTPException, OSError):
                server.close()
    return Run(sent, checked, claimed, failed, problem)
