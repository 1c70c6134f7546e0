"""Sending e-mail through the agency's own SMTP server (Python's ``smtplib``).

The admin sets the server in the settings (:mod:`fatigue.settings`: host, port,
connection security, sender). The server's user name and password never go in
the database or on a command line: they come from the environment
(``FATIGUE_SMTP_USERNAME`` and ``FATIGUE_SMTP_PASSWORD``) or from a secrets file
named by ``FATIGUE_SMTP_SECRETS`` (two lines, ``username=...`` and
``password=...``, readable by the app's user only). Without a user name the
server is used without logging in (a relay that trusts the app's host).
"""
from __future__ import annotations

import os
import smtplib
import ssl
import stat
from dataclasses import dataclass
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


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    tls: str  # "starttls", "tls" or "none"
    sender: str
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:  # never print the password
        return (f"SmtpConfig(host={self.host!r}, port={self.port}, tls={self.tls!r}, "
                f"sender={self.sender!r}, username={self.username!r})")


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
                      settings.get_setting(db, settings.SMTP_TLS_KEY), sender, username, password)


def connect(cfg: SmtpConfig, *, context: ssl.SSLContext | None = None) -> smtplib.SMTP:
    """An open, logged-in connection to the server (certificates checked)."""
    tls = context or ssl.create_default_context()
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


def message(cfg: SmtpConfig, to: str, subject: str, body: str,
            headers: Mapping[str, str] | None = None) -> EmailMessage:
    """A plain-text e-mail from the agency's sender."""
    mail = EmailMessage()
    mail["From"] = cfg.sender
    mail["To"] = to
    mail["Subject"] = subject
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    return mail
