"""Consistent backups of the live database, and restoring one safely.

:func:`backup` copies the database with SQLite's online backup API
(``sqlite3.Connection.backup``): the copy is one consistent snapshot even while
the app keeps writing, then it is verified (``PRAGMA integrity_check``, our
schema) before it gets its final name. :func:`restore` checks a backup first
(a SQLite file, sound, made by this tool, not newer than this code), refuses
while the app runs (it holds the app lock of :mod:`fatigue.files` for its
whole life; the restore takes it alone for its own), keeps the current file
as ``<name>.before-restore-<timestamp>`` and only then puts the copy in place.

Copies hold personal data: they are written owner-only (mode 0600), and so
are the files a restore keeps. The notes key (``<database>.key``) is not
inside the database and is not copied here.
"""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from fatigue import files
from fatigue.db import SQLITE_HEADER, schema_problem
from fatigue.migrations import migrations

SIDE_FILES: tuple[str, ...] = files.SIDE_SUFFIXES
_STAMP = "%Y%m%d-%H%M%S"


class BackupError(ValueError):
    """A backup or restore was refused or failed; the live database is unchanged."""


@dataclass(frozen=True)
class Verified:
    """What :func:`verify` found in a database file."""

    path: Path
    migrations: tuple[str, ...]  # applied, oldest first
    checkins: int
    users: int


def _stamp(now: dt.datetime | None) -> str:
    return (now or dt.datetime.now(dt.timezone.utc)).strftime(_STAMP)


def _open_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)


def verify(path: str | os.PathLike) -> Verified:
    """Check that ``path`` is a sound database of this tool that this code can open.

    Raises :class:`BackupError` saying what is wrong: not a file, not SQLite,
    failing ``PRAGMA integrity_check``, no schema of ours, or a schema newer
    than this code (made by a later version: upgrade the code first).
    """
    target = Path(path)
    if not target.is_file():
        raise BackupError(f"{target} is not a file.")
    with target.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{target} is not a SQLite database.")
    try:
        conn = _open_ro(target)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
            if problems != ["ok"]:
                raise BackupError(
                    f"{target} is damaged (integrity check: {'; '.join(problems[:3])})."
                )
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            wrong = schema_problem(conn, target)
            if wrong is not None and wrong.kind == "newer":
                raise BackupError(
                    f"{target} was made by a newer version of this tool; upgrade the code "
                    f"first, then restore. ({wrong.detail})")
            if wrong is not None or not {"checkins", "users"} <= tables:
                raise BackupError(f"{target} is not a database of this check-in tool.")
            applied = tuple(row[0] for row in conn.execute(
                f"SELECT name FROM {migrations.migrations_table}"
                " WHERE migration_set = ? ORDER BY rowid", [migrations.name]))
            checkins = conn.execute("SELECT count(*) FROM checkins").fetchone()[0]
            users = conn.execute("SELECT count(*) FROM users").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{target} cannot be read as a database ({exc}).") from None
    return Verified(target, applied, checkins, users)


def _copy_verified(source: Path, temp: Path, hint: str) -> "Verified":
    """:func:`_copy` into ``temp`` and :func:`verify` it; on any failure ``temp`` is
    removed and a damaged source is reported as :class:`BackupError` ending in ``hint``."""
    temp.unlink(missing_ok=True)
    try:
        _copy(source, temp)
        return verify(temp)
    except sqlite3.DatabaseError as exc:
        temp.unlink(missing_ok=True)
        raise BackupError(f"{source} could not be copied ({exc}); {hint}") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _copy(source: Path, dest: Path) -> None:
    """Online backup of ``source`` into a new file ``dest`` (owner-only, rollback journal)."""
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        out = sqlite3.connect(dest)
        try:
            # pages=-1: the whole database in one step, under one read
            # transaction, so concurrent writers cannot make it inconsistent.
            src.backup(out, pages=-1)
            out.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            out.close()
    finally:
        src.close()


def backup(
    db_path: str | os.PathLike,
    dest: str | os.PathLike,
    *,
    force: bool = False,
    now: dt.datetime | None = None,
) -> Verified:
    """Copy the database at ``db_path`` to ``dest`` while the app runs; verify the copy.

    ``dest`` is a file name, or a folder (existing, or written with a trailing
    slash): then the copy is ``<folder>/<db name>-<UTC timestamp>.db``. An
    existing file is never overwritten unless ``force``. Returns what
    :func:`verify` found in the copy. Raises :class:`BackupError`.
    """
    source = Path(db_path)
    if not source.is_file():
        raise BackupError(f"There is no database at {source}.")
    target = Path(dest)
    if target.is_dir() or str(dest).endswith(("/", os.sep)):
        target.mkdir(parents=True, exist_ok=True)
        target = target / f"{source.stem}-{_stamp(now)}.db"
    if target.exists() and not force:
        raise BackupError(f"{target} exists already; choose another name, a folder, or --force.")
    if target.resolve() == source.resolve():
        raise BackupError("The backup cannot replace the database itself.")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    partial = target.with_name(target.name + ".partial")
    found = _copy_verified(source, partial, "is it damaged?")
    os.replace(partial, target)
    return Verified(target, found.migrations, found.checkins, found.users)


def in_use(db_path: str | os.PathLike) -> bool:
    """True when another connection (the running app) has the database open.

    Leaving WAL mode needs the only connection to the file, so it fails while
    the app holds one. When it succeeds the database is checkpointed into one
    file, ready to move aside (the app switches WAL on again when it starts).
    """
    path = Path(db_path)
    conn = sqlite3.connect(path, timeout=1)
    try:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode == "wal":
            return conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "wal"
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def restore(
    src: str | os.PathLike,
    db_path: str | os.PathLike,
    *,
    now: dt.datetime | None = None,
) -> Path | None:
    """Put the backup ``src`` in place of the database at ``db_path``; keep the old file.

    Checks ``src`` first (:func:`verify`) and refuses while the app runs: it
    takes the app lock alone for the whole restore (:func:`fatigue.files.exclusive`),
    and also refuses while any other connection has the database open. The
    current database (with any ``-wal``/``-shm`` beside it) is renamed to
    ``<name>.before-restore-<timestamp>``, never deleted, and made owner-only.
    Returns that kept path, or None when there was no database. Raises
    :class:`BackupError`, having changed nothing.
    """
    source = Path(src)
    target = Path(db_path)
    verify(source)
    if target.exists() and target.resolve() == source.resolve():
        raise BackupError("The backup and the database are the same file.")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    try:
        with files.exclusive(target, "restore"):
            return _restore_alone(source, target, now)
    except files.InUse as exc:
        raise BackupError(str(exc)) from None


def _restore_alone(source: Path, target: Path, now: dt.datetime | None) -> Path | None:
    """:func:`restore` once it holds the app lock alone."""
    kept: Path | None = None
    if target.exists():
        try:
            busy = in_use(target)
        except sqlite3.DatabaseError:  # a damaged current file: move it aside as it is
            busy = False
        if busy:
            raise BackupError(
                f"{target} is in use (is the app still running?). Stop the app first, "
                "then restore; nothing was changed."
            )
    incoming = target.with_name(target.name + ".restoring")
    _copy_verified(source, incoming, "nothing was changed.")
    if target.exists():
        kept = target.with_name(f"{target.name}.before-restore-{_stamp(now)}")
        if kept.exists():
            incoming.unlink(missing_ok=True)
            raise BackupError(f"{kept} exists already; try again in a second.")
        for suffix in ("", *SIDE_FILES):
            side = target.with_name(target.name + suffix)
            if side.exists():
                moved = kept.with_name(kept.name + suffix)
                os.replace(side, moved)
                files.make_owner_only(moved)  # an older version made it readable by all
    else:
        for suffix in SIDE_FILES:  # stale leftovers must not be applied to the new file
            target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(incoming, target)
    return kept
