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


class AuthError(Exception):
    """Login failed. The message never says whether the username exists."""
