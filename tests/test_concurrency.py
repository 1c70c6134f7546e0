"""Many processes saving (and releasing) at once, and a writer killed mid-run (SIGKILL)."""
import datetime as dt
import multiprocessing
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from fatigue import accounts, checkins
from fatigue.db import connect

from conftest import PASSWORD, RATINGS

WRITER = Path(__file__).parent / "fixtures" / "writer.py"
PROCESSES = 4
PER_PROCESS = 200
FIRST_DAY = dt.date(2025, 1, 1)
TODAY = dt.date(2026, 3, 16)


def at_once(target, args: list[tuple]) -> tuple[list, list]:
    """``target(*a, start, results)`` in a process per ``a`` in ``args``, all let go at
    the same moment: what each put in ``results``, and their exit codes."""
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=target, args=(*a, start, results)) for a in args]
    for worker in workers:
        worker.start()
    start.set()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    return outcomes, [worker.exitcode for worker in workers]


def save_many(path: str, user_id: int, start, results) -> None:
    """A worker process: PER_PROCESS check-ins through the public API, one call each."""
    try:
        db = connect(path)
        start.wait()  # every process begins at the same moment
        for n in range(PER_PROCESS):
            checkins.save_checkin(db, user_id, FIRST_DAY + dt.timedelta(days=n), today=TODAY,
                                  note=f"user {user_id} day {n}", **RATINGS)
        db.close()
    except BaseException as exc:  # reported to the parent, never swallowed
        results.put(f"{type(exc).__name__}: {exc}")
    else:
        results.put("ok")


def test_several_processes_save_hundreds_of_checkins_at_once(db, db_path, team):
    users = [accounts.create_user(db, f"worker{n}", PASSWORD, team=team) for n in range(PROCESSES)]
    outcomes, exits = at_once(save_many, [(str(db_path), uid) for uid in users])
    assert outcomes == ["ok"] * PROCESSES  # no "database is locked" reached anyone
    assert exits == [0] * PROCESSES
    for uid in users:
        history = checkins.load_history(db, uid)
        assert len(history) == PER_PROCESS
        assert history["note"].iloc[-1] == f"user {uid} day {PER_PROCESS - 1}"
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_writer_loses_nothing_it_committed(db, db_path, user):
    writer = subprocess.Popen(
        [sys.executable, str(WRITER), str(db_path), str(user), "0"],
        stdout=subprocess.PIPE, text=True,
    )
    acknowledged = 0
    try:
        while acknowledged < 150:  # mid-run: it keeps writing until killed
            line = writer.stdout.readline()
            assert line, "the writer stopped by itself"
            acknowledged = int(line)
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert writer.returncode == -signal.SIGKILL
    # Every commit the writer reported is there (it may have committed one more).
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    again = connect(db_path)
    history = checkins.load_history(again, user)
    assert len(history) >= acknowledged
    expected = [dt.date(2001, 1, 1) + dt.timedelta(days=n) for n in range(len(history))]
    assert [d.date() for d in history["day"]] == expected
    for number in (1, acknowledged):
        day = dt.date(2001, 1, 1) + dt.timedelta(days=number - 1)
        assert again.execute("SELECT note FROM checkins WHERE day = ?", [day.isoformat()]
                             ).fetchone() is not None
        assert checkins.get_checkin(again, user, day)["note"] == f"entry {number}"
    again.close()


def release_in_child(path: str, start, results) -> None:
    """A worker process: release every week that is due, as an app process's first
    team report does; reports how many weeks it released."""
    from fatigue.teamfigures.release import release_due

    try:
        db = connect(path)
        start.wait()
        results.put(release_due(db))
        db.close()
    except BaseException as exc:
        results.put(f"{type(exc).__name__}: {exc}")


def test_app_processes_releasing_at_once_release_each_week_once(db, db_path):
    """Several app processes (python -m fatigue serve) can open a team report in the same
    moment after a week closes: each week is still released exactly once."""
    from fatigue import demo

    demo.bulk_load(db, demo.generate(seed=3, days=40, teams=demo.agency_teams(31, 30)))
    counts, _ = at_once(release_in_child, [(str(db_path),)] * 3)
    weeks = db.execute("SELECT count(*) FROM released_weeks").fetchone()[0]
    assert all(isinstance(count, int) for count in counts), counts  # no error anywhere
    assert weeks >= 5 and sum(counts) == weeks  # shared out, none released twice
