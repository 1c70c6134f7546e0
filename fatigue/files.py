"""The files the tool keeps beside its database: owner-only, durable, and locked.

Everything the app creates holds personal data or a secret (the database and
its ``-wal``/``-shm``/``-journal`` files, copies kept by a restore, backups,
the notes key, exports), so every such file is created owner-only (mode 0600)
whatever the umask, and :func:`make_owner_only` tightens one an older version
left readable by others.

The app lock: a running app holds a shared ``flock`` on ``<database>.lock``
for its whole life (:func:`hold_for_app`); a restore or a key rotation takes
it exclusively (:func:`exclusive`) and so refuses while any app process runs,
whether or not a browser is connected. The kernel drops the lock when a
process ends, however it ends.

The lowest layer with :mod:`fatigue.transactions`: it imports nothing from
``fatigue``.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from pathlib import Path
from typing import IO, Iterator

OWNER_ONLY = 0o600
SIDE_SUFFIXES: tuple[str, ...] = ("-wal", "-shm", "-journal")
LOCK_SUFFIX = ".lock"


class InUse(RuntimeError):
    """The database is held by a running app, a restore or a key rotation."""


def create_owner_only(path: str | os.PathLike) -> bool:
    """Create ``path`` empty and owner-only unless it exists; True if it was created."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    except FileExistsError:
        return False
    os.fchmod(fd, OWNER_ONLY)  # the umask cannot widen it, but may narrow: set it exactly
    os.close(fd)
    return True


def write_new(path: str | os.PathLike, data: bytes) -> None:
    """Create ``path`` owner-only holding ``data``, flushed to disk; FileExistsError if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: str | os.PathLike) -> None:
    """Flush the folder ``path`` itself, so a rename or link in it survives a crash."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_owner_only(path: str | os.PathLike) -> None:
    """Take group and other permissions off ``path`` if it exists and is ours."""
    try:
        info = os.stat(path)
        if stat.S_ISREG(info.st_mode) and info.st_mode & 0o077 and info.st_uid == os.geteuid():
            os.chmod(path, stat.S_IMODE(info.st_mode) & 0o700)
    except (FileNotFoundError, PermissionError):
        pass
    except OSError as exc:  # a read-only file system: nothing can be changed there
        if exc.errno != errno.EROFS:
            raise


def with_side_files(path: str | os.PathLike) -> list[Path]:
    """``path`` and the ``-wal``, ``-shm`` and ``-journal`` files SQLite keeps beside it."""
    base = Path(path)
    return [base, *(base.with_name(base.name + suffix) for suffix in SIDE_SUFFIXES)]


def lock_path(db_path: str | os.PathLike) -> Path:
    """The app lock of the database at ``db_path``: ``<database>.lock`` beside it."""
    path = Path(db_path)
    return path.with_name(path.name + LOCK_SUFFIX)


def _open_lock(db_path: str | os.PathLike) -> IO[bytes]:
    path = lock_path(db_path)
    create_owner_only(path)
    return open(path, "rb")


def _try_lock(handle: IO[bytes], operation: int, message: str) -> None:
    try:
        fcntl.flock(handle.fileno(), operation | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise InUse(message) from None


def hold_for_app(db_path: str | os.PathLike) -> IO[bytes] | None:
    """Take the app's shared lock on the database; keep the returned file open while running.

    Several app processes may hold it at once. Raises :class:`InUse` while a
    restore or a key rotation runs. None where no lock file can be made (a
    read-only folder: then nothing can be restored into it either).
    """
    try:
        handle = _open_lock(db_path)
    except OSError as exc:
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return None
        raise
    _try_lock(handle, fcntl.LOCK_SH,
              "A restore or a key rotation is running on this database; start the app "
              "again when it has finished.")
    return handle


@contextlib.contextmanager
def exclusive(db_path: str | os.PathLike, doing: str) -> Iterator[None]:
    """Hold the app lock alone while ``doing`` (e.g. "restore"); :class:`InUse` if the app
    or another such command runs."""
    handle = _open_lock(db_path)
    _try_lock(handle, fcntl.LOCK_EX,
              f"The app (or another restore or key rotation) is using {db_path}. Stop the app "
              f"first, then {doing}; nothing was changed.")
    try:
        yield
    finally:
        handle.close()


@contextlib.contextmanager
def shared(db_path: str | os.PathLike, doing: str) -> Iterator[None]:
    """Hold the app lock shared while ``doing``: no restore or rotation can start meanwhile.
    :class:`InUse` if one is running."""
    handle = _open_lock(db_path)
    _try_lock(handle, fcntl.LOCK_SH,
              f"A restore or a key rotation is running on {db_path}; {doing} when it has "
              "finished.")
    try:
        yield
    finally:
        handle.close()
