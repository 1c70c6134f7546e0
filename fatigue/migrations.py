"""The database schema, as an ordered set of sqlite-utils migrations.

A migration, once released, is never edited: change the schema by adding a new
one below, so that every existing database upgrades in place. The CHECK
constraints mirror the rules in ``fatigue.validation`` (the tests hold them in
step); they are the last line of defence, not the user-facing messages.
"""
from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("fatigue")

_NOW = "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"


@migrations(name="0001_accounts_and_checkins")
def _initial(db: Database) -> None:
    db.execute(
        f"""
        CREATE TABLE teams (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL COLLATE NOCASE UNIQUE
                CHECK (length(trim(name)) BETWEEN 1 AND 80 AND name = trim(name)),
            caseload_standard INTEGER NOT NULL DEFAULT 15
                CHECK (caseload_standard BETWEEN 1 AND 200),
            created_at TEXT NOT NULL DEFAULT {_NOW}
        ) STRICT
        """
    )
    db.execute(
        f"""
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE
                CHECK (length(username) BETWEEN 3 AND 40
                       AND username NOT GLOB '*[^a-z0-9._-]*'),
            display_name TEXT NOT NULL DEFAULT ''
                CHECK (length(display_name) <= 80),
            password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
            is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at TEXT NOT NULL DEFAULT {_NOW}
        ) STRICT
        """
    )
    # One row per (person, team) they belong to: their home team (exactly one
    # at most, enforced by the partial unique index) and any team they lead.
    db.execute(
        """
        CREATE TABLE team_members (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
            home INTEGER NOT NULL DEFAULT 0 CHECK (home IN (0, 1)),
            lead INTEGER NOT NULL DEFAULT 0 CHECK (lead IN (0, 1)),
            PRIMARY KEY (user_id, team_id),
            CHECK (home = 1 OR lead = 1)
        ) STRICT
        """
    )
    db.execute(
        "CREATE UNIQUE INDEX team_members_one_home ON team_members(user_id) WHERE home = 1"
    )
    db.execute("CREATE INDEX team_members_team ON team_members(team_id, home)")
    db.execute(
        f"""
        CREATE TABLE checkins (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            day TEXT NOT NULL CHECK (date(day) IS day),
            exhaustion INTEGER NOT NULL CHECK (exhaustion BETWEEN 0 AND 10),
            empathy INTEGER NOT NULL CHECK (empathy BETWEEN 0 AND 10),
            detachment INTEGER NOT NULL CHECK (detachment BETWEEN 0 AND 10),
            intrusion INTEGER NOT NULL CHECK (intrusion BETWEEN 0 AND 10),
            meaning INTEGER NOT NULL CHECK (meaning BETWEEN 0 AND 10),
            recovery INTEGER NOT NULL CHECK (recovery BETWEEN 0 AND 10),
            time_pressure INTEGER NOT NULL CHECK (time_pressure BETWEEN 0 AND 10),
            caseload INTEGER NOT NULL DEFAULT 0 CHECK (caseload BETWEEN 0 AND 500),
            contacts INTEGER NOT NULL DEFAULT 0 CHECK (contacts BETWEEN 0 AND 100),
            crisis_contacts INTEGER NOT NULL DEFAULT 0
                CHECK (crisis_contacts BETWEEN 0 AND contacts),
            trauma_contacts INTEGER NOT NULL DEFAULT 0
                CHECK (trauma_contacts BETWEEN 0 AND contacts),
            direct_hours REAL NOT NULL DEFAULT 0 CHECK (direct_hours BETWEEN 0 AND 24),
            after_hours_minutes INTEGER NOT NULL DEFAULT 0
                CHECK (after_hours_minutes BETWEEN 0 AND 1440),
            supervision INTEGER NOT NULL DEFAULT 0 CHECK (supervision IN (0, 1)),
            break_taken INTEGER NOT NULL DEFAULT 0 CHECK (break_taken IN (0, 1)),
            note TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
            created_at TEXT NOT NULL DEFAULT {_NOW},
            updated_at TEXT NOT NULL DEFAULT {_NOW},
            UNIQUE (user_id, day)
        ) STRICT
        """
    )
    db.execute("CREATE INDEX checkins_day ON checkins(day)")
    db.execute(
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) STRICT
        """
    )
