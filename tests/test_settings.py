"""Agency settings: typed values, validated on write, in the database and on read."""
from __future__ import annotations

import sqlite3

import pytest

from fatigue import audit, settings
from fatigue.errors import ValidationError


def test_defaults_on_a_new_database(db):
    assert settings.get_k(db) == 5
    assert settings.dp_enabled(db) is False
    assert settings.dp_epsilon(db) == 1.0
    assert settings.support_resources(db) == ""
    assert settings.privacy_settings(db) == {
        "min_group_size": 5, "dp_enabled": False, "dp_epsilon": 1.0, "dp_weekly_cap": 20.0,
        "agency_timezone": "UTC"}


@pytest.mark.parametrize("name", ["Europe/London", "America/New_York", " Asia/Tokyo ", "UTC"])
def test_agency_time_zone_takes_iana_names(db, name):
    assert settings.set_agency_timezone(db, name) == name.strip()
    assert settings.agency_timezone(db) == name.strip()


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "x" * 65, "../etc/passwd", 5, None])
def test_agency_time_zone_refuses_anything_else(db, name):
    with pytest.raises(ValidationError):
        settings.set_agency_timezone(db, name)
    assert settings.agency_timezone(db) == "UTC"


def test_agency_today_follows_the_time_zone(db, clock):
    import datetime as dt

    clock.now = dt.datetime(2026, 3, 15, 23, 30, tzinfo=dt.timezone.utc)
    assert settings.agency_today(db) == dt.date(2026, 3, 15)
    settings.set_agency_timezone(db, "Europe/Berlin")
    assert settings.agency_today(db) == dt.date(2026, 3, 16)
    assert settings.day_begins(db, dt.date(2026, 3, 16)).isoformat() == "2026-03-16T00:00:00+01:00"


@pytest.mark.parametrize("cap, ok", [(0.1, True), (100, True), ("20", True), (0.05, False),
                                     (101, False), (float("nan"), False), (True, False)])
def test_weekly_privacy_cap(db, cap, ok):
    if ok:
        assert settings.set_dp_weekly_cap(db, cap) == float(cap)
    else:
        with pytest.raises(ValidationError):
            settings.set_dp_weekly_cap(db, cap)


def test_the_database_refuses_bad_release_settings_too(db):
    import sqlite3

    for key, value in (("dp_weekly_cap", "0"), ("dp_weekly_cap", "abc"), ("agency_timezone", "a b"),
                       ("agency_timezone", "")):
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO settings (key, value) VALUES (?, ?)", [key, value])


@pytest.mark.parametrize("k", [5, 6, 10, 100, "7"])
def test_k_can_be_raised(db, k):
    assert settings.set_k(db, k) == int(k)
    assert settings.get_k(db) == int(k)


@pytest.mark.parametrize("k", [4, 3, 1, 0, -5, 5.0, 5.5, "4", "five", "", None, True, 101])
def test_k_cannot_be_set_below_5_or_to_a_non_integer(db, k):
    settings.set_k(db, 8)
    with pytest.raises(ValidationError) as info:
        settings.set_k(db, k)
    assert info.value.field == "min_group_size"
    assert settings.get_k(db) == 8  # unchanged


@pytest.mark.parametrize("value", ["4", "0", "-1", "4.9", "5.0", "abc", "", " 5", "101"])
def test_k_cannot_be_lowered_in_the_settings_table_directly(db, value):
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO settings (key, value) VALUES ('min_group_size', ?)", [value])
    settings.set_k(db, 6)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE settings SET value = ? WHERE key = 'min_group_size'", [value])
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('min_group_size', ?)",
                   [value])
    assert settings.get_k(db) == 6


@pytest.mark.parametrize("stored, read", [("3", 5), ("0", 5), ("abc", 5), ("-7", 5), ("9", 9)])
def test_k_is_validated_on_read_even_without_the_triggers(db, stored, read):
    db.execute("DROP TRIGGER settings_privacy_insert")
    db.execute("INSERT INTO settings (key, value) VALUES ('min_group_size', ?)", [stored])
    assert settings.get_k(db) == read


@pytest.mark.parametrize("epsilon", [0.01, 0.5, 1, 2.5, 5, "1.5"])
def test_dp_epsilon_accepted(db, epsilon):
    assert settings.set_dp_epsilon(db, epsilon) == float(epsilon)
    assert settings.dp_epsilon(db) == float(epsilon)


@pytest.mark.parametrize("epsilon", [0, -1, 0.001, 5.01, 100, float("nan"), float("inf"), "x", None,
                                     True])
def test_dp_epsilon_must_be_positive_and_sensible(db, epsilon):
    with pytest.raises(ValidationError):
        settings.set_dp_epsilon(db, epsilon)
    assert settings.dp_epsilon(db) == 1.0


def test_dp_epsilon_guarded_in_the_table_too(db):
    for value in ("0", "-1", "50", "abc"):
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO settings (key, value) VALUES ('dp_epsilon', ?)", [value])


@pytest.mark.parametrize("value, expected", [(True, True), (False, False), (1, True), ("on", True),
                                             ("no", False)])
def test_dp_enabled(db, value, expected):
    assert settings.set_dp_enabled(db, value) is expected
    assert settings.dp_enabled(db) is expected


@pytest.mark.parametrize("value", ["maybe", 2, None, 0.5])
def test_dp_enabled_rejects_other_values(db, value):
    with pytest.raises(ValidationError):
        settings.set_dp_enabled(db, value)


def test_support_resources_are_plain_text_with_a_limit(db):
    text = "EAP: 0800 123 456 (24 hours)\nCrisis line: 116 123"
    assert settings.set_support_resources(db, "  " + text + "  ") == text
    assert settings.support_resources(db) == text
    with pytest.raises(ValidationError):
        settings.set_support_resources(db, "x" * 4001)
    with pytest.raises(ValidationError):
        settings.set_support_resources(db, "bell\x07")
    with pytest.raises(ValidationError):
        settings.set_support_resources(db, 42)
    assert settings.support_resources(db) == text


@pytest.mark.parametrize("value, kind", [("hello", str), (42, int), (2.5, float), (True, bool),
                                         (False, bool)])
def test_generic_typed_get_and_set(db, value, kind):
    settings.set_setting(db, "custom.thing", value)
    assert settings.get_setting(db, "custom.thing", type=kind) == value


def test_generic_get_default_and_unparseable(db):
    assert settings.get_setting(db, "missing", "fallback") == "fallback"
    settings.set_setting(db, "custom.count", "not a number")
    assert settings.get_setting(db, "custom.count", 3, type=int) == 3


@pytest.mark.parametrize("key", ["", " padded ", "x" * 81, None])
def test_generic_set_rejects_bad_keys(db, key):
    with pytest.raises(ValidationError):
        settings.set_setting(db, key, "v")


def test_changes_with_an_actor_are_audited(db, user):
    settings.set_k(db, 7, actor_id=user)
    settings.set_support_resources(db, "Call 123", actor_id=user)
    logged = audit.entries(db, action="change_setting")
    assert [e["detail"] for e in logged] == [
        {"key": "support_resources", "value": "8 characters"},
        {"key": "min_group_size", "value": 7},
    ]
    assert logged[0]["actor_id"] == user


# --- session idle timeout ------------------------------------------------------------

def test_idle_minutes_default_and_change(db, user):
    assert settings.idle_minutes(db) == 30
    assert settings.set_idle_minutes(db, 45, actor_id=user) == 45
    assert settings.idle_minutes(db) == 45
    assert audit.entries(db, action="change_setting")[0]["detail"] == {
        "key": "session_idle_minutes", "value": 45}


@pytest.mark.parametrize("minutes", [4, 0, -30, 481, 30.5, "ten", "", None, True])
def test_idle_minutes_bounded(db, minutes):
    with pytest.raises(ValidationError) as info:
        settings.set_idle_minutes(db, minutes)
    assert info.value.errors == {
        "session_idle_minutes": "The idle timeout must be a whole number of minutes from 5 to 480."}
    assert settings.idle_minutes(db) == 30


@pytest.mark.parametrize("value", ["4", "481", "abc", "", "30.5"])
def test_idle_minutes_guarded_in_the_table_too(db, value):
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO settings (key, value) VALUES ('session_idle_minutes', ?)", [value])


def test_support_resources_with_a_right_to_left_override_are_refused(db):
    with pytest.raises(ValidationError, match="invisible or text-direction characters"):
        settings.set_support_resources(db, "EAP: 0800 000 000\nForms: gnp\u202e.exe")
    assert settings.support_resources(db) == ""


def test_several_settings_are_stored_all_or_none(db, user, monkeypatch):
    chosen = ((settings.SMTP_HOST_KEY, "smtp.agency.org"), (settings.SMTP_PORT_KEY, 2525))
    # A bad value anywhere: nothing stored, not even the good ones before it.
    with pytest.raises(ValidationError):
        settings.set_settings(db, [*chosen, (settings.SMTP_TLS_KEY, "maybe")], actor_id=user)
    assert settings.get_setting(db, settings.SMTP_HOST_KEY) == ""
    # A failure while storing the second: the first is rolled back too.
    real, calls = audit.record, []

    def fail_second(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("the process died here")
        return real(*args, **kwargs)

    monkeypatch.setattr(audit, "record", fail_second)
    with pytest.raises(RuntimeError):
        settings.set_settings(db, chosen, actor_id=user)
    assert (settings.get_setting(db, settings.SMTP_HOST_KEY),
            settings.get_setting(db, settings.SMTP_PORT_KEY, type=int)) == ("", 587)
    monkeypatch.setattr(audit, "record", real)
    settings.set_settings(db, chosen, actor_id=user)
    assert (settings.get_setting(db, settings.SMTP_HOST_KEY),
            settings.get_setting(db, settings.SMTP_PORT_KEY, type=int)) == ("smtp.agency.org", 2525)
