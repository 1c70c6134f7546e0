"""The benchmark command and the bulk loader it uses, on a tiny scale (no timings
are checked here: machines are noisy; docs/performance.md has the figures)."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from fatigue import accounts, bench, cli, demo
from fatigue.errors import ValidationError
from fatigue.teamfigures import measures, release
from fatigue.teamfigures.periods import week_start
from fatigue.validation import FIELDS

END = dt.date(2026, 3, 13)


@pytest.fixture(scope="module")
def small() -> demo.Agency:
    return demo.generate(seed=3, days=70, end=END, teams=demo.agency_teams(65, 30))


# --- agency_teams and bulk_load ----------------------------------------------------

@pytest.mark.parametrize("staff, sizes", [(30, [30]), (65, [30, 30, 5]), (7, [7]), (61, [30, 30, 1])])
def test_agency_teams_are_teams_of_thirty(staff, sizes):
    specs = demo.agency_teams(staff)
    assert [spec.size for spec in specs] == sizes
    assert [spec.name for spec in specs][:2] == ["Team 001", "Team 002"][:len(sizes)]
    assert specs[1 % len(specs)].caseload_standard == demo.DEFAULT_TEAMS[1 % len(specs)].caseload_standard


def test_agency_teams_refuses_no_staff():
    with pytest.raises(ValueError):
        demo.agency_teams(0)


def test_bulk_load_writes_exactly_the_generated_checkins(db, small):
    counts = demo.bulk_load(db, small)
    assert counts == {"teams": 3, "users": 66, "checkins": len(small.checkins)}
    saved = pd.read_sql_query(
        f"SELECT u.username, c.day, {', '.join('c.' + f for f in FIELDS)} FROM checkins c"
        " JOIN users u ON u.id = c.user_id ORDER BY u.id, c.day", db.conn)
    expected = small.checkins.assign(day=small.checkins["day"].dt.strftime("%Y-%m-%d"),
                                     note="").reset_index(drop=True)
    for name in ("supervision", "break_taken"):
        saved[name] = saved[name].astype(bool)
    pd.testing.assert_frame_equal(saved, expected, check_dtype=False)
    # The accounts went through fatigue.accounts: homes and leads as generated.
    lead_id = db.execute("SELECT id FROM users WHERE username = ?",
                         [small.people[0].username]).fetchone()[0]
    lead = accounts.get_user(db, lead_id)
    team_id = db.execute("SELECT id FROM teams WHERE name = 'Team 001'").fetchone()[0]
    assert lead.is_lead and lead.home_team_id == team_id and lead.lead_team_ids == (team_id,)


def test_bulk_loaded_history_counts_in_team_figures_as_if_lived(db, clock, small):
    """The bench's agency, like the demo's, is as if every check-in had been made through
    the daily form on its day, by accounts that stood in their teams from the start."""
    clock.set(END + dt.timedelta(days=1))
    demo.bulk_load(db, small)
    assert db.execute("SELECT count(*) FROM checkins WHERE counts_for_team = 0").fetchone()[0] == 0
    assert release.release_due(db) >= 9
    shown = db.execute("SELECT count(*) FROM released_cells WHERE hidden_code IS NULL"
                       " AND group_key GLOB 'team:*'").fetchone()[0]
    assert shown >= 9


def test_bulk_load_refuses_a_database_with_accounts(db, user, small):
    with pytest.raises(ValidationError) as caught:
        demo.bulk_load(db, small)
    assert "database" in caught.value.errors
    assert db.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0


# --- helpers of the bench -------------------------------------------------------------

@pytest.mark.parametrize("samples, q, expected", [
    ([5.0, 1.0, 3.0, 2.0, 4.0], 50, 3.0),
    ([5.0, 1.0, 3.0, 2.0, 4.0], 99, 5.0),
    ([float(i) for i in range(1, 101)], 99, 99.0),
    ([float(i) for i in range(1, 201)], 99, 198.0),
    ([7.0], 1, 7.0),
])
def test_percentile_is_nearest_rank(samples, q, expected):
    assert bench.percentile(samples, q) == expected


def test_naive_team_report_agrees_with_the_person_week_means(db, clock, small):
    """The reference point computes the same person-week means as the release does
    (over the team's members; the release then leaves the lead out)."""
    clock.set(END + dt.timedelta(days=1))
    demo.bulk_load(db, small)
    team_id = db.execute("SELECT id FROM teams WHERE name = 'Team 001'").fetchone()[0]
    start = week_start(small.start) + dt.timedelta(days=7)  # a full week
    starts = [start + dt.timedelta(days=7 * i) for i in range(8)]
    naive = bench.naive_team_report(db, team_id, starts[0], starts[-1] + dt.timedelta(days=6))
    assert len(naive) == 8
    home = {uid for (uid,) in db.execute(
        "SELECT user_id FROM team_members WHERE team_id = ? AND home = 1", [team_id])}
    for (week, row), start in zip(naive.iterrows(), starts):
        people = {u: v for u, v in measures.person_weeks(db, start).items() if u in home}
        assert week.start_time.date() == start
        assert row[("exhaustion", "count")] == len(people)
        assert row[("exhaustion", "mean")] == pytest.approx(
            sum(v["exhaustion"] for v in people.values()) / len(people))


def test_table_and_json_lines_show_every_figure():
    figures = [
        bench.Figure("save_checkin_p99", 4.0, low=1.0, high=9.0, runs=200, target=10.0),
        bench.Figure("team_report", 20.0, low=18.0, high=30.0, runs=5, target=50.0),
        bench.Figure("peak_rss", 500.0, "MB", target=400.0),
        bench.Figure("team_report_speedup_vs_naive", 12.5, "x"),
        bench.Figure("team_report_ratio_to_floor", 2.0, "x", target=3.0),
    ]
    lines = [json.loads(line) for line in bench.json_lines(figures).splitlines()]
    assert lines[-1] == {"team_report_speedup_vs_naive": 12.5, "team_report_ratio_to_floor": 2.0}
    assert [line["name"] for line in lines[:-1]] == ["save_checkin_p99", "team_report", "peak_rss"]
    assert [line["ok"] for line in lines[:-1]] == [True, True, False]
    text = bench.table(figures)
    assert "peak_rss" in text and "NO" in text.splitlines()[3]
    assert text.splitlines()[4].split()[-1] == "yes"  # the speedup meets its >= 10 target


# --- the command, end to end, tiny ------------------------------------------------------

def test_bench_command_runs_at_a_tiny_scale(capsys):
    code = cli.main(["bench", "--users", "31", "--days", "40", "--runs", "1", "--json"])
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    names = [line.get("name") for line in lines[:-1]]
    for name in ("save_checkin_p50", "save_checkin_p99", "personal_dashboard", "team_report",
                 "org_report", "serve_prepare", "app_process_ready", "first_page", "page_home",
                 "page_checkin", "page_trends", "page_team", "page_organisation",
                 "page_trends_cpu", "peak_rss", "naive_team_report", "floor_scan"):
        assert name in names
    by_name = {line["name"]: line for line in lines[:-1]}
    assert by_name["checkins"]["value"] > 0 and by_name["peak_rss"]["unit"] == "MB"
    assert set(lines[-1]) == {"team_report_speedup_vs_naive", "team_report_ratio_to_floor"}
    assert all(value > 0 for value in lines[-1].values())


def test_bench_command_rejects_bad_scale(capsys):
    with pytest.raises(SystemExit):
        cli.main(["bench", "--users", "0"])
    assert "--users" in capsys.readouterr().err
