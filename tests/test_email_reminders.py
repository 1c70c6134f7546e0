"""E-mail reminders, sent through a real SMTP server on loopback (aiosmtpd).

The schedule, the skip when the day's check-in is done, pausing and stopping by
the e-mail's signed links (one-click unsubscribe included), and at most one e-mail a day: after a crash, and with
two senders running at once.
"""
import datetime as dt
import email
import os
import re
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from fatigue import accounts, checkins, email_reminders as er, mail, settings
from fatigue.errors import ValidationError

from conftest import PASSWORD, RATINGS

ROOT = Path(__file__).resolve().parents[1]
MONDAY = dt.datetime(2026, 3, 16, tzinfo=dt.timezone.utc)  # a Monday
HEALTH_WORDS = re.compile(r"burn|exhaust|fatigue|stress|tired|empath|mood|health|well|\d", re.I)


class Inbox:
    """aiosmtpd handler: keeps every message that arrives."""

    def __init__(self, delay: float = 0.0):
        self.messages: list[email.message.Message] = []
        self.envelopes = []
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)  # a slow server: senders overlap
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    handler.port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def agency(db, inbox, monkeypatch):
    for name in (mail.USERNAME_ENV, mail.PASSWORD_ENV, mail.SECRETS_ENV):
        monkeypatch.delenv(name, raising=False)
    settings.set_setting(db, settings.SMTP_HOST_KEY, "127.0.0.1")
    settings.set_setting(db, settings.SMTP_PORT_KEY, inbox.port)
    settings.set_setting(db, settings.SMTP_TLS_KEY, "none")  # loopback only, in tests
    settings.set_setting(db, settings.SMTP_SENDER_KEY, "checkin@agency.example")
    settings.set_setting(db, settings.APP_URL_KEY, "https://checkin.agency.example/")
    return db


def remind(db, user, **changes):
    choice = dict(email="casey@agency.example", weekdays=[0, 1, 2, 3, 4], at_time=dt.time(16, 30),
                  timezone="Europe/London") | changes
    return er.set_preferences(db, user, **choice)


def at(hour, minute=0, day=MONDAY):
    return day.replace(hour=hour, minute=minute)


# --- the schedule ---------------------------------------------------------------------

@pytest.mark.parametrize("now, expected", [
    (at(16, 29), None),  # before the time (London is UTC in March)
    (at(16, 30), dt.date(2026, 3, 16)),
    (at(19, 29), dt.date(2026, 3, 16)),
    (at(19, 30), None),  # three hours late: not sent any more
    (at(16, 30, MONDAY + dt.timedelta(days=5)), None),  # Saturday: not a chosen day
])
def test_due_on_the_chosen_weekdays_from_the_chosen_time(db, user, now, expected):
    assert er.due_day(remind(db, user), now) == expected


def test_the_time_is_the_persons_own(db, user):
    prefs = remind(db, user, timezone="America/New_York", at_time=dt.time(8, 0))
    # 8:00 in New York on 16 March (daylight saving time) is 12:00 UTC.
    assert er.due_day(prefs, at(11, 59)) is None
    assert er.due_day(prefs, at(12, 0)) == dt.date(2026, 3, 16)
    # 1:00 UTC on Tuesday is still Monday evening in New York: too late for Monday.
    assert er.due_day(prefs, at(1, 0, MONDAY + dt.timedelta(days=1))) is None


def test_bad_choices_are_refused_with_every_reason(db, user):
    with pytest.raises(ValidationError) as info:
        er.set_preferences(db, user, email="not an address", weekdays=[], at_time="16:30",
                           timezone="Mars/Olympus")
    assert set(info.value.errors) == {"email", "weekdays", "at_time", "timezone"}
    assert er.get_preferences(db, user) is None


# --- sending through the real server ---------------------------------------------------------

def test_a_due_reminder_arrives_with_a_calm_subject_and_the_checkin_link(agency, inbox, user):
    remind(agency, user)
    run = er.send_due(agency, at(16, 35))
    assert (run.sent, run.failed) == (1, 0)
    [message] = inbox.messages
    assert message["Subject"] == "Your daily check-in"
    assert not HEALTH_WORDS.search(message["Subject"])
    assert (message["From"], message["To"]) == ("checkin@agency.example", "casey@agency.example")
    text = message.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert "Open the check-in: https://checkin.agency.example/checkin\n" in text
    assert "Missing a day is fine." in text
    assert not re.search(r"streak|in a row|you missed|don't forget", text, re.I)
    assert agency.execute("SELECT day, sent_at IS NOT NULL FROM reminder_sends").fetchall() == [
        ("2026-03-16", 1)]


def test_no_reminder_when_the_days_checkin_is_done(agency, inbox, user):
    remind(agency, user)
    checkins.save_checkin(agency, user, "2026-03-16", today=dt.date(2026, 3, 16), **RATINGS)
    run = er.send_due(agency, at(16, 35))
    assert (run.sent, run.skipped_checked_in) == (0, 1)
    assert inbox.messages == []


def test_at_most_one_a_day(agency, inbox, user):
    remind(agency, user)
    for minute in (30, 35, 40):
        er.send_due(agency, at(16, minute))
    er.send_due(agency, at(18, 0))
    assert len(inbox.messages) == 1
    er.send_due(agency, at(16, 31, MONDAY + dt.timedelta(days=1)))  # the next day: one more
    assert len(inbox.messages) == 2


def links(message):
    text = message.get_payload(decode=True).decode().replace("\r\n", "\n")
    return dict(re.findall(r"https://checkin\.agency\.example/reminders/(pause|stop)\?t=(\S+)", text))


def test_the_email_offers_one_click_unsubscribe_that_works(agency, inbox, user):
    """RFC 8058: one HTTPS URI in List-Unsubscribe, List-Unsubscribe-Post beside it; a mail
    program's POST to that URI stops reminders (over HTTP, through the app's own routes)."""
    from urllib.parse import urlsplit

    from web_app import client

    remind(agency, user)
    er.send_due(agency, at(16, 35))
    [message] = inbox.messages
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [uri] = re.fullmatch(r"<(https://[^>]+)>", message["List-Unsubscribe"].strip()).groups()
    assert uri == f"https://checkin.agency.example/reminders/stop?t={links(message)['stop']}"
    url = urlsplit(uri)
    assert client().get(f"{url.path}?{url.query}").status_code == 200  # a scanner's GET ...
    assert er.get_preferences(agency, user).active  # ... changes nothing
    answer = client().post(f"{url.path}?{url.query}", data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200 and not er.get_preferences(agency, user).active


def test_pause_from_the_email_for_a_week(agency, inbox, user):
    remind(agency, user)
    er.send_due(agency, at(16, 35))
    token = links(inbox.messages[0])["pause"]
    words = er.apply_link(agency, "pause", token, dt.date(2026, 3, 16))
    assert words.startswith("Reminders are paused until Sunday 22 March.")
    for days in range(1, 7):
        er.send_due(agency, at(16, 35, MONDAY + dt.timedelta(days=days)))
    assert len(inbox.messages) == 1
    er.send_due(agency, at(16, 35, MONDAY + dt.timedelta(days=7)))  # Monday again
    assert len(inbox.messages) == 2


def test_stop_from_the_email_and_a_forged_or_old_link_does_nothing(agency, inbox, user, team):
    other = accounts.create_user(agency, "robin", PASSWORD, team=team)
    remind(agency, user)
    remind(agency, other, email="robin@agency.example")
    er.send_due(agency, at(16, 35))
    mine = links(next(m for m in inbox.messages if m["To"] == "casey@agency.example"))
    # A pause token is not a stop token; a changed user id breaks the signature.
    assert er.apply_link(agency, "stop", mine["pause"], dt.date(2026, 3, 16)) is None
    body, signature = mine["stop"].split(".")
    assert er.apply_link(agency, "stop", body[:-2] + "Mg." + signature, dt.date(2026, 3, 16)) is None
    assert er.apply_link(agency, "stop", "x" * 40, dt.date(2026, 3, 16)) is None
    assert er.get_preferences(agency, other).active
    assert er.apply_link(agency, "stop", mine["stop"], dt.date(2026, 3, 16)).startswith(
        "Reminders are off.")
    assert not er.get_preferences(agency, user).active
    # Turned on again: links from older e-mails no longer work.
    remind(agency, user)
    assert er.apply_link(agency, "stop", mine["stop"], dt.date(2026, 3, 17)) is None
    assert er.get_preferences(agency, user).active


# --- at most once, whatever happens ------------------------------------------------------------

class Crash(BaseException):
    """The process dies (power cut, kill -9) between claiming a send and sending it."""


def test_a_crash_after_claiming_never_leads_to_a_second_email(agency, inbox, user):
    remind(agency, user)

    class Dying(smtplib.SMTP):
        def send_message(self, *args, **kwargs):
            raise Crash()

    with pytest.raises(Crash):
        er.send_due(agency, at(16, 35),
                    connect=lambda cfg: Dying(cfg.host, cfg.port, timeout=5))
    # Restarted: the claim is there (not marked sent), so nothing goes out twice.
    run = er.send_due(agency, at(16, 40))
    assert (run.sent, run.skipped_claimed) == (0, 1)
    assert inbox.messages == []
    assert agency.execute("SELECT day, sent_at FROM reminder_sends").fetchall() == [
        ("2026-03-16", None)]


def test_a_server_that_is_down_loses_nothing(agency, inbox, user):
    remind(agency, user)
    settings.set_setting(agency, settings.SMTP_PORT_KEY, 1)  # nothing listens there
    run = er.send_due(agency, at(16, 35))
    assert (run.sent, run.failed) == (0, 1)
    settings.set_setting(agency, settings.SMTP_PORT_KEY, inbox.port)
    assert er.send_due(agency, at(16, 40)).sent == 1  # the claim was given back
    assert len(inbox.messages) == 1


def test_two_senders_at_once_send_each_reminder_once(agency, inbox, db_path, team):
    inbox.delay = 0.3  # each e-mail takes a while, so the two processes overlap
    now = dt.datetime.now(dt.timezone.utc)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = max(now - dt.timedelta(minutes=5), midnight).time().replace(second=0, microsecond=0)
    people = [accounts.create_user(agency, f"person{n}", PASSWORD, team=team) for n in range(4)]
    for n, person in enumerate(people):
        er.set_preferences(agency, person, email=f"p{n}@agency.example", weekdays=range(7),
                           at_time=start, timezone="UTC")
    env = {**os.environ, "FATIGUE_DB": str(db_path)}
    command = [sys.executable, "-m", "fatigue", "remind", "--db", str(db_path)]
    senders = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [s.communicate(timeout=120) for s in senders]
    assert [s.returncode for s in senders] == [0, 0], outputs
    assert sorted(m["To"] for m in inbox.messages) == [f"p{n}@agency.example" for n in range(4)]
    said = [re.search(r"(\d+) sent", out).group(1) for out, _ in outputs]
    assert sorted(map(int, said)) in ([0, 4], [1, 3], [2, 2]), outputs


# --- the server's login --------------------------------------------------------------------------

def test_credentials_come_from_the_environment_or_an_owner_only_file(tmp_path):
    assert mail.credentials({}) == (None, None)
    assert mail.credentials({mail.USERNAME_ENV: "relay", mail.PASSWORD_ENV: "s3cret"}) == (
        "relay", "s3cret")
    secrets_file = tmp_path / "smtp.secrets"
    secrets_file.write_text("# the agency relay\nusername = relay\npassword = pa=ss\n")
    secrets_file.chmod(0o600)
    assert mail.credentials({mail.SECRETS_ENV: str(secrets_file)}) == ("relay", "pa=ss")
    secrets_file.chmod(0o644)
    with pytest.raises(ValidationError, match="can be read by others"):
        mail.credentials({mail.SECRETS_ENV: str(secrets_file)})
    assert "s3cret" not in repr(mail.SmtpConfig("h", 1, "none", "a@b", "relay", "s3cret"))


def test_the_password_is_never_a_setting(db):
    assert not {key for key in settings.SPECS if "password" in key or "user" in key}


def test_login_with_the_credentials_from_the_environment(agency, user, monkeypatch):
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)

    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        settings.set_setting(agency, settings.SMTP_PORT_KEY, port)
        monkeypatch.setenv(mail.USERNAME_ENV, "relay")
        monkeypatch.setenv(mail.PASSWORD_ENV, "from-the-environment")
        remind(agency, user)
        assert er.send_due(agency, at(16, 35)).sent == 1
    finally:
        controller.stop()
    assert seen == [(b"relay", b"from-the-environment")]
    assert len(handler.messages) == 1


def test_remind_without_a_mail_server_says_so(db, user):
    with pytest.raises(ValidationError, match="No mail server is set"):
        er.send_due(db, at(16, 35))


def test_a_name_beyond_ascii_goes_out_as_7_bit_and_reads_back_the_same(agency, inbox, team):
    zoe = accounts.create_user(agency, "zoe", PASSWORD, team=team, display_name="Zoë Ñúñez")
    remind(agency, zoe, email="zoe@agency.example")
    assert er.send_due(agency, at(16, 35)).sent == 1
    [envelope], [message] = inbox.envelopes, inbox.messages
    assert envelope.content.isascii()  # no raw 8-bit text for a server without 8BITMIME
    assert message["Content-Transfer-Encoding"] == "quoted-printable"
    assert "Hello Zoë Ñúñez," in message.get_payload(decode=True).decode("utf-8")
