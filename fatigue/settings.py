"""Agency settings: typed values over the ``settings`` table (key TEXT, value TEXT).

Values are stored as plain text: integers as ``"5"``, floats as ``"1.0"``,
booleans as ``"1"`` / ``"0"``, text as itself. The settings we know about are
registered in :data:`SPECS` with their type, default and validation; every
write of a registered key is validated here, and again by triggers in the
database (migration ``0003_aggregates_privacy``), and every read is validated
once more, so a value written around this module (by hand, in the sqlite
shell) can never weaken the privacy rules: a minimum group size below 5 is
read as 5.

Privacy settings (see PRIVACY.md):

* ``min_group_size`` (k): the fewest people, not counting the team's leads
  and admins, who must have answered before a team cell is shown. Default 5,
  never below 5.
* ``dp_enabled``: add differential-privacy noise (OpenDP Laplace) to team
  aggregates released from now on. Default off.
* ``dp_epsilon``: the privacy-loss budget spent on each noisy value released
  (each figure of each group), from 0.01 to 5. Default 1.0.
* ``dp_weekly_cap``: the most epsilon one person's data may cost in one
  week's release (each person is in one noisy group a week, which releases
  17 values); a week whose release would cost more is not released with
  figures at all. From 0.1 to 100, default 20.
* ``agency_timezone``: the agency's time zone (IANA name, default UTC). The
  daily form's back-fill window and the weekly release both follow its date,
  so a check-in can never be saved for a week already released.

Settings apply to weeks released from then on; released weeks never change.

Also ``support_resources``: admin-written text (EAP, crisis line) shown to
staff by a later feature; plain text, at most 4,000 characters; and
``session_idle_minutes``: a signed-in session without any activity for this
long is signed out (default 30, from 5 to 480; checked on every request); and
``remember_days``: how long "keep me signed in on this device" lasts (default
30, from 0 to 90; 0 takes the option off the sign-in page). See
:mod:`fatigue.sessions`.

E-mail reminders (:mod:`fatigue.mail`): ``smtp_host`` (empty: no reminders),
``smtp_port`` (default 587), ``smtp_tls`` (starttls, tls or none), ``smtp_sender``
``app_url`` (the address the reminder's link opens) and ``smtp_ca_file`` (empty:
the server's certificate is verified against the system's store; else the
absolute path of a PEM file with the agency's own CA certificates, checked when
it is entered: it must load and hold at least one certificate). The mail
server's user name and password are never settings: they come from the
environment or a secrets file (:func:`fatigue.mail.credentials`).
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import os
import ssl
from dataclasses import dataclass
from typing import Any, Callable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlite_utils import Database

from fatigue import audit, clock
from fatigue.db import write_lock
from fatigue.errors import ValidationError
from fatigue.teamfigures import rules
from fatigue.validation import text_problem

K_KEY = "min_group_size"
DP_ENABLED_KEY = "dp_enabled"
DP_EPSILON_KEY = "dp_epsilon"
SUPPORT_KEY = "support_resources"
IDLE_KEY = "session_idle_minutes"
DP_CAP_KEY = "dp_weekly_cap"
TIMEZONE_KEY = "agency_timezone"
REMEMBER_KEY = "remember_days"
SMTP_HOST_KEY = "smtp_host"
SMTP_PORT_KEY = "smtp_port"
SMTP_TLS_KEY = "smtp_tls"
SMTP_SENDER_KEY = "smtp_sender"
APP_URL_KEY = "app_url"
SMTP_CA_FILE_KEY = "smtp_ca_file"
SMTP_TLS_MODES = ("starttls", "tls", "none")

MIN_K = rules.MIN_K
DEFAULT_K = 5
MAX_K = 100
DEFAULT_DP_EPSILON = 1.0
MIN_DP_EPSILON = 0.01
MAX_DP_EPSILON = 5.0
DEFAULT_DP_CAP = 20.0
MIN_DP_CAP = 0.1
MAX_DP_CAP = 100.0
DEFAULT_TIMEZONE = "UTC"
MAX_SUPPORT_CHARS = 4000
DEFAULT_IDLE_MINUTES = 30
MIN_IDLE_MINUTES = 5
MAX_IDLE_MINUTES = 480
DEFAULT_REMEMBER_DAYS = 30
MAX_REMEMBER_DAYS = 90
MAX_KEY_CHARS = 80
MAX_VALUE_CHARS = 10_000

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


# --- encoding ----------------------------------------------------------------

def _encode(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError({"value": "A setting cannot be infinite or not a number."})
        return repr(value)
    if isinstance(value, str):
        return value
    raise ValidationError({"value": f"A setting must be text, a number or yes/no, not {type(value).__name__}."})


def _decode(text: str, kind: type) -> Any:
    """``text`` as ``kind``; ValueError when it does not parse."""
    if kind is bool:
        lowered = text.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(text)
    if kind is int:
        stripped = text.strip()
        if not stripped.lstrip("-").isdigit():
            raise ValueError(text)
        return int(stripped)
    if kind is float:
        number = float(text)
        if not math.isfinite(number):
            raise ValueError(text)
        return number
    return text


# --- registered settings -------------------------------------------------------

def _check_k(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        else:
            raise ValidationError(
                {K_KEY: f"The minimum group size must be a whole number from {MIN_K} to {MAX_K}."}
            )
    if not MIN_K <= value <= MAX_K:
        raise ValidationError(
            {K_KEY: f"The minimum group size must be a whole number from {MIN_K} to {MAX_K}; "
                    f"below {MIN_K} one person's answers could be worked out."}
        )
    return value


def _check_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValidationError({DP_ENABLED_KEY: "Differential privacy must be on or off."})


def _number_between(key: str, value: Any, low: float, high: float, message: str) -> float:
    """``value`` as a finite number from ``low`` to ``high``, else ValidationError(message)."""
    if isinstance(value, bool):
        raise ValidationError({key: message})
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):  # 10**400 overflows
        raise ValidationError({key: message}) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ValidationError({key: message})
    return number


def _check_epsilon(value: Any) -> float:
    return _number_between(
        DP_EPSILON_KEY, value, MIN_DP_EPSILON, MAX_DP_EPSILON,
        f"Epsilon must be a number from {MIN_DP_EPSILON:g} to {MAX_DP_EPSILON:g} "
        "(smaller means more noise and more privacy).")


def _check_cap(value: Any) -> float:
    return _number_between(
        DP_CAP_KEY, value, MIN_DP_CAP, MAX_DP_CAP,
        f"The weekly privacy cap must be a number from {MIN_DP_CAP:g} to {MAX_DP_CAP:g}.")


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())  # reads the tz database: once per process


def _check_timezone(value: Any) -> str:
    message = "The time zone must be a name such as Europe/London or America/New_York."
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= 64:
        raise ValidationError({TIMEZONE_KEY: message})
    name = value.strip()
    if name not in _zones() and name != "UTC":
        raise ValidationError({TIMEZONE_KEY: message})
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({TIMEZONE_KEY: message}) from None
    return name


def check_zone(value: Any) -> str:
    """``value`` as a time zone name this server knows; :class:`ValidationError` otherwise."""
    return _check_timezone(value)


def _check_support(value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationError({SUPPORT_KEY: "Support resources must be text."})
    text = value.replace("\r\n", "\n").strip()
    if len(text) > MAX_SUPPORT_CHARS:
        raise ValidationError(
            {SUPPORT_KEY: f"Support resources are {len(text):,} characters; "
                          f"the limit is {MAX_SUPPORT_CHARS:,}."}
        )
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text) or text_problem(
            text, multiline=True, shown_to_others=True):
        raise ValidationError({SUPPORT_KEY: "Support resources contain control, invisible or "
                                            "text-direction characters."})
    return text


def _whole_between(key: str, value: Any, low: int, high: int, message: str) -> int:
    """``value`` (or its digits as text) as a whole number from ``low`` to ``high``."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError({key: message})
    return value


def _check_idle(value: Any) -> int:
    return _whole_between(
        IDLE_KEY, value, MIN_IDLE_MINUTES, MAX_IDLE_MINUTES,
        f"The idle timeout must be a whole number of minutes from {MIN_IDLE_MINUTES} "
        f"to {MAX_IDLE_MINUTES}.")


def _check_remember(value: Any) -> int:
    return _whole_between(
        REMEMBER_KEY, value, 0, MAX_REMEMBER_DAYS,
        f"'Keep me signed in' must last a whole number of days from 0 (not offered) "
        f"to {MAX_REMEMBER_DAYS}.")


def _check_host(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else None
    if text is None or len(text) > 253 or not all(ch.isalnum() or ch in ".-:[]" for ch in text):
        raise ValidationError({SMTP_HOST_KEY: "The mail server must be a host name such as "
                                              "smtp.agency.org (empty: no e-mail reminders)."})
    return text


def _check_port(value: Any) -> int:
    return _whole_between(SMTP_PORT_KEY, value, 1, 65535,
                          "The mail server port is a whole number from 1 to 65535 (usually 587).")


def _check_tls(value: Any) -> str:
    if not isinstance(value, str) or value.strip().lower() not in SMTP_TLS_MODES:
        raise ValidationError({SMTP_TLS_KEY: "The connection security is starttls, tls or none."})
    return value.strip().lower()


def _check_sender(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else None
    if text is None or (text and (len(text) > 254 or text.count("@") != 1 or " " in text
                                  or not text.isprintable())):
        raise ValidationError({SMTP_SENDER_KEY: "The sender must be an address such as "
                                                "wellbeing@agency.org."})
    return text


def _check_url(value: Any) -> str:
    text = value.strip().rstrip("/") if isinstance(value, str) else None
    if text is None or (text and (not text.startswith(("https://", "http://")) or len(text) > 300
                                  or any(ch in text for ch in " <>\"'") or not text.isprintable())):
        raise ValidationError({APP_URL_KEY: "The app's address starts with https:// "
                                            "(for example https://checkin.agency.org)."})
    return text


def _check_ca_file(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else None
    if text is None or (text and (not os.path.isabs(text) or len(text) > 4096
                                  or not text.isprintable())):
        raise ValidationError({SMTP_CA_FILE_KEY: "The CA file is the full path of a PEM file, "
                                                 "such as /etc/ssl/agency-ca.pem (empty: the "
                                                 "system's certificates)."})
    return text


def _load_ca_file(path: str) -> None:
    """At entry only (a file can be unreadable to the app for a while; it is read again
    at each send, which says so): the file must hold CA certificates Python can load."""
    if not path:
        return
    try:
        context = ssl.create_default_context(cafile=path)
        found = context.cert_store_stats()["x509"]
    except ssl.SSLError:
        found = 0
    except OSError as exc:
        raise ValidationError({SMTP_CA_FILE_KEY: f"{path} cannot be used as a CA file "
                                                 f"({exc.strerror or exc})."}) from None
    if not found:
        raise ValidationError({SMTP_CA_FILE_KEY: f"{path} cannot be used as a CA file: it holds "
                                                 "no certificate in PEM form (BEGIN CERTIFICATE)."})


@dataclass(frozen=True)
class Spec:
    """A registered setting: its type, default and validation of new values (``check``,
    on every write and read; ``entry``, on writes only, after ``check``)."""

    type: type
    default: Any
    check: Callable[[Any], Any]
    entry: Callable[[Any], None] | None = None


SPECS: dict[str, Spec] = {
    K_KEY: Spec(int, DEFAULT_K, _check_k),
    DP_ENABLED_KEY: Spec(bool, False, _check_bool),
    DP_EPSILON_KEY: Spec(float, DEFAULT_DP_EPSILON, _check_epsilon),
    SUPPORT_KEY: Spec(str, "", _check_support),
    IDLE_KEY: Spec(int, DEFAULT_IDLE_MINUTES, _check_idle),
    DP_CAP_KEY: Spec(float, DEFAULT_DP_CAP, _check_cap),
    TIMEZONE_KEY: Spec(str, DEFAULT_TIMEZONE, _check_timezone),
    REMEMBER_KEY: Spec(int, DEFAULT_REMEMBER_DAYS, _check_remember),
    SMTP_HOST_KEY: Spec(str, "", _check_host),
    SMTP_PORT_KEY: Spec(int, 587, _check_port),
    SMTP_TLS_KEY: Spec(str, "starttls", _check_tls),
    SMTP_SENDER_KEY: Spec(str, "", _check_sender),
    APP_URL_KEY: Spec(str, "", _check_url),
    SMTP_CA_FILE_KEY: Spec(str, "", _check_ca_file, _load_ca_file),
}


# --- generic get / set -------------------------------------------------------------

def _raw(db: Database, key: str) -> str | None:
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return None if row is None else row[0]


def get_setting(db: Database, key: str, default: Any = None, *, type: type = str) -> Any:
    """The value of setting ``key`` as ``type`` (``str``, ``int``, ``float`` or ``bool``).

    A registered key (see :data:`SPECS`) uses its own type and default and is
    validated on read: a stored value that does not pass (written around this
    module) reads as the default. For an unregistered key, ``default`` is
    returned when it is missing or does not parse as ``type``.
    """
    spec = SPECS.get(key)
    kind = spec.type if spec else type
    fallback = spec.default if spec else default
    text = _raw(db, key)
    if text is None:
        return fallback
    try:
        value = _decode(text, kind)
        return spec.check(value) if spec else value
    except (ValueError, ValidationError):
        return fallback


def validate(key: str, value: Any) -> Any:
    """``value`` as setting ``key`` would store it; :class:`ValidationError` if refused."""
    spec = SPECS.get(key)
    if spec is None:
        return value
    clean = spec.check(value)
    if spec.entry is not None:
        spec.entry(clean)
    return clean


def set_setting(db: Database, key: str, value: Any, *, actor_id: int | None = None) -> Any:
    """Store ``value`` for ``key``; return the value stored (validated, typed).

    Registered keys are validated (:class:`ValidationError` otherwise, nothing
    written). When ``actor_id`` is given the change is written to the audit log
    (registered settings only; their values are not sensitive).
    """
    if not isinstance(key, str) or not 1 <= len(key.strip()) <= MAX_KEY_CHARS or key != key.strip():
        raise ValidationError({"key": f"A setting name must be 1 to {MAX_KEY_CHARS} characters."})
    clean = validate(key, value)
    text = _encode(clean)
    if len(text) > MAX_VALUE_CHARS:
        raise ValidationError({key: f"A setting can be at most {MAX_VALUE_CHARS:,} characters."})
    with write_lock(db):
        db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, text],
        )
        if actor_id is not None:
            shown = clean if key != SUPPORT_KEY else f"{len(clean)} characters"
            audit.record(db, actor_id, "change_setting", {"key": key, "value": shown})
    return clean


def set_settings(db: Database, values: Sequence[tuple[str, Any]], *,
                 actor_id: int | None = None) -> None:
    """Store several settings together: every value is checked first, and either all
    are stored or none (:class:`ValidationError` or :class:`NotSaved`, nothing written)."""
    for key, value in values:
        validate(key, value)
    with write_lock(db):
        for key, value in values:
            set_setting(db, key, value, actor_id=actor_id)


# --- named accessors ---------------------------------------------------------------

def get_k(db: Database) -> int:
    """The minimum group size k (default 5; never below 5, whatever is stored)."""
    return max(MIN_K, int(get_setting(db, K_KEY)))


def set_k(db: Database, k: int, *, actor_id: int | None = None) -> int:
    """Set the minimum group size; :class:`ValidationError` below 5 or not a whole number."""
    return set_setting(db, K_KEY, k, actor_id=actor_id)


def dp_enabled(db: Database) -> bool:
    """Whether differential-privacy noise is added to newly released team aggregates."""
    return bool(get_setting(db, DP_ENABLED_KEY))


def set_dp_enabled(db: Database, enabled: bool, *, actor_id: int | None = None) -> bool:
    return set_setting(db, DP_ENABLED_KEY, enabled, actor_id=actor_id)


def dp_epsilon(db: Database) -> float:
    """Epsilon spent on each noisy value released (per metric per cell)."""
    return float(get_setting(db, DP_EPSILON_KEY))


def set_dp_epsilon(db: Database, epsilon: float, *, actor_id: int | None = None) -> float:
    return set_setting(db, DP_EPSILON_KEY, epsilon, actor_id=actor_id)


def dp_weekly_cap(db: Database) -> float:
    """The most epsilon one person's data may cost in one week's release."""
    return float(get_setting(db, DP_CAP_KEY))


def set_dp_weekly_cap(db: Database, cap: float, *, actor_id: int | None = None) -> float:
    return set_setting(db, DP_CAP_KEY, cap, actor_id=actor_id)


def agency_timezone(db: Database) -> str:
    """The agency's time zone (IANA name; UTC until an admin sets it)."""
    return str(get_setting(db, TIMEZONE_KEY))


def set_agency_timezone(db: Database, name: str, *, actor_id: int | None = None) -> str:
    return set_setting(db, TIMEZONE_KEY, name, actor_id=actor_id)


def agency_today(db: Database) -> dt.date:
    """Today's date in the agency's time zone, from :func:`fatigue.clock.utc_now`."""
    return clock.utc_now().astimezone(ZoneInfo(agency_timezone(db))).date()


def day_begins(db: Database, day: dt.date) -> dt.datetime:
    """The moment ``day`` begins in the agency's time zone (timezone-aware)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(agency_timezone(db)))


def support_resources(db: Database) -> str:
    """The admin-written support text (EAP, crisis line); empty when not set."""
    return str(get_setting(db, SUPPORT_KEY))


def set_support_resources(db: Database, text: str, *, actor_id: int | None = None) -> str:
    return set_setting(db, SUPPORT_KEY, text, actor_id=actor_id)


def idle_minutes(db: Database) -> int:
    """Minutes without activity after which a session is signed out (default 30)."""
    return int(get_setting(db, IDLE_KEY))


def set_idle_minutes(db: Database, minutes: int, *, actor_id: int | None = None) -> int:
    """Set the idle timeout; :class:`ValidationError` outside 5 to 480 minutes."""
    return set_setting(db, IDLE_KEY, minutes, actor_id=actor_id)


def remember_days(db: Database) -> int:
    """Days a "keep me signed in on this device" session lasts (default 30; 0: not offered)."""
    return int(get_setting(db, REMEMBER_KEY))


def set_remember_days(db: Database, days: int, *, actor_id: int | None = None) -> int:
    """Set how long kept sessions last; :class:`ValidationError` outside 0 to 90 days."""
    return set_setting(db, REMEMBER_KEY, days, actor_id=actor_id)


def privacy_settings(db: Database) -> dict[str, Any]:
    """The privacy settings in force, for an admin page or a report footer."""
    return {
        K_KEY: get_k(db),
        DP_ENABLED_KEY: dp_enabled(db),
        DP_EPSILON_KEY: dp_epsilon(db),
        DP_CAP_KEY: dp_weekly_cap(db),
        TIMEZONE_KEY: agency_timezone(db),
    }
