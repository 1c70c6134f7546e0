"""Single sign-on through Streamlit's ``st.login`` (OpenID Connect): which
providers are configured, whether their cookie secret is safe, and which local
account an identity-provider login may sign in.

Single sign-on never creates accounts. An admin links an account to an email
(:func:`set_email`). The first sign-in with a provider must bring that email
*verified* by the provider (``email_verified`` true; for Microsoft Entra,
whose ``email`` claim is not verified, its optional ``xms_edov`` claim "email
domain owner verified" when ``email_verified`` is absent). That first sign-in
binds the account to the login's issuer and subject (``iss``, ``sub``: the
OpenID Connect identity, which the provider never reuses), and from then on
only that identity signs it in, whatever email it later asserts (the "nOAuth"
problem: a provider, or a tenant of a multi-tenant provider, asserting
someone else's email). An admin changing the email unbinds the account, is
audited, and leaves the person a notice shown at their next sign-in.

Streamlit signs its identity cookie with ``cookie_secret``; whoever knows it
can forge any identity without the provider. :func:`cookie_secret_problem`
refuses a placeholder, short or predictable one, and the app then offers no
single sign-on and trusts no identity cookie.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from typing import Any, Mapping

from sqlite_utils import Database

from fatigue import audit, sessions
from fatigue.accounts import User, get_user
from fatigue.db import write_lock
from fatigue.errors import AuthError, NotSaved, ValidationError

MAX_EMAIL_CHARS = 254
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
MAX_ISSUER_CHARS = 500
MAX_SUBJECT_CHARS = 255
SHARED_KEYS = {"redirect_uri", "cookie_secret", "expose_tokens", "client_id",
               "client_secret", "server_metadata_url", "client_kwargs"}

MIN_SECRET_CHARS = 32
MIN_SECRET_BITS = 128  # estimated from the secret's own character frequencies
PLACEHOLDER_WORDS = ("random", "secret", "change", "replace", "example", "placeholder",
                     "paste", "token_urlsafe")
MAKE_SECRET = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'


# --- configuration -------------------------------------------------------------

def providers(auth_section: Any) -> list[tuple[str | None, str]]:
    """The sign-in buttons for Streamlit's ``[auth]`` secrets section: ``(provider, label)``.

    ``provider`` is None for the default provider (``client_id`` directly in
    ``[auth]``, label "your agency account"), else the name of an
    ``[auth.<name>]`` table that has a ``client_id`` (label: the name,
    capitalised). No section, or one without a provider: no buttons.
    """
    if not isinstance(auth_section, Mapping):
        return []
    found: list[tuple[str | None, str]] = []
    if auth_section.get("client_id"):
        found.append((None, "your agency account"))
    for name in sorted(k for k in auth_section if k not in SHARED_KEYS):
        value = auth_section[name]
        if isinstance(value, Mapping) and value.get("client_id") and "_" not in name:
            found.append((name, name[:1].upper() + name[1:]))
    return found


def _entropy_bits(text: str) -> float:
    """Bits in ``text`` estimated from its own character frequencies (Shannon)."""
    counts = Counter(text)
    return -sum(n * math.log2(n / len(text)) for n in counts.values())


def cookie_secret_problem(secret: Any) -> str | None:
    """None when ``secret`` is safe to sign identity cookies with; otherwise why
    single sign-on stays off and how to make a good one, in words.

    Refused: missing, containing a placeholder word (the README's example),
    shorter than 32 characters, or under 128 bits by its own character
    frequencies (e.g. one character repeated).
    """
    if not isinstance(secret, str) or not secret.strip():
        reason = "is missing"
    elif any(word in secret.lower() for word in PLACEHOLDER_WORDS):
        reason = "is a placeholder (such as the example in the README), not a secret"
    elif len(secret) < MIN_SECRET_CHARS:
        reason = f"is too short ({len(secret)} characters; at least {MIN_SECRET_CHARS})"
    elif _entropy_bits(secret) < MIN_SECRET_BITS:
        reason = "is too predictable (too few different characters)"
    else:
        return None
    return (
        f"Single sign-on is switched off: the cookie_secret in .streamlit/secrets.toml {reason}. "
        "Streamlit signs its sign-in cookie with it, so anyone who knows or guesses it could "
        "sign in as any linked account without the identity provider. Make a new one with "
        f"`{MAKE_SECRET}`, put it in secrets.toml and restart the app."
    )


# --- linking accounts ------------------------------------------------------------

def normalize_email(email: str | None) -> str | None:
    """An SSO email as stored (trimmed, lower-case), or None for empty;
    :class:`ValidationError` when it does not look like an email address."""
    text = (email or "").strip().lower()
    if not text:
        return None
    if (len(text) > MAX_EMAIL_CHARS or not EMAIL_RE.match(text)
            or any(not ch.isprintable() for ch in text)):
        raise ValidationError(
            {"sso_email": "The single sign-on email must look like name@agency.org "
                          f"(at most {MAX_EMAIL_CHARS} characters)."})
    return text


def set_email(
    db: Database, user_id: int, email: str | None, *, actor_id: int | None = None
) -> str | None:
    """Link an identity-provider email to ``user_id`` (empty: unlink); return it.

    One account per email; :class:`ValidationError` otherwise. A changed email
    unbinds the account from the identity it was bound to (the next sign-in
    must bring the new email, verified). With ``actor_id`` (an admin) a change
    is audited with the old and new email, the person's sessions end (as after
    a password reset), and they find a notice at their next sign-in
    (:func:`take_notices`).
    """
    clean = normalize_email(email)
    with write_lock(db):
        row = db.execute("SELECT username, sso_email FROM users WHERE id = ?",
                         [user_id]).fetchone()
        if row is None:
            raise ValidationError({"user": "There is no such account."})
        username, before = row
        if clean == before:
            return clean
        if clean is not None:
            other = db.execute(
                "SELECT username FROM users WHERE sso_email = ? AND id != ?", [clean, user_id]
            ).fetchone()
            if other:
                raise ValidationError(
                    {"sso_email": f"'{clean}' is already linked to the account '{other[0]}'."})
        db.execute(
            "UPDATE users SET sso_email = ?, sso_issuer = NULL, sso_subject = NULL WHERE id = ?",
            [clean, user_id])
        if actor_id is not None:
            audit.record(db, actor_id, "sso_email_set", {
                "user_id": user_id, "username": username, "from": before, "to": clean})
            if actor_id != user_id:
                _leave_notice(db, user_id, actor_id, before, clean)
                sessions.end_all(db, user_id, reason="sso_email_set", actor_id=actor_id)
    return clean


def _leave_notice(db: Database, user_id: int, actor_id: int, before: str | None,
                  after: str | None) -> None:
    admin = db.execute("SELECT username FROM users WHERE id = ?", [actor_id]).fetchone()
    day = dt.datetime.now(dt.timezone.utc).strftime("%d %B %Y")
    change = (f"from {before} to {after}" if before and after
              else f"to {after}" if after else f"from {before} to none")
    db["sign_in_notices"].insert({"user_id": user_id, "message": (
        f"On {day} the admin '{admin[0] if admin else 'unknown'}' changed the email you can "
        f"sign in with through single sign-on {change}. If you did not ask for this, tell "
        "your agency's data protection contact.")})


def take_notices(db: Database, user_id: int) -> list[str]:
    """The notices waiting for ``user_id``, oldest first; they are deleted as they are
    handed over (shown once, at the next sign-in)."""
    rows = db.execute("SELECT id, message FROM sign_in_notices WHERE user_id = ? ORDER BY id",
                      [user_id]).fetchall()
    if rows:
        try:
            with write_lock(db):
                db.execute("DELETE FROM sign_in_notices WHERE user_id = ? AND id <= ?",
                           [user_id, rows[-1][0]])
        except NotSaved:  # a full disk: shown now, and again at the next sign-in
            pass
    return [message for _, message in rows]


# --- signing in --------------------------------------------------------------------

def _claim(claims: Mapping[str, Any], name: str, limit: int) -> str | None:
    value = claims.get(name)
    if isinstance(value, str) and 0 < len(value) <= limit and value.isprintable():
        return value
    return None


def _is_true(value: Any) -> bool:
    """An OpenID Connect boolean claim that is true (some providers send "true")."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def email_verified(claims: Mapping[str, Any]) -> bool:
    """Whether the provider vouches for the ``email`` claim: ``email_verified`` true, or,
    without it, Microsoft Entra's ``xms_edov`` (the email's domain is verified by its owner)."""
    if "email_verified" in claims:
        return _is_true(claims["email_verified"])
    return _is_true(claims.get("xms_edov"))


def _record(db: Database, actor_id: int | None, action: str, detail: dict[str, Any]) -> None:
    """Audit a sign-in event; a full disk must not stop sign-ins (the log says so)."""
    try:
        audit.record(db, actor_id, action, detail)
    except NotSaved:
        pass


def _refuse(db: Database, message: str, **detail: Any) -> AuthError:
    _record(db, None, "sso_refused", detail)
    return AuthError(message)


def user_for(db: Database, claims: Mapping[str, Any]) -> User:
    """The active local account this identity-provider login signs in; :class:`AuthError` otherwise.

    ``claims`` is ``st.user`` as a dict. An identity already bound to an account
    signs in that account. Otherwise the verified ``email`` claim must be the
    SSO email of an active account not yet bound, and this sign-in binds it.
    Accounts are never created here. Successes, bindings and refusals are
    written to the audit log.
    """
    if claims.get("is_logged_in") is not True:
        raise AuthError("Single sign-on did not complete. Please try again.")
    provider = str(claims.get("provider", ""))[:40]
    issuer = _claim(claims, "iss", MAX_ISSUER_CHARS)
    subject = _claim(claims, "sub", MAX_SUBJECT_CHARS)
    if issuer is None or subject is None:
        raise _refuse(db, "Your identity provider did not say who you are (no issuer or "
                      "subject), so you cannot be signed in. Ask your admin.",
                      reason="no issuer or subject", provider=provider)
    bound = db.execute("SELECT id, active FROM users WHERE sso_issuer = ? AND sso_subject = ?",
                       [issuer, subject]).fetchone()
    if bound is not None:
        if not bound[1]:
            raise _refuse(db, "The account linked to your sign-in is not active. Ask your admin.",
                          reason="account not active", user_id=bound[0], provider=provider)
        return _signed_in(db, bound[0], provider)
    email = claims.get("email")
    try:
        clean = normalize_email(email if isinstance(email, str) else None)
    except ValidationError:
        clean = None
    if clean is None:
        raise _refuse(db, "Your identity provider did not share an email address, so no "
                      "account here can be found for you. Ask your admin.",
                      reason="no email claim", provider=provider)
    if not email_verified(claims):
        raise _refuse(db, f"Your identity provider has not verified the email address {clean}, "
                      "so it cannot be used to link your account here. Ask your admin.",
                      reason="email not verified", email=clean[:80], provider=provider)
    row = db.execute("SELECT id, sso_subject FROM users WHERE sso_email = ? AND active = 1",
                     [clean]).fetchone()
    if row is None:
        raise _refuse(db, f"There is no active account here for {clean}. Accounts are not "
                      "created automatically: ask your admin to link this email to your account.",
                      reason="no linked account", email=clean[:80], provider=provider)
    if row[1] is not None:
        raise _refuse(db, f"The account linked to {clean} already signs in with another identity "
                      "at your provider. If that has changed, ask your admin to link the email "
                      "again.", reason="bound to another identity", email=clean[:80],
                      user_id=row[0], provider=provider)
    try:
        linked = _bind(db, row[0], clean, issuer, subject, provider)
    except NotSaved:
        raise AuthError(NotSaved.MESSAGE) from None
    if not linked:  # an admin changed the account meanwhile
        raise AuthError("Your account changed while you were signing in. Please try again.")
    return _signed_in(db, row[0], provider)


def _bind(db: Database, user_id: int, email: str, issuer: str, subject: str,
          provider: str) -> bool:
    """Bind ``user_id`` (still linked to ``email`` and unbound) to the identity; audited."""
    with write_lock(db):
        linked = db.execute(
            "UPDATE users SET sso_issuer = ?, sso_subject = ? WHERE id = ? AND sso_email = ?"
            " AND sso_subject IS NULL AND active = 1", [issuer, subject, user_id, email]).rowcount
        if linked:
            audit.record(db, user_id, "sso_linked", {"issuer": issuer[:200], "provider": provider})
    return bool(linked)


def _signed_in(db: Database, user_id: int, provider: str) -> User:
    _record(db, user_id, "login", {"method": "sso", "provider": provider})
    user = get_user(db, user_id)
    assert user is not None
    return user
