"""Saving and reading daily check-ins (one per person per day).

The private note is encrypted on the way in and decrypted on the way out
(:mod:`fatigue.crypto`), and sealed with its author's own key when they have
one (:mod:`fatigue.note_keys`: pass ``key``, the key open in their session).
Without the key such a note reads as None ("locked"), never as empty, and a
save that does not bring the key keeps the locked note as it is. Everything
else is stored as it is. A value the person did not give is stored as not
answered (NULL) and read back as None (NaN in :func:`load_history`): nothing
is filled in or carried forward.

Only :func:`save_checkin` (the daily form) can mark a check-in as counting in
team figures, and only inside the back-fill window of the agency's date, for
a week not yet released (:func:`fatigue.teamfigures.rules.counts_for_team`).
:func:`save_checkins` (history import, demo) never does, and a day it
overwrites stops counting.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import pandas as pd
from sqlite_utils import Database

from fatigue import crypto, note_keys, settings
from fatigue.db import write_lock
from fatigue.errors import ValidationError
from fatigue.teamfigures import rules, store
from fatigue.teamfigures.periods import week_start
from fatigue.validation import (
    BACKFILL_DAYS, FIELDS, FLAGS, WORKLOAD, check_day, validate_checkin,
)

COLUMNS: tuple[str, ...] = ("day", *FIELDS)
NUMBERS: tuple[str, ...] = tuple(name for name in FIELDS if name not in (*FLAGS, "note"))

_UPSERT = """
INSERT INTO checkins (user_id, day, {cols}, counts_for_team)
VALUES (:user_id, :day, {params}, :counts_for_team)
ON CONFLICT (user_id, day) DO UPDATE SET {updates},
    counts_for_team = excluded.counts_for_team,
    updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
""".format(
    cols=", ".join(FIELDS),
    params=", ".join(f":{name}" for name in FIELDS),
    updates=", ".join(f"{name} = excluded.{name}" for name in FIELDS),
)


def form_window(db: Database, local_today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day the daily form accepts: from the agency's date
    back-fill window (so a saved day always counts in its team's week), up to
    the person's own today (``local_today``, their browser's date) but never
    past the agency's."""
    agency = settings.agency_today(db)
    latest = min(local_today, agency) if local_today else agency
    return agency - dt.timedelta(days=BACKFILL_DAYS), latest


def check_form_day(db: Database, day: Any, local_today: dt.date | None = None) -> dt.date:
    """``day`` parsed, or :class:`ValidationError` when the form may not save it."""
    earliest, latest = form_window(db, local_today)
    parsed = check_day(day, latest)
    if parsed < earliest:
        raise ValidationError(
            {"day": f"Date can be at most {BACKFILL_DAYS} days back (from {earliest.isoformat()})."})
    return parsed


def get_checkin(db: Database, user_id: int, day: dt.date | str, *,
                key: bytes | None = None) -> dict[str, Any] | None:
    """The saved check-in of ``user_id`` for ``day``, or None (the note decrypted).

    ``note`` is None when it is sealed with a key not given (``key``), and
    ``note_locked`` says so. Raises :class:`fatigue.crypto.NotesKeyError` if
    the server's notes key does not fit.
    """
    rows = list(
        db.query(
            f"SELECT day, {', '.join(FIELDS)}, updated_at FROM checkins"
            " WHERE user_id = ? AND day = ?",
            [user_id, str(day)],
        )
    )
    if not rows:
        return None
    row = rows[0]
    for name in FLAGS:
        row[name] = None if row[name] is None else bool(row[name])
    row["note"] = note_keys.read_note(row["note"], user_id, key, note_keys.has_key(db, user_id),
                                      crypto.notes_cipher(db))
    row["note_locked"] = row["note"] is None
    return row


@dataclass(frozen=True)
class LastWorkload:
    """The workload of a person's latest earlier check-in that gave any."""

    day: dt.date
    values: dict[str, Any]  # every WORKLOAD field; None where not answered that day


def last_workload(db: Database, user_id: int, before: dt.date | str) -> LastWorkload | None:
    """The workload of the latest check-in before ``before`` with any workload
    answered (what "same as my last check-in" copies), or None."""
    given = " OR ".join(f"{name} IS NOT NULL" for name in WORKLOAD)
    row = db.execute(
        f"SELECT day, {', '.join(WORKLOAD)} FROM checkins"
        f" WHERE user_id = ? AND day < ? AND ({given}) ORDER BY day DESC LIMIT 1",
        [user_id, str(before)],
    ).fetchone()
    if row is None:
        return None
    return LastWorkload(dt.date.fromisoformat(row[0]), dict(zip(WORKLOAD, row[1:])))


def _prepare(
    db: Database, user_id: int, day: Any, values: Mapping[str, Any], today: dt.date,
    key: bytes | None,
) -> dict[str, Any]:
    """Validate one check-in: the fields given (None: not answered) over what is
    saved for that day; fields left out keep their saved value, or stay not answered.
    Its ``note`` as it will be stored (sealed with ``key`` when the person has a key)."""
    parsed = check_day(day, today)
    existing = get_checkin(db, user_id, parsed, key=key)
    base = {name: existing[name] for name in FIELDS} if existing is not None else {}
    if existing is not None and existing["note_locked"]:
        base["note"] = ""  # kept as it is by _stored_note unless a new note is written
    clean = validate_checkin({**base, **values})
    return {"user_id": user_id, "day": parsed.isoformat(), **clean,
            "note": _stored_note(db, user_id, clean["note"], key, existing)}


def _stored_note(db: Database, user_id: int, note: str, key: bytes | None,
                 existing: dict[str, Any] | None) -> str:
    """``note`` as stored. A locked note stays as it is unless a new one is written,
    which needs the key (:class:`ValidationError` otherwise: nothing is lost)."""
    cipher = crypto.notes_cipher(db)
    if not note_keys.has_key(db, user_id):
        return cipher.encrypt(note)  # moved under their key at their next sign-in
    if key is None:
        if note:
            raise ValidationError({"note": note_keys.NEEDS_UNLOCK})
        if existing is not None and existing["note_locked"]:
            return db.execute("SELECT note FROM checkins WHERE user_id = ? AND day = ?",
                              [user_id, existing["day"]]).fetchone()[0]
        return ""
    return note_keys.store_note(cipher, key, user_id, note)


def _require_user(db: Database, user_id: int) -> None:
    if db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone() is None:
        raise ValidationError({"user_id": f"There is no user with id {user_id}."})


def save_checkin(
    db: Database,
    user_id: int,
    day: dt.date | str,
    *,
    today: dt.date | None = None,
    key: bytes | None = None,
    **values: Any,
) -> dict[str, Any]:
    """Insert or update the check-in of ``user_id`` for ``day``; return the saved row.

    ``key``: the person's note key, open in their session (needed to write a
    note once they have one; without it a locked note is kept as it is).

    This is the daily form's way in. A field given as None is not answered;
    fields left out keep their saved value when the day exists already, and
    are otherwise not answered (nothing is filled in). Any past date or
    ``today`` (default: the agency's date) is accepted, never a future one; the
    form's 7-day back-fill window is checked by the form. Whether the check-in
    counts in team figures is decided here from the agency's clock, whatever
    ``today`` says. Raises :class:`ValidationError`, writing nothing, when any
    value is invalid.
    """
    today = today or settings.agency_today(db)
    with write_lock(db):
        _require_user(db, user_id)
        row = _prepare(db, user_id, day, values, today, key)
        parsed = dt.date.fromisoformat(row["day"])
        counts = rules.counts_for_team(parsed, settings.agency_today(db),
                                       store.is_released(db, week_start(parsed)))
        db.execute(_UPSERT, {**row, "counts_for_team": int(counts)})
    saved = get_checkin(db, user_id, row["day"], key=key)
    assert saved is not None
    return saved


def save_checkins(
    db: Database,
    user_id: int,
    records: Iterable[Mapping[str, Any]],
    *,
    today: dt.date | None = None,
    key: bytes | None = None,
) -> int:
    """Save many check-ins of one person (each with a ``day``), all or nothing.

    Notes as in :func:`save_checkin` (``key``: the person's open note key).

    None of them counts in team figures (history is the person's own). Raises
    :class:`ValidationError` naming the first bad record (by position,
    counting from 1) and its fields; then nothing is written.
    """
    today = today or settings.agency_today(db)
    count = 0
    with write_lock(db):
        _require_user(db, user_id)
        for position, record in enumerate(records, start=1):
            if not isinstance(record, Mapping):
                raise ValidationError({f"row {position}": "Each check-in must be a set of fields."})
            values = dict(record)
            day = values.pop("day", None)
            try:
                row = _prepare(db, user_id, day, values, today, key)
            except ValidationError as exc:
                raise ValidationError(
                    {f"row {position}: {k}": v for k, v in exc.errors.items()}
                ) from exc
            db.execute(_UPSERT, {**row, "counts_for_team": 0})
            count += 1
    return count


def load_history(
    db: Database,
    user_id: int,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    *,
    key: bytes | None = None,
) -> pd.DataFrame:
    """One row per check-in day of ``user_id`` (inclusive range), oldest first.

    ``day`` is a pandas datetime (midnight); ratings, counts and numbers are
    floats and flags nullable booleans, missing (NaN, NA) where not answered;
    notes are decrypted (:class:`fatigue.crypto.NotesKeyError` if the server's
    key does not fit), and None where sealed with a note key not given (``key``).
    """
    sql = f"SELECT day, {', '.join(FIELDS)} FROM checkins WHERE user_id = ?"
    params: list[Any] = [user_id]
    if start is not None:
        sql += " AND day >= ?"
        params.append(str(start))
    if end is not None:
        sql += " AND day <= ?"
        params.append(str(end))
    cursor = db.execute(sql + " ORDER BY day", params)
    frame = pd.DataFrame.from_records(cursor.fetchall(), columns=list(COLUMNS))
    frame["day"] = pd.to_datetime(frame["day"], format="%Y-%m-%d").astype("datetime64[ns]")
    for name in NUMBERS:
        frame[name] = pd.to_numeric(frame[name]).astype(float)
    for name in FLAGS:
        frame[name] = frame[name].astype("boolean")
    cipher, keyed = crypto.notes_cipher(db), note_keys.has_key(db, user_id)
    frame["note"] = pd.Series(
        [note_keys.read_note(stored, user_id, key, keyed, cipher)
         for stored in frame["note"].astype(str)], index=frame.index, dtype=object)
    return frame
