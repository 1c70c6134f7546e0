"""Check-in validation: every rule, with the message a user sees."""
import datetime as dt
import math

import numpy as np
import pytest

from fatigue.errors import ValidationError
from fatigue.validation import FIELDS, REQUIRED, check_day, validate_checkin

from conftest import RATINGS, TODAY


def test_valid_checkin_is_typed_and_nothing_is_filled_in():
    clean = validate_checkin({**RATINGS, "caseload": "18", "direct_hours": "2.5"})
    assert clean == {
        **RATINGS,
        "caseload": 18,
        "contacts": None,
        "crisis_contacts": None,
        "trauma_contacts": None,
        "direct_hours": 2.5,
        "after_hours_minutes": None,
        "supervision": None,
        "break_taken": None,
        "note": "",
    }


def test_only_exhaustion_and_empathy_are_needed():
    clean = validate_checkin({"exhaustion": 3, "empathy": "7", "intrusion": None})
    assert clean == {**dict.fromkeys(FIELDS), "exhaustion": 3, "empathy": 7, "note": ""}


def test_crisis_contacts_without_contacts_are_kept():
    clean = validate_checkin({**RATINGS, "crisis_contacts": 2})
    assert (clean["contacts"], clean["crisis_contacts"]) == (None, 2)


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"exhaustion": 11}, "exhaustion", "Exhaustion must be a whole number from 0 to 10."),
        ({"empathy": -1}, "empathy", "Empathy must be a whole number from 0 to 10."),
        ({"meaning": 5.5}, "meaning", "Meaning must be a whole number from 0 to 10."),
        ({"recovery": "high"}, "recovery", "Recovery must be a whole number from 0 to 10."),
        ({"intrusion": True}, "intrusion", "Intrusion must be a whole number from 0 to 10."),
        ({"intrusion": np.True_}, "intrusion", "Intrusion must be a whole number from 0 to 10."),
        ({"detachment": math.nan}, "detachment", "Detachment must be a whole number from 0 to 10."),
        ({"caseload": 501}, "caseload", "Active caseload must be a whole number from 0 to 500."),
        ({"contacts": 101}, "contacts", "Client contacts today must be a whole number from 0 to 100."),
        ({"direct_hours": 24.5}, "direct_hours", "Hours of direct client contact must be a number from 0 to 24."),
        ({"direct_hours": math.inf}, "direct_hours", "Hours of direct client contact must be a number from 0 to 24."),
        ({"direct_hours": -0.5}, "direct_hours", "Hours of direct client contact must be a number from 0 to 24."),
        ({"after_hours_minutes": 1441}, "after_hours_minutes",
         "Minutes worked outside scheduled hours must be a whole number from 0 to 1440."),
        ({"supervision": "maybe"}, "supervision", "Supervision or debrief today must be yes or no."),
        ({"contacts": 2, "crisis_contacts": 3}, "crisis_contacts",
         "Crisis or high-intensity contacts (3) cannot be more than client contacts today (2)."),
        ({"contacts": 2, "trauma_contacts": 4}, "trauma_contacts",
         "Contacts involving traumatic material (4) cannot be more than client contacts today (2)."),
        ({"note": "x" * 2001}, "note", "Private note is 2,001 characters; the limit is 2,000."),
        ({"note": 42}, "note", "Private note must be text."),
        ({"mood": 3}, "mood", "Unknown field 'mood'."),
    ],
)
def test_each_rule_names_its_field(change, field, message):
    with pytest.raises(ValidationError) as info:
        validate_checkin({**RATINGS, **change})
    assert info.value.errors == {field: message}
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("missing", REQUIRED)
def test_the_needed_ratings_are_required(missing):
    values = {k: v for k, v in RATINGS.items() if k != missing}
    with pytest.raises(ValidationError) as info:
        validate_checkin(values)
    assert info.value.errors == {
        missing: f"{missing.capitalize()} is needed: choose a number from 0 to 10."}


def test_all_errors_are_reported_together():
    with pytest.raises(ValidationError) as info:
        validate_checkin({**RATINGS, "exhaustion": 12, "direct_hours": 30, "contacts": 1,
                          "crisis_contacts": 2})
    assert set(info.value.errors) == {"exhaustion", "direct_hours", "crisis_contacts"}


@pytest.mark.parametrize(
    "value, expected", [(0, 0), (10, 10), (7.0, 7), ("3", 3), (" 4 ", 4), ("6.0", 6)]
)
def test_rating_accepts_whole_numbers_in_any_form(value, expected):
    assert validate_checkin({**RATINGS, "exhaustion": value})["exhaustion"] == expected


@pytest.mark.parametrize(
    "value, expected",
    [(True, True), (0, False), ("yes", True), ("false", False), ("", False),
     (np.True_, True), (np.False_, False)],
)
def test_flags_accept_yes_no_forms(value, expected):
    assert validate_checkin({**RATINGS, "break_taken": value})["break_taken"] is expected


def test_contacts_edge_equal_is_allowed():
    clean = validate_checkin({**RATINGS, "contacts": 3, "crisis_contacts": 3, "trauma_contacts": 3})
    assert clean["crisis_contacts"] == clean["trauma_contacts"] == 3


@pytest.mark.parametrize(
    "day, window, message",
    [
        (TODAY + dt.timedelta(days=1), None, "Date cannot be in the future."),
        (TODAY - dt.timedelta(days=8), 7, "Date can be at most 7 days back (from 2026-03-09)."),
        ("16/03/2026", None, "Date must be a calendar date written as YYYY-MM-DD."),
        ("2026-02-30", None, "Date must be a calendar date written as YYYY-MM-DD."),
        ("20260316", None, "Date must be a calendar date written as YYYY-MM-DD."),
        ("2026-W12-1", None, "Date must be a calendar date written as YYYY-MM-DD."),
        ("0001-01-01", None, "Date cannot be before 2000-01-01."),
        (dt.date(1999, 12, 31), None, "Date cannot be before 2000-01-01."),
    ],
)
def test_bad_days(day, window, message):
    with pytest.raises(ValidationError) as info:
        check_day(day, TODAY, backfill_days=window)
    assert info.value.errors == {"day": message}


@pytest.mark.parametrize("back", [0, 1, 7])
def test_backfill_window_edges_allowed(back):
    day = TODAY - dt.timedelta(days=back)
    assert check_day(day.isoformat(), TODAY, backfill_days=7) == day


# --- property-based tests (hypothesis): every input either passes clean or is refused -----
import decimal  # noqa: E402
import sqlite3  # noqa: E402

import pandas as pd  # noqa: E402
from hypothesis import given, strategies as st  # noqa: E402

from fatigue import checkins  # noqa: E402
from fatigue.validation import (  # noqa: E402
    BACKFILL_DAYS,
    EARLIEST_DAY,
    INT_RANGES,
    MAX_NOTE_CHARS,
    clean_text,
    parse_day,
    text_problem,
    to_bool,
    to_float,
    to_int,
)

# Anything a form, a CSV cell, a pandas frame or a careless caller might pass.
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["\ud800", "a\x00b", "<script>alert(1)</script>", "[x](http://evil)"]),
    st.sampled_from(["nan", "inf", "-inf", "1e400", "1_0", " 7 ", "7.0", "٣", "", "yes", "0x1"]),
    st.sampled_from([np.nan, np.inf, np.int64(3), np.float64(2.0), np.True_, pd.NA, pd.NaT,
                     decimal.Decimal("5"), decimal.Decimal("NaN"), [], {}, (1,), object()]),
)
VALID = st.fixed_dictionaries(
    {name: st.integers(0, 10) for name in REQUIRED},
    optional={
        **{name: st.one_of(st.none(), st.integers(0, 10)) for name in RATINGS
           if name not in REQUIRED},
        "caseload": st.integers(0, 500),
        "contacts": st.integers(0, 100),
        "crisis_contacts": st.integers(0, 100),
        "trauma_contacts": st.integers(0, 100),
        "direct_hours": st.floats(0, 24),
        "after_hours_minutes": st.integers(0, 1440),
        "supervision": st.booleans(),
        "break_taken": st.booleans(),
        "note": st.text(max_size=300),
    },
)


def _in_range(clean):
    assert set(clean) == set(FIELDS)
    for name, (low, high) in INT_RANGES.items():
        if clean[name] is not None:
            assert type(clean[name]) is int and low <= clean[name] <= high, name
    assert clean["direct_hours"] is None or (
        type(clean["direct_hours"]) is float and 0 <= clean["direct_hours"] <= 24)
    if clean["contacts"] is not None:
        assert (clean["crisis_contacts"] or 0) <= clean["contacts"]
        assert (clean["trauma_contacts"] or 0) <= clean["contacts"]
    assert clean["supervision"] in (None, True, False) and clean["break_taken"] in (None, True, False)
    assert len(clean["note"]) <= MAX_NOTE_CHARS and text_problem(clean["note"], multiline=True) is None
    clean["note"].encode("utf-8")  # storable


@given(VALID)
def test_property_accepted_checkins_are_clean_and_stable(values):
    try:
        clean = validate_checkin(values)
    except ValidationError as exc:  # only the relations or the note may refuse valid ranges
        assert set(exc.errors) <= {"crisis_contacts", "trauma_contacts", "note"}
        return
    _in_range(clean)
    assert validate_checkin(clean) == clean  # cleaning is idempotent


@given(st.sampled_from([*INT_RANGES, "direct_hours", "supervision", "break_taken", "note"]),
       ANYTHING)
def test_property_any_value_is_cleaned_or_refused_by_name(field, value):
    values = {**RATINGS, "contacts": 100, field: value}
    try:
        clean = validate_checkin(values)
    except ValidationError as exc:
        assert set(exc.errors) == {field}  # the message names the field at fault
        assert str(exc)  # and has words
        return
    _in_range(clean)
    if field in INT_RANGES and value is not None:
        assert clean[field] == float(value if not isinstance(value, str) else value.strip())


# Any character, lone surrogates and control characters included.
TYPED = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(
    ["\ud800", "\udfff", "\x00", "\x1b", "\x7f", "\x85", "\n", "\r", "\t", "<", "["])))


@given(st.one_of(TYPED, st.text(min_size=1995, max_size=2010)))
def test_property_notes_are_stored_as_typed_or_refused(note):
    try:
        clean = validate_checkin({**RATINGS, "note": note})
    except ValidationError as exc:
        assert set(exc.errors) == {"note"}
        assert (len(note) > MAX_NOTE_CHARS or text_problem(note, multiline=True))
        return
    assert clean["note"] == note.strip()
    _in_range(clean)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)),
       st.sampled_from([None, BACKFILL_DAYS]))
def test_property_days_in_the_window_and_only_those(day, window):
    ok = EARLIEST_DAY <= day <= TODAY and (
        window is None or day >= TODAY - dt.timedelta(days=window))
    for form in (day, day.isoformat(), dt.datetime.combine(day, dt.time(13, 5))):
        try:
            assert check_day(form, TODAY, backfill_days=window) == day
            assert ok
        except ValidationError as exc:
            assert not ok and set(exc.errors) == {"day"}


@given(ANYTHING)
def test_property_parse_day_takes_dates_only(value):
    try:
        assert isinstance(parse_day(value), dt.date)
    except ValidationError as exc:
        assert set(exc.errors) == {"day"}


@given(ANYTHING)
def test_property_converters_never_raise_and_never_let_nan_through(value):
    number = to_float(value)
    assert number is None or (type(number) is float and math.isfinite(number))
    whole = to_int(value)
    assert whole is None or type(whole) is int
    assert to_bool(value) in (None, True, False)
    if isinstance(value, (bool, np.bool_)):
        assert number is None and whole is None


@given(st.integers(-(10**12), 10**12))
def test_property_to_int_round_trips_numbers_as_text(n):
    assert to_int(str(n)) == n == to_int(f" {n} ")
    assert to_int(float(n)) == n


@given(ANYTHING, st.booleans())
def test_property_clean_text_returns_storable_text_or_names_the_field(value, multiline):
    try:
        text = clean_text(value, "team", "Team name", max_chars=20, multiline=multiline)
    except ValidationError as exc:
        assert set(exc.errors) == {"team"} and exc.errors["team"].startswith("Team name ")
        return
    assert len(text) <= 20 and text == text.strip() and text_problem(text, multiline=multiline) is None
    assert clean_text(text, "team", "Team name", max_chars=20, multiline=multiline) == text


def test_property_what_validation_accepts_the_database_stores_unchanged(tmp_path):
    """The CHECK constraints and the validation agree: nothing valid is refused."""
    from fatigue import accounts
    from fatigue.db import connect

    db = connect(tmp_path / "p.db")
    uid = accounts.create_user(db, "prop", "a-long-test-password",
                               team=accounts.create_team(db, "P"))
    days = iter(range(100_000))

    @given(VALID)
    def check(values):
        try:
            clean = validate_checkin(values)
        except ValidationError:
            return
        day = TODAY - dt.timedelta(days=next(days))
        saved = checkins.save_checkin(db, uid, day, today=TODAY, **values)
        assert {k: saved[k] for k in clean} == clean

    check()
    db.close()


@pytest.mark.parametrize("name", [*INT_RANGES, "direct_hours"])
def test_check_constraints_back_every_range(db, user, name):
    """Written around the validation (raw SQL), an out-of-range value is still refused."""
    low, high = INT_RANGES.get(name, (0, 24))
    for bad in (low - 1, high + 1):
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            db.execute(f"INSERT INTO checkins (user_id, day, exhaustion, empathy, detachment,"
                       f" intrusion, meaning, recovery, time_pressure, {name})"
                       f" VALUES (?, '2026-03-01', 5, 5, 5, 5, 5, 5, 5, ?)"
                       if name not in RATINGS else
                       "INSERT INTO checkins (user_id, day, exhaustion, empathy, detachment,"
                       " intrusion, meaning, recovery, time_pressure)"
                       " VALUES (?, '2026-03-01', " + ", ".join(
                           "?" if r == name else "5" for r in RATINGS) + ")",
                       [user, bad])


# --- every way in: the same refusal, naming the field, nothing stored ------------------
@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"note": "a\ud800b"}, "note",
         "Private note contains characters that are not valid text; please retype it."),
        ({"note": "red \x1b[31m text"}, "note",
         "Private note contains control characters; please retype it."),
        ({"note": "next\x85line"}, "note",
         "Private note contains control characters; please retype it."),
        ({"direct_hours": 10**400}, "direct_hours",
         "Hours of direct client contact must be a number from 0 to 24."),
        ({"caseload": "1_0"}, "caseload", "Active caseload must be a whole number from 0 to 500."),
        ({"caseload": "٣"}, "caseload", "Active caseload must be a whole number from 0 to 500."),
        ({"caseload": "9" * 400}, "caseload", "Active caseload must be a whole number from 0 to 500."),
        ({"exhaustion": pd.NA}, "exhaustion", "Exhaustion must be a whole number from 0 to 10."),
        ({"exhaustion": decimal.Decimal("NaN")}, "exhaustion",
         "Exhaustion must be a whole number from 0 to 10."),
        ({"supervision": 2}, "supervision", "Supervision or debrief today must be yes or no."),
        ({"supervision": np.nan}, "supervision", "Supervision or debrief today must be yes or no."),
    ],
)
def test_more_bad_values_name_their_field(change, field, message):
    with pytest.raises(ValidationError) as info:
        validate_checkin({**RATINGS, **change})
    assert info.value.errors == {field: message}


@pytest.mark.parametrize(
    "value, expected",
    [(np.int64(1), True), (np.int64(0), False), (1.0, True), (np.float64(0.0), False)],
)
def test_flags_given_as_numbers(value, expected):
    assert validate_checkin({**RATINGS, "supervision": value})["supervision"] is expected


@pytest.mark.parametrize("day", [pd.NaT, None, 20260316, np.nan, "", " "])
def test_missing_or_non_dates_are_refused_by_name(day):
    with pytest.raises(ValidationError) as info:
        check_day(day, TODAY)
    assert set(info.value.errors) == {"day"}


def _entry_points():
    """(name, call(db, user), field): one bad value at each public core function."""
    from fatigue import accounts, actions, questionnaires, settings

    return [
        ("save_checkin note", lambda db, u: checkins.save_checkin(
            db, u, TODAY, today=TODAY, note="x\ud800", **RATINGS), "note"),
        ("save_checkin day NaT", lambda db, u: checkins.save_checkin(
            db, u, pd.NaT, today=TODAY, **RATINGS), "day"),
        ("save_checkins record", lambda db, u: checkins.save_checkins(
            db, u, [{"day": TODAY, **RATINGS}, "not a record"], today=TODAY), "row 2"),
        ("save_response NaT", lambda db, u: questionnaires.save_response(
            db, u, "single_item_burnout", {1: 2}, taken_on=pd.NaT, today=TODAY), "taken_on"),
        ("save_response NaN", lambda db, u: questionnaires.save_response(
            db, u, "single_item_burnout", {1: np.nan}, today=TODAY), "item 1"),
        ("plan NaT", lambda db, u: actions.record(
            db, u, "sort_the_week", "planned", TODAY, planned_for=pd.NaT), "planned_for"),
        ("epsilon huge", lambda db, u: settings.set_dp_epsilon(db, 10**400), "dp_epsilon"),
        ("k NaN", lambda db, u: settings.set_k(db, math.nan), "min_group_size"),
        ("support surrogate", lambda db, u: settings.set_support_resources(db, "EAP \udc00"),
         "support_resources"),
        ("team name number", lambda db, u: accounts.create_team(db, 5), "name"),
        ("team standard bool", lambda db, u: accounts.create_team(
            db, "South", caseload_standard=True), "caseload_standard"),
        ("display name control", lambda db, u: accounts.create_user(
            db, "dana", "a-long-test-password", team="North", display_name="Dana\x00"),
         "display_name"),
        ("display name surrogate", lambda db, u: accounts.create_user(
            db, "dana", "a-long-test-password", team="North", display_name="\ud800"),
         "display_name"),
        ("username number", lambda db, u: accounts.create_user(
            db, 12345, "a-long-test-password", team="North"), "username"),
        ("password surrogate", lambda db, u: accounts.create_user(
            db, "dana", "a-long-test-password\ud800", team="North"), "password"),
        ("home team NaN", lambda db, u: accounts.create_user(
            db, "dana", "a-long-test-password", team=math.nan), "team"),
    ]


@pytest.mark.parametrize("name, call, field", _entry_points(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_entry_point_refuses_by_name_and_stores_nothing(db, user, name, call, field):
    tables = ("checkins", "questionnaire_responses", "suggestion_actions", "settings", "teams",
              "users")

    def counts():
        return [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables]

    before = counts()
    with pytest.raises(ValidationError) as info:
        call(db, user)
    assert info.value.field == field
    assert counts() == before


def test_login_with_untypeable_text_is_refused_not_a_crash(db, user):
    from fatigue import accounts
    from fatigue.errors import AuthError

    for username, password in [("casey\ud800", "x"), ("casey", "pw\udfff")]:
        with pytest.raises(AuthError):
            accounts.authenticate(db, username, password)


@pytest.mark.parametrize(
    "sql, params",
    [
        ("INSERT INTO teams (name) VALUES (?)", ["Bad\x07team"]),
        ("UPDATE teams SET name = ?", ["Next\x85line"]),
        ("UPDATE users SET display_name = ?", ["Casey\x1b[31m"]),
        ("UPDATE users SET display_name = ?", ["two\nlines"]),
        ("INSERT INTO settings (key, value) VALUES ('support_resources', ?)", ["EAP\x00 0800"]),
        ("INSERT INTO settings (key, value) VALUES ('support_resources', ?)", ["EAP\r0800"]),
    ],
)
def test_the_database_refuses_control_characters_in_typed_text(db, user, sql, params):
    """Written around the core (raw SQL), the text rules still hold (migration 0008)."""
    with pytest.raises(sqlite3.IntegrityError, match="contains control characters"):
        db.execute(sql, params)


def test_the_database_keeps_line_breaks_and_tabs_in_the_support_text(db):
    db.execute("INSERT INTO settings (key, value) VALUES ('support_resources', ?)",
               ["EAP:\t0800 000 000\nCrisis line: 000"])
    db.execute("UPDATE teams SET name = 'Ünïcode – ok ☀' WHERE 0")  # no error


# --- texts an admin types for other people ------------------------------------------------

INVISIBLE = ["gnp\u202e.exe", "Ca\u200bsey", "Casey\u200d", "\u2066Casey\u2069", "Ca\u00adsey",
             "Casey\u2028Jones", "\ufeffCasey", "Casey\U000e0041"]


@pytest.mark.parametrize("text", INVISIBLE)
def test_invisible_and_direction_characters_are_refused_in_texts_shown_to_others(text):
    from fatigue.validation import text_problem

    assert text_problem(text, shown_to_others=True).startswith(
        "contains invisible or text-direction characters")
    assert text_problem(text) is None  # a private note, seen by its writer only, may keep them


def test_ordinary_names_in_any_script_are_accepted_in_texts_shown_to_others():
    from fatigue.validation import text_problem

    for name in ("Zoë Müller-Łukasiewicz", "أحمد علي", "山田 太郎", "O'Brien (she/her) 🌱"):
        assert text_problem(name, shown_to_others=True) is None


def test_time_zone_names_from_a_browser():
    from fatigue.validation import time_zone

    assert str(time_zone(" Europe/London ")) == "Europe/London"
    for name in ("Europe/" + "x" * 5000, "../../etc/passwd", "Not/A_Zone", "", None, 5, "a\x00b"):
        assert time_zone(name) is None
