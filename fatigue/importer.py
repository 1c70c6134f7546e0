"""Import my check-in history from a CSV file: every row valid, or nothing imported.

The template (:func:`template_csv`) has the columns of ``checkins.csv`` in an
export: ``day`` and the check-in fields by their field names; the form's words
("Date", "Exhaustion", "Active caseload" ...) are accepted as headers too, in
any case and order. Only ``day``, exhaustion and empathy are required (as in
the form); an empty cell, or a column left out, is not answered and is stored
as such (nothing is filled in or carried forward).

Every row is checked with the same rules as the form
(:func:`fatigue.validation.validate_checkin` and
:func:`~fatigue.validation.check_day`: no future day, nothing before
2000-01-01; the 7-day back-fill limit of the form does not apply to history).
A day may appear once in the file. A day that already has a check-in is
refused unless ``replace`` is set; then the imported row replaces it. The
report names each bad row (as a spreadsheet numbers it: the header is row 1)
and field. Then all rows are written in one transaction, or none.

Imported history is the person's own: it feeds their trends, baselines and
summaries, and never any team or agency figure (a day it replaces stops
counting there too; :mod:`fatigue.teamfigures.rules`). The import is
audited, without its size or dates.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from fatigue import audit, checkins
from fatigue.db import write_lock
from fatigue.errors import ValidationError
from fatigue.export import CHECKIN_COLUMNS, quoted, to_csv
from fatigue.validation import LABELS, REQUIRED, check_day, validate_checkin

MAX_BYTES = 5_000_000
MAX_ROWS = 5_000
MAX_ERRORS = 200  # listed in the report; the count of the rest is given
FILENAME_TEMPLATE = "check-in-history-template.csv"
_HEADERS: dict[str, str] = {
    **{name.lower(): name for name in CHECKIN_COLUMNS},
    **{label.lower(): name for name, label in LABELS.items()},
    "date": "day",
}


def template_csv() -> str:
    """The import template: the header row only."""
    return to_csv([], CHECKIN_COLUMNS)


@dataclass(frozen=True)
class ImportResult:
    imported: int  # rows written
    replaced: int  # of which replaced a day already saved


def _label(name: str) -> str:
    return LABELS.get(name, name)


def _uncell(text: str) -> str:
    """Undo the export's formula neutralisation ('=x -> =x, ''=x -> '=x)."""
    return text[1:] if text.startswith("'") and quoted(text[1:]) else text


def _read(data: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV upload; ValidationError for a file that is not one."""
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": f"The file is {len(data):,} bytes; the limit is {MAX_BYTES:,}."})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            {"file": "The file is not UTF-8 text. Save it from your spreadsheet as "
                     "'CSV UTF-8 (comma delimited)'."}
        ) from None
    if "\x00" in text:
        raise ValidationError({"file": "The file is not a CSV text file."})
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise ValidationError({"file": f"The file is not valid CSV: {exc}."}) from None
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise ValidationError({"file": "The file is empty: it needs a header row and data rows."})
    header, rows = table[0], table[1:]
    if not rows:
        raise ValidationError({"file": "The file has a header row but no check-ins."})
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            {"file": f"The file has {len(rows):,} rows; at most {MAX_ROWS:,} can be imported at once."}
        )
    return header, rows


def _columns(header: list[str]) -> list[str]:
    errors: dict[str, str] = {}
    names: list[str] = []
    for position, title in enumerate(header, start=1):
        key = " ".join(_uncell(title).strip().lower().replace("_", " ").split())
        name = _HEADERS.get(key) or _HEADERS.get(key.replace(" ", "_"))
        if name is None:
            errors[f"row 1, column {position}"] = (
                f"Unknown column '{title.strip()[:40]}'. The columns are: {', '.join(CHECKIN_COLUMNS)}."
            )
        elif name in names:
            errors[f"row 1, column {position}"] = f"Column '{title.strip()[:40]}' appears twice."
        names.append(name or "")
    missing = [n for n in ("day", *REQUIRED) if n not in names]
    if missing:
        errors["row 1"] = "Missing column(s): " + ", ".join(_label(n) for n in missing) + "."
    if errors:
        raise ValidationError(errors)
    return names


def check_file(
    db: Database, user_id: int, data: bytes, today: dt.date, *, replace: bool = False
) -> list[dict[str, Any]]:
    """Validate an upload; return the records to save or raise ValidationError naming
    every bad row and field (keys like ``row 3, Exhaustion``)."""
    header, rows = _read(data)
    names = _columns(header)
    existing = {
        day for (day,) in db.execute("SELECT day FROM checkins WHERE user_id = ?", [user_id])
    }
    errors: dict[str, str] = {}
    seen: dict[str, int] = {}
    records: list[dict[str, Any]] = []
    for index, cells in enumerate(rows):
        number = index + 2  # the spreadsheet's row number (header is row 1)
        if len(cells) > len(names):
            errors[f"row {number}"] = (
                f"The row has {len(cells)} cells but the header has {len(names)} columns."
            )
            continue
        values = {
            name: _uncell(text) if name == "note" else _uncell(text).strip()
            for name, text in zip(names, cells)
        }
        day_text = values.pop("day", "")
        values = {k: (None if v == "" else v) for k, v in values.items()}
        try:
            day = check_day(day_text, today)
        except ValidationError as exc:
            errors[f"row {number}, {_label('day')}"] = exc.errors.get("day", str(exc))
            day = None
        if day is not None:
            iso = day.isoformat()
            if iso in seen:
                errors[f"row {number}, {_label('day')}"] = (
                    f"{iso} appears twice in the file (also row {seen[iso]})."
                )
            else:
                seen[iso] = number
                if iso in existing and not replace:
                    errors[f"row {number}, {_label('day')}"] = (
                        f"You already have a check-in for {iso}. Tick 'Replace days I have "
                        "already saved' to overwrite it, or remove the row."
                    )
        try:
            clean = validate_checkin(values)
        except ValidationError as exc:
            for field, message in exc.errors.items():
                errors[f"row {number}, {_label(field)}"] = message
            continue
        if day is not None:
            records.append({"day": day.isoformat(), **clean})
    if errors:
        shown = dict(list(errors.items())[:MAX_ERRORS])
        if len(errors) > MAX_ERRORS:
            shown["and more"] = f"{len(errors) - MAX_ERRORS:,} more problems not listed."
        raise ValidationError(shown)
    return sorted(records, key=lambda r: r["day"])


def import_history(
    db: Database, user_id: int, data: bytes, today: dt.date, *, replace: bool = False,
    key: bytes | None = None,
) -> ImportResult:
    """Check ``data`` (CSV bytes) and save every row in one transaction, or none.

    Notes are sealed with ``key``, the person's open note key
    (:func:`fatigue.checkins.save_checkins`): while their notes are locked, a
    row with a note is refused and an empty cell keeps a locked note.

    Raises :class:`ValidationError` (nothing written) naming each bad row and field.
    """
    with write_lock(db):
        records = check_file(db, user_id, data, today, replace=replace)
        days = [r["day"] for r in records]
        replaced = sum(
            1 for day in days
            if db.execute("SELECT 1 FROM checkins WHERE user_id = ? AND day = ?",
                          [user_id, day]).fetchone()
        )
        checkins.save_checkins(db, user_id, records, today=today, key=key)
        audit.record(db, user_id, "history_imported", {"user_id": user_id})
    return ImportResult(imported=len(records), replaced=replaced)
