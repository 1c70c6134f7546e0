"""The connection to the agency's mail server (fatigue.mail): STARTTLS and implicit TLS
against a real SMTP server on loopback (aiosmtpd) with certificates made here, the
server's certificate verified against the admin's CA file or the system's store, and
every refusal said in words an admin can act on ("Not sent: ...")."""
import datetime as dt
import ssl

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from fatigue import cli, email_reminders as er, mail, settings
from fatigue.errors import ValidationError

from test_email_reminders import Inbox, at, free_port, remind

NOW = dt.datetime.now(dt.timezone.utc)


# --- certificates, made for each test run ------------------------------------------------

def _name(text):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def _builder(subject, issuer, public_key):
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=1))
            .not_valid_after(NOW + dt.timedelta(days=30)))


def make_ca(name):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (_builder(_name(name), _name(name), key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def make_server_cert(ca, hosts=("127.0.0.1",)):
    import ipaddress

    ca_key, ca_cert = ca
    key = ec.generate_private_key(ec.SECP256R1())
    names = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    cert = (_builder(_name(hosts[0]), ca_cert.subject, key.public_key())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def write_pem(path, cert, key=None):
    data = cert.public_bytes(serialization.Encoding.PEM)
    if key is not None:
        data += key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    path.write_bytes(data)
    return str(path)


@pytest.fixture
def pki(tmp_path):
    """The agency's CA (its file as the admin would give it), a server certificate it
    issued for 127.0.0.1, one for another host, and one from a CA nobody trusts."""
    agency_ca = make_ca("Agency internal CA")
    rogue_ca = make_ca("Someone else's CA")

    def server_context(key_cert, name):
        key, cert = key_cert
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(write_pem(tmp_path / f"{name}.pem", cert, key))
        return context

    class Pki:
        ca_file = write_pem(tmp_path / "agency-ca.pem", agency_ca[1])
        good = server_context(make_server_cert(agency_ca), "good")
        other_host = server_context(make_server_cert(agency_ca, ("mail.elsewhere.example",)),
                                    "other-host")
        untrusted = server_context(make_server_cert(rogue_ca), "untrusted")

    return Pki


class TlsInbox(Inbox):
    """Also notes whether each message came over an encrypted connection."""

    def __init__(self):
        super().__init__()
        self.encrypted = []

    async def handle_DATA(self, server, session, envelope):
        tls = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
        self.encrypted.append(tls)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def serve(db, monkeypatch):
    """Start a real SMTP server: ``serve("starttls", context)`` or ``serve("tls", context)``;
    the agency's settings point at it."""
    for name in (mail.USERNAME_ENV, mail.PASSWORD_ENV, mail.SECRETS_ENV):
        monkeypatch.delenv(name, raising=False)
    controllers = []

    def start(mode, context, **options):
        inbox = TlsInbox()
        port = free_port()
        if mode == "tls":  # implicit TLS (SMTPS): encrypted from the first byte
            controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=context,
                                    **options)
        else:  # plain first; STARTTLS required before any mail is taken
            controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context,
                                    require_starttls=context is not None, **options)
        controller.start()
        controllers.append(controller)
        settings.set_setting(db, settings.SMTP_HOST_KEY, "127.0.0.1")
        settings.set_setting(db, settings.SMTP_PORT_KEY, port)
        settings.set_setting(db, settings.SMTP_TLS_KEY, mode)
        settings.set_setting(db, settings.SMTP_SENDER_KEY, "checkin@agency.example")
        settings.set_setting(db, settings.APP_URL_KEY, "https://checkin.agency.example")
        return inbox

    yield start
    for controller in controllers:
        controller.stop()


# --- the connection works, encrypted ------------------------------------------------------

def test_starttls_with_the_agencys_ca_file_and_a_login_over_it(db, user, pki, serve, monkeypatch):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((session.ssl is not None, auth_data.login))
        return AuthResult(success=True)

    inbox = serve("starttls", pki.good, authenticator=authenticator)  # AUTH only after TLS
    settings.set_setting(db, settings.SMTP_CA_FILE_KEY, pki.ca_file)
    monkeypatch.setenv(mail.USERNAME_ENV, "relay")
    monkeypatch.setenv(mail.PASSWORD_ENV, "s3cret")
    remind(db, user)
    run = er.send_due(db, at(16, 35))
    assert (run.sent, run.failed, run.problem) == (1, 0, "")
    assert inbox.encrypted == [True] and logins == [(True, b"relay")]


def test_implicit_tls_with_the_agencys_ca_file(db, user, pki, serve):
    inbox = serve("tls", pki.good)
    settings.set_setting(db, settings.SMTP_CA_FILE_KEY, pki.ca_file)
    remind(db, user)
    assert er.send_due(db, at(16, 35)).sent == 1
    assert len(inbox.messages) == 1


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_without_a_ca_file_the_systems_store_is_used(db, user, pki, serve, monkeypatch, mode):
    # OpenSSL's default verify paths (the system's store) honour SSL_CERT_FILE: here it
    # holds the agency's CA, as it would after the admin added it to the system's store.
    monkeypatch.setenv("SSL_CERT_FILE", pki.ca_file)
    inbox = serve(mode, pki.good)
    remind(db, user)
    assert er.send_due(db, at(16, 35)).sent == 1 and len(inbox.messages) == 1


# --- a certificate that does not verify gets nothing -----------------------------------------

@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_a_certificate_the_system_does_not_trust_is_refused(db, user, pki, serve, mode):
    inbox = serve(mode, pki.good)  # issued by the agency's CA, which the system does not know
    remind(db, user)
    run = er.send_due(db, at(16, 35))
    assert (run.sent, run.failed) == (0, 1)
    assert run.problem.startswith("Not sent: the mail server 127.0.0.1:")
    assert "the system's certificates cannot verify" in run.problem
    assert "certificate verify failed" in run.problem or "unable to get local issuer" in run.problem
    assert "sets its CA file in Teams and accounts > E-mail reminders" in run.problem
    assert inbox.messages == []
    # The claim was given back: once the admin sets the CA file, the reminder goes out.
    settings.set_setting(db, settings.SMTP_CA_FILE_KEY, pki.ca_file)
    assert er.send_due(db, at(16, 40)).sent == 1


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_a_certificate_from_another_ca_is_refused_even_with_a_ca_file(db, user, pki, serve, mode):
    inbox = serve(mode, pki.untrusted)
    settings.set_setting(db, settings.SMTP_CA_FILE_KEY, pki.ca_file)
    remind(db, user)
    run = er.send_due(db, at(16, 35))
    assert (run.sent, run.failed) == (0, 1) and inbox.messages == []
    assert f"the CA file {pki.ca_file} cannot verify" in run.problem


def test_a_certificate_for_another_host_is_refused(db, user, pki, serve):
    inbox = serve("starttls", pki.other_host)  # the right CA, the wrong name
    settings.set_setting(db, settings.SMTP_CA_FILE_KEY, pki.ca_file)
    remind(db, user)
    run = er.send_due(db, at(16, 35))
    assert run.sent == 0 and inbox.messages == []
    assert run.problem.startswith("Not sent: the mail server 127.0.0.1:")
    assert "showed a certificate for another name (IP address mismatch" in run.problem


def test_a_server_without_starttls_gets_nothing_not_even_the_password(db, user, serve, monkeypatch):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append(auth_data.login)
        return AuthResult(success=True)

    inbox = serve("none", None, authenticator=authenticator, auth_require_tls=False)
    settings.set_setting(db, settings.SMTP_TLS_KEY, "starttls")  # the admin asked for STARTTLS
    monkeypatch.setenv(mail.USERNAME_ENV, "relay")
    monkeypatch.setenv(mail.PASSWORD_ENV, "s3cret")
    remind(db, user)
    run = er.send_due(db, at(16, 35))
    assert run.sent == 0 and inbox.messages == [] and logins == []
    assert "does not offer STARTTLS" in run.problem


def test_the_remind_command_says_not_sent_and_exits_2(db, db_path, user, pki, serve, capsys):
    serve("starttls", pki.good)
    now = dt.datetime.now(dt.timezone.utc)
    er.set_preferences(db, user, email="casey@agency.example", weekdays=range(7),
                       at_time=max(now - dt.timedelta(minutes=5),
                                   now.replace(hour=0, minute=0)).time().replace(second=0,
                                                                                  microsecond=0),
                       timezone="UTC")
    assert cli.main(["remind", "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert "Reminders: 0 sent" in err and "Not sent: the mail server 127.0.0.1:" in err
    assert "Traceback" not in err


# --- the CA file setting --------------------------------------------------------------------

def test_the_ca_file_is_checked_when_it_is_entered(db, pki, tmp_path):
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("not a certificate\n")
    empty = tmp_path / "empty.pem"
    empty.write_text("")
    for value, words in [("agency-ca.pem", "full path of a PEM file"),
                         (str(tmp_path / "missing.pem"), "cannot be used as a CA file"),
                         (str(not_pem), "cannot be used as a CA file"),
                         (str(empty), "cannot be used as a CA file"),
                         ("/etc/ssl/a\nb.pem", "full path of a PEM file")]:
        with pytest.raises(ValidationError, match=words):
            settings.set_setting(db, settings.SMTP_CA_FILE_KEY, value)
        assert settings.get_setting(db, settings.SMTP_CA_FILE_KEY) == ""  # nothing stored
    assert settings.set_setting(db, settings.SMTP_CA_FILE_KEY, f" {pki.ca_file} ") == pki.ca_file
    settings.set_setting(db, settings.SMTP_HOST_KEY, "smtp.agency.example")
    settings.set_setting(db, settings.SMTP_SENDER_KEY, "checkin@agency.example")
    assert mail.config(db, {}).ca_file == pki.ca_file
    assert settings.set_setting(db, settings.SMTP_CA_FILE_KEY, "") == ""  # back to the system's


def test_a_ca_file_gone_since_it_was_set_is_said_plainly(db, user, pki, serve, tmp_path):
    import shutil

    inbox = serve("starttls", pki.good)
    moved = shutil.copy(pki.ca_file, tmp_path / "soon-gone.pem")
    settings.set_setting(db, settings.SMTP_CA_FILE_KEY, str(moved))
    (tmp_path / "soon-gone.pem").unlink()
    assert settings.get_setting(db, settings.SMTP_CA_FILE_KEY) == str(moved)  # not dropped
    remind(db, user)
    run = er.send_due(db, at(16, 35))
    assert run.sent == 0 and inbox.messages == []
    assert run.problem.startswith(f"Not sent: the CA file {moved} cannot be used (")
