"""Where the app's files are: the checkout, and the database (``FATIGUE_DB``).

Imports nothing of the app's, so ``server.py`` can find the database (to take its
app lock) without importing the storage layer before its health check answers.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "fatigue.db"


def default_path() -> Path:
    """The database path: ``FATIGUE_DB`` if set, else ``data/fatigue.db``."""
    env = os.environ.get("FATIGUE_DB", "").strip()
    return Path(env) if env else DEFAULT_DB
