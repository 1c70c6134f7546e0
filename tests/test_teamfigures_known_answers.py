"""Known answers: the figures the team and organisation reports show for a small seeded
agency, compared row by row with those the reports showed before they were rewritten
to read an agency's released cells in bulk (issue 19).

``tests/fixtures/report_answers.json`` was written by :func:`answers` (noise off, and
noise on with :func:`steady_noise`) on the code
before the rewrite (commit 10420c2: cells decoded one by one, rows built per team
and period). The agency is the demo's teams over twelve weeks (one team too small to
be shown, so the smaller teams are pooled and left out of the total in some weeks),
and one member of Family Support also leads Intake & Assessment: the agency's figures
next to Intake's could hold that lead's own answers, so they are hidden from them
(``own_data``). Any change in a released value, a hidden cell, a reason or a word
fails here, as well as in the attack tests.

To write the file again (only when a change of the figures is intended and reviewed):
``python tests/test_teamfigures_known_answers.py``.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any, Iterator
from unittest import mock

import pandas as pd
import pytest

from fatigue import accounts, demo, settings
from fatigue.teamfigures import noise, reports

END = dt.date(2026, 3, 13)
ANSWERS = Path(__file__).parent / "fixtures" / "report_answers.json"
VIEWS = {"week": 14, "4week": 4, "quarter": 2}


def _value(value: Any) -> Any:
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()[:10]
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as JSON values, without the missing ones (every column is in every
    report, so a value missing here is missing in the report)."""
    rows = [{column: _value(value) for column, value in row.items()}
            for row in frame.to_dict("records")]
    return [{column: value for column, value in row.items() if value is not None}
            for row in rows]


@contextlib.contextmanager
def steady_noise() -> Iterator[None]:
    """OpenDP's mechanisms as they are (scale, epsilon, half-width), but each noisy
    mean moved up by 0.3 (within its bounds) and counts left exact, so that the
    figures released with noise on are the same on every run."""
    mean, count = noise.noisy_mean, noise.noisy_count

    def steady_mean(value: float, **kw: Any) -> noise.Release:
        drawn = mean(value, **kw)
        return dataclasses.replace(drawn, value=min(max(value + 0.3, kw["lower"]), kw["upper"]))

    def steady_count(value: int, **kw: Any) -> noise.Release:
        return dataclasses.replace(count(value, **kw), value=float(value))

    with mock.patch.object(noise, "noisy_mean", steady_mean), \
            mock.patch.object(noise, "noisy_count", steady_count):
        yield


def agency(db, dp: bool) -> dict[str, int]:
    """The seeded agency, loaded on the day after ``END`` (noise on or off); who looks."""
    demo.bulk_load(db, demo.generate(seed=11, days=84, end=END))
    if dp:
        settings.set_dp_enabled(db, True)
    ids = dict(db.execute("SELECT username, id FROM users").fetchall())
    member = db.execute(
        "SELECT u.id FROM users u JOIN team_members m ON m.user_id = u.id JOIN teams t"
        " ON t.id = m.team_id WHERE t.name = 'Family Support' AND m.lead = 0"
        " ORDER BY u.id LIMIT 1").fetchone()[0]
    accounts.set_leads(db, member, ["Intake & Assessment"])
    return {"admin": ids[demo.ADMIN_USERNAME], "member_lead": member}


def answers(db, dp: bool = False) -> dict[str, Any]:
    """Every report of the seeded agency (see the module doc) as JSON-ready rows."""
    who = agency(db, dp)
    admin, member_lead = who["admin"], who["member_lead"]
    teams = dict(db.execute("SELECT name, id FROM teams ORDER BY name").fetchall())
    intake = teams["Intake & Assessment"]
    out: dict[str, Any] = {}
    for view, count in VIEWS.items():
        out[f"org/{view}"] = _records(reports.org_report(db, view, viewer_id=admin, periods=count))
        for name, team_id in teams.items():
            out[f"team/{name}/{view}"] = _records(
                reports.team_report(db, team_id, view, viewer_id=admin, periods=count))
        out[f"team/own/{view}"] = _records(
            reports.team_report(db, intake, view, viewer_id=member_lead, periods=count))
        out[f"agency/own/{view}"] = _records(
            reports.agency_alongside(db, intake, view, viewer_id=member_lead, periods=count))
        out[f"agency/admin/{view}"] = _records(
            reports.agency_alongside(db, intake, view, viewer_id=admin, periods=count))
    return out


@pytest.mark.parametrize("dp", [False, True], ids=["exact", "noise"])
def test_the_reports_show_exactly_the_known_answers(db, clock, dp):
    clock.set(END + dt.timedelta(days=1))
    with steady_noise():
        got = answers(db, dp)
    expected = json.loads(ANSWERS.read_text())["noise" if dp else "exact"]
    assert sorted(got) == sorted(expected)
    for key, rows in expected.items():
        assert len(got[key]) == len(rows), key
        for index, (new, old) in enumerate(zip(got[key], rows)):
            assert new == old, (key, index, {c: (new.get(c), v) for c, v in old.items()
                                             if new.get(c) != v})


def test_the_known_answers_hold_what_they_are_meant_to():
    """The fixture is no empty promise: shown and hidden rows, the pool, own data."""
    everything = json.loads(ANSWERS.read_text())
    expected = everything["exact"]
    org = expected["org/week"]
    assert sum(r["shown"] for r in org if r["group"] == "team") >= 20
    assert {r.get("hidden_code") for r in org} >= {"team_too_small", None}
    assert any(r["group"] == "smaller_teams" for r in org)
    assert any(r.get("hidden_code") == "own_data" for r in expected["agency/own/week"])
    assert any(r["shown"] for r in expected["agency/admin/4week"])
    noisy = everything["noise"]["org/4week"]
    assert any(r["dp"] and r.get("exhaustion_pm95") for r in noisy)


if __name__ == "__main__":  # write the fixture (see the module doc)
    import tempfile
    from unittest import mock

    from fatigue.db import connect

    with tempfile.TemporaryDirectory() as folder:
        moment = dt.datetime.combine(END + dt.timedelta(days=1), dt.time(18),
                                     tzinfo=dt.timezone.utc)
        written = {}
        with mock.patch("fatigue.clock.utc_now", lambda: moment), steady_noise():
            for name, dp in (("exact", False), ("noise", True)):
                database = connect(Path(folder) / f"{name}.db")
                written[name] = answers(database, dp)
                database.close()
        ANSWERS.write_text(json.dumps(written, indent=0, sort_keys=True) + "\n")
    print(f"wrote {ANSWERS}")
