"""The shipped nginx configuration (``deploy/nginx.conf``), run for real on loopback.

:func:`render` turns it into a whole nginx.conf for an unprivileged nginx:
the TLS server listens on 127.0.0.1 at a free port with a self-signed
certificate (:func:`self_signed`), its upstream lists the given app ports,
and the plain-HTTP redirect server (port 80 needs root) is left out;
everything else (TLS settings, HSTS, websockets, the sticky routing by
cookie, forwarded headers) is the shipped text itself. With ``show_upstream``
every answer also names the app process that served it
(``X-Fatigue-Upstream``), for tests of the routing only. :class:`Nginx` runs it.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

from fatigue.db import ROOT

SHIPPED = ROOT / "deploy" / "nginx.conf"
_UPSTREAM_SERVER = re.compile(r"^(\s*)server 127\.0\.0\.1:\d+ (.*);$", re.MULTILINE)
_PLAIN_SERVER = re.compile(r"\nserver \{\n    listen 80;.*?\n\}\n", re.DOTALL)
TEMP_FOLDERS = ("body", "proxy", "fastcgi", "uwsgi", "scgi")


def nginx_binary() -> str | None:
    """Debian's nginx, if installed."""
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1, made with the cryptography package."""
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
    key_path.chmod(0o600)
    return cert_path, key_path


def site(app_ports: list[int], listen_port: int, cert: Path, key: Path, *,
         show_upstream: bool = False, text: str | None = None) -> str:
    """The shipped site configuration with this host's ports and certificate."""
    text = SHIPPED.read_text() if text is None else text
    servers = list(_UPSTREAM_SERVER.finditer(text))
    if not servers:
        raise ValueError(f"{SHIPPED}: no 'server 127.0.0.1:PORT ...;' line in the upstream.")
    indent, options = servers[0].group(1), servers[0].group(2)
    lines = "\n".join(f"{indent}server 127.0.0.1:{port} {options};" for port in app_ports)
    text = text[:servers[0].start()] + lines + text[servers[-1].end():]
    text = _PLAIN_SERVER.sub("\n", text)
    replaced = (text.replace("    listen 443 ssl;\n", f"    listen 127.0.0.1:{listen_port} ssl;\n")
                .replace("    listen [::]:443 ssl;\n", "")
                .replace("/etc/ssl/checkin/fullchain.pem", str(cert))
                .replace("/etc/ssl/checkin/privkey.pem", str(key)))
    if show_upstream:  # beside HSTS: a location's own add_header would drop the server's
        hsts = '    add_header Strict-Transport-Security "max-age=31536000" always;\n'
        replaced = replaced.replace(
            hsts, hsts + "    add_header X-Fatigue-Upstream $upstream_addr always;\n")
    return replaced


def render(folder: Path, app_ports: list[int], listen_port: int, *,
           show_upstream: bool = False) -> Path:
    """A whole nginx.conf in ``folder`` (certificate, temp folders, logs there too)."""
    cert, key = self_signed(folder)
    temp = {name: folder / name for name in TEMP_FOLDERS}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    conf = folder / "nginx.conf"
    conf.write_text(f"""daemon off;
master_process off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp['body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
{site(app_ports, listen_port, cert, key, show_upstream=show_upstream)}
}}
""")
    return conf


class Nginx:
    """nginx with the shipped configuration on ``https://127.0.0.1:PORT``, in ``folder``."""

    def __init__(self, folder: Path, app_ports: list[int], *, show_upstream: bool = False) -> None:
        binary = nginx_binary()
        if binary is None:
            raise FileNotFoundError("nginx not found (apt-get install nginx)")
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        conf = render(folder, app_ports, self.port, show_upstream=show_upstream)
        self.process = subprocess.Popen([binary, "-c", str(conf), "-p", str(folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"nginx did not start: {self.log()[-2000:]}")

    def log(self) -> str:
        try:
            return (self.folder / "error.log").read_text()
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
