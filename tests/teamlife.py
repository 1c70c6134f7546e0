"""An agency living through weeks on a frozen clock, for the team-figure tests.

Accounts are made at a chosen moment, check-ins go through the daily form
(:func:`fatigue.checkins.save_checkin`) on the day they are for, and reports
are read on a chosen day, all on the app's clock (the ``clock`` fixture), so
the release rules see exactly what they would see in use.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from fatigue import accounts, checkins
from fatigue.teamfigures import reports

from conftest import PASSWORD, RATINGS, TODAY

# A workload every form check-in here answers unless a test says otherwise (nothing is
# filled in by the app any more: a value left out is not answered).
ANSWERED = dict(caseload=12, contacts=0, crisis_contacts=0, trauma_contacts=0, direct_hours=0.0,
                after_hours_minutes=0, supervision=False, break_taken=False)

HASH = accounts.hash_password(PASSWORD)
SETUP = dt.date(2025, 12, 29)  # a Monday: the accounts of most tests exist from here
W09 = dt.date(2026, 2, 23)  # released (TODAY is Monday 2026-03-16)
W10 = dt.date(2026, 3, 2)  # released exactly on TODAY
W11 = dt.date(2026, 3, 9)  # ended yesterday: late check-ins still possible


def weekdays(monday: dt.date, count: int = 5) -> list[dt.date]:
    return [monday + dt.timedelta(days=d) for d in range(count)]


class Agency:
    """Teams and people of one test database, and their days."""

    def __init__(self, db, clock):
        self.db, self.clock = db, clock

    def at(self, day: dt.date, hour: int = 9) -> "Agency":
        self.clock.set(day, hour)
        return self

    def team(self, name: str, size: int, prefix: str | None = None, *, on: dt.date = SETUP) -> list[int]:
        """A team and ``size`` members, made on ``on``."""
        self.at(on)
        if accounts.team_id(self.db, name) is None:
            accounts.create_team(self.db, name)
        return self.people(name, size, prefix or name.lower().replace(" ", "") + ".", on=on)

    def people(self, team: str | None, size: int, prefix: str, *, on: dt.date = SETUP,
               **kwargs) -> list[int]:
        self.at(on)
        return [accounts.create_user(self.db, f"{prefix}{i}", PASSWORD, team=team,
                                     password_hash=HASH, **kwargs) for i in range(size)]

    def lead(self, team: str, username: str | None = None, *, on: dt.date = SETUP) -> int:
        """A lead of ``team`` whose home team is "Leads"."""
        self.at(on)
        if accounts.team_id(self.db, "Leads") is None:
            accounts.create_team(self.db, "Leads")
        return accounts.create_user(self.db, username or f"lead.{team.lower()}", PASSWORD,
                                    team="Leads", lead_of=[team], password_hash=HASH)

    def admin(self, username: str = "the.admin", *, on: dt.date = SETUP) -> int:
        self.at(on)
        return accounts.create_user(self.db, username, PASSWORD, is_admin=True, password_hash=HASH)

    def form(self, uids, days, **values) -> None:
        """Each person checks in through the daily form on each of ``days``, that evening,
        answering everything (``name=None``: left unanswered)."""
        for day in days:
            self.at(day, 18)
            for uid in uids:
                checkins.save_checkin(self.db, uid, day, **{**RATINGS, **ANSWERED, **values})

    def report(self, team: str, viewer: int, period: str = "week", *, on: dt.date = TODAY,
               **kwargs) -> pd.DataFrame:
        self.at(on, 12)
        return reports.team_report(self.db, accounts.team_id(self.db, team), period,
                                   viewer_id=viewer, **kwargs)

    def org(self, viewer: int, period: str = "week", *, on: dt.date = TODAY, **kwargs) -> pd.DataFrame:
        self.at(on, 12)
        return reports.org_report(self.db, period, viewer_id=viewer, **kwargs)


def row(frame: pd.DataFrame, start: dt.date, team: str | None = None) -> pd.Series:
    match = frame[frame["period_start"] == pd.Timestamp(start)]
    if team is not None:
        match = match[match["team"] == team]
    assert len(match) == 1, f"expected one row for {start} {team}"
    return match.iloc[0]


def shown_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Everything a viewer can read off the shown rows (to compare two views)."""
    return frame[frame["shown"]].drop(columns=["hidden_reason"]).reset_index(drop=True)
