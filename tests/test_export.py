"""Export my data: every kind, notes decrypted, literal text, no spreadsheet formulas;
the e-mail reminder settings too."""
import csv
import datetime as dt
import io
import json
import zipfile

import pytest

from fatigue import accounts, actions, checkins, email_reminders, erasure, export, questionnaires

from conftest import PASSWORD, RATINGS, TODAY

EVIL = "<script>alert(1)</script> [x](http://evil) **bold**"


@pytest.fixture
def filled(db, user):
    checkins.save_checkin(db, user, "2026-03-13", today=TODAY, caseload=12, contacts=3,
                          supervision=True, note=EVIL, **RATINGS)
    checkins.save_checkin(db, user, TODAY, today=TODAY, caseload=12,
                          note='=HYPERLINK("http://evil","x")', **RATINGS)
    questionnaires.save_response(db, user, "single_item_burnout", {1: 2},
                                 taken_on="2026-03-10", today=TODAY)
    actions.plan(db, user, "book_supervision", TODAY, "2026-03-20")
    actions.not_relevant(db, user, "book_supervision", TODAY)
    return user


def test_collect_known_answer(db, filled):
    data = export.collect(db, filled)
    assert data["account"] == [{
        "username": "casey", "display_name": "Casey", "home_team": "North", "teams_led": "",
        "created_at": data["account"][0]["created_at"],
    }]
    assert [(c["day"], c["note"], c["supervision"], c["caseload"]) for c in data["checkins"]] == [
        ("2026-03-13", EVIL, True, 12),
        ("2026-03-16", '=HYPERLINK("http://evil","x")', None, 12),  # not answered
    ]
    assert data["checkins"][0]["contacts"] == 3 and data["checkins"][1]["contacts"] is None
    response = data["questionnaire_responses"][0]
    assert (response["instrument_id"], response["taken_on"], response["answers"]) == (
        "single_item_burnout", "2026-03-10", {"1": 2})
    assert [(s["scale"], s["score"], s["band"]) for s in data["questionnaire_scores"]] == [
        ("burnout", 2.0, "no_burnout_symptoms")]
    assert [(a["suggestion_id"], a["status"], a["planned_for"]) for a in data["actions"]] == [
        ("book_supervision", "planned", "2026-03-20"),
        ("book_supervision", "not_relevant", None),
    ]
    assert [m["rule"] for m in data["muted_rules"]] == [data["actions"][1]["rule"]]


def test_export_holds_nobody_elses_data(db, filled, team):
    other = accounts.create_user(db, "robin", PASSWORD, team=team)
    checkins.save_checkin(db, other, TODAY, today=TODAY, note="robin's secret", **RATINGS)
    document = export.to_json(export.collect(db, filled))
    assert "robin" not in document
    assert "robin" not in export.to_zip(export.collect(db, filled)).decode("latin-1")


def test_json_document(db, filled):
    moment = dt.datetime(2026, 3, 16, 18, 0, tzinfo=dt.timezone.utc)
    document = json.loads(export.to_json(export.collect(db, filled), exported_at=moment))
    assert document["exported_at"] == "2026-03-16T18:00:00Z"
    assert list(document) == ["exported_at", "account", "checkins", "questionnaire_responses",
                              "questionnaire_scores", "actions", "muted_rules", "reminders",
                              "reminder_sends"]
    assert document["checkins"][0]["note"] == EVIL  # literal text, as typed


def test_zip_has_one_csv_per_kind(db, filled):
    archive = zipfile.ZipFile(io.BytesIO(export.to_zip(export.collect(db, filled))))
    assert archive.namelist() == [
        "account.csv", "checkins.csv", "questionnaire_responses.csv",
        "questionnaire_scores.csv", "actions.csv", "muted_rules.csv", "reminders.csv",
        "reminder_sends.csv",
    ]
    rows = list(csv.reader(io.StringIO(archive.read("checkins.csv").decode("utf-8"))))
    assert rows[0] == list(export.CHECKIN_COLUMNS)
    assert rows[1][0] == "2026-03-13" and rows[1][-1] == EVIL
    assert rows[1][rows[0].index("supervision")] == "yes"
    assert rows[2][rows[0].index("supervision")] == ""  # not answered: empty, never "no"
    assert rows[2][rows[0].index("contacts")] == ""
    assert rows[2][-1] == '\'=HYPERLINK("http://evil","x")'


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+41 79", "'+41 79"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), ("a=b", "a=b"), ("", ""),
    (None, ""), (True, "yes"), (False, "no"), (3, "3"), (2.5, "2.5"), ({"1": 2}, '{"1": 2}'),
])
def test_cells_are_never_formulas(value, expected):
    assert export.cell(value) == expected


def with_reminders(db, user):
    email_reminders.set_preferences(db, user, email="Casey@Agency.example", weekdays=[4, 0, 2],
                                    at_time=dt.time(16, 30), timezone="Europe/London")
    email_reminders.pause(db, user, dt.date(2026, 3, 16))
    db.execute("INSERT INTO reminder_sends (user_id, day, claimed_at, sent_at) VALUES"
               " (?, '2026-03-13', '2026-03-13T16:30:02Z', '2026-03-13T16:30:03Z'),"
               " (?, '2026-03-16', '2026-03-16T16:30:01Z', NULL)", [user, user])
    db.conn.commit()


REMINDERS_JSON = """\
  "reminders": [
    {
      "email": "casey@agency.example",
      "weekdays": [
        "Monday",
        "Wednesday",
        "Friday"
      ],
      "at_time": "16:30",
      "timezone": "Europe/London",
      "reminders_on": true,
      "paused_until": "2026-03-22"
    }
  ],
  "reminder_sends": [
    {
      "day": "2026-03-13",
      "claimed_at": "2026-03-13T16:30:02Z",
      "sent_at": "2026-03-13T16:30:03Z"
    },
    {
      "day": "2026-03-16",
      "claimed_at": "2026-03-16T16:30:01Z",
      "sent_at": null
    }
  ]
}
"""


def test_reminder_settings_known_answer(db, user, team):
    with_reminders(db, user)
    other = accounts.create_user(db, "robin", PASSWORD, team=team)
    email_reminders.set_preferences(db, other, email="robin@agency.example", weekdays=[1],
                                    at_time=dt.time(9, 0), timezone="UTC")
    document = export.to_json(export.collect(db, user))
    assert document.endswith(REMINDERS_JSON)
    assert "link_nonce" not in document and "robin" not in document
    archive = zipfile.ZipFile(io.BytesIO(export.to_zip(export.collect(db, user))))
    assert archive.read("reminders.csv").decode() == (
        "email,weekdays,at_time,timezone,reminders_on,paused_until\r\n"
        'casey@agency.example,"[""Monday"", ""Wednesday"", ""Friday""]",16:30,Europe/London,'
        "yes,2026-03-22\r\n")
    assert archive.read("reminder_sends.csv").decode() == (
        "day,claimed_at,sent_at\r\n2026-03-13,2026-03-13T16:30:02Z,2026-03-13T16:30:03Z\r\n"
        "2026-03-16,2026-03-16T16:30:01Z,\r\n")


def test_stopped_reminders_export_as_off_and_deleting_my_data_removes_them(db, user):
    with_reminders(db, user)
    email_reminders.stop(db, user)
    [row] = export.collect(db, user)["reminders"]
    assert (row["reminders_on"], row["weekdays"]) == (False, ["Monday", "Wednesday", "Friday"])
    erasure.delete_my_data(db, user, "casey")
    data = export.collect(db, user)
    assert (data["reminders"], data["reminder_sends"]) == ([], [])
    assert email_reminders.get_preferences(db, user) is None


def test_empty_account_exports_headers_only(db, user):
    data = export.collect(db, user)
    assert data["checkins"] == [] and data["actions"] == [] and data["reminders"] == []
    archive = zipfile.ZipFile(io.BytesIO(export.to_zip(data)))
    assert archive.read("checkins.csv").decode() == ",".join(export.CHECKIN_COLUMNS) + "\r\n"


# --- command line ---------------------------------------------------------------

def cli_run(argv):
    import contextlib

    from fatigue import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def test_export_command_writes_an_owner_only_file(db, db_path, filled, tmp_path):
    target = tmp_path / "casey.json"
    code, out, _ = cli_run(["export", "Casey", "--db", str(db_path), "--out", str(target)])
    assert code == 0 and out.startswith(f"The data of 'casey' written to {target} as JSON.")
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert json.loads(target.read_text())["checkins"][0]["note"] == EVIL
    code, _, err = cli_run(["export", "casey", "--db", str(db_path), "--out", str(target)])
    assert code == 2 and "exists already; pass --force" in err
    archive = tmp_path / "casey.zip"
    assert cli_run(["export", "casey", "--db", str(db_path), "--out", str(archive)])[0] == 0
    assert zipfile.ZipFile(archive).namelist()[1] == "checkins.csv"
    # Notes that leave the app by the shell are on record (no values, only who and how).
    from fatigue import audit

    logged = audit.entries(db, action="data_exported_by_operator")
    assert [e["detail"]["format"] for e in logged] == ["csv", "json"]
    assert {e["detail"]["username"] for e in logged} == {"casey"}


def test_export_command_unknown_user(db, db_path, tmp_path):
    code, _, err = cli_run(["export", "nobody", "--db", str(db_path), "--out", str(tmp_path / "x.json")])
    assert (code, err) == (2, "error: There is no account 'nobody'.\n")
