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
