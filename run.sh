#!/usr/bin/env bash
# Install (into .venv) and start the app. On an empty database it loads the
# demo agency first, so there is something to log into.
#   ./run.sh                 demo data in data/fatigue.db, app on http://localhost:8501
#   FATIGUE_DB=/srv/agency.db ./run.sh --no-demo    a real deployment: first-run screen
# One app process; several behind a proxy: python -m fatigue serve (docs/deploy.md).
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv
# The interpreter's bundled pip and setuptools can be old (with known advisories): first these.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip setuptools
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
if [[ "${1:-}" != "--no-demo" ]]; then
  .venv/bin/python -m fatigue demo --if-empty
fi
port="${PORT:-8501}"
echo "Open http://localhost:${port} (stop with Ctrl+C)"
exec .venv/bin/python -m fatigue serve --processes 1 --port "${port}" --address "${ADDRESS:-127.0.0.1}"
