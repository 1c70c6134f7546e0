"""My trends page (AppTest): charts of my own data, a summary in words."""
import datetime as dt
import json

import pandas as pd

import pytest

from fatigue import accounts, checkins, metrics

from conftest import RATINGS, RUN_DAY, log_in, texts

TODAY = RUN_DAY
pytestmark = pytest.mark.usefixtures("run_day")  # the pages read today from the clock


def fill(db, user, days=40, exhaustion=lambda n: 4, note=""):
    for n in range(days):
        day = TODAY - dt.timedelta(days=n)
        if day.weekday() < 5:
            checkins.save_checkin(db, user, day, caseload=20, contacts=5, crisis_contacts=1,
                                  trauma_contacts=0, note=note, **{**RATINGS, "exhaustion": exhaustion(n)})


def open_trends(username="casey"):
    at = log_in(username)
    return at.switch_page("fatigue/pages/trends.py").run()


def chart_specs(at):
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def test_empty_history_says_so(db, user):
    at = open_trends()
    assert not at.exception
    assert texts(at.info) == ["No check-ins yet. After your first check-in your trends appear here."]


def test_chart_and_summary_sentence(db, user):
    fill(db, user, exhaustion=lambda n: 8 if n < 7 else 4)
    at = open_trends()
    assert not at.exception
    assert len(chart_specs(at)) == 3
    summary = texts(at.markdown)
    assert any(s.startswith("Over the last 7 days (") and "exhaustion averaged 8.0, up 4.0 from 4.0"
               in s for s in summary)


def test_chart_data_holds_no_notes_and_no_one_else(db, user, team):
    fill(db, user, note="secret words")
    other = accounts.create_user(db, "robin", "another-long-password", team=team)
    checkins.save_checkin(db, other, TODAY, **{**RATINGS, "exhaustion": 10})
    at = open_trends()
    everything = b"".join(c.proto.SerializeToString() for c in at.get("vega_lite_chart"))
    assert b"Exhaustion" in everything and b"Traumatic material" in everything  # data is inline
    assert b"secret words" not in everything
    assert b"robin" not in everything


def caption_range(at):
    return next(c for c in texts(at.caption) if " from " in c and " to " in c)


def test_period_control_changes_the_range(db, user):
    fill(db, user, days=120)
    at = open_trends()
    default = caption_range(at)
    at.button_group(key="trend_range").set_value("4 weeks").run()
    assert not at.exception
    start = TODAY - dt.timedelta(days=27)
    assert f"from {start:%d %b %Y} to {TODAY:%d %b %Y}" in caption_range(at)
    assert caption_range(at) != default


def test_custom_range(db, user):
    fill(db, user, days=60)
    at = open_trends()
    at.button_group(key="trend_range").set_value("Custom").run()
    start, end = TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=10)
    at.date_input(key="trend_custom").set_value((start, end)).run()
    assert not at.exception
    assert f"from {start:%d %b %Y} to {end:%d %b %Y}" in caption_range(at)


def test_a_rerun_after_a_save_shows_the_new_checkin_not_the_cached_history(db, user):
    fill(db, user, days=10)
    at = open_trends()
    before = [c for c in texts(at.caption) if " from " in c][0]
    checkins.save_checkin(db, user, TODAY - dt.timedelta(days=12), today=TODAY, **RATINGS)
    at.run()  # same session: the history is cached, keyed by the data version
    after = [c for c in texts(at.caption) if " from " in c][0]
    assert after.startswith(f"{int(before.split()[0]) + 1} check-ins")  # inside the 3 months shown
    again = at.run()  # nothing changed: served from the cache, same figures
    assert [c for c in texts(again.caption) if " from " in c][0] == after


def datasets(at) -> dict[str, "pa.Table"]:
    import pyarrow as pa

    return {d.name: pa.ipc.open_stream(d.data.data).read_all()
            for chart in at.get("vega_lite_chart") for d in chart.proto.datasets}


def test_each_chart_shows_the_period_chosen_with_my_rows_in_it(db, user):
    fill(db, user, days=120, exhaustion=lambda n: n % 11)
    at = open_trends()
    at.button_group(key="trend_range").set_value("4 weeks").run()
    start = TODAY - dt.timedelta(days=27)
    for spec in chart_specs(at):
        layers = spec.get("layer", [spec])
        assert {tuple(layer["encoding"]["x"]["scale"]["domain"]) for layer in layers} == {
            (start.isoformat(), TODAY.isoformat())}
    weekdays = sum(1 for n in range(28) if (TODAY - dt.timedelta(days=n)).weekday() < 5)
    found = datasets(at)
    days = found["rating_days"].to_pandas().dropna()
    assert len(days) == 2 * weekdays  # exhaustion and empathy on each check-in day
    exhaustion = days[days["measure"] == "Exhaustion"].set_index("day")["value"]
    assert {n: exhaustion[pd.Timestamp(TODAY - dt.timedelta(days=n))] for n in range(28)
            if (TODAY - dt.timedelta(days=n)).weekday() < 5} == {
        n: n % 11 for n in range(28) if (TODAY - dt.timedelta(days=n)).weekday() < 5}
    # Caseload has a row for each day from the period's start to the last check-in (a weekend
    # today has none), empty where nothing was entered.
    last = max(TODAY - dt.timedelta(days=n) for n in range(28)
               if (TODAY - dt.timedelta(days=n)).weekday() < 5)
    assert len(found["caseload"]) == (last - start).days + 1
    assert found["contacts"].num_rows == 3 * weekdays


def test_a_rerun_that_changes_nothing_recomputes_nothing(db, user, monkeypatch):
    fill(db, user, days=30)
    calls = []
    for name in ("rolling_means", "long_for_chart", "summary_sentence"):
        real = getattr(metrics, name)
        monkeypatch.setattr(metrics, name, lambda *a, _real=real, _name=name, **k: (
            calls.append(_name), _real(*a, **k))[1])
    at = open_trends()
    assert sorted(calls) == ["long_for_chart", "rolling_means", "summary_sentence"]
    at.run()
    assert len(calls) == 3  # the same data, day and period: drawn from the session's cache
    at.button_group(key="trend_range").set_value("4 weeks").run()
    assert calls[3:] == ["long_for_chart"]  # another period: only its rows are cut again
    checkins.save_checkin(db, user, TODAY, today=TODAY, **RATINGS)
    at.run()
    assert sorted(calls[4:]) == ["long_for_chart", "rolling_means", "summary_sentence"]
