"""Private notes under a key of their author's own, which the server cannot unlock alone.

Every person who writes a note gets a random 256-bit **note key**. Their notes
are sealed with it (AES-256-GCM, bound to their account id) and the sealed
text is then encrypted again with the server key (:mod:`fatigue.crypto`), so
key rotation, backups and a copied database work as before. The note key is
stored only wrapped (AES-256-GCM under a key derived with argon2id from a
secret and a random salt):

* ``by_secret``: under the person's **password** (``kind`` "password"), or,
  for a person who signs in through single sign-on, under a **notes
  passphrase** they chose ("passphrase"); none for "code" (recovery code alone);
* ``by_code``: under a **recovery code** (25 random base32 characters, 125
  bits, so a fast HKDF is enough), shown to the person once when the key is made.

Signing in with the password unwraps the key into the **session row**, wrapped
again under a key derived (HKDF-SHA256) from the session token, which only the
browser's cookie holds (the database keeps the token's hash): any app process
can open the notes for a request that brings the cookie, and nothing in the
database or a log opens them alone. The row, and so the unwrapped key, goes
when the session ends. A password sign-in also keeps the password-derived
wrapping key in the row the same way (``notes_secret``), so the first note
and a recovery can wrap the key under the password without asking for it again.

* A password change re-wraps the key in the same transaction as the new
  password hash (no note is re-encrypted).
* An admin reset cannot unwrap it: ``by_secret`` is dropped, the notes stay
  locked until the person enters the recovery code (the key is then wrapped
  under their new password), or chooses to start afresh (their old notes are
  deleted, which they are told before they choose).
* Notes written before this existed (under the server key only) move under
  the person's key at their next sign-in, in one transaction with the key's
  creation: a person has a key exactly when all their notes are sealed.

A wrong password, passphrase or code is refused and changes nothing; after
:data:`FREE_FAILURES` wrong ones the account waits before the next try
(30 seconds, doubling up to 15 minutes), so a passphrase cannot be guessed
quickly through the app.
"""
from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlite_utils import Database

from fatigue import audit, crypto, password_cost
from fatigue.errors import ValidationError
from fatigue.timestamps import iso, parse_iso, utc
from fatigue.transactions import write_lock

KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
# Stored with each wrapping (time, memory in KiB, parallelism), so it can be changed later.
COST = password_cost.COST
WRAP_VERSION = "a2id1"  # wrapped under a password or passphrase: argon2id
CODE_VERSION = "hkdf1"  # under a recovery code: 125 random bits need no slow hash
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
CODE_GROUPS, CODE_GROUP_CHARS = 5, 5
KINDS = ("password", "passphrase", "code")
FREE_FAILURES = 5
FIRST_WAIT_SECONDS = 30
MAX_WAIT_SECONDS = 15 * 60

LOCKED_NOTE = "Locked: this note needs your recovery code."
WRONG = "That does not open your notes. Nothing was changed; check it and try again."
NEEDS_UNLOCK = ("Your private notes are locked, so a note cannot be saved now. Unlock them on "
                "My account (with your recovery code), then write it again.")


@dataclass(frozen=True)
class Access:
    """What one session can do with its person's notes."""

    user_id: int
    key: bytes | None = None  # the note key, when open in this session
    has_key: bool = False  # whether the person has a note key at all
    kind: str | None = None  # what unlocks it besides the code: password, passphrase, code
    reset_at: dt.datetime | None = None  # an admin reset left the notes locked, then
    can_wrap_password: bool = False  # the session holds the password's wrapping key

    @property
    def locked(self) -> bool:
        """A key exists but is not open here: the notes cannot be read."""
        return self.has_key and self.key is None


# --- building blocks --------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii"))


def derive(secret: str, salt: bytes, cost: tuple[int, int, int] | None = None) -> bytes:
    """The argon2id key of ``secret`` with ``salt`` (32 bytes), at ``cost`` (time, memory
    in KiB, parallelism; default the current one)."""
    time_cost, memory_kib, parallelism = cost or COST
    return hash_secret_raw(secret.encode("utf-8"), salt, time_cost=time_cost,
                           memory_cost=memory_kib, parallelism=parallelism,
                           hash_len=KEY_BYTES, type=Type.ID)


def _cost_text() -> str:
    return ",".join(map(str, COST))


def _encrypt(key: bytes, data: bytes, aad: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, data, aad)


def _decrypt(key: bytes, blob: bytes, aad: bytes) -> bytes | None:
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError):
        return None


def derive_code(code: str, salt: bytes) -> bytes:
    """The key of a recovery code (already normalised) with ``salt`` (HKDF-SHA256)."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt,
                info=b"fatigue recovery code").derive(code.encode("ascii"))


def wrap(note_key: bytes, kek: bytes, salt: bytes, user_id: int,
         version: str = WRAP_VERSION) -> str:
    """``note_key`` wrapped under ``kek`` (derived from a secret with ``salt``), as stored:
    the version, the argon2id cost it was derived at (so the cost can be raised later),
    the salt and the ciphertext."""
    blob = _encrypt(kek, note_key, f"note key {user_id}".encode())
    cost = _cost_text() if version == WRAP_VERSION else "-"
    return f"{version}${cost}${_b64(salt)}${_b64(blob)}"


def _parts(wrapped: str) -> tuple[str, tuple[int, int, int] | None, bytes, bytes]:
    version, cost, salt, blob = wrapped.split("$")
    if version not in (WRAP_VERSION, CODE_VERSION):
        raise ValueError(f"unknown wrapping {version!r}")
    numbers = None if cost == "-" else tuple(int(n) for n in cost.split(","))
    return version, numbers, _unb64(salt), _unb64(blob)  # type: ignore[return-value]


def unwrap(wrapped: str, secret: str, user_id: int) -> bytes | None:
    """The note key in ``wrapped`` if ``secret`` opens it, else None."""
    version, cost, salt, blob = _parts(wrapped)
    kek = derive(secret, salt, cost) if version == WRAP_VERSION else derive_code(secret, salt)
    return _decrypt(kek, blob, f"note key {user_id}".encode())


def wrap_code(note_key: bytes, code: str, user_id: int) -> str:
    """``note_key`` wrapped under a recovery code, as stored."""
    salt = secrets.token_bytes(SALT_BYTES)
    return wrap(note_key, derive_code(code, salt), salt, user_id, CODE_VERSION)


def new_recovery_code() -> str:
    """A new recovery code: ``XXXXX-XXXXX-XXXXX-XXXXX-XXXXX`` (125 random bits)."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_CHARS))
    return "-".join(chars[i:i + CODE_GROUP_CHARS] for i in range(0, len(chars), CODE_GROUP_CHARS))


def normalize_code(typed: str) -> str | None:
    """A typed recovery code as made (upper case, grouped), or None if it cannot be one.

    Spaces and dashes anywhere are ignored; O reads as 0 and I or L as 1."""
    text = "".join(ch for ch in typed.upper() if ch not in " -\t\n")
    text = text.translate(str.maketrans("OIL", "011"))
    if len(text) != CODE_GROUPS * CODE_GROUP_CHARS or any(ch not in CODE_ALPHABET for ch in text):
        return None
    return "-".join(text[i:i + CODE_GROUP_CHARS] for i in range(0, len(text), CODE_GROUP_CHARS))


def seal(key: bytes, user_id: int, text: str) -> bytes:
    """``text`` sealed with its author's ``key``: nonce and AES-GCM ciphertext, raw (the
    server-key layer around it stays within the stored note's size limit)."""
    return _encrypt(key, text.encode("utf-8"), f"note {user_id}".encode())


def unseal(key: bytes, user_id: int, sealed: bytes) -> str | None:
    """The text of a sealed note, or None when ``key`` does not open it."""
    data = _decrypt(key, sealed, f"note {user_id}".encode())
    return None if data is None else data.decode("utf-8")


def store_note(cipher: crypto.NotesCipher, key: bytes, user_id: int, text: str) -> str:
    """``text`` as stored: sealed with the author's key, then under the server key."""
    return "" if text == "" else cipher.encrypt_bytes(seal(key, user_id, text))


def read_note(stored: str | None, user_id: int, key: bytes | None, keyed: bool,
              cipher: crypto.NotesCipher) -> str | None:
    """A stored note as its author reads it: the text, "" for none, or None when locked.

    ``keyed``: the person has a note key (so every note of theirs is sealed).
    """
    if not stored:
        return ""
    if not keyed:
        return cipher.decrypt(stored)
    return None if key is None else unseal(key, user_id, cipher.decrypt_bytes(stored))


def has_key(db: Database, user_id: int) -> bool:
    """Whether ``user_id`` has a note key (then all their notes are sealed with it)."""
    return db.execute("SELECT 1 FROM note_keys WHERE user_id = ?", [user_id]).fetchone() is not None


# --- the session row ------------------------------------------------------------------

def _session_kek(token: str, session_id: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None,
                info=f"fatigue notes session {session_id}".encode()).derive(token.encode("ascii"))


def _to_session(token: str, session_id: int, data: bytes) -> str:
    return _b64(_encrypt(_session_kek(token, session_id), data, b"session"))


def _from_session(token: str | None, session_id: int, stored: str | None) -> bytes | None:
    if not stored or not token:
        return None
    try:
        blob = _unb64(stored)
    except ValueError:
        return None
    return _decrypt(_session_kek(token, session_id), blob, b"session")


def _session_row(db: Database, session_id: int) -> tuple[str | None, str | None, str | None]:
    row = db.execute("SELECT notes_key, notes_secret, notes_code FROM sessions WHERE id = ?",
                     [session_id]).fetchone()
    return (None, None, None) if row is None else row


def _keep_in_session(db: Database, session_id: int, token: str, *, key: bytes | None = None,
                     secret: tuple[bytes, bytes] | None = None, code: str | None = None) -> None:
    """Keep in the session row (under the token): the note key, the password's
    wrapping key and its salt, a recovery code still to be shown."""
    if key is not None:
        db.execute("UPDATE sessions SET notes_key = ? WHERE id = ?",
                   [_to_session(token, session_id, key), session_id])
    if secret is not None:
        db.execute("UPDATE sessions SET notes_secret = ? WHERE id = ?",
                   [_to_session(token, session_id, secret[0] + secret[1]), session_id])
    if code is not None:
        db.execute("UPDATE sessions SET notes_code = ? WHERE id = ?",
                   [_to_session(token, session_id, code.encode("ascii")), session_id])


def _session_secret(db: Database, session_id: int, token: str | None) -> tuple[bytes, bytes] | None:
    """The (salt, wrapping key) of the password this session signed in with."""
    data = _from_session(token, session_id, _session_row(db, session_id)[1])
    return None if data is None else (data[:SALT_BYTES], data[SALT_BYTES:])


def access(db: Database, user_id: int, session_id: int, token: str | None) -> Access:
    """What the session ``session_id`` (its browser holding ``token``) can do with the notes."""
    row = db.execute("SELECT kind, locked_at FROM note_keys WHERE user_id = ?",
                     [user_id]).fetchone()
    stored_key, stored_secret, _ = _session_row(db, session_id)
    can_wrap = _from_session(token, session_id, stored_secret) is not None
    if row is None:
        return Access(user_id, can_wrap_password=can_wrap)
    key = _from_session(token, session_id, stored_key)
    return Access(user_id, key, True, row[0], parse_iso(row[1]) if row[1] else None, can_wrap)


def pending_code(db: Database, session_id: int, token: str | None) -> str | None:
    """A new recovery code still to be shown to the person in this session, or None."""
    data = _from_session(token, session_id, _session_row(db, session_id)[2])
    return None if data is None else data.decode("ascii")


def code_shown(db: Database, session_id: int) -> None:
    """The person has the recovery code: forget it."""
    with write_lock(db):
        db.execute("UPDATE sessions SET notes_code = NULL WHERE id = ?", [session_id])


# --- signing in -----------------------------------------------------------------------

def _key_row(db: Database, user_id: int) -> tuple[str, str | None, str] | None:
    return db.execute("SELECT kind, by_secret, by_code FROM note_keys WHERE user_id = ?",
                      [user_id]).fetchone()


def _legacy_notes(db: Database, user_id: int) -> bool:
    return db.execute("SELECT 1 FROM checkins WHERE user_id = ? AND note != '' LIMIT 1",
                      [user_id]).fetchone() is not None


def signed_in_with_password(db: Database, user_id: int, password: str, session_id: int,
                            token: str) -> None:
    """After a password sign-in: open the notes into the session (or keep what is needed
    to wrap a first key); notes from before per-person keys move under a new key."""
    row = _key_row(db, user_id)
    key, cost = None, None
    if row is not None and row[0] == "password" and row[1]:
        _, cost, salt, blob = _parts(row[1])
        kek = derive(password, salt, cost)
        key = _decrypt(kek, blob, f"note key {user_id}".encode())
    if key is None or cost != COST:  # what the session keeps wraps at today's cost
        salt = secrets.token_bytes(SALT_BYTES)
        kek = derive(password, salt)
    with write_lock(db):
        if key is not None and cost != COST:  # re-wrapped at today's cost, as passwords are
            db.execute("UPDATE note_keys SET by_secret = ? WHERE user_id = ? AND by_secret = ?",
                       [wrap(key, kek, salt, user_id), user_id, row[1]])
        _keep_in_session(db, session_id, token, key=key, secret=(salt, kek))
    if row is None and _legacy_notes(db, user_id):
        create(db, user_id, session_id, token)


def signed_in_without_password(db: Database, user_id: int, session_id: int, token: str) -> None:
    """After a single sign-on: the notes stay locked until the passphrase or code is
    entered; notes from before per-person keys move under a new key (code alone)."""
    if not has_key(db, user_id) and _legacy_notes(db, user_id):
        create(db, user_id, session_id, token)


# --- making, opening and re-wrapping the key ---------------------------------------------

def create(db: Database, user_id: int, session_id: int, token: str, *,
           passphrase: str | None = None) -> Access:
    """Make ``user_id``'s note key and a recovery code, move any notes under it, and open
    it in the session; the code waits in the session to be shown (:func:`pending_code`).

    Wrapped under ``passphrase`` when given, else under the password this
    session signed in with, else under the recovery code alone. A person who
    has a key already gets :class:`ValidationError`.
    """
    key, code = secrets.token_bytes(KEY_BYTES), new_recovery_code()
    by_code = wrap_code(key, code, user_id)
    secret = _session_secret(db, session_id, token)
    if passphrase:
        salt = secrets.token_bytes(SALT_BYTES)
        kind, by_secret = "passphrase", wrap(key, derive(passphrase, salt), salt, user_id)
    elif secret is not None:
        kind, by_secret = "password", wrap(key, secret[1], secret[0], user_id)
    else:
        kind, by_secret = "code", None
    with write_lock(db):
        if has_key(db, user_id):
            raise ValidationError({"notes": "You have a notes key already."})
        moved = _move_notes(db, user_id, key)
        db["note_keys"].insert({"user_id": user_id, "kind": kind, "by_secret": by_secret,
                                "by_code": by_code})
        _keep_in_session(db, session_id, token, key=key, code=code)
        audit.record(db, user_id, "note_key_created", {"kind": kind, "notes_moved": moved > 0})
    return access(db, user_id, session_id, token)


def _move_notes(db: Database, user_id: int, key: bytes) -> int:
    """Seal every note of ``user_id`` with ``key`` (inside a write transaction)."""
    cipher = crypto.notes_cipher(db)
    rows = db.execute("SELECT id, note FROM checkins WHERE user_id = ? AND note != ''",
                      [user_id]).fetchall()
    for row_id, stored in rows:
        db.execute("UPDATE checkins SET note = ? WHERE id = ?",
                   [store_note(cipher, key, user_id, cipher.decrypt(stored)), row_id])
    return len(rows)


def _wait(db: Database, user_id: int, now: dt.datetime) -> dt.datetime | None:
    row = db.execute("SELECT locked_until FROM note_keys WHERE user_id = ?", [user_id]).fetchone()
    until = parse_iso(row[0]) if row and row[0] else None
    return until if until is not None and until > now else None


def unlock(db: Database, user_id: int, typed: str, session_id: int, token: str, *,
           now: dt.datetime | None = None) -> Access:
    """Open the notes in this session with the password, passphrase or recovery code typed.

    With the recovery code after an admin reset, the key is wrapped under the
    password this session signed in with, so the next sign-in opens it. A
    wrong entry raises :class:`ValidationError` and changes nothing but the
    count of wrong tries (waits as in the module doc).
    """
    now = utc(now)
    row = _key_row(db, user_id)
    if row is None:
        raise ValidationError({"unlock": "You have no private notes to unlock."})
    until = _wait(db, user_id, now)
    if until is not None:
        seconds = int((until - now).total_seconds()) + 1
        raise ValidationError({"unlock": f"Too many wrong tries. Try again in {seconds} seconds."})
    kind, by_secret, by_code = row
    typed = typed if isinstance(typed, str) else ""
    code = normalize_code(typed)
    key, used = (None, "secret") if code is None else (unwrap(by_code, code, user_id), "code")
    if key is None and by_secret and typed:
        key, used = unwrap(by_secret, typed, user_id), "secret"
    with write_lock(db):
        if key is None:
            failures = db.execute(
                "UPDATE note_keys SET failures = failures + 1 WHERE user_id = ? RETURNING failures",
                [user_id]).fetchone()[0]
            if failures >= FREE_FAILURES:
                seconds = min(MAX_WAIT_SECONDS, FIRST_WAIT_SECONDS * 2 ** (failures - FREE_FAILURES))
                db.execute("UPDATE note_keys SET locked_until = ? WHERE user_id = ?",
                           [iso(now + dt.timedelta(seconds=seconds)), user_id])
            audit.record(db, user_id, "notes_unlock_failed", {})
        else:
            db.execute("UPDATE note_keys SET failures = 0, locked_until = NULL WHERE user_id = ?",
                       [user_id])
            secret = _session_secret(db, session_id, token)
            if kind == "password" and by_secret is None and secret is not None:
                db.execute("UPDATE note_keys SET by_secret = ?, locked_at = NULL WHERE user_id = ?",
                           [wrap(key, secret[1], secret[0], user_id), user_id])
            _keep_in_session(db, session_id, token, key=key)
            if used == "code":
                audit.record(db, user_id, "notes_unlocked_with_code", {})
    if key is None:
        raise ValidationError({"unlock": WRONG})
    return access(db, user_id, session_id, token)


def new_code(db: Database, user_id: int, session_id: int, token: str) -> None:
    """A new recovery code for an open key (the old one stops working); it waits in the
    session to be shown."""
    key = access(db, user_id, session_id, token).key
    if key is None:
        raise ValidationError({"notes": "Unlock your notes first."})
    code = new_recovery_code()
    by_code = wrap_code(key, code, user_id)
    with write_lock(db):
        db.execute("UPDATE note_keys SET by_code = ? WHERE user_id = ?", [by_code, user_id])
        _keep_in_session(db, session_id, token, code=code)
        audit.record(db, user_id, "recovery_code_renewed", {})


def set_passphrase(db: Database, user_id: int, passphrase: str, session_id: int,
                   token: str) -> None:
    """Wrap an open key under a new notes passphrase (single sign-on accounts)."""
    key = access(db, user_id, session_id, token).key
    if key is None:
        raise ValidationError({"notes": "Unlock your notes first."})
    salt = secrets.token_bytes(SALT_BYTES)
    with write_lock(db):
        db.execute("UPDATE note_keys SET kind = 'passphrase', by_secret = ?, locked_at = NULL"
                   " WHERE user_id = ?", [wrap(key, derive(passphrase, salt), salt, user_id),
                                          user_id])
        audit.record(db, user_id, "notes_passphrase_set", {})


def start_afresh(db: Database, user_id: int, session_id: int, token: str) -> int:
    """Give up locked notes: delete every note of ``user_id`` and the key; return how many
    notes went. Only while the notes are locked (an open key has nothing to give up)."""
    if not access(db, user_id, session_id, token).locked:
        raise ValidationError({"notes": "Your notes are not locked."})
    with write_lock(db):
        db.execute("PRAGMA secure_delete = ON")
        gone = db.execute("UPDATE checkins SET note = '' WHERE user_id = ? AND note != ''",
                          [user_id]).rowcount
        db.execute("DELETE FROM note_keys WHERE user_id = ?", [user_id])
        db.execute("UPDATE sessions SET notes_key = NULL WHERE user_id = ?", [user_id])
        audit.record(db, user_id, "locked_notes_deleted", {})
    return gone


# --- password changes ------------------------------------------------------------------

def password_set(db: Database, user_id: int, password: str, *, current: str | None = None,
                 session_id: int | None = None, token: str | None = None) -> None:
    """Re-wrap the key under a new ``password`` (call inside the transaction that
    stores its hash). The key comes from ``current`` (the old password) or from the
    session; without either it stays locked. The session keeps the new wrapping key."""
    row = _key_row(db, user_id)
    salt = secrets.token_bytes(SALT_BYTES)
    kek = derive(password, salt)
    key = None
    if row is not None and row[0] == "password":
        if current and row[1]:
            key = unwrap(row[1], current, user_id)
        if key is None and session_id is not None:
            key = _from_session(token, session_id, _session_row(db, session_id)[0])
        if key is not None:
            db.execute("UPDATE note_keys SET by_secret = ?, locked_at = NULL WHERE user_id = ?",
                       [wrap(key, kek, salt, user_id), user_id])
    if session_id is not None and token:
        _keep_in_session(db, session_id, token, key=key, secret=(salt, kek))


def password_reset(db: Database, user_id: int) -> bool:
    """An admin set the password: the key can no longer be opened with a password (call
    inside the reset's transaction). True when notes are now locked."""
    return db.execute(
        "UPDATE note_keys SET by_secret = NULL, locked_at = ? WHERE user_id = ?"
        " AND kind = 'password'", [iso(utc(None)), user_id]).rowcount == 1
