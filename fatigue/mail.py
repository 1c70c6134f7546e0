"""Sending e-mail through the agency's own SMTP server (Python's ``smtplib``).

The admin sets the server in the settings (:mod:`fatigue.settings`: host, port,
connection security, sender). The server's user name and password never go in
the database or on a command line: they come from the environment
(``FATIGUE_SMTP_USERNAME`` and ``FATIGUE_SMTP_PASSWORD``) or from a secrets file
named by ``FATIGUE_SMTP_SECRETS`` (two lines, ``username=...`` and
``password=...``, readable by the app's user only). Without a user name the
server is used without logging in (a relay that trusts the app's host).

The connection is encrypted as the admin chose (``starttls``: STARTTLS, usually
on port 587; ``tls``: implicit TLS, usually 465; ``none`` only for a relay on
the same machine) and the server's certificate and host name are always
verified: against the system's certificate store, or, when the admin set
``smtp_ca_file``, against the agency's own certificate authority in that PEM
file (instead of the system's). A server that does not offer STARTTLS, or shows
a certificate that does not verify, gets nothing: :func:`why_not_sent` says why
in words an admin can act on.
"""
from __future__ import annotations

import os
import smtplib
import ssl
import stat
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Mapping

from sqlite_utils import Database

from fatigue import settings
from fatigue.errors import ValidationError

USERNAME_ENV = "FATIGUE_SMTP_USERNAME"
PASSWORD_ENV = "FATIGUE_SMTP_PASSWORD"
SECRETS_ENV = "FATIGUE_SMTP_SECRETS"
TIMEOUT_SECONDS = 30
# Lines up to RFC 5322's limit of 998 characters: at the default 78, Python's email
# package encodes a long header without spaces (List-Unsubscribe's URL) as
# =?utf-8?q?...?= words, which mail programs do not read as a link.
POLICY = policy.default.clone(max_line_length=998)
WHERE_SET = "Teams and accounts > E-mail reminders"  # the admin page's section
NAME_MISMATCH = (62, 64)  # OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH, _IP_ADDRESS_MISMATCH


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    tls: str  # "starttls", "tls" or "none"
    sender: str
    username: str | None = None
    password: str | None = None
    ca_file: str = ""  # the agency's CA certificates (PEM); empty: the system's store

    def __repr__(self) -> str:  # never print the password
        return (f"SmtpConfig(host={self.host!r}, port={self.port}, tls={self.tls!r}, "
                f"sender={self.sender!r}, username={self.username!r}, ca_file={self.ca_file!r})")


class CaFileError(OSError):
    """The CA file in the settings cannot be used (gone, unreadable, not PEM)."""


def credentials(environ: Mapping[str, str] | None = None) -> tuple[str | None, str | None]:
    """(user name, password) from the environment, else from the secrets file, else (None, None).

    :class:`ValidationError` when the secrets file cannot be read, is readable by
    others, or holds no user name.
    """
    env = os.environ if environ is None else environ
    if env.get(USERNAME_ENV):
        return env[USERNAME_ENV], env.get(PASSWORD_ENV, "")
    path = env.get(SECRETS_ENV)
    if not path:
        return None, None
    try:
        file = Path(path)
        if file.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ValidationError({"smtp": f"{path} can be read by others: chmod 600 it."})
        lines = file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ValidationError({"smtp": f"The SMTP secrets file {path} cannot be read "
                                       f"({exc.strerror})."}) from None
    values = dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    values = {k.strip(): v.strip() for k, v in values.items()}
    if not values.get("username"):
        raise ValidationError({"smtp": f"The SMTP secrets file {path} has no username= line."})
    return values["username"], values.get("password", "")


def config(db: Database, environ: Mapping[str, str] | None = None) -> SmtpConfig | None:
    """The agency's mail server, or None while no server or sender is set."""
    host = settings.get_setting(db, settings.SMTP_HOST_KEY)
    sender = settings.get_setting(db, settings.SMTP_SENDER_KEY)
    if not host or not sender:
        return None
    username, password = credentials(environ)
    return SmtpConfig(host, settings.get_setting(db, settings.SMTP_PORT_KEY),
                      settings.get_setting(db, settings.SMTP_TLS_KEY), sender, username, password,
                      settings.get_setting(db, settings.SMTP_CA_FILE_KEY))


def tls_context(cfg: SmtpConfig) -> ssl.SSLContext:
    """Python's default client context (certificate and host name verified, TLS 1.2 or
    later), trusting the admin's CA file if one is set, else the system's store."""
    try:
        return ssl.create_default_context(cafile=cfg.ca_file or None)
    except ssl.SSLError as exc:
        raise CaFileError(f"the CA file {cfg.ca_file} cannot be used (it holds no certificate "
                          "in PEM form)") from exc
    except OSError as exc:
        raise CaFileError(f"the CA file {cfg.ca_file} cannot be used "
                          f"({exc.strerror or exc})") from exc


def connect(cfg: SmtpConfig, *, context: ssl.SSLContext | None = None) -> smtplib.SMTP:
    """An open, logged-in connection to the server (certificates checked)."""
    tls = context or tls_context(cfg)
    if cfg.tls == "tls":
        server: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=TIMEOUT_SECONDS,
                                                context=tls)
    else:
        server = smtplib.SMTP(cfg.host, cfg.port, timeout=TIMEOUT_SECONDS)
    try:
        server.ehlo()
        if cfg.tls == "starttls":
            server.starttls(context=tls)
            server.ehlo()
        if cfg.username:
            server.login(cfg.username, cfg.password or "")
    except BaseException:
        server.close()
        raise
    return server


def why_not_sent(exc: BaseException, cfg: SmtpConfig) -> str:
    """What went wrong connecting or logging in, for the admin, starting "Not sent"."""
    where = f"the mail server {cfg.host}:{cfg.port}"
    if isinstance(exc, CaFileError):
        return (f"Not sent: {exc}. An admin sets the agency's CA file (PEM) in {WHERE_SET}, "
                "or empties it to use the system's certificates.")
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_code in NAME_MISMATCH:
        return (f"Not sent: {where} showed a certificate for another name "
                f"({exc.verify_message}). Set the mail server to the host name its "
                "certificate names.")
    if isinstance(exc, ssl.SSLCertVerificationError):
        trusted = f"the CA file {cfg.ca_file}" if cfg.ca_file else "the system's certificates"
        return (f"Not sent: {where} showed a certificate that {trusted} cannot verify "
                f"({exc.verify_message}). If the agency uses its own certificate authority, an "
                f"admin sets its CA file in {WHERE_SET}.")
    if isinstance(exc, ssl.SSLError):
        return (f"Not sent: the encrypted connection to {where} failed ({exc.reason or exc}). "
                "Check the connection security: starttls usually on port 587, tls on 465.")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return (f"Not sent: {where} does not offer STARTTLS, and without it the e-mail and the "
                "password would cross the network readable. Use its encrypted port (tls, "
                "usually 465) or ask the mail server's administrator.")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (f"Not sent: {where} refused the user name and password "
                f"({USERNAME_ENV}/{PASSWORD_ENV} or {SECRETS_ENV}).")
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"Not sent: {where} could not be reached ({reason}); the next run tries again."


def message(cfg: SmtpConfig, to: str, subject: str, body: str,
            headers: Mapping[str, str] | None = None) -> EmailMessage:
    """A plain-text e-mail from the agency's sender (headers unfolded, see :data:`POLICY`).

    All of it 7-bit, so any mail server relays it as written: headers with other
    characters are RFC 2047-encoded, and such a body (a name like "Zoë") is sent as
    quoted-printable rather than raw 8-bit text, which a server without 8BITMIME may
    mangle or refuse.
    """
    mail = EmailMessage(policy=POLICY)
    mail["From"] = cfg.sender
    mail["To"] = to
    mail["Subject"] = subject
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body, cte=None if body.isascii() else "quoted-printable")
    return mail
