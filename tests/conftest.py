"""Shared fixtures: a fresh database per test, a team and a case manager."""
from __future__ import annotations

import datetime as dt
import os
import sys

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from fatigue import accounts
from fatigue.db import connect

# Property-based tests stay quick: a modest number of examples, no per-example
# deadline (the first example pays for imports). HYPOTHESIS_PROFILE=thorough for more.
hypothesis_settings.register_profile(
    "quick", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile("thorough", max_examples=1000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))

PASSWORD = "a-long-test-password"
TODAY = dt.date(2026, 3, 16)  # a Monday, fixed so tests never depend on the clock
RATINGS = dict(
    exhaustion=5, empathy=6, detachment=2, intrusion=3, meaning=7, recovery=4, time_pressure=6
)


@pytest.fixture(autouse=True)
def _notes_key_beside_the_database(monkeypatch):
    """Every test keeps its notes key beside its own database (fatigue.crypto):
    a FATIGUE_KEY or FATIGUE_KEY_FILE in the developer's shell is ignored."""
    monkeypatch.delenv("FATIGUE_KEY", raising=False)
    monkeypatch.delenv("FATIGUE_KEY_FILE", raising=False)


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    """Path of a fresh database, also exported as FATIGUE_DB."""
    path = tmp_path / "test.db"
    monkeypatch.setenv("FATIGUE_DB", str(path))
    return path


@pytest.fixture
def db(db_path):
    database = connect(db_path)
    yield database
    database.close()


class Clock:
    """The app's clock (fatigue.clock), frozen at a moment the test sets."""

    def __init__(self, monkeypatch, start: dt.datetime):
        self.now = start
        monkeypatch.setattr("fatigue.clock.utc_now", lambda: self.now)

    def set(self, day: dt.date, hour: int = 18) -> "Clock":
        """Move to ``day`` at ``hour`` o'clock UTC."""
        self.now = dt.datetime.combine(day, dt.time(hour), tzinfo=dt.timezone.utc)
        return self


@pytest.fixture
def clock(monkeypatch):
    """A frozen clock, at TODAY 18:00 UTC until the test moves it."""
    return Clock(monkeypatch, dt.datetime.combine(TODAY, dt.time(18), tzinfo=dt.timezone.utc))


RUN_DAY = dt.date.today()  # the day this run started, for pages tested on the real date


@pytest.fixture
def run_day(clock):
    """The clock frozen at noon UTC on RUN_DAY, so a run that crosses midnight still sees
    the day its check-ins were written for (pages read today from fatigue.clock)."""
    return clock.set(RUN_DAY, hour=12)


@pytest.fixture
def agency(db, clock):
    """An agency living through weeks on the frozen clock (tests/teamlife.py)."""
    from teamlife import Agency

    return Agency(db, clock)


@pytest.fixture
def nine(agency):
    """Team "Nine": nine members (caseload standard 15) and a lead whose home team is elsewhere."""
    return agency.team("Nine", 9), agency.lead("Nine")


@pytest.fixture
def team(db):
    return accounts.create_team(db, "North")


@pytest.fixture
def user(db, team):
    """A case manager whose home team is North."""
    return accounts.create_user(db, "casey", PASSWORD, team=team, display_name="Casey")


# --- Streamlit page tests (AppTest) ------------------------------------------

APP = "../app.py"  # AppTest resolves paths relative to the test file


@pytest.fixture(autouse=True)
def _keep_main_module():
    """AppTest runs app.py as ``__main__`` and leaves it in ``sys.modules``; a later
    spawned child process (bench build, concurrency tests) would then re-run app.py
    on start-up and die. Put the real ``__main__`` back after every test."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """Caches outlive an AppTest run within one process: start every test clean."""
    import streamlit as st

    from fatigue.teamfigures import reports

    st.cache_data.clear()
    st.cache_resource.clear()
    reports.forget_kept()
    yield


@pytest.fixture
def org_builds(monkeypatch) -> list[int]:
    """The viewer of every organisation report built from released cells (rather than
    taken from the rows kept in this process, fatigue.teamfigures.reports), in order."""
    from fatigue.teamfigures import reports

    built: list[int] = []
    build = reports._org_rows

    def counted(db, period, count, viewer_id, *args):
        built.append(viewer_id)
        return build(db, period, count, viewer_id, *args)

    monkeypatch.setattr(reports, "_org_rows", counted)
    return built


# AppTest cannot send cookies: the session token a test's "browser" holds lives in
# its session_state under this key, and _session.browser_token reads it from there
# instead of st.context.cookies (see _browser_cookie). The app itself never reads it.
COOKIE = "__test_session_cookie__"


@pytest.fixture(autouse=True)
def _browser_cookie(monkeypatch):
    import streamlit as st

    from fatigue.pages import _session

    monkeypatch.setattr(_session, "browser_token", lambda: st.session_state.get(COOKIE))


def start_app(script: str = APP, token: str | None = None):
    """A fresh AppTest session of ``script`` (whose browser holds ``token``), run once."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(script, default_timeout=60)
    if token is not None:
        at.session_state[COOKIE] = token
    return at.run()


def sign_in(username: str, password: str = PASSWORD, *, keep: bool = False) -> str:
    """The session token a browser gets from the sign-in route (same core calls)."""
    from fatigue import note_keys, sessions
    from fatigue.db import default_path

    db = connect(default_path())
    try:
        user = accounts.authenticate(db, username, password)
        token, session = sessions.start(db, user.id, kept=keep)
        note_keys.signed_in_with_password(db, user.id, password, session.id, token)
    finally:
        db.close()
    return token


def notes_key(db, at) -> bytes | None:
    """The private-notes key open in the session of the AppTest browser ``at``
    (fatigue.note_keys): notes saved through a page are sealed with it."""
    from fatigue import note_keys, sessions

    token = at.session_state[COOKIE]
    session = sessions.resolve(db, token).session
    return note_keys.access(db, session.user_id, session.id, token).key


def log_in(username: str, password: str = PASSWORD, script: str = APP):
    """An AppTest session of ``script`` (the whole app by default), signed in as ``username``."""
    return start_app(script, sign_in(username, password))


def texts(elements) -> list[str]:
    """The values of a list of AppTest text elements (errors, infos, markdown...)."""
    return [element.value for element in elements]


def visible_text(at) -> list[str]:
    """Every text a person can see on an AppTest page: headings, text, alerts,
    metrics (label, value, delta and its description), table headings and
    cells, and each chart's text alternative."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "success", "error"):
        out += [element.value for element in getattr(at, kind)]
    for metric in at.metric:
        out += [metric.label, metric.value, metric.proto.delta, metric.proto.delta_description]
    for frame in at.dataframe:
        out += [str(c) for c in frame.value.columns]
        out += [str(v) for v in frame.value.to_numpy().ravel()]
    out += [chart.proto.alt for chart in at.get("vega_lite_chart")]
    return out


def damage_database(db, user: int, path) -> None:
    """Fill ``db`` with check-ins, close it, and overwrite pages in the middle of its
    file with junk: a database that opens but fails ``PRAGMA integrity_check``."""
    from fatigue import checkins

    checkins.save_checkins(db, user, [
        {"day": TODAY - dt.timedelta(days=n), **RATINGS, "note": "x" * 500} for n in range(200)
    ], today=TODAY)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(size // 2 // 4096 * 4096)
        handle.write(b"\xff" * 4096 * 3)


@pytest.fixture
def read_only_database(tmp_path, monkeypatch):
    """A sound database (one account) on a read-only file system: a real read-only
    tmpfs mount when the tests run as root, else a file and folder without write
    permission. Exported as FATIGUE_DB."""
    import shutil
    import subprocess

    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = False
    if os.geteuid() == 0:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)],
                                 capture_output=True).returncode == 0
        if not mounted:
            pytest.skip("running as root without permission to mount a read-only file system")
    path = folder / "agency.db"
    try:
        database = connect(path)
        team_id = accounts.create_team(database, "North")
        accounts.create_user(database, "casey", PASSWORD, team=team_id)
        database.close()
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        else:
            path.chmod(0o400)
            folder.chmod(0o500)
        monkeypatch.setenv("FATIGUE_DB", str(path))
        monkeypatch.setenv("FATIGUE_KEY_FILE", str(path) + ".key")
        yield path
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=True)
        else:
            folder.chmod(0o700)
            shutil.rmtree(folder)


HOLDER = (
    "import sys; sys.path.insert(0, {root!r}); from fatigue import files; "
    "lock = files.hold_for_app({path!r}); print('holding', flush=True); sys.stdin.read()"
)


@pytest.fixture
def running_app(db_path):
    """A separate process that holds the app lock as the app does at start-up (no
    connection to the database, no browser session), until it is killed."""
    import subprocess
    from pathlib import Path

    root = str(Path(__file__).resolve().parent.parent)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER.format(root=root, path=str(db_path))],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "holding\n"
    yield holder
    holder.kill()
    holder.wait()


def fill_the_disk(db, monkeypatch) -> None:
    """Make the database full, as on a full disk: SQLite's page limit (max_page_count)
    at its current size on this connection and on every connection the app opens
    from now on, and the audit log's last page filled up, so a write that needs a
    new page fails with SQLITE_FULL ("database or disk is full")."""
    import sqlite3

    from fatigue import db as fdb
    from fatigue.pages import _connection
    from fatigue.web import client

    def limit(conn) -> None:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")

    limit(db.conn)
    try:
        while True:
            db.execute("INSERT INTO audit_log (action) VALUES ('filler')")
            db.conn.commit()
    except sqlite3.OperationalError as exc:
        assert "full" in str(exc)
        db.conn.rollback()
    real = fdb.connect

    def full(*args, **kwargs):
        opened = real(*args, **kwargs)
        limit(opened.conn)
        return opened

    monkeypatch.setattr(_connection, "connect", full)
    monkeypatch.setattr(client, "connect", full)  # the sign-in routes' connections


def forge(at, widget, **state):
    """Run ``at`` with ``widget`` sending a value its browser widget never could, as a
    hand-made websocket message would: ``state`` sets the WidgetState field, e.g.
    ``string_value="nobody"`` or ``string_array_value=["Funday"]``."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    forged = WidgetState(id=widget.id)
    for field, value in state.items():
        if field.endswith("_array_value"):
            getattr(forged, field).data[:] = value
        else:
            setattr(forged, field, value)
    widget.__class__ = type("Forged", (type(widget),), {"_widget_state": property(lambda _: forged)})
    return at.run()


def another_programs_database(path):
    """A SQLite file of some other program at ``path`` (one table of its own); ``path``."""
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    return path


def killed_runs(db_path, tmp_path, script, *args: str, steps: int = 60):
    """For a crash test: for N = 1, 2, ... a fresh copy of the database at ``db_path`` (in
    ``tmp_path/runN``) handed to the child ``script`` (``script DB *args N``), which kills
    itself (SIGKILL) at its N-th step. Yields ``(folder, child's output, finished)`` until
    the child finishes without being killed; fails if it never does within ``steps``."""
    import shutil
    import signal
    import subprocess

    for kill_at in range(1, steps):
        run = tmp_path / f"run{kill_at}"
        run.mkdir()
        for file in db_path.parent.glob(db_path.name + "*"):
            shutil.copy2(file, run / file.name)
        child = subprocess.run(
            [sys.executable, str(script), str(run / db_path.name),
             *[str(a).replace("{run}", str(run)) for a in args], str(kill_at)],
            capture_output=True, text=True, timeout=120)
        finished = child.stdout.strip() == "done"
        assert finished or child.returncode == -signal.SIGKILL, child.stderr
        yield run, child.stdout.strip(), finished
        if finished:
            return
    pytest.fail(f"{script.name} never finished")
