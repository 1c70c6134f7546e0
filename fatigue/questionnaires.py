"""Saving completed questionnaires, reading their history, and what is due.

Responses live in ``questionnaire_responses`` (the answers as JSON) and their
computed subscale scores in ``questionnaire_scores``, one row per subscale.
Scoring is :func:`fatigue.instruments.score`; nothing invalid is stored.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Mapping

import pandas as pd
from sqlite_utils import Database

from fatigue import clock, instruments
from fatigue.db import write_lock
from fatigue.errors import ValidationError
from fatigue.validation import check_day

HISTORY_COLUMNS: tuple[str, ...] = (
    "response_id",  # int
    "instrument_id",  # str
    "taken_on",  # datetime64[ns], midnight
    "scale",  # subscale id, e.g. "burnout"
    "label",  # subscale label, e.g. "Burnout"
    "score",  # float; NaN when not scored
    "band",  # band id, None when not scored
    "band_label",  # band label, None when not scored
    "scored",  # bool
    "answered",  # int: items of the subscale answered
    "reason",  # str: why not scored, else ""
)


def _require_user(db: Database, user_id: int) -> None:
    if db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone() is None:
        raise ValidationError({"user_id": f"There is no user with id {user_id}."})


def _check_taken_on(taken_on: Any, today: dt.date) -> dt.date:
    try:
        return check_day(taken_on, today)
    except ValidationError as exc:
        raise ValidationError({"taken_on": exc.errors["day"]}) from exc


def _typed_score(instrument: instruments.Instrument, value: float | None) -> int | float | None:
    """A stored score as :func:`instruments.score` gives it (sums are whole numbers)."""
    if value is None:
        return None
    return int(value) if instrument.scoring_method != "mean" else float(value)


def get_response(db: Database, response_id: int) -> dict[str, Any] | None:
    """One saved response with its scores (same structure as ``instruments.score``)."""
    rows = list(
        db.query(
            "SELECT id, user_id, instrument_id, taken_on, answers, created_at"
            " FROM questionnaire_responses WHERE id = ?",
            [response_id],
        )
    )
    if not rows:
        return None
    row = rows[0]
    instrument = instruments.load(row["instrument_id"])
    row["answers"] = {int(k): int(v) for k, v in json.loads(row["answers"]).items()}
    labels = {sub.id: sub for sub in instrument.subscales}
    scores: dict[str, dict[str, Any]] = {}
    for entry in db.query(
        "SELECT scale, score, band, answered, reason FROM questionnaire_scores"
        " WHERE response_id = ? ORDER BY position",
        [response_id],
    ):
        sub = labels[entry["scale"]]
        band = None if entry["band"] is None else next(
            b for b in instrument.bands if b.id == entry["band"]
        )
        scores[sub.id] = {
            "label": sub.label,
            "score": _typed_score(instrument, entry["score"]),
            "band": None if band is None else band.id,
            "band_label": None if band is None else band.label,
            "scored": entry["score"] is not None,
            "answered": entry["answered"],
            "items": len(sub.items),
            "reason": entry["reason"] or None,
        }
    row["scores"] = scores
    return row


def save_response(
    db: Database,
    user_id: int,
    instrument_id: str,
    answers: Mapping[int, int | None],
    taken_on: dt.date | str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Score and store one completed questionnaire; return it as :func:`get_response`.

    ``answers`` maps item numbers to option positions (see
    :func:`fatigue.instruments.score`). ``taken_on`` defaults to ``today``
    (default: today's date from :mod:`fatigue.clock`); a future date is refused. Raises
    :class:`ValidationError`, writing nothing, when anything is invalid.
    """
    today = today or clock.utc_now().astimezone().date()
    day = _check_taken_on(today if taken_on is None else taken_on, today)
    clean = instruments.validate_answers(instrument_id, answers)
    result = instruments.score(instrument_id, clean)
    payload = json.dumps({str(number): clean[number] for number in sorted(clean)})
    with write_lock(db):
        _require_user(db, user_id)
        cursor = db.execute(
            "INSERT INTO questionnaire_responses (user_id, instrument_id, taken_on, answers)"
            " VALUES (?, ?, ?, ?)",
            [user_id, instrument_id, day.isoformat(), payload],
        )
        response_id = cursor.lastrowid
        for position, (scale, entry) in enumerate(result.items()):
            db.execute(
                "INSERT INTO questionnaire_scores"
                " (response_id, scale, position, score, band, answered, reason)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    response_id,
                    scale,
                    position,
                    entry["score"],
                    entry["band"],
                    entry["answered"],
                    entry["reason"] or "",
                ],
            )
    saved = get_response(db, response_id)
    assert saved is not None
    return saved


def history(db: Database, user_id: int, instrument_id: str | None = None) -> pd.DataFrame:
    """One row per (response, subscale) of ``user_id``, oldest first.

    Columns are :data:`HISTORY_COLUMNS`; rows are ordered by ``taken_on``, then
    by when the response was saved, then in the instrument's subscale order.
    ``instrument_id`` limits it to one questionnaire (unknown: ValidationError).
    """
    sql = (
        "SELECT r.id AS response_id, r.instrument_id, r.taken_on, s.scale, s.score,"
        " s.band, s.answered, s.reason"
        " FROM questionnaire_responses r JOIN questionnaire_scores s ON s.response_id = r.id"
        " WHERE r.user_id = ?"
    )
    params: list[Any] = [user_id]
    if instrument_id is not None:
        instruments.load(instrument_id)  # raises for an unknown id
        sql += " AND r.instrument_id = ?"
        params.append(instrument_id)
    rows = list(db.query(sql + " ORDER BY r.taken_on, r.id, s.position", params))
    for row in rows:
        instrument = instruments.load(row["instrument_id"])
        sub = next(s for s in instrument.subscales if s.id == row["scale"])
        band = next((b for b in instrument.bands if b.id == row["band"]), None)
        row["label"] = sub.label
        row["band_label"] = None if band is None else band.label
        row["scored"] = row["score"] is not None
    frame = pd.DataFrame.from_records(rows, columns=list(HISTORY_COLUMNS))
    frame["taken_on"] = pd.to_datetime(frame["taken_on"], format="%Y-%m-%d").astype("datetime64[ns]")
    frame["response_id"] = frame["response_id"].astype("int64")
    frame["answered"] = frame["answered"].astype("int64")
    frame["score"] = frame["score"].astype("float64")
    frame["scored"] = frame["scored"].astype(bool)
    for name in ("instrument_id", "scale", "label", "reason"):
        frame[name] = frame[name].astype(object)
    for name in ("band", "band_label"):
        frame[name] = frame[name].astype(object).where(frame["scored"], None)
    return frame


def last_taken(
    db: Database, user_id: int, instrument_id: str, on_or_before: dt.date | None = None
) -> dt.date | None:
    """The latest ``taken_on`` of ``instrument_id`` for ``user_id``, or None."""
    sql = "SELECT max(taken_on) FROM questionnaire_responses WHERE user_id = ? AND instrument_id = ?"
    params: list[Any] = [user_id, instrument_id]
    if on_or_before is not None:
        sql += " AND taken_on <= ?"
        params.append(on_or_before.isoformat())
    value = db.execute(sql, params).fetchone()[0]
    return None if value is None else dt.date.fromisoformat(value)


def due(db: Database, user_id: int, today: dt.date) -> list[dict[str, Any]]:
    """The questionnaires due for ``user_id`` on ``today``, and why.

    The ProQOL 5 is due when none was taken in the last 30 days (taken on
    ``today - 30`` or earlier: due again), the single item when none in the
    last 7 days. The CBI is never due, only offered on request. Each entry:
    ``{"instrument_id", "name", "every_days", "last_taken_on" (ISO date or
    None), "reason"}``, in the order of ``instruments.INSTRUMENT_IDS``.
    """
    result = []
    for instrument in instruments.all_instruments():
        every = instrument.cadence_days
        if every is None:
            continue
        last = last_taken(db, user_id, instrument.id, on_or_before=today)
        if last is None:
            reason = f"Not taken yet; offered every {every} days."
        else:
            days = (today - last).days
            if days < every:
                continue
            reason = f"Last taken {days} days ago ({last.isoformat()}); offered every {every} days."
        result.append(
            {
                "instrument_id": instrument.id,
                "name": instrument.name,
                "every_days": every,
                "last_taken_on": None if last is None else last.isoformat(),
                "reason": reason,
            }
        )
    return result
