"""Private notes encrypted at rest, with the key kept outside the database.

A check-in note is stored as ``enc1:`` + a Fernet token (AES-128-CBC with an
HMAC-SHA256, from the ``cryptography`` library), so a copied database file
does not expose any note. An empty note stays empty: encrypting it would only
hide *that* a note exists on a day, which the row's existence tells anyway.

Where the key comes from, first match wins:

1. ``FATIGUE_KEY``: one or more Fernet keys (url-safe base64, 44 characters),
   comma-separated; the first encrypts, all of them decrypt (for rotation).
2. ``FATIGUE_KEY_FILE``: a file with one key per line (first line encrypts).
3. ``<database path>.key`` beside the database file.
4. An in-memory database gets a throwaway key kept in a TEMP table of its
   connection (it dies with the connection, like the data).

A key file is created on first use, owner-only (mode 0600, created with
``O_CREAT | O_EXCL`` so two processes cannot both create one), but never for
a database that already holds encrypted notes: then the key is missing and
:class:`NotesKeyError` says so. A key file readable by group or others is
refused. A wrong key raises :class:`NotesKeyError` with a clear message; a note
is never shown as empty because it could not be read.

Rotating a key file (:func:`rotate_key`) is recoverable at every point: the
new key is written beside the old one (``<key file>.new``), the notes are
re-encrypted under it in one transaction, and only after the commit is the old
key linked to ``<key file>.old`` and the new one renamed into place (each step
flushed to disk, file and folder). Whoever next loads the key after a crash
(:func:`finish_rotation`: the app at start-up, or any command) tries both keys
on the notes and finishes the swap or rolls it back.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlite_utils import Database

from fatigue import files
from fatigue.transactions import write_lock

PREFIX = "enc1:"
# One stored note (the partial index of migration 0015 finds it without reading every check-in).
_FIRST_SEALED = "SELECT note FROM checkins WHERE note != '' AND substr(note, 1, ?) = ? LIMIT 1"
ENV_KEY = "FATIGUE_KEY"
ENV_KEY_FILE = "FATIGUE_KEY_FILE"
KEY_SUFFIX = ".key"
OLD_SUFFIX = ".old"
NEW_SUFFIX = ".new"


class NotesKeyError(ValueError):
    """The notes key is missing, unsafe, malformed or does not fit the notes."""


@dataclass(frozen=True)
class NotesCipher:
    """The keys in use and where they came from (for messages)."""

    fernet: MultiFernet
    source: str  # e.g. "the key file /srv/agency.db.key" or "FATIGUE_KEY"
    kind: str  # "env", "file" or "memory"
    path: Path | None = None  # the key file, for kind "file"
    count: int = 1  # how many keys (the first one encrypts)
    fingerprint: str = ""  # a hash of the keys, to remember that they fit a database

    def encrypt(self, text: str) -> str:
        """``text`` encrypted and prefixed; an empty note stays empty."""
        return self.encrypt_bytes(text.encode("utf-8"))

    def encrypt_bytes(self, data: bytes) -> str:
        """``data`` encrypted and prefixed (a note already sealed with its author's key,
        :mod:`fatigue.note_keys`, goes in as bytes); empty stays empty."""
        if data == b"":
            return ""
        return PREFIX + self.fernet.encrypt(data).decode("ascii")

    def decrypt(self, stored: str | None) -> str:
        """The note stored as ``stored``; text without the prefix is returned as is."""
        try:
            return self.decrypt_bytes(stored).decode("utf-8")
        except UnicodeError:
            raise NotesKeyError(
                "A private note is sealed with its author's own key and was read as plain "
                "text: this is a bug, please report it; nothing was changed.") from None

    def decrypt_bytes(self, stored: str | None) -> bytes:
        """What ``stored`` holds under the server key, as bytes."""
        if not stored:
            return b""
        if not stored.startswith(PREFIX):
            return stored.encode("utf-8")  # plaintext from before encryption (rotate-key encrypts it)
        try:
            return self.fernet.decrypt(stored[len(PREFIX):].encode("ascii"))
        except (InvalidToken, UnicodeError, ValueError):
            raise NotesKeyError(
                f"The private notes cannot be decrypted with {self.source}: it is not the key "
                "these notes were encrypted with. Put the right key back (restore the key file "
                "from your backup, or set FATIGUE_KEY to it) and restart; nothing was changed."
            ) from None

    def decrypt_many(self, values: list[str]) -> list[str]:
        return [self.decrypt(value) for value in values]


def generate_key() -> str:
    """A new random Fernet key (url-safe base64 text)."""
    return Fernet.generate_key().decode("ascii")


def _fingerprint(texts: list[str]) -> str:
    return hashlib.sha256(",".join(t.strip() for t in texts).encode()).hexdigest()


def _parse_keys(texts: list[str], source: str) -> list[Fernet]:
    keys = []
    for position, text in enumerate(texts, start=1):
        try:
            keys.append(Fernet(text.strip().encode("ascii")))
        except (ValueError, UnicodeError):
            raise NotesKeyError(
                f"Key {position} in {source} is not a valid key: a key is 44 characters of "
                "url-safe base64, as made by `python -m fatigue rotate-key` or "
                "cryptography's Fernet.generate_key()."
            ) from None
    if not keys:
        raise NotesKeyError(f"{source} holds no key.")
    return keys


def database_file(db: Database) -> Path | None:
    """The file of the main database, or None for an in-memory one."""
    for row in db.execute("PRAGMA database_list").fetchall():
        if row[1] == "main":
            return Path(row[2]) if row[2] else None
    return None


def key_file_path(db: Database) -> Path | None:
    """The key file used for ``db`` (None when the key is in the environment or in memory)."""
    if os.environ.get(ENV_KEY, "").strip():
        return None
    configured = os.environ.get(ENV_KEY_FILE, "").strip()
    if configured:
        return Path(configured)
    path = database_file(db)
    return None if path is None else path.with_name(path.name + KEY_SUFFIX)


def has_encrypted_notes(db: Database) -> bool:
    """Whether any stored note is encrypted (so a key must already exist)."""
    row = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'checkins'"
    ).fetchone()
    if row is None:
        return False
    return db.execute(_FIRST_SEALED, [len(PREFIX), PREFIX]).fetchone() is not None


def _write_new_file(path: Path, text: str) -> None:
    """Create ``path`` owner-only with ``text``, flushed; FileExistsError if it exists."""
    files.write_new(path, text.encode("ascii"))


def _create_key_file(path: Path) -> None:
    """Write a new key to ``path`` atomically (a temp file linked into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        temp.unlink()
    except FileNotFoundError:
        pass
    _write_new_file(temp, generate_key() + "\n")
    try:
        os.link(temp, path)  # fails if another process created the key first
    except FileExistsError:
        pass
    finally:
        temp.unlink()


def _check_permissions(path: Path) -> os.stat_result:
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise NotesKeyError(f"The key file {path} is not a regular file.")
    if info.st_mode & 0o077:
        raise NotesKeyError(
            f"The key file {path} can be read by other users (mode "
            f"{stat.S_IMODE(info.st_mode):04o}). Make it owner-only with `chmod 600 {path}` "
            "and restart."
        )
    return info


_FILE_CACHE: dict[str, tuple[tuple[int, int, int], NotesCipher]] = {}


def _file_cipher(db: Database, path: Path, *, create: bool) -> NotesCipher:
    source = f"the key file {path}"
    if _staged(path).exists():  # a rotation that did not finish
        finish_rotation(db, path)
    if not path.exists():
        if not create:
            raise NotesKeyError(f"The key file {path} does not exist.")
        if has_encrypted_notes(db):  # never a new key for notes made under another
            raise NotesKeyError(
                f"This database holds encrypted notes, but its key file {path} is missing. "
                "Restore the key file from your backup (or set FATIGUE_KEY), then restart."
            )
        _create_key_file(path)
    try:
        info = _check_permissions(path)
    except FileNotFoundError:
        raise NotesKeyError(f"The key file {path} has disappeared.") from None
    signature = (info.st_ino, info.st_mtime_ns, info.st_size)
    cached = _FILE_CACHE.get(str(path))
    if cached is not None and cached[0] == signature:
        return cached[1]
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeError) as exc:
        raise NotesKeyError(f"The key file {path} cannot be read: {exc}") from None
    texts = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    keys = _parse_keys(texts, source)
    cipher = NotesCipher(MultiFernet(keys), source, "file", path, len(keys), _fingerprint(texts))
    _FILE_CACHE[str(path)] = (signature, cipher)
    return cipher


def _memory_cipher(db: Database, *, replace: str | None = None) -> NotesCipher:
    db.execute("CREATE TEMP TABLE IF NOT EXISTS fatigue_memory_key (key TEXT NOT NULL)")
    if replace is not None:
        db.execute("DELETE FROM temp.fatigue_memory_key")
        db.execute("INSERT INTO temp.fatigue_memory_key (key) VALUES (?)", [replace])
    row = db.execute("SELECT key FROM temp.fatigue_memory_key").fetchone()
    if row is None:
        db.execute("INSERT INTO temp.fatigue_memory_key (key) VALUES (?)", [generate_key()])
        row = db.execute("SELECT key FROM temp.fatigue_memory_key").fetchone()
    keys = _parse_keys([row[0]], "the in-memory key")
    return NotesCipher(MultiFernet(keys), "the in-memory database's own key", "memory")


def notes_cipher(db: Database, *, create: bool = True) -> NotesCipher:
    """The cipher for ``db``'s notes (creating the key file on first use).

    Also turns on ``secure_delete`` for this connection, so the old ciphertext
    of an edited or deleted note is overwritten in the file, not left behind.
    """
    db.execute("PRAGMA secure_delete = ON")
    env = os.environ.get(ENV_KEY, "").strip()
    if env:
        texts = [part for part in env.split(",") if part.strip()]
        keys = _parse_keys(texts, ENV_KEY)
        return NotesCipher(MultiFernet(keys), ENV_KEY, "env", None, len(keys), _fingerprint(texts))
    path = key_file_path(db)
    if path is None:
        return _memory_cipher(db)
    return _file_cipher(db, path, create=create)


_VERIFIED: set[tuple[str, str]] = set()  # (database file, key fingerprint) known to fit


def check_key(db: Database) -> str | None:
    """None when the notes key is usable for ``db``; otherwise what is wrong, in words.

    Cheap enough for every page run: loads the key (cached by file identity)
    and decrypts one stored note, once per process for a database and key
    that were found to fit (a new key file or FATIGUE_KEY is checked again).
    """
    try:
        cipher = notes_cipher(db)
        file = database_file(db)
        known = None if file is None or not cipher.fingerprint else (str(file), cipher.fingerprint)
        if known is not None and known in _VERIFIED:
            return None
        row = db.execute(_FIRST_SEALED, [len(PREFIX), PREFIX]).fetchone()
        if row is not None:
            cipher.decrypt_bytes(row[0])
        if known is not None:  # no note yet: new ones will be made with this key
            _VERIFIED.add(known)
    except NotesKeyError as exc:
        return str(exc)
    return None


def encrypt_all(db: Database, cipher: NotesCipher, read: Callable[[str], bytes]) -> int:
    """Rewrite every non-empty note as ``cipher.encrypt_bytes(read(stored))``; return how
    many. A note sealed with its author's key stays sealed: only the outer layer changes.

    Call inside a write transaction.
    """
    rows = db.execute("SELECT id, note FROM checkins WHERE note != ''").fetchall()
    for row_id, stored in rows:
        db.execute("UPDATE checkins SET note = ? WHERE id = ?",
                   [cipher.encrypt_bytes(read(stored)), row_id])
    return len(rows)


def _staged(path: Path) -> Path:
    return path.with_name(path.name + NEW_SUFFIX)


def _old(path: Path) -> Path:
    return path.with_name(path.name + OLD_SUFFIX)


def _key_texts(path: Path) -> list[str]:
    lines = path.read_text(encoding="ascii").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _fits(path: Path, stored: str) -> bool:
    """Whether the key file ``path`` decrypts the stored note ``stored``."""
    try:
        keys = _parse_keys(_key_texts(path), f"the key file {path}")
        NotesCipher(MultiFernet(keys), str(path), "file").decrypt_bytes(stored)
    except (OSError, UnicodeError, NotesKeyError):
        return False
    return True


def finish_rotation(db: Database, path: Path) -> str:
    """Finish or roll back a key-file rotation that stopped half-way; say which.

    With ``<key file>.new`` present, the notes tell: if the new key decrypts
    them the re-encryption was committed, so the swap is finished (old key to
    ``.old``, new key into place); otherwise (or with no notes at all) the
    new key is dropped and nothing else changes. Runs under the shared app
    lock, so never during a rotation that is still going on.
    """
    staged, old = _staged(path), _old(path)
    database = database_file(db)
    guard = (files.shared(database, "load the notes key again") if database is not None
             else contextlib.nullcontext())
    try:
        with guard:
            return _finish_locked(db, path, staged, old)
    except files.InUse as exc:
        raise NotesKeyError(str(exc)) from None


def _finish_locked(db: Database, path: Path, staged: Path, old: Path) -> str:
    if not staged.exists():
        return "nothing to do"
    row = db.execute(_FIRST_SEALED, [len(PREFIX), PREFIX]).fetchone()
    committed = row is not None and not (path.exists() and _fits(path, row[0]))
    if committed and not _fits(staged, row[0]):
        raise NotesKeyError(
            f"Neither the key file {path} nor the new key of an unfinished rotation "
            f"({staged}) decrypts the private notes. Put the right key back and restart; "
            "nothing was changed.")
    if committed:  # the notes are under the new key: complete the swap
        if path.exists() and not old.exists():
            os.link(path, old)
            files.fsync_dir(path.parent)
        os.replace(staged, path)
        files.fsync_dir(path.parent)
        outcome = "finished"
    else:  # the notes are under the current key: forget the new one
        if old.exists() and path.exists() and os.path.samefile(old, path):
            old.unlink()  # linked by this rotation just before it stopped
        staged.unlink()
        files.fsync_dir(path.parent)
        outcome = "rolled back"
    _FILE_CACHE.pop(str(path), None)
    return outcome


@dataclass(frozen=True)
class Rotation:
    notes: int  # notes re-encrypted
    message: str  # what happened and what to do next


def rotate_key(db: Database) -> Rotation:
    """Re-encrypt every note under a new key, in one transaction.

    Key file: refuses while the app runs (it takes the app lock alone). The
    new key is written beside the current one, the notes are re-encrypted
    and committed, then the old key is kept as ``<key file>.old`` and the new
    one takes its place; a crash anywhere is finished or rolled back by
    :func:`finish_rotation`. ``FATIGUE_KEY``: with several keys, every note
    is re-encrypted under the first one; with a single key nothing changes
    and the message says how to rotate (a new key is suggested). Raises
    :class:`NotesKeyError` if the current key does not fit.
    """
    path = key_file_path(db)
    database = database_file(db)
    if path is None or database is None:
        return _rotate_in_place(db)
    try:
        with files.exclusive(database, "rotate the key"):
            _finish_locked(db, path, _staged(path), _old(path))
            return _rotate_file(db, path)
    except files.InUse as exc:
        raise NotesKeyError(str(exc)) from None


def _rotate_in_place(db: Database) -> Rotation:
    """:func:`rotate_key` for keys from ``FATIGUE_KEY`` or an in-memory database."""
    current = notes_cipher(db)
    if current.kind == "env":
        if current.count < 2:
            for (stored,) in db.execute("SELECT note FROM checkins WHERE note != ''"):
                current.decrypt_bytes(stored)  # a key that does not fit is said so first
            return Rotation(0, (
                "The key comes from FATIGUE_KEY, so this command cannot replace it. To rotate: "
                "put a new key first and the current one after it, comma-separated "
                "(FATIGUE_KEY=NEW,CURRENT), restart the app, run `python -m fatigue rotate-key` "
                "again, then set FATIGUE_KEY=NEW alone and restart. A new key you can use: "
                f"{generate_key()}"
            ))
        with write_lock(db):
            db.execute("PRAGMA secure_delete = ON")
            count = encrypt_all(db, current, current.decrypt_bytes)
        return Rotation(count, (
            f"Re-encrypted {count} notes under the first key in FATIGUE_KEY. Now set "
            "FATIGUE_KEY to that key alone (drop the older ones) and restart the app. Backups "
            "made before now still need the older key: keep it with them."
        ))
    new_key = generate_key()
    new = NotesCipher(MultiFernet([Fernet(new_key.encode("ascii"))]), "the new key", current.kind)
    with write_lock(db):
        count = encrypt_all(db, new, current.decrypt_bytes)
        _memory_cipher(db, replace=new_key)
    return Rotation(count, f"Re-encrypted {count} notes under a new in-memory key.")


def _rotate_file(db: Database, path: Path) -> Rotation:
    """:func:`rotate_key` for a key file, holding the app lock alone."""
    current = _file_cipher(db, path, create=True)
    staged, old = _staged(path), _old(path)
    if old.exists():
        raise NotesKeyError(
            f"{old} is there from an earlier rotation. Database backups made before that "
            "rotation need it: store it with them, delete it here, then rotate again."
        )
    new_key = generate_key()
    new = NotesCipher(MultiFernet([Fernet(new_key.encode("ascii"))]), "the new key", "file")
    _write_new_file(staged, new_key + "\n")  # 1. the new key beside the current one
    files.fsync_dir(path.parent)
    try:
        with write_lock(db):  # 2. every note under the new key, committed at once
            db.execute("PRAGMA secure_delete = ON")
            count = encrypt_all(db, new, current.decrypt_bytes)
    except BaseException:
        staged.unlink(missing_ok=True)  # nothing committed: the current key stays
        raise
    try:  # 3. the old key kept as .old, then the new one in its place
        os.link(path, old)
        files.fsync_dir(path.parent)
        os.replace(staged, path)
        files.fsync_dir(path.parent)
    except OSError as exc:
        raise NotesKeyError(
            f"The notes were re-encrypted under the new key in {staged}, but it could not be "
            f"put in place ({exc}). Keep that file: the next start of the app, or the next "
            "command, finishes the swap."
        ) from None
    finally:
        _FILE_CACHE.pop(str(path), None)
    return Rotation(count, (
        f"Re-encrypted {count} notes under a new key, now in {path}; the notes need only "
        f"this key. The old key is kept in {old}: database backups made before now need "
        "it, so store it with those backups and then delete it here. Back up the new key "
        "file too."
    ))
