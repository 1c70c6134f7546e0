"""Saving and reading daily check-ins (one per person per day).

The private note is encrypted on the way in and decrypted on the way out
(:mod:`fatigue.crypto`); everything else is stored as it is.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Mapping

import pandas as pd
from sqlite_utils import Database

from fatigue import crypto
from fatigue.db import write_lock
from fatigue.errors import ValidationError
from fatigue.validation import FIELDS, FLAGS, INT_RANGES, check_day, validate_checkin

COLUMNS: tuple[str, ...] = ("day", *FIELDS)
INTEGERS: tuple[str, ...] = tuple(INT_RANGES)

_UPSERT = """
INSERT INTO checkins (user_id, day, {cols}) VALUES (:user_id, :day, {params})
ON CONFLICT (user_id, day) DO UPDATE SET {updates},
    updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
""".format(
    cols=", ".join(FIELDS),
    params=", ".join(f":{name}" for name in FIELDS),
    updates=", ".join(f"{name} = excluded.{name}" for name in FIELDS),
)


def get_checkin(db: Database, user_id: int, day: dt.date | str) -> dict[str, Any] | None:
    """The saved check-in of ``user_id`` for ``day``, or None (the note decrypted).

    Raises :class:`fatigue.crypto.NotesKeyError` if the notes key does not fit.
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
        row[name] = bool(row[name])
    row["note"] = crypto.notes_cipher(db).decrypt(row["note"])
    return row


def last_caseload(db: Database, user_id: int, before: dt.date | str | None = None) -> int | None:
    """The caseload of the latest check-in before ``before`` (default: any), or None."""
    sql = "SELECT caseload FROM checkins WHERE user_id = ?"
    params: list[Any] = [user_id]
    if before is not None:
        sql += " AND day < ?"
        params.append(str(before))
    row = db.execute(sql + " ORDER BY day DESC LIMIT 1", params).fetchone()
    return None if row is None else int(row[0])


def _prepare(
    db: Database, user_id: int, day: Any, values: Mapping[str, Any], today: dt.date
) -> dict[str, Any]:
    """Validate one check-in merged over what is saved for that day."""
    parsed = check_day(day, today)
    existing = get_checkin(db, user_id, parsed)
    base: dict[str, Any] = {}
    if existing is not None:
        base = {name: existing[name] for name in FIELDS}
    elif values.get("caseload") is None:
        base["caseload"] = last_caseload(db, user_id, parsed) or 0
    clean = validate_checkin({**base, **{k: v for k, v in values.items() if v is not None}})
    return {"user_id": user_id, "day": parsed.isoformat(), **clean}


def _require_user(db: Database, user_id: int) -> None:
    if db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone() is None:
        raise ValidationError({"user_id": f"There is no user with id {user_id}."})


def save_checkin(
    db: Database,
    user_id: int,
    day: dt.date | str,
    *,
    today: dt.date | None = None,
    **values: Any,
) -> dict[str, Any]:
    """Insert or update the check-in of ``user_id`` for ``day``; return the saved row.

    Fields left out keep their saved value when the day exists already, and
    otherwise take their defaults (caseload: carried forward from the latest
    earlier check-in). Any past date or today is accepted, never a future one;
    the form's 7-day back-fill window is checked by the form. Raises
    :class:`ValidationError`, writing nothing, when any value is invalid.
    """
    today = today or dt.date.today()
    with write_lock(db):
        _require_user(db, user_id)
        row = _prepare(db, user_id, day, values, today)
        db.execute(_UPSERT, {**row, "note": crypto.notes_cipher(db).encrypt(row["note"])})
    saved = get_checkin(db, user_id, row["day"])
    assert saved is not None
    return saved


def save_checkins(
    db: Database,
    user_id: int,
    records: Iterable[Mapping[str, Any]],
    *,
    today: dt.date | None = None,
) -> int:
    """Save many check-ins of one person (each with a ``day``), all or nothing.

    Raises :class:`ValidationError` naming the first bad record (by position,
    counting from 1) and its fields; then nothing is written.
    """
    today = today or dt.date.today()
    count = 0
    with write_lock(db):
        _require_user(db, user_id)
        cipher = crypto.notes_cipher(db)
        for position, record in enumerate(records, start=1):
            if not isinstance(record, Mapping):
                raise ValidationError({f"row {position}": "Each check-in must be a set of fields."})
            values = dict(record)
            day = values.pop("day", None)
            try:
                row = _prepare(db, user_id, day, values, today)
            except ValidationError as exc:
                raise ValidationError(
                    {f"row {position}: {k}": v for k, v in exc.errors.items()}
                ) from exc
            db.execute(_UPSERT, {**row, "note": cipher.encrypt(row["note"])})
            count += 1
    return count


def load_history(
    db: Database,
    user_id: int,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> pd.DataFrame:
    """One row per check-in day of ``user_id`` (inclusive range), oldest first.

    ``day`` is a pandas datetime (midnight); flags are booleans; notes are
    decrypted (:class:`fatigue.crypto.NotesKeyError` if the key does not fit).
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
    for name in INTEGERS:
        frame[name] = frame[name].astype("int64")
    for name in FLAGS:
        frame[name] = frame[name].astype(bool)
    frame["direct_hours"] = frame["direct_hours"].astype(float)
    frame["note"] = crypto.notes_cipher(db).decrypt_many(frame["note"].astype(str).tolist())
    frame["note"] = frame["note"].astype(str)
    return frame
