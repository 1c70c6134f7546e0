"""Exceptions shared by the core modules."""
from __future__ import annotations


class ValidationError(ValueError):
    """Input was rejected; nothing was written.

    ``field`` names the first field at fault; ``errors`` maps every field at
    fault to its message, so a form can show each message next to its field.
    """

    def __init__(self, errors: dict[str, str] | str, field: str | None = None):
        if isinstance(errors, str):
            errors = {field or "input": errors}
        self.errors: dict[str, str] = dict(errors)
        self.field: str = next(iter(self.errors))
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class NotSaved(ValidationError):
    """The storage refused a write (disk full, locked too long, read-only); nothing was
    written and nothing saved before is lost (:mod:`fatigue.transactions`).

    A :class:`ValidationError` (under ``save``), so every form shows it where it
    shows refusals, and keeps what was typed.
    """

    FIELD = "save"
    MESSAGE = "Not saved: nothing you saved before is lost. Please try again in a moment."

    def __init__(self) -> None:
        super().__init__({self.FIELD: self.MESSAGE})


class AuthError(Exception):
    """Login failed. The message never says whether the username exists."""
