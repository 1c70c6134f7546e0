"""The set-up code that guards the first-run screen of an empty database.

Whoever reaches a new deployment first could otherwise make themselves its
admin, or load the demo agency (whose password is public) into it. The code
is printed to the terminal of whoever started the app, so only the operator
can complete the set-up. ``FATIGUE_SETUP_CODE`` sets it explicitly (for
scripted set-ups and browser tests); otherwise a new one is made per process.
"""
from __future__ import annotations

import functools
import hmac
import os
import secrets
import sys

_announced = False


@functools.cache
def _generated() -> str:
    return "-".join(secrets.token_hex(2) for _ in range(3))


def setup_code() -> str:
    """The code in force: ``FATIGUE_SETUP_CODE`` if set, else this process's own."""
    return os.environ.get("FATIGUE_SETUP_CODE", "").strip() or _generated()


def announce() -> None:
    """Print the code to the server's terminal, once per process."""
    global _announced
    if not _announced:
        _announced = True
        print(
            "\n  The database has no accounts yet. To set it up in the browser, enter this\n"
            f"  set-up code on the first-run screen: {setup_code()}\n",
            file=sys.stderr,
            flush=True,
        )


def check(code: str) -> bool:
    """Whether ``code`` is the set-up code (compared in constant time, as UTF-8 bytes, so
    any text typed, accented letters and emoji included, is simply not the code)."""
    typed = code.strip().lower() if isinstance(code, str) else ""
    return hmac.compare_digest(typed.encode("utf-8", "replace"),
                               setup_code().lower().encode("utf-8", "replace"))
