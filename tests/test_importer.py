"""Import my history from CSV: all rows valid or nothing, a report naming row and field."""
import datetime as dt
import io
import zipfile

import pytest

from fatigue import checkins, export, importer
from fatigue.errors import ValidationError

from conftest import RATINGS, TODAY

HEADER = "day,exhaustion,empathy,detachment,intrusion,meaning,recovery,time_pressure,caseload,note"


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def rejected(db, user, data, **kwargs) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        importer.import_history(db, user, data, TODAY, **kwargs)
    assert checkins.load_history(db, user).empty or kwargs.get("keep")
    return info.value.errors


def test_template_is_the_export_header():
    assert importer.template_csv() == ",".join(export.CHECKIN_COLUMNS) + "\r\n"


def test_valid_file_is_imported(db, user):
    data = csv_bytes(
        "2024-02-01,5,6,2,3,7,4,6,14,first day",
        "2024-02-02,8,3,6,7,2,1,9,,\"<script>alert(1)</script>, [x](http://evil)\"",
        "2019-12-31,1,9,0,0,9,9,1,3,",
    )
    result = importer.import_history(db, user, data, TODAY)
    assert (result.imported, result.replaced) == (3, 0)
    history = checkins.load_history(db, user)
    assert history["day"].dt.strftime("%Y-%m-%d").tolist() == ["2019-12-31", "2024-02-01", "2024-02-02"]
    assert history["exhaustion"].tolist() == [1, 5, 8]
    assert history["caseload"].fillna(-1).tolist() == [3, 14, -1]  # blank: not answered
    assert history["note"].tolist() == ["", "first day", "<script>alert(1)</script>, [x](http://evil)"]


def test_form_words_as_headers_semicolons_and_a_bom(db, user):
    header = ("Date;Exhaustion;Empathy;Detachment;Intrusion;Meaning;Recovery;Time pressure;"
              "Active caseload;Supervision or debrief today;Private note")
    data = "\ufeff" + header + "\n2026-03-01;5;6;2;3;7;4;6;12;yes;'=not a formula\n"
    assert importer.import_history(db, user, data.encode(), TODAY).imported == 1
    saved = checkins.get_checkin(db, user, "2026-03-01")
    assert (saved["caseload"], saved["supervision"], saved["note"]) == (12, True, "=not a formula")


def test_export_imports_back_unchanged(db, user, tmp_path):
    checkins.save_checkin(db, user, "2026-03-10", today=TODAY, caseload=9, contacts=4,
                          crisis_contacts=1, direct_hours=2.5, break_taken=True,
                          note="-a list\n+ another, \"quoted\"", **RATINGS)
    before = checkins.load_history(db, user)
    zipped = export.to_zip(export.collect(db, user))
    data = zipfile.ZipFile(io.BytesIO(zipped)).read("checkins.csv")
    result = importer.import_history(db, user, data, TODAY, replace=True)
    assert (result.imported, result.replaced) == (1, 1)
    assert checkins.load_history(db, user).equals(before)


def test_every_bad_row_and_field_is_named_and_nothing_is_written(db, user):
    data = csv_bytes(
        "2026-03-01,5,6,2,3,7,4,6,12,fine",
        "2026-03-02,11,6,2,3,7,4,6,12,",
        "2026-03-03,5,,2,3,7,4,x,12,",
        "2026-03-17,5,6,2,3,7,4,6,12,",
        "2026-03-01,5,6,2,3,7,4,6,12,",
        "03/04/2026,5,6,2,3,7,4,6,-1,",
    )
    assert rejected(db, user, data) == {
        "row 3, Exhaustion": "Exhaustion must be a whole number from 0 to 10.",
        "row 4, Empathy": "Empathy is needed: choose a number from 0 to 10.",
        "row 4, Time pressure": "Time pressure must be a whole number from 0 to 10.",
        "row 5, Date": "Date cannot be in the future.",
        "row 6, Date": "2026-03-01 appears twice in the file (also row 2).",
        "row 7, Date": "Date must be a calendar date written as YYYY-MM-DD.",
        "row 7, Active caseload": "Active caseload must be a whole number from 0 to 500.",
    }


@pytest.mark.parametrize("line, key, message", [
    ("1999-12-31,5,6,2,3,7,4,6,12,", "row 2, Date", "Date cannot be before 2000-01-01."),
    ("2026-03-01,5,6,2,3,7,4,6,12," + "x" * 2001, "row 2, Private note",
     "Private note is 2,001 characters; the limit is 2,000."),
    ("2026-03-01,5,6,2,3,7,4,6,12,a\x01b", "row 2, Private note",
     "Private note contains control characters; please retype it."),
    ("2026-03-01,5,6,2,3,7,4,6,nan,", "row 2, Active caseload",
     "Active caseload must be a whole number from 0 to 500."),
    ("2026-03-01,5,6,2,3,7,4,6,12,,extra", "row 2",
     "The row has 11 cells but the header has 10 columns."),
])
def test_single_bad_rows(db, user, line, key, message):
    assert rejected(db, user, csv_bytes(line)) == {key: message}


def test_relations_between_fields(db, user):
    header = HEADER + ",contacts,crisis_contacts"
    errors = rejected(db, user, csv_bytes("2026-03-01,5,6,2,3,7,4,6,12,,2,3", header=header))
    assert errors == {"row 2, Crisis or high-intensity contacts":
                      "Crisis or high-intensity contacts (3) cannot be more than client contacts today (2)."}


@pytest.mark.parametrize("header, expected", [
    (HEADER + ",mood", {"row 1, column 11": "Unknown column 'mood'. The columns are: "
                        + ", ".join(export.CHECKIN_COLUMNS) + "."}),
    ("day,detachment", {"row 1": "Missing column(s): Exhaustion, Empathy."}),
    (HEADER + ",Exhaustion", {"row 1, column 11": "Column 'Exhaustion' appears twice."}),
])
def test_bad_headers(db, user, header, expected):
    line = "2026-03-01," + ",".join(["5"] * (header.count(",")))
    assert rejected(db, user, csv_bytes(line, header=header)) == expected


@pytest.mark.parametrize("data, message", [
    (b"", "The file is empty: it needs a header row and data rows."),
    (HEADER.encode(), "The file has a header row but no check-ins."),
    ("day\n2026-03-01\n".encode("utf-16"), "The file is not UTF-8 text. Save it from your "
                                            "spreadsheet as 'CSV UTF-8 (comma delimited)'."),
    (b"\x00\x01PK", "The file is not a CSV text file."),
])
def test_files_that_are_not_check_in_csv(db, user, data, message):
    assert rejected(db, user, data) == {"file": message}


def test_size_and_row_limits(db, user, monkeypatch):
    monkeypatch.setattr(importer, "MAX_ROWS", 2)
    lines = [f"2026-03-0{d},5,6,2,3,7,4,6,12," for d in (1, 2, 3)]
    assert rejected(db, user, csv_bytes(*lines)) == {
        "file": "The file has 3 rows; at most 2 can be imported at once."}
    monkeypatch.setattr(importer, "MAX_BYTES", 10)
    assert rejected(db, user, csv_bytes(*lines[:1])) == {
        "file": "The file is 118 bytes; the limit is 10."}


def test_days_already_saved_need_replace(db, user):
    checkins.save_checkin(db, user, "2026-03-01", today=TODAY, note="keep", **RATINGS)
    data = csv_bytes("2026-03-01,9,6,2,3,7,4,6,12,new", "2026-03-02,5,6,2,3,7,4,6,12,")
    with pytest.raises(ValidationError) as info:
        importer.import_history(db, user, data, TODAY)
    assert info.value.errors == {"row 2, Date": (
        "You already have a check-in for 2026-03-01. Tick 'Replace days I have already saved' "
        "to overwrite it, or remove the row.")}
    assert len(checkins.load_history(db, user)) == 1
    assert checkins.get_checkin(db, user, "2026-03-01")["note"] == "keep"
    result = importer.import_history(db, user, data, TODAY, replace=True)
    assert (result.imported, result.replaced) == (2, 1)
    saved = checkins.get_checkin(db, user, "2026-03-01")
    assert (saved["exhaustion"], saved["note"]) == (9, "new")


def test_many_errors_are_capped(db, user):
    lines = [f"2026-01-{d:02d},11,6,2,3,7,4,6,12," for d in range(1, 32)] * 8
    errors = rejected(db, user, csv_bytes(*lines))
    assert len(errors) == importer.MAX_ERRORS + 1
    # 248 rows with exhaustion 11, and 217 of them repeat a day: 465 problems, 200 listed
    assert errors["and more"] == "265 more problems not listed."


def test_only_day_exhaustion_and_empathy_are_needed_and_blanks_stay_blank(db, user):
    data = csv_bytes("2026-03-01,4,7,,,", "2026-03-02,5,6,,1,",
                     header="day,exhaustion,empathy,intrusion,contacts,supervision")
    assert importer.import_history(db, user, data, TODAY).imported == 2
    rows = db.execute("SELECT day, exhaustion, empathy, intrusion, contacts, caseload,"
                      " supervision FROM checkins ORDER BY day").fetchall()
    assert rows == [("2026-03-01", 4, 7, None, None, None, None),
                    ("2026-03-02", 5, 6, None, 1, None, None)]


def test_a_file_without_the_needed_columns_is_refused(db, user):
    data = csv_bytes("2026-03-01,4,", header="day,exhaustion,intrusion")
    assert rejected(db, user, data) == {"row 1": "Missing column(s): Empathy."}


NOTES = ["'=1+1", "=1+1", "''=SUM(A1)", "'hello", "'", "'-", "-5 bad day", "@home", "''",
         "'\ttabbed"]


def test_notes_starting_with_apostrophes_make_the_round_trip_exactly(db, user):
    """The export neutralises formulas with an apostrophe; a note that starts with an
    apostrophe (before a formula character or not) must come back exactly as typed."""
    days = [TODAY - dt.timedelta(days=n) for n in range(len(NOTES))]
    for day, note in zip(days, NOTES):
        checkins.save_checkin(db, user, day, today=TODAY, note=note, **RATINGS)
    data = zipfile.ZipFile(io.BytesIO(export.to_zip(export.collect(db, user)))).read("checkins.csv")
    importer.import_history(db, user, data, TODAY, replace=True)
    assert [checkins.get_checkin(db, user, day)["note"] for day in days] == NOTES
