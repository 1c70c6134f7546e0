"""Validation of a daily check-in: types, ranges, relations and dates.

One set of rules for every way in (form, command line, import, demo, API).
Nothing is filled in: a value the person did not give (None, or left out) is
stored as not answered (NULL), never as a default. A check-in needs at least
the ratings in :data:`REQUIRED`; everything else is optional.
Every problem is collected, so a form can show each message next to its field;
the messages name the field in the words the form uses.

The small converters here (:func:`to_int`, :func:`to_float`, :func:`to_bool`,
:func:`clean_text`, :func:`parse_day`) are shared by the other core modules,
so every way in treats NaN, infinity, numpy and pandas values, bools given as
numbers, huge integers and untypeable text the same way.
"""
from __future__ import annotations

import datetime as dt
import decimal
import math
import numbers
import re
import unicodedata
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from fatigue.errors import ValidationError

RATINGS: tuple[str, ...] = (
    "exhaustion",
    "empathy",
    "detachment",
    "intrusion",
    "meaning",
    "recovery",
    "time_pressure",
)
COUNTS: tuple[str, ...] = ("caseload", "contacts", "crisis_contacts", "trauma_contacts")
FLAGS: tuple[str, ...] = ("supervision", "break_taken")
FIELDS: tuple[str, ...] = (
    *RATINGS,
    *COUNTS,
    "direct_hours",
    "after_hours_minutes",
    *FLAGS,
    "note",
)

LABELS: dict[str, str] = {
    "day": "Date",
    "exhaustion": "Exhaustion",
    "empathy": "Empathy",
    "detachment": "Detachment",
    "intrusion": "Intrusion",
    "meaning": "Meaning",
    "recovery": "Recovery",
    "time_pressure": "Time pressure",
    "caseload": "Active caseload",
    "contacts": "Client contacts today",
    "crisis_contacts": "Crisis or high-intensity contacts",
    "trauma_contacts": "Contacts involving traumatic material",
    "direct_hours": "Hours of direct client contact",
    "after_hours_minutes": "Minutes worked outside scheduled hours",
    "supervision": "Supervision or debrief today",
    "break_taken": "A real break today",
    "note": "Private note",
}

# What a check-in needs at least (the form says so): the two ratings every
# personal signal and team figure starts from. Mirrored by NOT NULL in
# fatigue.migrations (0013_unanswered).
REQUIRED: tuple[str, ...] = ("exhaustion", "empathy")
# The workload fields "same as my last check-in" copies (the flags and the
# note are about one day only).
WORKLOAD: tuple[str, ...] = (*COUNTS, "direct_hours", "after_hours_minutes")

# Inclusive integer ranges; mirrored by CHECK constraints in fatigue.migrations.
INT_RANGES: dict[str, tuple[int, int]] = {
    **{name: (0, 10) for name in RATINGS},
    "caseload": (0, 500),
    "contacts": (0, 100),
    "crisis_contacts": (0, 100),
    "trauma_contacts": (0, 100),
    "after_hours_minutes": (0, 1440),
}
MAX_DIRECT_HOURS = 24.0
EARLIEST_DAY = dt.date(2000, 1, 1)  # mirrored by a CHECK; older dates are typing slips
MAX_NOTE_CHARS = 2000
BACKFILL_DAYS = 7

_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n", ""}


_INT_TEXT = re.compile(r"[+-]?[0-9]+")
_FLOAT_TEXT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
MAX_NUMBER_TEXT = 30  # longer number strings are typing accidents (or attacks)


def to_int(value: Any) -> int | None:
    """An int from an int, an integral finite float or a plain numeric string; else None.

    Refuses bools (also numpy's), NaN, infinity, pandas NA and strings such
    as "1_000", "٣" or a thousand digits.
    """
    if value is None or isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_NUMBER_TEXT:
            return None
        if _INT_TEXT.fullmatch(text):
            return int(text)
        return to_int(to_float(text))
    number = to_float(value)
    return int(number) if number is not None and number.is_integer() else None


def to_float(value: Any) -> float | None:
    """A finite float from a number or a plain numeric string; else None (bools too)."""
    if value is None or isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_NUMBER_TEXT or not _FLOAT_TEXT.fullmatch(text):
            return None
        value = text
    elif not isinstance(value, (numbers.Real, decimal.Decimal)):
        return None  # pandas NA, Decimal NaN, objects with __float__ ...
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def to_bool(value: Any) -> bool | None:
    """True/False from a bool, 0 or 1 (any numeric type), or yes/no words; else None."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Real):
        number = to_float(value)
        return bool(number) if number in (0.0, 1.0) else None
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return None


def text_problem(text: str, *, multiline: bool = False, shown_to_others: bool = False) -> str | None:
    """Why ``text`` cannot be stored as typed text, or None.

    Refuses what no keyboard produces and no page can show: control
    characters (C0 except tab and, if ``multiline``, line breaks; DEL; C1)
    and lone surrogates (not valid Unicode, and SQLite cannot store them).
    ``shown_to_others`` (names, support texts that an admin types for other
    people): also invisible and text-direction characters (Unicode format
    characters such as a right-to-left override, which shows "gnp.exe" as
    "exe.png", zero-width spaces and joiners, soft hyphens; line and
    paragraph separators), with which a text can pass for another.
    """
    allowed = "\t\n\r" if multiline else ""
    for ch in text:
        code = ord(ch)
        if (code < 32 and ch not in allowed) or 0x7F <= code <= 0x9F:
            return "contains control characters; please retype it"
        if 0xD800 <= code <= 0xDFFF:
            return "contains characters that are not valid text; please retype it"
        if shown_to_others and unicodedata.category(ch) in ("Cf", "Zl", "Zp"):
            return ("contains invisible or text-direction characters (such as a right-to-left "
                    "override or a zero-width space); please retype it")
    return None


MAX_TIME_ZONE_CHARS = 64  # the longest IANA name is about half as long


def time_zone(name: Any) -> ZoneInfo | None:
    """The IANA time zone called ``name`` (e.g. "Europe/London"), or None for anything
    else: unknown, malformed or absurdly long names (a browser may send any text)."""
    if not isinstance(name, str) or not 0 < len(name.strip()) <= MAX_TIME_ZONE_CHARS:
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: e.g. a name too long
        return None


def has_surrogates(text: str) -> bool:
    """True when ``text`` holds lone surrogates (cannot be encoded, stored or hashed)."""
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def clean_text(
    value: Any,
    field: str,
    label: str,
    *,
    max_chars: int,
    multiline: bool = False,
    required: bool = False,
) -> str:
    """``value`` as stored text (trimmed), or :class:`ValidationError` naming ``field``.

    None counts as empty. Text is kept as typed (HTML and Markdown included):
    the pages show it literally, they never interpret it.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: f"{label} must be text."})
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise ValidationError({field: f"{label} {problem}."})
    text = value.replace("\r\n", "\n").strip() if multiline else value.strip()
    if len(text) > max_chars:
        raise ValidationError(
            {field: f"{label} is {len(text):,} characters; the limit is {max_chars:,}."}
        )
    if required and not text:
        raise ValidationError({field: f"{label} is required."})
    return text


def parse_day(value: Any) -> dt.date:
    """A calendar date from a ``date`` or an ISO ``YYYY-MM-DD`` string (not NaT)."""
    if isinstance(value, dt.datetime):
        if value != value:  # pandas NaT is a datetime that equals nothing
            raise ValidationError({"day": "Date is required (YYYY-MM-DD)."})
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:  # strictly YYYY-MM-DD (fromisoformat would also take 20240105 or 2024-W01-1)
            return dt.datetime.strptime(value.strip(), "%Y-%m-%d").date()
        except ValueError:
            pass
    raise ValidationError({"day": "Date must be a calendar date written as YYYY-MM-DD."})


def check_day(day: Any, today: dt.date, *, backfill_days: int | None = None) -> dt.date:
    """Parse ``day`` and refuse future dates (and, if given, older than the window)."""
    parsed = parse_day(day)
    if parsed < EARLIEST_DAY:
        raise ValidationError({"day": f"Date cannot be before {EARLIEST_DAY.isoformat()}."})
    if parsed > today:
        raise ValidationError({"day": "Date cannot be in the future."})
    if backfill_days is not None and parsed < today - dt.timedelta(days=backfill_days):
        raise ValidationError(
            {"day": f"Date can be at most {backfill_days} days back (from {today - dt.timedelta(days=backfill_days)})."}
        )
    return parsed


def validate_checkin(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return every check-in field cleaned and typed; None where not answered.

    None (or a field left out) means not answered and stays None; only the
    note becomes "" when there is none. The ratings in :data:`REQUIRED` must be
    given. Raises :class:`ValidationError` listing every field at fault.
    """
    errors: dict[str, str] = {}
    clean: dict[str, Any] = dict.fromkeys(FIELDS)

    for name in values:
        if name not in FIELDS:
            errors[name] = f"Unknown field '{name}'."

    for name in REQUIRED:
        if values.get(name) is None:
            errors[name] = f"{LABELS[name]} is needed: choose a number from 0 to 10."
    given = {k: v for k, v in values.items() if v is not None and k in FIELDS}

    for name, (low, high) in INT_RANGES.items():
        if name not in given:
            continue
        number = to_int(given[name])
        if number is None or not low <= number <= high:
            errors.setdefault(
                name, f"{LABELS[name]} must be a whole number from {low} to {high}."
            )
        else:
            clean[name] = number

    if "direct_hours" in given:
        hours = to_float(given["direct_hours"])
        if hours is None or not 0 <= hours <= MAX_DIRECT_HOURS:
            errors["direct_hours"] = (
                f"{LABELS['direct_hours']} must be a number from 0 to {MAX_DIRECT_HOURS:g}."
            )
        else:
            clean["direct_hours"] = round(hours, 2)

    for name in FLAGS:
        if name not in given:
            continue
        flag = to_bool(given[name])
        if flag is None:
            errors[name] = f"{LABELS[name]} must be yes or no."
        else:
            clean[name] = flag

    note = given.get("note", "")
    if not isinstance(note, str):
        errors["note"] = "Private note must be text."
    elif len(note) > MAX_NOTE_CHARS:
        errors["note"] = (
            f"Private note is {len(note):,} characters; the limit is {MAX_NOTE_CHARS:,}."
        )
    elif problem := text_problem(note, multiline=True):
        errors["note"] = f"Private note {problem}."
    else:
        clean["note"] = note.strip()

    contacts = clean.get("contacts")
    if contacts is not None:
        for name in ("crisis_contacts", "trauma_contacts"):
            if clean.get(name) is not None and clean[name] > contacts:
                errors[name] = (
                    f"{LABELS[name]} ({clean[name]}) cannot be more than "
                    f"client contacts today ({contacts})."
                )

    if errors:
        raise ValidationError(errors)
    return clean
