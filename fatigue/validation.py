"""Validation of a daily check-in: types, ranges, relations and dates.

One set of rules for every way in (form, command line, import, demo, API).
Every problem is collected, so a form can show each message next to its field;
the messages name the field in the words the form uses.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any, Mapping

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

DEFAULTS: dict[str, Any] = {
    "contacts": 0,
    "crisis_contacts": 0,
    "trauma_contacts": 0,
    "direct_hours": 0.0,
    "after_hours_minutes": 0,
    "supervision": False,
    "break_taken": False,
    "note": "",
}

_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n", ""}


def _to_int(value: Any) -> int | None:
    """An int from an int, an integral float or a numeric string; else None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return _to_int(number)
    try:  # numpy integers and the like
        number = float(value)
    except (TypeError, ValueError):
        return None
    return _to_int(number)


def _to_float(value: Any) -> float | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _to_bool(value: Any) -> bool | None:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, float) and value in (0.0, 1.0):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return None


def parse_day(value: Any) -> dt.date:
    """A calendar date from a ``date`` or an ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, dt.datetime):
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
    """Return the check-in values cleaned and typed, defaults filled in.

    ``caseload`` may be left out (the caller carries it forward). Raises
    :class:`ValidationError` listing every field at fault.
    """
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}

    for name in values:
        if name not in FIELDS:
            errors[name] = f"Unknown field '{name}'."

    for name in RATINGS:
        if values.get(name) is None:
            errors[name] = f"{LABELS[name]} is required: rate it from 0 to 10."
    merged = {**DEFAULTS, **{k: v for k, v in values.items() if v is not None}}

    for name, (low, high) in INT_RANGES.items():
        if name not in merged:
            continue
        number = _to_int(merged[name])
        if number is None or not low <= number <= high:
            errors.setdefault(
                name, f"{LABELS[name]} must be a whole number from {low} to {high}."
            )
        else:
            clean[name] = number

    hours = _to_float(merged["direct_hours"])
    if hours is None or not 0 <= hours <= MAX_DIRECT_HOURS:
        errors["direct_hours"] = (
            f"{LABELS['direct_hours']} must be a number from 0 to {MAX_DIRECT_HOURS:g}."
        )
    else:
        clean["direct_hours"] = round(hours, 2)

    for name in FLAGS:
        flag = _to_bool(merged[name])
        if flag is None:
            errors[name] = f"{LABELS[name]} must be yes or no."
        else:
            clean[name] = flag

    note = merged["note"]
    if not isinstance(note, str):
        errors["note"] = "Private note must be text."
    elif len(note) > MAX_NOTE_CHARS:
        errors["note"] = (
            f"Private note is {len(note):,} characters; the limit is {MAX_NOTE_CHARS:,}."
        )
    elif any(ord(ch) < 32 and ch not in "\n\t\r" for ch in note):
        errors["note"] = "Private note contains control characters; please retype it."
    else:
        clean["note"] = note.strip()

    contacts = clean.get("contacts")
    if contacts is not None:
        for name in ("crisis_contacts", "trauma_contacts"):
            if name in clean and clean[name] > contacts:
                errors[name] = (
                    f"{LABELS[name]} ({clean[name]}) cannot be more than "
                    f"client contacts today ({contacts})."
                )

    if errors:
        raise ValidationError(errors)
    return clean
