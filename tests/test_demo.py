"""The demo agency: deterministic, realistic enough to analyse, safely loaded."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from fatigue import accounts, crypto, demo, settings
from fatigue.errors import ValidationError
from fatigue.validation import FIELDS, validate_checkin

END = dt.date(2026, 3, 13)  # a Friday, fixed so tests never depend on the clock
SEEDS = (1, 2, 3, 7)


@pytest.fixture(scope="module")
def agency() -> demo.Agency:
    return demo.generate(seed=7, end=END)


def with_team(agency: demo.Agency) -> pd.DataFrame:
    frame = agency.checkins.copy()
    frame["team"] = frame["username"].map(agency.team_of())
    standard = {spec.name: spec.caseload_standard for spec in agency.teams}
    frame["load_ratio"] = frame["caseload"] / frame["team"].map(standard)
    return frame


def table_count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --- generate ---------------------------------------------------------------

def test_same_seed_and_end_give_identical_data(agency):
    again = demo.generate(seed=7, end=END)
    pd.testing.assert_frame_equal(agency.checkins, again.checkins)
    assert agency.people == again.people


def test_another_seed_gives_other_data_but_the_same_logins(agency):
    other = demo.generate(seed=8, end=END)
    assert not agency.checkins.equals(other.checkins)
    assert [p.username for p in other.people] == [p.username for p in agency.people]


def test_frame_has_username_day_and_exactly_the_checkin_fields(agency):
    assert list(agency.checkins.columns) == ["username", "day", *FIELDS]
    assert not agency.checkins.duplicated(["username", "day"]).any()


def test_covers_the_requested_days_ending_on_end(agency):
    days = agency.checkins["day"].dt.date
    assert agency.end == END and days.max() == END
    assert agency.start == END - dt.timedelta(days=179)
    assert days.min() >= agency.start
    assert days.min() <= agency.start + dt.timedelta(days=7)


def test_end_defaults_to_yesterday():
    yesterday = dt.date.today() - dt.timedelta(days=1)
    short = demo.generate(seed=3, days=21)
    assert short.end == yesterday
    last = short.checkins["day"].dt.date.max()
    assert yesterday - dt.timedelta(days=3) <= last <= yesterday


def test_no_checkins_on_weekends(agency):
    assert (agency.checkins["day"].dt.day_of_week < 5).all()
    sunday_end = demo.generate(seed=7, end=END + dt.timedelta(days=2))
    assert sunday_end.checkins["day"].dt.date.max() == END


@pytest.mark.parametrize("seed", SEEDS)
def test_about_three_quarters_of_weekdays_have_a_checkin(seed):
    agency = demo.generate(seed=seed, end=END)
    weekdays = len(pd.bdate_range(agency.start, agency.end))
    workers = [p for p in agency.people if p.team is not None]
    per_person = agency.checkins.groupby("username").size() / weekdays
    assert 0.65 <= per_person.sum() / len(workers) <= 0.85
    assert len(per_person) == len(workers)  # everyone checks in sometimes
    assert per_person.min() < per_person.max() - 0.1  # some people more than others


def test_team_structure(agency):
    sizes = {spec.name: spec.size for spec in agency.teams}
    home = pd.Series([p.team for p in agency.people if p.team]).value_counts()
    assert home.to_dict() == sizes
    assert sum(5 <= size <= 12 for size in sizes.values()) >= 3
    assert any(size < 5 for size in sizes.values())
    for team in sizes:
        leads = [p for p in agency.people if team in p.lead_of]
        assert len(leads) == 1, team
        if sizes[team] >= 5:  # a larger team's lead is one of its members
            assert leads[0].team == team
    admins = [p for p in agency.people if p.is_admin]
    assert [p.username for p in admins] == [demo.ADMIN_USERNAME]
    assert admins[0].team is None
    assert demo.ADMIN_USERNAME not in set(agency.checkins["username"])


@pytest.mark.parametrize("seed", SEEDS)
def test_overloaded_team_is_visibly_worse(seed):
    frame = with_team(demo.generate(seed=seed, end=END))
    means = frame.groupby("team")[["exhaustion", "load_ratio", "after_hours_minutes"]].mean()
    others = means.drop(index=demo.OVERLOADED_TEAM)
    worst = means.loc[demo.OVERLOADED_TEAM]
    assert (worst["exhaustion"] > others["exhaustion"] + 1).all()
    assert (worst["load_ratio"] > others["load_ratio"]).all()
    assert worst["load_ratio"] > 1.2  # well above its standard
    assert (worst["after_hours_minutes"] > others["after_hours_minutes"]).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_exhaustion_follows_a_heavier_crisis_and_trauma_week(seed):
    """Within person: after a week with more crisis/trauma contacts than is
    usual for them, exhaustion is higher than after a lighter week."""
    frame = demo.generate(seed=seed, end=END).checkins
    frame = frame.assign(heavy=frame["crisis_contacts"] + frame["trauma_contacts"])
    gaps = []
    for _, person in frame.groupby("username"):
        series = person.set_index("day")["heavy"]
        prior = series.rolling("7D", closed="left").sum().to_numpy()
        exhaustion = person["exhaustion"].to_numpy()
        above = prior > np.nanmedian(prior)
        if above.any() and (~above).any():
            gaps.append(exhaustion[above].mean() - exhaustion[~above].mean())
    assert np.mean(gaps) > 0.15
    assert np.mean(np.array(gaps) > 0) > 0.6


@pytest.mark.parametrize("seed", SEEDS)
def test_several_people_in_the_overloaded_team_rise_over_the_last_weeks(seed):
    agency = demo.generate(seed=seed, end=END)
    frame = with_team(agency)
    frame = frame[frame["team"] == demo.OVERLOADED_TEAM]
    age = (pd.Timestamp(END) - frame["day"]).dt.days
    recent = frame[age < 14].groupby("username")["exhaustion"].mean()
    before = frame[(age >= 42) & (age < 84)].groupby("username")["exhaustion"].mean()
    rising = (recent - before).dropna()
    assert (rising >= 1.0).sum() >= 3


def test_every_row_passes_checkin_validation(agency):
    for record in agency.checkins.drop(columns=["username", "day"]).to_dict("records"):
        assert validate_checkin(record)["exhaustion"] == record["exhaustion"]
    counts = agency.checkins
    assert (counts["crisis_contacts"] <= counts["contacts"]).all()
    assert (counts["trauma_contacts"] <= counts["contacts"]).all()


def test_a_few_people_keep_short_notes(agency):
    notes = agency.checkins[agency.checkins["note"] != ""]
    writers = notes["username"].nunique()
    assert 1 <= writers <= len(agency.people) // 2
    assert notes["note"].str.len().max() <= 120


# --- build_demo / load -----------------------------------------------------

def test_build_demo_writes_what_it_reports(db):
    counts = demo.build_demo(db, seed=7, end=END)
    agency = demo.generate(seed=7, end=END)
    assert counts == {
        "teams": len(agency.teams),
        "users": len(agency.people),
        "checkins": len(agency.checkins),
        "questionnaires": len(demo.questionnaire_answers(agency)),
    }
    assert counts["questionnaires"] == table_count(db, "questionnaire_responses")
    assert counts["teams"] == table_count(db, "teams")
    assert counts["users"] == table_count(db, "users")
    assert counts["checkins"] == table_count(db, "checkins")
    saved = db.execute(
        "SELECT u.username, c.day, c.exhaustion, c.caseload, c.note FROM checkins c"
        " JOIN users u ON u.id = c.user_id ORDER BY u.id, c.day"
    ).fetchall()
    expected = agency.checkins[["username", "day", "exhaustion", "caseload", "note"]]
    cipher = crypto.notes_cipher(db)  # notes are stored encrypted (fatigue.crypto)
    saved = [(*row[:-1], cipher.decrypt(row[-1])) for row in saved]
    assert saved == [
        (u, d.date().isoformat(), int(e), int(c), n) for u, d, e, c, n in expected.itertuples(index=False)
    ]
    standards = {t["name"]: t["caseload_standard"] for t in accounts.list_teams(db)}
    assert standards == {spec.name: spec.caseload_standard for spec in agency.teams}


def test_the_demo_ships_support_resources_marked_as_examples(db):
    demo.build_demo(db, seed=7, end=END, days=20)
    text = settings.support_resources(db)
    assert text.startswith("EXAMPLES ONLY (demo agency): these are not real services.")
    assert all("(example)" in line for line in text.splitlines()[1:3])


def test_demo_accounts_log_in_with_the_demo_password(db):
    demo.build_demo(db, seed=7, end=END)
    agency = demo.generate(seed=7, end=END)
    team_ids = {t["name"]: t["id"] for t in accounts.list_teams(db)}
    admin = accounts.authenticate(db, demo.ADMIN_USERNAME, demo.DEMO_PASSWORD)
    assert admin.is_admin and admin.home_team_id is None
    for person in agency.people:
        if not person.lead_of:
            continue
        lead = accounts.authenticate(db, person.username, demo.DEMO_PASSWORD)
        assert lead.is_lead and not lead.is_admin
        assert set(lead.lead_team_ids) == {team_ids[t] for t in person.lead_of}
        assert lead.home_team_id == team_ids[person.team]
    member = next(p for p in agency.people if p.team and not p.lead_of)
    user = accounts.authenticate(db, member.username, demo.DEMO_PASSWORD)
    assert not user.is_lead and user.home_team_id == team_ids[member.team]
    assert len(demo.DEMO_PASSWORD) >= accounts.MIN_PASSWORD_CHARS


def test_build_demo_refuses_a_database_with_users(db, user):
    before = {t: table_count(db, t) for t in ("teams", "users", "team_members", "checkins")}
    with pytest.raises(ValidationError):
        demo.build_demo(db, seed=7, end=END)
    assert {t: table_count(db, t) for t in before} == before


def test_load_is_all_or_nothing(db):
    agency = demo.generate(seed=7, days=30, end=END)
    bad = agency.checkins.copy()
    bad.loc[bad.index[-1], "crisis_contacts"] = bad.loc[bad.index[-1], "contacts"] + 1
    agency.checkins = bad
    with pytest.raises(ValidationError):
        demo.load(db, agency)
    assert not accounts.has_users(db)
    assert table_count(db, "teams") == 0 and table_count(db, "checkins") == 0


def test_demo_questionnaires_follow_the_checkins():
    from fatigue import instruments

    agency = demo.generate(seed=7, end=END)
    responses = demo.questionnaire_answers(agency)
    assert responses == demo.questionnaire_answers(agency)  # deterministic
    proqol = [r for r in responses if r["instrument_id"] == "proqol5"]
    assert {r["taken_on"] for r in proqol} <= {END - dt.timedelta(days=30 * k) for k in range(6)}
    # The overloaded team's burnout scores are higher than everyone else's.
    team_of = agency.team_of()
    burnout = {True: [], False: []}
    for r in proqol:
        score = instruments.score("proqol5", r["answers"])["burnout"]["score"]
        burnout[team_of[r["username"]] == demo.OVERLOADED_TEAM].append(score)
    assert sum(burnout[True]) / len(burnout[True]) > sum(burnout[False]) / len(burnout[False]) + 3
