#!/usr/bin/env bash
# Install (into .venv) and run the whole test suite: ./test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv
# The interpreter's bundled pip and setuptools can be old (with known advisories): first these.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip setuptools
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# The browser tests inject axe-core (package.json); without npm they skip, except in CI.
if [[ ! -d node_modules/axe-core ]] && command -v npm >/dev/null; then
  npm ci --no-audit --no-fund
fi
exec .venv/bin/python -m pytest "$@"
