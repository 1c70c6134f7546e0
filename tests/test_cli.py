"""The command line: python -m fatigue COMMAND --db PATH."""
import io
import subprocess
import sys

import pytest

from fatigue import accounts, cli
from fatigue.db import connect

PASSWORD = "a-long-cli-password"


def run(argv, stdin=""):
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
    try:
        code = cli.main(argv)
    finally:
        sys.stdin, sys.stdout, sys.stderr = old
    return code, out.getvalue(), err.getvalue()


def test_add_team_and_user_with_password_from_stdin(tmp_path):
    path = str(tmp_path / "agency.db")
    assert run(["add-team", "North", "--db", path, "--caseload-standard", "17"])[0] == 0
    code, out, _ = run(["add-user", "Casey", "--team", "north", "--lead", "--db", path,
                        "--password-stdin", "--name", "Casey Jones"], stdin=PASSWORD + "\n")
    assert code == 0
    assert out.strip() == "User 'casey' added to north as case manager, team lead."
    db = connect(path)
    user = accounts.authenticate(db, "casey", PASSWORD)
    assert user.is_lead and not user.is_admin
    assert accounts.list_teams(db)[0]["caseload_standard"] == 17


def test_add_user_refuses_a_common_password(tmp_path):
    path = str(tmp_path / "agency.db")
    run(["add-team", "North", "--db", path])
    code, _, err = run(["add-user", "casey", "--team", "North", "--db", path, "--password-stdin"],
                       stdin="password1234\n")
    assert code == 2
    assert err.strip() == f"error: {accounts.TOO_COMMON}"
    assert not accounts.has_users(connect(path))


@pytest.mark.parametrize("argv, stdin, message", [
    (["add-user", "casey", "--team", "Nowhere", "--password-stdin"], PASSWORD,
     "error: There is no team called 'Nowhere'."),
    (["add-user", "casey", "--team", "North", "--password-stdin"], "short",
     "error: Password must be at least 12 characters."),
    (["add-user", "casey", "--team", "North"], "",
     "error: No terminal to ask for a password: pass --password-stdin and pipe it in."),
    (["add-team", "North"], "", "error: A team called 'North' exists already."),
])
def test_rejected_input_exits_2_with_a_message(tmp_path, argv, stdin, message):
    path = str(tmp_path / "agency.db")
    run(["add-team", "North", "--db", path])
    code, _, err = run([*argv, "--db", path], stdin=stdin)
    assert (code, err.strip()) == (2, message)
    assert not accounts.has_users(connect(path))


def test_password_is_not_an_argument():
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["add-user", "casey", "--team", "x", "--password", "secret"])


def test_db_defaults_to_fatigue_db_env(tmp_path, monkeypatch):
    path = tmp_path / "from-env.db"
    monkeypatch.setenv("FATIGUE_DB", str(path))
    assert run(["add-team", "East"])[0] == 0
    assert accounts.team_id(connect(path), "East") is not None


def test_module_entry_point_runs(tmp_path):
    path = tmp_path / "agency.db"
    result = subprocess.run(
        [sys.executable, "-m", "fatigue", "init", "--db", str(path)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Database ready at {path}"


def test_unlock_a_username_or_an_address(tmp_path):
    path = str(tmp_path / "agency.db")
    run(["add-team", "North", "--db", path])
    run(["add-user", "casey", "--team", "North", "--db", path, "--password-stdin"], stdin=PASSWORD)
    db = connect(path)
    for _ in range(5):
        with pytest.raises(accounts.AuthError):
            accounts.authenticate(db, "casey", "not-the-password", address="203.0.113.66")
    assert accounts.lock_in_force(db, "casey", "203.0.113.66") is not None
    assert run(["unlock", " Casey ", "--db", path]) == (
        0, "Unlocked 'casey': the failed logins counted against it are forgotten.\n", "")
    assert accounts.lock_in_force(db, "casey", "203.0.113.66") is None
    assert accounts.authenticate(db, "casey", PASSWORD, address="203.0.113.66").username == "casey"
    assert run(["unlock", "casey", "--db", path])[1] == (
        "Nothing to unlock: 'casey' has no failed logins counted.\n")
    assert run(["unlock", "--address", "203.0.113.66", "--db", path])[1] == (  # its own count
        "Unlocked the address 203.0.113.66: the failed logins counted against it are forgotten.\n")
    with pytest.raises(SystemExit):  # one or the other
        cli.build_parser().parse_args(["unlock", "casey", "--address", "203.0.113.66"])
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["unlock"])
    assert run(["unlock", "  ", "--db", path]) == (2, "", "error: Give the username to unlock.\n")


# --- refusals: error: ... and exit status 2, never a traceback, nothing created ----------

@pytest.mark.parametrize("argv, message", [
    (["demo", "--days", "100000000"], "argument --days: must be a whole number from 1 to 3,650"),
    (["demo", "--seed", str(10**30)], "argument --seed: must be a whole number from 0 to"),
    (["bench", "--days", "999999999"], "argument --days: must be a whole number from 1 to 3,650"),
    (["bench", "--users", "1000000"], "argument --users: must be a whole number from 2 to 20,000"),
    (["bench", "--runs", "100000"], "argument --runs: must be a whole number from 1 to 100"),
])
def test_huge_numbers_are_refused_before_anything_runs(tmp_path, monkeypatch, capsys, argv, message):
    from fatigue import bench, demo

    def must_not_run(*args, **kwargs):
        raise AssertionError("ran with a refused number")

    monkeypatch.setattr(bench, "run", must_not_run)
    monkeypatch.setattr(demo, "build_demo", must_not_run)
    path = tmp_path / "agency.db"
    with pytest.raises(SystemExit) as stop:
        cli.main([*argv, *(["--db", str(path)] if argv[0] == "demo" else [])])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"error: {message}" in err and "Traceback" not in err
    assert not path.exists()


@pytest.mark.parametrize("argv", [
    ["export", "casey", "--out", "{tmp}/casey.json"],
    ["rotate-key"],
    ["unlock", "casey"],
])
def test_a_mistyped_db_makes_no_database_and_no_key(tmp_path, argv):
    typo = tmp_path / "agnecy.db"
    code, out, err = run([a.format(tmp=tmp_path) for a in argv] + ["--db", str(typo)])
    assert (code, out) == (2, "")
    assert err.startswith(f"error: There is no database at {typo}; nothing was created.")
    assert list(tmp_path.iterdir()) == []


def test_init_refuses_another_programs_sqlite_file(tmp_path):
    from conftest import another_programs_database

    path = another_programs_database(tmp_path / "crm.sqlite")
    before = path.read_bytes()
    code, _, err = run(["init", "--db", str(path)])
    assert code == 2
    assert err.startswith(f"error: {path} is a database of another program")
    assert path.read_bytes() == before


@pytest.mark.parametrize("password", ["a-long-password\x00rest", "tab\tseparated-password",
                                      "escape\x1b[31m-password"])
def test_add_user_refuses_control_characters_in_a_password(tmp_path, password):
    path = str(tmp_path / "agency.db")
    run(["add-team", "North", "--db", path])
    code, _, err = run(["add-user", "casey", "--team", "North", "--db", path, "--password-stdin"],
                       stdin=password + "\n")
    assert (code, err.strip()) == (
        2, "error: Password cannot contain control characters (such as NUL, tab or escape).")
    assert not accounts.has_users(connect(path))


@pytest.mark.parametrize("argv, stdin", [
    (["init"], ""),
    (["add-team", "South"], ""),
    (["add-user", "robin", "--team", "North", "--password-stdin"], PASSWORD + "\n"),
    (["demo"], ""),
    (["export", "casey", "--out", "{tmp}/casey.json"], ""),
    (["rotate-key"], ""),
    (["unlock", "casey"], ""),
])
def test_a_database_of_a_newer_version_is_refused_by_every_command(tmp_path, argv, stdin):
    from test_db import make_newer

    path = tmp_path / "agency.db"
    db = connect(path)
    team = accounts.create_team(db, "North")
    accounts.create_user(db, "casey", PASSWORD, team=team)
    make_newer(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = path.read_bytes()
    code, out, err = run([a.format(tmp=tmp_path) for a in argv] + ["--db", str(path)], stdin)
    assert (code, out) == (2, "")
    assert "was written by a newer version of this tool" in err and "Traceback" not in err
    assert path.read_bytes() == before
    assert not (tmp_path / "casey.json").exists()


def test_export_is_audited_before_the_file_is_written(tmp_path, monkeypatch):
    """A database that can be read but not written (SQLITE_READONLY): the audit entry
    cannot be made, so no file of someone's notes may appear either."""
    from fatigue import db as fdb

    path = tmp_path / "agency.db"
    db = connect(path)
    accounts.create_user(db, "casey", PASSWORD, team=accounts.create_team(db, "North"))
    db.close()
    real = fdb.connect

    def read_only(*args, **kwargs):
        opened = real(*args, **kwargs)
        opened.execute("PRAGMA query_only = ON")
        return opened

    monkeypatch.setattr(cli, "connect", read_only)
    out = tmp_path / "casey.json"
    code, _, err = run(["export", "casey", "--out", str(out), "--db", str(path)])
    assert code == 2
    assert "could not be recorded in the audit log" in err and "nothing was exported" in err
    assert not out.exists()
