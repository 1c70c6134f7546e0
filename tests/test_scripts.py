"""./run.sh and ./test.sh, run for real against stand-ins for python3 and npm that only
record how they were called (no network, no install): the order of the steps."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECORDER = """#!/bin/sh
echo "$(basename "$0") $*" >> "$CALLS"
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
fi
"""


def calls(tmp_path, script, *args):
    """Run a copy of ``script`` with recording python3 and npm first on PATH."""
    shutil.copy(ROOT / script, tmp_path / script)
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name in ("python3", "npm"):
        (stubs / name).write_text(RECORDER)
        (stubs / name).chmod(0o755)
    log = tmp_path / "calls.log"
    env = {**os.environ, "PATH": f"{stubs}:{os.environ['PATH']}", "CALLS": str(log)}
    subprocess.run(["bash", str(tmp_path / script), *args], cwd=tmp_path, env=env, check=True,
                   capture_output=True, timeout=60)
    return log.read_text().splitlines()


@pytest.mark.parametrize("script, args, requirements", [
    ("run.sh", ["--no-demo"], "requirements.txt"),
    ("test.sh", ["-q"], "requirements-dev.txt"),
])
def test_pip_and_setuptools_are_upgraded_in_the_venv_before_anything_is_installed(
        tmp_path, script, args, requirements):
    made = calls(tmp_path, script, *args)
    assert made[0] == "python3 -m venv .venv"
    assert made[1] == ("python -m pip install --quiet --disable-pip-version-check "
                       "--upgrade pip setuptools")
    assert made[2] == ("python -m pip install --quiet --disable-pip-version-check "
                       f"-r {requirements}")
