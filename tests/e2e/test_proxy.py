"""The app behind a real nginx with TLS on loopback, configured as docs/nginx-example.conf says.

Over HTTPS the session cookie is Secure and pages carry HSTS; the page's
websocket works through the proxy; the app sees the person's address as the
proxy reports it, and a client cannot make up another one.
"""
from __future__ import annotations

import datetime as dt
import http.client
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import ROOT, free_port, unavailable
from .support import RUN_COUNTER_SCRIPT, TIMEOUT_MS, log_in

pytestmark = pytest.mark.e2e

EXAMPLE = ROOT / "docs" / "nginx-example.conf"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, made with the cryptography package the app uses."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture(scope="module")
def proxy(start_app, browser, tmp_path_factory):
    """nginx with the example's server block, on a free port, in front of a demo agency."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        unavailable("nginx not found (apt-get install nginx)")
    app = start_app(demo=True)
    folder = tmp_path_factory.mktemp("nginx")
    cert, key = self_signed(folder)
    port = free_port()
    server_block = (EXAMPLE.read_text()
                    .replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
                    .replace("/etc/ssl/checkin/fullchain.pem", str(cert))
                    .replace("/etc/ssl/checkin/privkey.pem", str(key))
                    .replace("http://127.0.0.1:8501", app.url))
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    conf = folder / "nginx.conf"
    conf.write_text(f"""daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {temp['body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
{server_block}
}}
""")
    process = subprocess.Popen([nginx, "-c", str(conf), "-p", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    else:
        process.kill()
    if process.poll() is not None:
        pytest.fail(f"nginx did not start: {(folder / 'error.log').read_text()[-2000:]}")
    yield app, f"https://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def test_over_https_the_cookie_is_secure_and_the_app_works_through_the_proxy(proxy, browser):
    app, url = proxy
    context = browser.new_context(ignore_https_errors=True)  # our self-signed certificate
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RUN_COUNTER_SCRIPT)
    try:
        page = context.new_page()
        page.goto(url)
        log_in(page, "alex.chen", keep=True)  # the page's websocket runs through nginx
        [cookie] = [c for c in context.cookies() if c["name"] == "fatigue_session"]
        assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        answer = page.request.get(url + "/")
        assert answer.headers["strict-transport-security"] == "max-age=31536000"
    finally:
        context.close()


def test_the_app_sees_the_address_the_proxy_reports_not_one_a_client_makes_up(proxy):
    from fatigue import audit
    from fatigue.db import connect

    app, url = proxy
    host, port = url.removeprefix("https://").split(":")
    conn = http.client.HTTPSConnection(host, int(port), timeout=30,
                                       context=ssl._create_unverified_context())
    conn.request("POST", "/signin", body="username=alex.chen&password=wrong",
                 headers={"Content-Type": "application/x-www-form-urlencoded",
                          "X-Forwarded-For": "203.0.113.9"})
    assert conn.getresponse().status == 401
    conn.close()
    db = connect(app.db_path)
    try:
        [failed] = audit.entries(db, action="login_failed", limit=1)
    finally:
        db.close()
    assert failed["detail"]["address"] == "127.0.0.1"  # nginx replaced the made-up one
