"""A session's connection is closed only when no script run is using it: a browser that
disconnects mid-run (a closed tab) must not crash the server for everyone on it."""
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fatigue.db import connect
from fatigue.pages import _connection
from fatigue.pages._connection import SessionConnection, get_db, script_run

ROOT = Path(__file__).resolve().parents[1]
# One long step of SQLite (no row comes back until it is done): the query a script run
# is in when Streamlit, on its own thread, releases the session's resources.
LONG_QUERY = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000)"
              " SELECT count(*) FROM n")


def is_open(db) -> bool:
    try:
        db.execute("SELECT 1").fetchone()
    except sqlite3.ProgrammingError:  # "Cannot operate on a closed database."
        return False
    return True


def test_a_release_during_a_running_query_waits_for_the_run(tmp_path):
    """What Streamlit does when a tab is closed mid-run, in a process of its own: closing
    the connection under the running query at once killed the whole process
    (a segmentation fault in CPython's sqlite3; seen in CI)."""
    script = textwrap.dedent(f"""
        import threading, time
        from fatigue.db import connect
        from fatigue.pages._connection import SessionConnection

        connection = SessionConnection(connect({str(tmp_path / "app.db")!r}))
        started, results = threading.Event(), []

        def run():
            connection.hold()
            try:
                started.set()
                results.append(connection.db.execute({LONG_QUERY!r}).fetchone()[0])
                results.append(connection.db.execute("SELECT 2").fetchone()[0])
            finally:
                connection.let_go()

        thread = threading.Thread(target=run)
        thread.start()
        started.wait()
        time.sleep(0.1)
        connection.release()
        thread.join()
        try:
            connection.db.execute("SELECT 1")
            print(results, "still open")
        except Exception as exc:
            print(results, type(exc).__name__)
    """)
    done = subprocess.run([sys.executable, "-X", "faulthandler", "-c", script], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[3000000, 2] ProgrammingError"


def test_a_release_with_no_run_closes_at_once(tmp_path):
    connection = SessionConnection(connect(tmp_path / "app.db"))
    connection.release()
    assert not is_open(connection.db)


def test_the_last_of_two_runs_closes_a_released_connection(tmp_path):
    connection = SessionConnection(connect(tmp_path / "app.db"))
    connection.hold()
    connection.hold()
    connection.release()
    connection.let_go()
    assert is_open(connection.db)
    connection.let_go()
    assert not is_open(connection.db)


def test_get_db_holds_the_sessions_connection_until_the_run_ends(tmp_path, monkeypatch):
    connection = SessionConnection(connect(tmp_path / "app.db"))
    monkeypatch.setattr(_connection, "_session_connection", lambda path: connection)
    with script_run():
        db = get_db()
        assert get_db() is db  # held once per run, however often a page asks
        connection.release()  # the browser disconnects mid-run
        assert is_open(db)
    assert not is_open(db)


def test_a_run_that_stops_early_still_lets_go(tmp_path, monkeypatch):
    """st.stop() and st.rerun() end a run with an exception: the connection is let go."""
    connection = SessionConnection(connect(tmp_path / "app.db"))
    monkeypatch.setattr(_connection, "_session_connection", lambda path: connection)
    with pytest.raises(RuntimeError), script_run():
        get_db()
        raise RuntimeError("stop")
    connection.release()
    assert not is_open(connection.db)


def test_the_app_script_runs_inside_script_run():
    source = (ROOT / "app.py").read_text()
    assert "\nwith script_run():\n" in source
    first_use = min(source.index(call) for call in ("get_db()", "hold_app_lock()\n"))
    assert source.index("with script_run():") < first_use
