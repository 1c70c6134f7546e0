"""Export my data: check-ins (notes decrypted), questionnaires, actions, muted rules,
e-mail reminder settings and the days a reminder was sent.

:func:`collect` gathers one person's data; :func:`to_json` makes one JSON
document of it, :func:`to_zip` a zip of CSV files, one per kind. The person's
own notes are decrypted: it is their data. A note sealed with its author's key
(:mod:`fatigue.note_keys`) is exported only with that key: without it the
check-in says ``"note": null, "note_locked": true`` in JSON, and the zip lists
the days of locked notes in ``locked_notes.txt`` (the CSV cell stays empty, and
importing it keeps the locked note as it is). A value not answered is null in
JSON and an empty cell in CSV (never 0 or "no"). Every CSV cell that a spreadsheet
would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) gets a leading apostrophe (OWASP "CSV injection"), and so does
a cell that starts with apostrophes before such a character (``'=x`` becomes
``''=x``); :func:`fatigue.importer` drops exactly that one apostrophe again, so
``checkins.csv`` imports back unchanged. Text stays text everywhere: nothing is
rendered.

The reminder settings are exported as the person chose them (address, weekdays,
time, time zone, on or off, paused until), without the random value that ties
the e-mail's links to them (a link secret, not something they told us). They
are for reading: the importer takes check-in history only, and reminders are
turned on again in My account. "Delete all my data" deletes them
(:data:`fatigue.erasure.PERSONAL_TABLES`).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from typing import Any

from sqlite_utils import Database

from fatigue import crypto, email_reminders, note_keys
from fatigue.errors import ValidationError
from fatigue.reminder import WEEKDAY_NAMES
from fatigue.validation import FIELDS, FLAGS

CHECKIN_COLUMNS: tuple[str, ...] = ("day", *FIELDS)  # also the import template's columns
KINDS: dict[str, tuple[str, ...]] = {
    "account": ("username", "display_name", "home_team", "teams_led", "created_at"),
    "checkins": CHECKIN_COLUMNS,
    "questionnaire_responses": ("response_id", "instrument_id", "taken_on", "answers", "created_at"),
    "questionnaire_scores": ("response_id", "scale", "score", "band", "answered", "reason"),
    "actions": ("suggestion_id", "rule", "status", "acted_on", "planned_for", "created_at"),
    "muted_rules": ("rule", "suggestion_id", "muted_on"),
    "reminders": ("email", "weekdays", "at_time", "timezone", "reminders_on", "paused_until"),
    "reminder_sends": ("day", "claimed_at", "sent_at"),
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FILENAME_JSON = "my-check-in-data.json"
FILENAME_ZIP = "my-check-in-data-csv.zip"
LOCKED_FILE = "locked_notes.txt"


def _account(db: Database, user_id: int) -> dict[str, Any]:
    row = db.execute(
        "SELECT username, display_name, created_at FROM users WHERE id = ?", [user_id]
    ).fetchone()
    if row is None:
        raise ValidationError({"user_id": f"There is no user with id {user_id}."})
    teams = db.execute(
        "SELECT t.name, m.home, m.lead FROM team_members m JOIN teams t ON t.id = m.team_id"
        " WHERE m.user_id = ? ORDER BY t.name", [user_id]
    ).fetchall()
    return {
        "username": row[0],
        "display_name": row[1],
        "home_team": next((name for name, home, _ in teams if home), ""),
        "teams_led": "; ".join(name for name, _, lead in teams if lead),
        "created_at": row[2],
    }


def _reminders(db: Database, user_id: int) -> list[dict[str, Any]]:
    prefs = email_reminders.get_preferences(db, user_id)
    if prefs is None:
        return []
    return [{
        "email": prefs.email,
        "weekdays": [WEEKDAY_NAMES[d] for d in prefs.weekdays],
        "at_time": f"{prefs.at_time:%H:%M}",
        "timezone": prefs.timezone,
        "reminders_on": prefs.active,
        "paused_until": prefs.paused_until.isoformat() if prefs.paused_until else None,
    }]


def collect(db: Database, user_id: int, *, key: bytes | None = None) -> dict[str, Any]:
    """Everything stored about ``user_id``, as plain lists of dicts per kind.

    Check-ins also carry ``created_at``, ``updated_at`` and ``note_locked``
    (JSON only; the CSV keeps the import template's columns). ``key``: the
    person's note key, open in their session; without it their sealed notes
    are None and ``note_locked``. Raises :class:`fatigue.crypto.NotesKeyError`
    if the server's notes key does not fit.
    """
    account = _account(db, user_id)
    cipher, keyed = crypto.notes_cipher(db), note_keys.has_key(db, user_id)
    checkins = []
    for row in db.query(
        f"SELECT day, {', '.join(FIELDS)}, created_at, updated_at FROM checkins"
        " WHERE user_id = ? ORDER BY day", [user_id]
    ):
        for name in FLAGS:
            row[name] = None if row[name] is None else bool(row[name])
        row["note"] = note_keys.read_note(row["note"], user_id, key, keyed, cipher)
        row["note_locked"] = row["note"] is None
        checkins.append(row)
    responses = []
    scores = []
    for row in db.query(
        "SELECT id AS response_id, instrument_id, taken_on, answers, created_at"
        " FROM questionnaire_responses WHERE user_id = ? ORDER BY taken_on, id", [user_id]
    ):
        row["answers"] = json.loads(row["answers"])
        responses.append(row)
    for row in db.query(
        "SELECT s.response_id, s.scale, s.score, s.band, s.answered, s.reason"
        " FROM questionnaire_scores s JOIN questionnaire_responses r ON r.id = s.response_id"
        " WHERE r.user_id = ? ORDER BY r.taken_on, r.id, s.position", [user_id]
    ):
        scores.append(row)
    actions = list(db.query(
        "SELECT suggestion_id, rule, status, acted_on, planned_for, created_at"
        " FROM suggestion_actions WHERE user_id = ? ORDER BY id", [user_id]
    ))
    muted = list(db.query(
        "SELECT rule, suggestion_id, muted_on FROM suggestion_mutes WHERE user_id = ?"
        " ORDER BY rule", [user_id]
    ))
    return {
        "account": [account],
        "checkins": checkins,
        "questionnaire_responses": responses,
        "questionnaire_scores": scores,
        "actions": actions,
        "muted_rules": muted,
        "reminders": _reminders(db, user_id),
        "reminder_sends": list(db.query(
            "SELECT day, claimed_at, sent_at FROM reminder_sends WHERE user_id = ? ORDER BY day",
            [user_id])),
    }


def to_json(data: dict[str, Any], exported_at: dt.datetime | None = None) -> str:
    """One JSON document: ``exported_at`` and one list per kind."""
    moment = (exported_at or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    document = {"exported_at": moment, **data}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def quoted(text: str) -> bool:
    """Whether the export puts an apostrophe before ``text``: a formula start, after any
    apostrophes the person typed (so the importer can take exactly one off again)."""
    return text.lstrip("'").startswith(FORMULA_START)


def cell(value: Any) -> str:
    """A CSV cell: text as typed, booleans yes/no, not answered empty, formula starts
    neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    return "'" + text if quoted(text) else text


def to_csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    """CSV text with a header row (UTF-8 without BOM; CRLF line ends as RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(name)) for name in columns])
    return out.getvalue()


def locked_days(data: dict[str, Any]) -> list[str]:
    """The days whose notes are locked in ``data`` (:func:`collect`)."""
    return [row["day"] for row in data.get("checkins", []) if row.get("note_locked")]


def locked_text(days: list[str]) -> str:
    """What ``locked_notes.txt`` says about the days whose notes could not be read."""
    return (
        f"The private notes of these {len(days)} days are locked: they are sealed with a key "
        "that only their author can open (with their password or recovery code), so this "
        "download does not hold them. Their cells in checkins.csv are empty; importing that "
        "file keeps the locked notes as they are.\n\n" + "".join(f"{day}\n" for day in days))


def to_zip(data: dict[str, Any]) -> bytes:
    """A zip with one CSV per kind (``checkins.csv`` and so on), and
    ``locked_notes.txt`` when some notes could not be read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for kind, columns in KINDS.items():
            info = zipfile.ZipInfo(f"{kind}.csv", date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, to_csv(data.get(kind, []), columns).encode("utf-8"))
        if locked_days(data):
            info = zipfile.ZipInfo(LOCKED_FILE, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, locked_text(locked_days(data)).encode("utf-8"))
    return buffer.getvalue()
