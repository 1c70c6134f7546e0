"""The database schema, as an ordered set of sqlite-utils migrations.

A migration, once released, is never edited: change the schema by adding a new
one below, so that every existing database upgrades in place. The CHECK
constraints mirror the rules in ``fatigue.validation`` (the tests hold them in
step); they are the last line of defence, not the user-facing messages.
"""
from __future__ import annotations

from sqlite_utils import Database, Migrations

from fatigue import crypto, membership
from fatigue.teamfigures import legacy

migrations = Migrations("fatigue")

_NOW = "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"
_STAMP = "GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'"  # a UTC time as _NOW writes it


def _whole_number_setting(db: Database, trigger: str, key: str, low: int, high: int) -> None:
    """Triggers refusing a settings row ``key`` that is not a whole number low..high."""
    digits = len(str(high))
    for event in ("INSERT", "UPDATE"):
        db.execute(
            f"""
            CREATE TRIGGER {trigger}_{event.lower()} BEFORE {event} ON settings
            WHEN NEW.key = '{key}' AND NOT (
                NEW.value != '' AND NEW.value NOT GLOB '*[^0-9]*' AND length(NEW.value) <= {digits}
                AND CAST(NEW.value AS INTEGER) BETWEEN {low} AND {high})
            BEGIN
                SELECT RAISE(ABORT, 'invalid value for {key}');
            END
            """
        )


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
            day TEXT NOT NULL CHECK (day IS date(day, '+0 days') AND day >= '2000-01-01'),
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


@migrations(name="0002_questionnaires")
def _questionnaires(db: Database) -> None:
    # One row per completed questionnaire. The ids are listed literally (a
    # released migration never changes); they match fatigue.instruments.
    # ``answers`` is the JSON object {"item number": option position}.
    db.execute(
        f"""
        CREATE TABLE questionnaire_responses (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            instrument_id TEXT NOT NULL
                CHECK (instrument_id IN ('proqol5', 'cbi', 'single_item_burnout')),
            -- A real ISO date: date(x, '+0 days') normalises 2026-02-30 and gives
            -- NULL for non-dates, and IS (unlike =) fails on NULL.
            taken_on TEXT NOT NULL
                CHECK (taken_on IS date(taken_on, '+0 days') AND taken_on >= '2000-01-01'),
            answers TEXT NOT NULL
                CHECK (json_valid(answers) AND json_type(answers) = 'object'),
            created_at TEXT NOT NULL DEFAULT {_NOW}
        ) STRICT
        """
    )
    db.execute(
        "CREATE INDEX questionnaire_responses_user"
        " ON questionnaire_responses(user_id, instrument_id, taken_on)"
    )
    # The computed score of each subscale, one row per (response, subscale):
    # score and band are both NULL when the subscale was not scored (CBI with
    # too few answers), and then ``reason`` says why.
    db.execute(
        """
        CREATE TABLE questionnaire_scores (
            response_id INTEGER NOT NULL
                REFERENCES questionnaire_responses(id) ON DELETE CASCADE,
            scale TEXT NOT NULL CHECK (length(scale) BETWEEN 1 AND 40),
            position INTEGER NOT NULL CHECK (position >= 0),
            score REAL CHECK (score BETWEEN 0 AND 100),
            band TEXT CHECK (length(band) BETWEEN 1 AND 40),
            answered INTEGER NOT NULL CHECK (answered >= 0),
            reason TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
            PRIMARY KEY (response_id, scale),
            UNIQUE (response_id, position),
            CHECK ((score IS NULL) = (band IS NULL)),
            CHECK (score IS NOT NULL OR reason != '')
        ) STRICT
        """
    )


@migrations(name="0003_aggregates_privacy")
def _aggregates_privacy(db: Database) -> None:
    # The privacy settings cannot be weakened around fatigue.settings (which
    # also validates on read): k is a whole number from 5 to 100, epsilon a
    # number from 0.01 to 5, DP on or off, support text at most 4,000 chars.
    for event in ("INSERT", "UPDATE"):
        db.execute(
            f"""
            CREATE TRIGGER settings_privacy_{event.lower()} BEFORE {event} ON settings
            WHEN (NEW.key = 'min_group_size' AND NOT (
                      NEW.value != '' AND NEW.value NOT GLOB '*[^0-9]*'
                      AND length(NEW.value) <= 3
                      AND CAST(NEW.value AS INTEGER) BETWEEN 5 AND 100))
              OR (NEW.key = 'dp_enabled' AND NEW.value NOT IN ('0', '1'))
              OR (NEW.key = 'dp_epsilon' AND NOT (
                      NEW.value != '' AND NEW.value NOT GLOB '*[^0-9.eE+-]*'
                      AND CAST(NEW.value AS REAL) BETWEEN 0.01 AND 5))
              OR (NEW.key = 'support_resources' AND length(NEW.value) > 4000)
            BEGIN
                SELECT RAISE(ABORT, 'invalid value for a privacy setting');
            END
            """
        )
    # Released team cells, frozen when first computed after their period has
    # closed: the sums over people of each person-level value (true and
    # clamped to the DP bounds) and the counts, per (group, period). A group
    # is a home team ('team:<id>') or the people without a home team
    # ('noteam'). Never per-person rows, never notes.
    db.execute(
        f"""
        CREATE TABLE aggregate_cells (
            group_key TEXT NOT NULL
                CHECK (group_key = 'noteam' OR group_key GLOB 'team:[0-9]*'),
            period TEXT NOT NULL CHECK (period IN ('week', '4week')),
            period_start TEXT NOT NULL CHECK (period_start IS date(period_start, '+0 days')),
            team_id INTEGER REFERENCES teams(id) ON DELETE CASCADE,
            caseload_standard INTEGER CHECK (caseload_standard BETWEEN 1 AND 200),
            members INTEGER NOT NULL CHECK (members >= 0),
            members_eligible INTEGER NOT NULL
                CHECK (members_eligible BETWEEN 0 AND members),
            respondents INTEGER NOT NULL CHECK (respondents >= 0),
            eligible INTEGER NOT NULL CHECK (eligible BETWEEN 0 AND respondents),
            stats TEXT NOT NULL CHECK (json_valid(stats)),
            dp INTEGER NOT NULL CHECK (dp IN (0, 1)),
            computed_at TEXT NOT NULL DEFAULT {_NOW},
            PRIMARY KEY (group_key, period, period_start),
            CHECK ((group_key = 'noteam') = (team_id IS NULL))
        ) STRICT
        """
    )
    db.execute("CREATE INDEX aggregate_cells_period ON aggregate_cells(period, period_start)")
    # Differential privacy: each noisy value is drawn once and kept here, so
    # viewing again cannot average the noise away ...
    db.execute(
        f"""
        CREATE TABLE dp_releases (
            cell_key TEXT NOT NULL CHECK (length(cell_key) BETWEEN 1 AND 80),
            period TEXT NOT NULL CHECK (period IN ('week', '4week')),
            period_start TEXT NOT NULL CHECK (period_start IS date(period_start, '+0 days')),
            metric TEXT NOT NULL CHECK (length(metric) BETWEEN 1 AND 60),
            value REAL NOT NULL,
            scale REAL NOT NULL CHECK (scale > 0),
            epsilon REAL NOT NULL CHECK (epsilon > 0),
            half_width REAL NOT NULL CHECK (half_width >= 0),
            mechanism TEXT NOT NULL CHECK (length(mechanism) BETWEEN 1 AND 40),
            created_at TEXT NOT NULL DEFAULT {_NOW},
            PRIMARY KEY (cell_key, period, period_start, metric)
        ) STRICT
        """
    )
    # ... and every draw spends epsilon, recorded in an append-only ledger.
    db.execute(
        f"""
        CREATE TABLE dp_ledger (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL DEFAULT {_NOW},
            cell_key TEXT NOT NULL,
            period TEXT NOT NULL,
            period_start TEXT NOT NULL,
            metric TEXT NOT NULL,
            epsilon REAL NOT NULL CHECK (epsilon > 0),
            mechanism TEXT NOT NULL,
            scale REAL NOT NULL CHECK (scale > 0)
        ) STRICT
        """
    )
    # Who viewed which aggregates (and refused attempts, settings changes).
    # No foreign key: entries outlive the accounts they name.
    db.execute(
        f"""
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL DEFAULT {_NOW},
            actor_id INTEGER,
            action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 60),
            detail TEXT NOT NULL DEFAULT '{{}}'
                CHECK (json_valid(detail) AND json_type(detail) = 'object'
                       AND length(detail) <= 4000)
        ) STRICT
        """
    )
    db.execute("CREATE INDEX audit_log_actor ON audit_log(actor_id, id)")
    for table in ("audit_log", "dp_ledger"):
        for event in ("UPDATE", "DELETE"):
            db.execute(
                f"""
                CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table}
                BEGIN
                    SELECT RAISE(ABORT, '{table} is append-only');
                END
                """
            )


@migrations(name="0004_actions")
def _actions(db: Database) -> None:
    # What a person did with a suggestion (fatigue.actions): one row per action,
    # never updated, so it doubles as the history. Suggestion ids and rule names
    # come from data/suggestions.toml and are checked by fatigue.actions; here
    # only their shape. ``acted_on`` is the person's local date of the action;
    # ``planned_for`` is only for "planned" and never before ``acted_on``.
    ident = "CHECK (length({col}) BETWEEN 1 AND 60 AND {col} NOT GLOB '*[^a-z0-9_]*')"
    db.execute(
        f"""
        CREATE TABLE suggestion_actions (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            suggestion_id TEXT NOT NULL {ident.format(col="suggestion_id")},
            rule TEXT NOT NULL {ident.format(col="rule")},
            status TEXT NOT NULL
                CHECK (status IN ('planned', 'done', 'not_now', 'not_relevant', 'unmuted')),
            acted_on TEXT NOT NULL
                CHECK (acted_on IS date(acted_on, '+0 days') AND acted_on >= '2000-01-01'),
            planned_for TEXT
                CHECK (planned_for IS NULL OR (planned_for IS date(planned_for, '+0 days')
                                               AND planned_for >= acted_on)),
            created_at TEXT NOT NULL DEFAULT {_NOW},
            CHECK (planned_for IS NULL OR status = 'planned')
        ) STRICT
        """
    )
    db.execute(
        "CREATE INDEX suggestion_actions_user ON suggestion_actions(user_id, suggestion_id, id)"
    )
    # The rules a person marked "not relevant to me": one row per (person, rule)
    # while muted; unmuting deletes it (and adds an 'unmuted' action above).
    db.execute(
        f"""
        CREATE TABLE suggestion_mutes (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            rule TEXT NOT NULL {ident.format(col="rule")},
            suggestion_id TEXT NOT NULL {ident.format(col="suggestion_id")},
            muted_on TEXT NOT NULL
                CHECK (muted_on IS date(muted_on, '+0 days') AND muted_on >= '2000-01-01'),
            PRIMARY KEY (user_id, rule)
        ) STRICT
        """
    )


@migrations(name="0005_account_security")
def _account_security(db: Database) -> None:
    # fatigue.accounts: an admin reset (or an admin-made account) must choose a
    # new password at the next login; an optional single sign-on email links an
    # identity-provider login to this account (lower-case, unique when set).
    db.execute(
        "ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0"
        " CHECK (must_change_password IN (0, 1))"
    )
    db.execute(
        "ALTER TABLE users ADD COLUMN sso_email TEXT"
        " CHECK (sso_email IS NULL OR (length(sso_email) BETWEEN 3 AND 254"
        " AND sso_email = lower(trim(sso_email)) AND sso_email GLOB '?*@?*'"
        " AND sso_email NOT GLOB '*[ ]*'))"
    )
    db.execute("CREATE UNIQUE INDEX users_sso_email ON users(sso_email) WHERE sso_email IS NOT NULL")
    # Failed logins per normalised username as typed (also names without an
    # account, so a lockout does not reveal which accounts exist). A success or
    # an admin reset deletes the row; rows older than a day are forgotten.
    db.execute(
        """
        CREATE TABLE login_failures (
            username TEXT PRIMARY KEY CHECK (length(username) <= 80),
            failures INTEGER NOT NULL CHECK (failures >= 1),
            last_failure_at TEXT NOT NULL
                CHECK (last_failure_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'),
            locked_until TEXT
                CHECK (locked_until IS NULL
                       OR locked_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z')
        ) STRICT
        """
    )
    # The idle timeout (fatigue.settings) is a whole number of minutes, 5 to 480.
    _whole_number_setting(db, "settings_idle", "session_idle_minutes", 5, 480)


@migrations(name="0006_notes_encryption")
def _notes_encryption(db: Database) -> None:
    # Private notes are stored encrypted (fatigue.crypto): '' or 'enc1:' and a
    # Fernet token. A token is longer than the note, so the column's CHECK
    # changes, and a CHECK can only change by rebuilding the table (by hand:
    # table.transform() would drop every CHECK). A 2,000-character note of
    # 4-byte characters makes a 10,769-character value. The notes saved so far
    # are encrypted in this same transaction with the key from fatigue.crypto
    # (created now beside the database if there is none); secure_delete
    # overwrites the freed pages, so the old plaintext does not stay in the file.
    db.execute("PRAGMA secure_delete = ON")
    cipher = crypto.notes_cipher(db)
    extras = [
        sql for (sql,) in db.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'checkins'"
            " AND type IN ('index', 'trigger') AND sql IS NOT NULL"
        ).fetchall()
    ]
    db.execute(
        f"""
        CREATE TABLE checkins_new (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            day TEXT NOT NULL CHECK (day IS date(day, '+0 days') AND day >= '2000-01-01'),
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
            note TEXT NOT NULL DEFAULT ''
                CHECK (note = '' OR (note GLOB 'enc1:gAAAAA*'
                                     AND note NOT GLOB 'enc1:*[^A-Za-z0-9_=-]*'
                                     AND length(note) <= 10800)),
            created_at TEXT NOT NULL DEFAULT {_NOW},
            updated_at TEXT NOT NULL DEFAULT {_NOW},
            UNIQUE (user_id, day)
        ) STRICT
        """
    )
    columns = (
        "id, user_id, day, exhaustion, empathy, detachment, intrusion, meaning, recovery,"
        " time_pressure, caseload, contacts, crisis_contacts, trauma_contacts, direct_hours,"
        " after_hours_minutes, supervision, break_taken"
    )
    db.execute(
        f"INSERT INTO checkins_new ({columns}, note, created_at, updated_at)"
        f" SELECT {columns}, '', created_at, updated_at FROM checkins"
    )
    for row_id, note in db.execute("SELECT id, note FROM checkins WHERE note != ''").fetchall():
        db.execute(
            "UPDATE checkins_new SET note = ? WHERE id = ?", [cipher.encrypt(note), row_id]
        )
    db.execute("DROP TABLE checkins")
    db.execute("ALTER TABLE checkins_new RENAME TO checkins")
    for sql in extras:
        db.execute(sql)


# Weeks in checkin_weeks count from 1999-06-21, a Monday 320 x 28 days before
# fatigue.aggregates.EPOCH, so every week and every 4-week period of the
# reports is a whole number of rollup weeks; julianday('1999-06-21') = 2451350.5.
_WEEK = "(CAST(julianday({day}) - 2451350.5 AS INTEGER) / 7)"
_ROLLED = (
    "exhaustion", "empathy", "detachment", "intrusion", "meaning", "recovery", "time_pressure",
    "caseload", "contacts", "crisis_contacts", "trauma_contacts", "after_hours_minutes",
    "supervision",
)


@migrations(name="0007_performance")
def _performance(db: Database) -> None:
    # Per person and week: the number of check-ins and the sum of each value the
    # team reports use (supervision: the number of days with it). Kept in step
    # with checkins by the triggers below, in the same transaction as each
    # write, so fatigue.aggregates reads 1 row per person-week instead of up to
    # 7 check-ins. As private as the check-ins themselves; never shown.
    sums = ",\n".join(f"            {name} INTEGER NOT NULL" for name in _ROLLED)
    db.execute(
        f"""
        CREATE TABLE checkin_weeks (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            week INTEGER NOT NULL CHECK (week >= 0),
            n INTEGER NOT NULL CHECK (n >= 0),
{sums},
            PRIMARY KEY (user_id, week)
        ) STRICT, WITHOUT ROWID
        """
    )
    # A random stamp per person, changed by every write to their check-ins:
    # caches of a person's figures are keyed by it, so nobody sees stale numbers
    # (random, not a counter, so a restored older file cannot reuse a stamp).
    db.execute(
        """
        CREATE TABLE data_versions (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            version INTEGER NOT NULL
        ) STRICT
        """
    )
    cols = ", ".join(_ROLLED)
    add = ", ".join(f"{name} = {name} + excluded.{name}" for name in _ROLLED)
    sub = ", ".join(f"{name} = {name} - OLD.{name}" for name in _ROLLED)

    def insert(row: str) -> str:
        values = ", ".join(f"{row}.{name}" for name in _ROLLED)
        return (
            f"INSERT INTO checkin_weeks (user_id, week, n, {cols})"
            f" VALUES ({row}.user_id, {_WEEK.format(day=row + '.day')}, 1, {values})"
            f" ON CONFLICT (user_id, week) DO UPDATE SET n = n + 1, {add};"
        )

    remove = (
        f"UPDATE checkin_weeks SET n = n - 1, {sub}"
        f" WHERE user_id = OLD.user_id AND week = {_WEEK.format(day='OLD.day')};"
        " DELETE FROM checkin_weeks WHERE user_id = OLD.user_id"
        f" AND week = {_WEEK.format(day='OLD.day')} AND n = 0;"
    )
    bump = ("INSERT INTO data_versions (user_id, version) VALUES ({row}.user_id, random())"
            " ON CONFLICT (user_id) DO UPDATE SET version = excluded.version;")
    db.execute(
        f"CREATE TRIGGER checkins_insert_rollup AFTER INSERT ON checkins BEGIN"
        f" {insert('NEW')} {bump.format(row='NEW')} END"
    )
    db.execute(
        f"CREATE TRIGGER checkins_update_rollup AFTER UPDATE OF user_id, day, {cols}"
        f" ON checkins BEGIN {remove} {insert('NEW')} END"
    )
    db.execute(
        "CREATE TRIGGER checkins_update_version AFTER UPDATE ON checkins BEGIN"
        f" {bump.format(row='OLD')} {bump.format(row='NEW')} END"
    )
    # On delete only an UPDATE: a person being deleted takes their rows with them.
    db.execute(
        f"CREATE TRIGGER checkins_delete_rollup AFTER DELETE ON checkins BEGIN {remove}"
        " UPDATE data_versions SET version = random() WHERE user_id = OLD.user_id; END"
    )
    db.execute(
        f"INSERT INTO checkin_weeks (user_id, week, n, {cols})"
        f" SELECT user_id, {_WEEK.format(day='day')} AS w, count(*),"
        f" {', '.join(f'sum({name})' for name in _ROLLED)}"
        " FROM checkins GROUP BY user_id, w"
    )
    db.execute(
        "INSERT INTO data_versions (user_id, version)"
        " SELECT user_id, random() FROM (SELECT DISTINCT user_id FROM checkins)"
    )


@migrations(name="0008_text_rules")
def _text_rules(db: Database) -> None:
    # Typed names and the support text never hold control characters (C0, DEL,
    # C1; the support text may keep tabs and line breaks), as
    # fatigue.validation.text_problem refuses them. Triggers rather than CHECKs,
    # so no table is rebuilt; rows saved before keep their text.
    def controls(column: str, keep: tuple[int, ...] = ()) -> str:
        codes = [c for c in (*range(1, 32), *range(127, 160)) if c not in keep]
        # GLOB stops at a NUL, so NUL is looked for in the bytes.
        return (f"({column} GLOB '*[' || char({', '.join(map(str, codes))}) || ']*'"
                f" OR instr(CAST({column} AS BLOB), x'00') > 0)")

    rules = [
        ("teams", "name", controls("NEW.name"), "team name"),
        ("users", "display_name", controls("NEW.display_name"), "display name"),
        ("settings", "value",
         "NEW.key = 'support_resources' AND " + controls("NEW.value", keep=(9, 10)),
         "support resources"),
    ]
    for table, column, condition, words in rules:
        for event, on in (("insert", "INSERT"), ("update", f"UPDATE OF {column}")):
            db.execute(
                f"""
                CREATE TRIGGER {table}_{column}_text_{event} BEFORE {on} ON {table}
                WHEN {condition}
                BEGIN
                    SELECT RAISE(ABORT, '{words} contains control characters');
                END
                """
            )


@migrations(name="0009_release_model")
def _release_model(db: Database) -> None:
    # The release model of PRIVACY.md (fatigue.teamfigures.rules).
    # 1. Which check-ins count in team figures: saved through the daily form
    #    inside the back-fill window (fatigue.checkins sets it; imports never do).
    #    Rows saved before this upgrade count when they were last written within
    #    8 days of their day (the 7-day window and a day for time zones).
    db.execute(
        "ALTER TABLE checkins ADD COLUMN counts_for_team INTEGER NOT NULL DEFAULT 0"
        " CHECK (counts_for_team IN (0, 1))"
    )
    db.execute(
        "UPDATE checkins SET counts_for_team = 1"
        " WHERE substr(updated_at, 1, 10) <= date(day, '+8 days')"
    )
    # 2. The standing of every account over time (fatigue.membership), written by
    #    triggers with every change; accounts made before this upgrade are taken
    #    to have stood as they stand now since they were created.
    db.execute(
        f"""
        CREATE TABLE membership_log (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            at TEXT NOT NULL
                CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'),
            home_team_id INTEGER,
            leads INTEGER NOT NULL CHECK (leads IN (0, 1)),
            is_admin INTEGER NOT NULL CHECK (is_admin IN (0, 1)),
            active INTEGER NOT NULL CHECK (active IN (0, 1))
        ) STRICT
        """
    )
    db.execute("CREATE INDEX membership_log_user ON membership_log(user_id, at, id)")
    db.execute(membership.state_insert_sql(None, "u.created_at"))
    db.execute(f"CREATE TRIGGER users_membership_insert AFTER INSERT ON users BEGIN"
               f" {membership.state_insert_sql('NEW.id')}; END")
    db.execute(
        "CREATE TRIGGER users_membership_update AFTER UPDATE OF is_admin, active ON users"
        " WHEN OLD.is_admin IS NOT NEW.is_admin OR OLD.active IS NOT NEW.active"
        f" BEGIN {membership.state_insert_sql('NEW.id')}; END"
    )
    for event, row in (("INSERT", "NEW"), ("DELETE", "OLD"), ("UPDATE", "NEW")):
        extra = f" {membership.state_insert_sql('OLD.user_id')};" if event == "UPDATE" else ""
        db.execute(
            f"CREATE TRIGGER team_members_membership_{event.lower()} AFTER {event}"
            f" ON team_members BEGIN {membership.state_insert_sql(row + '.user_id')};{extra} END"
        )
    # 3. Released weeks and cells, written once and never changed.
    db.execute(
        f"""
        CREATE TABLE released_weeks (
            week_start TEXT PRIMARY KEY
                CHECK (week_start IS date(week_start, '+0 days')
                       AND strftime('%w', week_start) = '1'),
            released_at TEXT NOT NULL DEFAULT {_NOW},
            rules TEXT NOT NULL CHECK (rules IN ('legacy', 'v2')),
            k INTEGER NOT NULL CHECK (k >= 5),
            dp INTEGER NOT NULL CHECK (dp IN (0, 1)),
            epsilon REAL CHECK (epsilon IS NULL OR epsilon > 0),
            epsilon_cap REAL CHECK (epsilon_cap IS NULL OR epsilon_cap > 0)
        ) STRICT
        """
    )
    db.execute(
        """
        CREATE TABLE released_cells (
            week_start TEXT NOT NULL REFERENCES released_weeks(week_start),
            group_key TEXT NOT NULL
                CHECK (group_key GLOB 'team:[0-9]*' OR group_key IN ('pool', 'agency')),
            hidden_code TEXT CHECK (hidden_code IS NULL OR length(hidden_code) <= 40),
            roster TEXT NOT NULL CHECK (json_valid(roster) AND json_type(roster) = 'array'),
            figures TEXT NOT NULL CHECK (json_valid(figures) AND json_type(figures) = 'object'),
            PRIMARY KEY (week_start, group_key)
        ) STRICT
        """
    )
    for table in ("released_weeks", "released_cells"):
        for event in ("UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table}"
                f" BEGIN SELECT RAISE(ABORT, '{table} is written once and never changed'); END"
            )
    # 4. Weeks frozen under the old model stay as they were shown; the old
    #    tables (which kept exact sums) go.
    legacy.adopt(db)
    db.execute("DROP TABLE IF EXISTS aggregate_cells")
    db.execute("DROP TABLE IF EXISTS dp_releases")
    # 5. The weekly rollup is no longer read: team figures read one week of
    #    check-ins at release. The cache stamp of a person's data stays.
    for trigger in ("checkins_insert_rollup", "checkins_update_rollup", "checkins_delete_rollup"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.execute("DROP TABLE IF EXISTS checkin_weeks")
    bump = ("INSERT INTO data_versions (user_id, version) VALUES ({row}.user_id, random())"
            " ON CONFLICT (user_id) DO UPDATE SET version = excluded.version;")
    db.execute(f"CREATE TRIGGER checkins_insert_version AFTER INSERT ON checkins"
               f" BEGIN {bump.format(row='NEW')} END")
    db.execute("CREATE TRIGGER checkins_delete_version AFTER DELETE ON checkins BEGIN"
               " UPDATE data_versions SET version = random() WHERE user_id = OLD.user_id; END")
    # 6. The new settings: the weekly privacy cap and the agency's time zone.
    for event in ("INSERT", "UPDATE"):
        db.execute(
            f"""
            CREATE TRIGGER settings_release_{event.lower()} BEFORE {event} ON settings
            WHEN (NEW.key = 'dp_weekly_cap' AND NOT (
                      NEW.value != '' AND NEW.value NOT GLOB '*[^0-9.eE+-]*'
                      AND CAST(NEW.value AS REAL) BETWEEN 0.1 AND 100))
              OR (NEW.key = 'agency_timezone' AND NOT (
                      length(NEW.value) BETWEEN 1 AND 64
                      AND NEW.value NOT GLOB '*[^A-Za-z0-9/_+-]*'))
            BEGIN
                SELECT RAISE(ABORT, 'invalid value for a release setting');
            END
            """
        )


@migrations(name="0010_sessions")
def _sessions(db: Database) -> None:
    # Server-side sign-in sessions (fatigue.sessions): the browser holds a random
    # token in an HttpOnly cookie; only its SHA-256 is stored here, so a copy of
    # the database cannot be used to sign in. Signing out deletes the row.
    db.execute(
        f"""
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE
                CHECK (length(token_hash) = 64 AND token_hash NOT GLOB '*[^0-9a-f]*'),
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            method TEXT NOT NULL CHECK (method IN ('password', 'sso')),
            kept INTEGER NOT NULL CHECK (kept IN (0, 1)),
            device TEXT NOT NULL DEFAULT '' CHECK (length(device) <= 80),
            created_at TEXT NOT NULL CHECK (created_at {_STAMP}),
            last_seen_at TEXT NOT NULL CHECK (last_seen_at {_STAMP}),
            expires_at TEXT NOT NULL CHECK (expires_at {_STAMP} AND expires_at > created_at),
            -- Set when a limit ended it: kept a little while, so every request
            -- with that token can still say why the person was signed out.
            ended TEXT CHECK (ended IS NULL OR ended IN ('idle', 'expired'))
        ) STRICT
        """
    )
    db.execute("CREATE INDEX sessions_user ON sessions(user_id)")
    # Failed logins are now counted per username and client address ('name'
    # rows) and per address over all names ('address' rows, username ''), so
    # someone elsewhere cannot lock the owner out (fatigue.accounts). The counts
    # are short-lived; the old ones, per username only, are dropped.
    db.execute("DROP TABLE login_failures")
    db.execute(
        f"""
        CREATE TABLE login_failures (
            kind TEXT NOT NULL CHECK (kind IN ('name', 'address')),
            username TEXT NOT NULL CHECK (length(username) <= 80),
            address TEXT NOT NULL CHECK (length(address) <= 64),
            failures INTEGER NOT NULL CHECK (failures >= 1),
            last_failure_at TEXT NOT NULL CHECK (last_failure_at {_STAMP}),
            locked_until TEXT CHECK (locked_until IS NULL OR locked_until {_STAMP}),
            PRIMARY KEY (kind, username, address),
            CHECK (kind = 'name' OR (username = '' AND address != ''))
        ) STRICT
        """
    )
    # Failed logins per minute on the whole server (the global ceiling).
    db.execute(
        """
        CREATE TABLE login_failure_minutes (
            minute TEXT PRIMARY KEY
                CHECK (minute GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]'),
            failures INTEGER NOT NULL CHECK (failures >= 1)
        ) STRICT
        """
    )
    # "Keep me signed in" lasts remember_days (fatigue.settings): 0 to 90.
    _whole_number_setting(db, "settings_remember", "remember_days", 0, 90)


@migrations(name="0011_sso_binding")
def _sso_binding(db: Database) -> None:
    # fatigue.sso: an account is linked to an identity-provider login by a
    # verified email once, then bound to that login's issuer and subject (the
    # OpenID Connect identity that never changes), both set or neither. An
    # admin changing the single sign-on email unbinds it and leaves the person
    # a notice, shown (and deleted) at their next sign-in.
    db.execute(
        "ALTER TABLE users ADD COLUMN sso_issuer TEXT"
        " CHECK (sso_issuer IS NULL OR length(sso_issuer) BETWEEN 1 AND 500)"
    )
    db.execute(
        "ALTER TABLE users ADD COLUMN sso_subject TEXT"
        " CHECK ((sso_subject IS NULL) = (sso_issuer IS NULL)"
        " AND (sso_subject IS NULL OR length(sso_subject) BETWEEN 1 AND 255))"
    )
    db.execute("CREATE UNIQUE INDEX users_sso_identity ON users(sso_issuer, sso_subject)"
               " WHERE sso_subject IS NOT NULL")
    db.execute(
        f"""
        CREATE TABLE sign_in_notices (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            at TEXT NOT NULL DEFAULT {_NOW},
            message TEXT NOT NULL CHECK (length(message) BETWEEN 1 AND 1000)
        ) STRICT
        """
    )
    db.execute("CREATE INDEX sign_in_notices_user ON sign_in_notices(user_id, id)")


@migrations(name="0012_team_actions")
def _team_actions(db: Database) -> None:
    # Team action plans (fatigue.team_actions): team-level only, so no column
    # holds a person (who planned or changed a plan is in the audit log). The
    # step, the owner's role and the dates are checked by fatigue.team_actions;
    # here their shape.
    db.execute(
        """
        CREATE TABLE team_actions (
            id INTEGER PRIMARY KEY,
            team_id INTEGER NOT NULL REFERENCES teams(id),
            suggestion_id TEXT NOT NULL
                CHECK (length(suggestion_id) BETWEEN 1 AND 60
                       AND suggestion_id NOT GLOB '*[^a-z0-9_]*'),
            what TEXT NOT NULL CHECK (length(what) BETWEEN 1 AND 400),
            owner_role TEXT NOT NULL CHECK (length(owner_role) BETWEEN 1 AND 60),
            due TEXT NOT NULL CHECK (due IS date(due, '+0 days')),
            period TEXT NOT NULL CHECK (period IN ('week', '4week', 'quarter')),
            status TEXT NOT NULL DEFAULT 'planned'
                CHECK (status IN ('planned', 'done', 'dropped')),
            planned_on TEXT NOT NULL CHECK (planned_on IS date(planned_on, '+0 days')),
            done_on TEXT CHECK (done_on IS NULL OR done_on IS date(done_on, '+0 days')),
            CHECK ((status = 'done') = (done_on IS NOT NULL))
        ) STRICT
        """
    )
    db.execute("CREATE INDEX team_actions_team ON team_actions(team_id, id)")


@migrations(name="0013_unanswered")
def _unanswered(db: Database) -> None:
    # A check-in stores only what the person gave (fatigue.validation): a rating,
    # count, number or yes/no they did not answer is NULL, never a default.
    # Exhaustion and empathy stay required (validation.REQUIRED). A CHECK or NOT
    # NULL changes only by rebuilding the table (as in 0006): every row is copied
    # as it is, ids, notes, flags and times included, and the indexes and
    # triggers on checkins are made again.
    extras = [
        sql for (sql,) in db.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'checkins'"
            " AND type IN ('index', 'trigger') AND sql IS NOT NULL"
        ).fetchall()
    ]
    rating = "{0} INTEGER CHECK ({0} BETWEEN 0 AND 10)"
    db.execute(
        f"""
        CREATE TABLE checkins_new (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            day TEXT NOT NULL CHECK (day IS date(day, '+0 days') AND day >= '2000-01-01'),
            exhaustion INTEGER NOT NULL CHECK (exhaustion BETWEEN 0 AND 10),
            empathy INTEGER NOT NULL CHECK (empathy BETWEEN 0 AND 10),
            {rating.format("detachment")},
            {rating.format("intrusion")},
            {rating.format("meaning")},
            {rating.format("recovery")},
            {rating.format("time_pressure")},
            caseload INTEGER CHECK (caseload BETWEEN 0 AND 500),
            contacts INTEGER CHECK (contacts BETWEEN 0 AND 100),
            crisis_contacts INTEGER
                CHECK (crisis_contacts BETWEEN 0 AND 100 AND crisis_contacts <= contacts),
            trauma_contacts INTEGER
                CHECK (trauma_contacts BETWEEN 0 AND 100 AND trauma_contacts <= contacts),
            direct_hours REAL CHECK (direct_hours BETWEEN 0 AND 24),
            after_hours_minutes INTEGER CHECK (after_hours_minutes BETWEEN 0 AND 1440),
            supervision INTEGER CHECK (supervision IN (0, 1)),
            break_taken INTEGER CHECK (break_taken IN (0, 1)),
            note TEXT NOT NULL DEFAULT ''
                CHECK (note = '' OR (note GLOB 'enc1:gAAAAA*'
                                     AND note NOT GLOB 'enc1:*[^A-Za-z0-9_=-]*'
                                     AND length(note) <= 10800)),
            created_at TEXT NOT NULL DEFAULT {_NOW},
            updated_at TEXT NOT NULL DEFAULT {_NOW},
            counts_for_team INTEGER NOT NULL DEFAULT 0 CHECK (counts_for_team IN (0, 1)),
            UNIQUE (user_id, day)
        ) STRICT
        """
    )
    columns = (
        "id, user_id, day, exhaustion, empathy, detachment, intrusion, meaning, recovery,"
        " time_pressure, caseload, contacts, crisis_contacts, trauma_contacts, direct_hours,"
        " after_hours_minutes, supervision, break_taken, note, created_at, updated_at,"
        " counts_for_team"
    )
    db.execute(f"INSERT INTO checkins_new ({columns}) SELECT {columns} FROM checkins")
    db.execute("DROP TABLE checkins")
    db.execute("ALTER TABLE checkins_new RENAME TO checkins")
    for sql in extras:
        db.execute(sql)
    # E-mail reminders (fatigue.reminders), in the same migration: who asked for
    # them, where and when (their own time zone), and what was sent. A send is
    # claimed (one row per person and local day) before the e-mail goes out, so a
    # second sender or a restart after a crash never sends it twice.
    db.execute(
        """
        CREATE TABLE reminder_preferences (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            email TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email GLOB '*?@?*'),
            weekdays TEXT NOT NULL CHECK (length(weekdays) BETWEEN 1 AND 7
                                          AND weekdays NOT GLOB '*[^0-6]*'),
            at_time TEXT NOT NULL CHECK (at_time GLOB '[0-2][0-9]:[0-5][0-9]'
                                         AND at_time <= '23:59'),
            timezone TEXT NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            paused_until TEXT CHECK (paused_until IS NULL
                                     OR paused_until IS date(paused_until, '+0 days')),
            link_nonce TEXT NOT NULL CHECK (length(link_nonce) BETWEEN 16 AND 64)
        ) STRICT
        """
    )
    db.execute(
        f"""
        CREATE TABLE reminder_sends (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            day TEXT NOT NULL CHECK (day IS date(day, '+0 days')),
            claimed_at TEXT NOT NULL DEFAULT {_NOW},
            sent_at TEXT,
            PRIMARY KEY (user_id, day)
        ) STRICT
        """
    )


@migrations(name="0014_note_keys")
def _note_keys(db: Database) -> None:
    # fatigue.note_keys: a key per person for their private notes, stored only
    # wrapped, under their password or notes passphrase (by_secret: none after
    # an admin reset, locked_at saying when) and under their recovery code.
    # Wrong unlock tries are counted per person. Existing notes move under the
    # person's key at their next sign-in (it needs their password), so nothing
    # moves here. A session keeps, wrapped under a key derived from its token
    # (which only the browser holds), the open note key, the password's
    # wrapping key and a recovery code still to be shown.
    db.execute(
        f"""
        CREATE TABLE note_keys (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('password', 'passphrase', 'code')),
            by_secret TEXT CHECK (by_secret IS NULL OR length(by_secret) BETWEEN 1 AND 300),
            by_code TEXT NOT NULL CHECK (length(by_code) BETWEEN 1 AND 300),
            created_at TEXT NOT NULL DEFAULT {_NOW},
            locked_at TEXT CHECK (locked_at IS NULL OR (locked_at {_STAMP} AND by_secret IS NULL)),
            failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
            locked_until TEXT CHECK (locked_until IS NULL OR locked_until {_STAMP}),
            CHECK ((kind = 'code') = (by_secret IS NULL AND locked_at IS NULL)
                   OR (kind = 'password' AND by_secret IS NULL AND locked_at IS NOT NULL))
        ) STRICT
        """
    )
    for column in ("notes_key", "notes_secret", "notes_code"):
        db.execute(f"ALTER TABLE sessions ADD COLUMN {column} TEXT"
                   f" CHECK ({column} IS NULL OR length({column}) BETWEEN 1 AND 300)")


@migrations(name="0015_noted_checkins")
def _noted_checkins(db: Database) -> None:
    # The check-ins that hold a note, indexed apart: finding one note (the notes
    # key's check on a process's first page, the key file's rotation) read every
    # check-in when there were none (1.1 s at 20,000 staff x 365 days).
    db.execute("CREATE INDEX checkins_noted ON checkins(id) WHERE note != ''")


@migrations(name="0016_membership_log_at")
def _membership_log_at(db: Database) -> None:
    # The first day anyone stood in the agency (fatigue.teamfigures.release.first_week),
    # asked two or three times on every team or organisation view, read the whole log
    # (60,000 rows at 20,000 staff: 10-20 ms a time).
    db.execute("CREATE INDEX membership_log_at ON membership_log(at)")
