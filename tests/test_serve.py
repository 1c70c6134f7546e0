"""python -m fatigue serve: the once-only work before the app processes start, and the
supervisor that starts, restarts and stops them (here with stand-in processes;
tests/test_deploy.py runs the real ones behind nginx)."""
from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest

from fatigue import accounts, cli, crypto, serve
from fatigue.db import connect, health, schema_version
from fatigue.migrations import migrations

from conftest import PASSWORD, damage_database

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


# --- prepare -------------------------------------------------------------------------

def test_prepare_upgrades_a_new_database_once_and_shares_a_set_up_code(tmp_path):
    path = tmp_path / "agency.db"
    prepared = serve.prepare(path, environ={})
    db = connect(path, migrate=False)
    try:
        assert not migrations.pending(db) and schema_version(db)[0] == "0001_accounts_and_checkins"
        assert crypto.check_key(db) is None
    finally:
        db.close()
    assert (tmp_path / "agency.db.key").stat().st_mode & 0o777 == 0o600
    assert prepared.problem is None
    code = prepared.setup_code
    assert code and len(code) == 14
    assert prepared.env == {
        "FATIGUE_DB": str(path.resolve()),
        "FATIGUE_CHECKED_DB": str(path.resolve()),
        "FATIGUE_SETUP_CODE": code,
        "STREAMLIT_SERVER_COOKIE_SECRET": prepared.env["STREAMLIT_SERVER_COOKIE_SECRET"],
    }
    assert len(prepared.env["STREAMLIT_SERVER_COOKIE_SECRET"]) >= 43


def test_prepare_keeps_what_the_operator_set_and_makes_no_code_once_there_are_accounts(
        db, db_path, team):
    accounts.create_user(db, "casey", PASSWORD, team=team)
    prepared = serve.prepare(db_path, environ={"STREAMLIT_SERVER_COOKIE_SECRET": "set"})
    assert prepared.setup_code is None
    assert set(prepared.env) == {"FATIGUE_DB", "FATIGUE_CHECKED_DB"}
    new = serve.prepare(tmp := db_path.with_name("new.db"), environ={"FATIGUE_SETUP_CODE": "mine"})
    assert new.setup_code is None and "FATIGUE_SETUP_CODE" not in new.env
    assert tmp.exists()


def test_prepare_writes_nothing_to_a_damaged_database_and_lets_every_process_check(
        db, db_path, user):
    damage_database(db, user, db_path)
    before = db_path.read_bytes()
    prepared = serve.prepare(db_path, environ={})
    assert prepared.problem == health(db_path) and prepared.problem.kind == "damaged"
    assert "FATIGUE_CHECKED_DB" not in prepared.env
    assert db_path.read_bytes() == before


def test_only_the_database_found_sound_counts_as_checked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FATIGUE_CHECKED_DB", str(tmp_path / "a.db"))
    assert serve.checked_before_start("a.db")  # the same file, named relatively
    assert serve.checked_before_start(tmp_path / "a.db")
    assert not serve.checked_before_start(tmp_path / "b.db")
    monkeypatch.setenv("FATIGUE_CHECKED_DB", "")
    assert not serve.checked_before_start("")


def test_one_process_per_core_by_default_and_consecutive_ports():
    assert serve.default_processes() == len(os.sched_getaffinity(0))
    assert serve.ports(8501, 3) == [8501, 8502, 8503]
    for first, count in ((8501, 0), (8501, 65), (65535, 2), (0, 1)):
        with pytest.raises(ValueError):
            serve.ports(first, count)


def test_warnings_name_a_database_folder_others_can_open_and_running_as_root(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert serve.warnings(folder / "agency.db") == []
    folder.chmod(0o755)
    [shared] = serve.warnings(folder / "agency.db")
    assert f"chmod 700 {folder}" in shared and "0755" in shared
    folder.chmod(0o700)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    [root] = serve.warnings(folder / "agency.db")
    assert "root" in root


def test_the_command_refuses_a_bad_port_from_the_environment(monkeypatch, capsys, db_path):
    monkeypatch.setenv("PORT", "http")
    assert cli.main(["serve", "--processes", "1"]) == 2
    assert "PORT: 'http' is not a whole number" in capsys.readouterr().err


# --- the supervisor --------------------------------------------------------------------

@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setattr(serve, "RESTART_SECONDS", 0.0)
    monkeypatch.setattr(serve, "STOP_SECONDS", 5.0)


def supervisor(command, said):
    return serve.Supervisor([9001, 9002], "127.0.0.1", dict(os.environ),
                            command=lambda port, address: command, say=said.append)


def until(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_process_that_dies_is_started_again_and_the_others_keep_running(quick):
    said: list[str] = []
    boss = supervisor(SLEEPER, said)
    boss.start()
    try:
        first = boss.pids()
        os.kill(first[9001], signal.SIGKILL)
        until(lambda: (boss.check(), boss.pids().get(9001, first[9001]) != first[9001])[1])
        assert boss.pids()[9002] == first[9002]  # nobody on the other process noticed
        assert said == ["The app process on port 9001 ended (exit code -9); starting it again. "
                        "Its people reconnect through the proxy."]
    finally:
        boss.stop()
    assert boss.pids() == {}


def test_processes_that_keep_ending_at_once_stop_everything(quick):
    said: list[str] = []
    boss = supervisor([sys.executable, "-c", "raise SystemExit(3)"], said)
    boss.start()
    until(lambda: (boss.check(), boss.failed)[1])
    assert boss.pids() == {} and boss.stopping
    assert said[-1].startswith("The app process on port 900")
    assert "5 times right after starting (exit code 3); stopping all of them." in said[-1]


def test_sigterm_stops_every_process(quick):
    said: list[str] = []
    boss = supervisor(SLEEPER, said)
    started: list[dict[int, int]] = []
    watcher = threading.Thread(target=lambda: (until(lambda: len(boss.pids()) == 2),
                                               started.append(boss.pids()),
                                               os.kill(os.getpid(), signal.SIGTERM)))
    previous = signal.getsignal(signal.SIGTERM)
    watcher.start()
    assert boss.run() == 0
    watcher.join()
    assert signal.getsignal(signal.SIGTERM) is previous
    for pid in started[0].values():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_serve_holds_the_app_lock_so_restore_and_rotate_key_refuse_while_it_runs(
        tmp_path, monkeypatch):
    """Each app process holds the lock too (server.py); serve holds it as well, so it is
    held during the upgrade before the processes start and while one restarts."""
    from fatigue import files

    path = tmp_path / "agency.db"
    refused = []

    class Running:
        def __init__(self, *args, **kwargs):
            pass

        def run(self, ready=None):
            with pytest.raises(files.InUse):
                with files.exclusive(path, "restore"):
                    pass
            refused.append(True)
            return 0

    monkeypatch.setattr(serve, "Supervisor", Running)
    said = []
    assert serve.serve(2, 9001, "127.0.0.1", path, say=said.append) == 0
    assert refused == [True]
    with files.exclusive(path, "restore"):  # free again once serve has ended
        assert serve.serve(2, 9001, "127.0.0.1", path, say=said.append) == 1
    assert said[-1].startswith("error: A restore or a key rotation is running")
