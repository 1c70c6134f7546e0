"""The deployment under test, on this host only: ``python -m fatigue serve`` with N
app processes on free ports, and nginx with the shipped configuration in front
(:mod:`fatigue.loadtest.proxy`); what each app process has used (CPU, memory)
read from ``/proc``.
"""
from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from fatigue.db import ROOT
from fatigue.loadtest.proxy import Nginx
from fatigue.serve import healthy

LOOPBACK = ("127.0.0.1", "localhost", "::1")
READY_SECONDS = 180.0


def loopback_only(url: str) -> str:
    """``url`` if it points at this host; ValueError otherwise (the load test never
    sends anything to another machine)."""
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        raise ValueError(f"The load test only runs against this host (127.0.0.1), not {host!r}.")
    return url


def free_ports(count: int) -> list[int]:
    """``count`` consecutive ports on 127.0.0.1 that nothing listens on now."""
    for _ in range(200):
        first = random.randint(20000, 60000 - count)
        try:
            for port in range(first, first + count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return list(range(first, first + count))
    raise RuntimeError("No free ports found on 127.0.0.1.")


@dataclass
class Usage:
    """What one app process has used so far."""

    pid: int
    cpu_seconds: float
    rss_mb: float
    peak_rss_mb: float


def usage(pid: int) -> Usage | None:
    """CPU time and memory of process ``pid`` (None once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    memory = {line.split(":")[0]: int(line.split()[1]) / 1024.0
              for line in status.splitlines() if line.startswith(("VmRSS", "VmHWM"))}
    return Usage(pid, (int(fields[11]) + int(fields[12])) / ticks,
                 memory.get("VmRSS", 0.0), memory.get("VmHWM", 0.0))


def children(pid: int) -> dict[int, int]:
    """App port -> process id of the ``streamlit run`` children of ``pid``."""
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent != pid:
                continue
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        for arg in args:
            if arg.startswith(b"--server.port="):
                found[int(arg.split(b"=", 1)[1])] = int(entry.name)
    return found


@dataclass
class Deployment:
    """``serve`` and (unless ``proxy`` is off) nginx, started by :func:`start`."""

    db_path: Path
    folder: Path
    ports: list[int]
    serve: subprocess.Popen
    nginx: Nginx | None = None

    @property
    def url(self) -> str:
        """Where people come in: the proxy, or the first app process without one."""
        return self.nginx.url if self.nginx else f"http://127.0.0.1:{self.ports[0]}"

    def app_pids(self) -> dict[int, int]:
        return children(self.serve.pid)

    def usage(self) -> dict[int, Usage]:
        """Port -> what that app process has used."""
        found = {port: usage(pid) for port, pid in self.app_pids().items()}
        return {port: used for port, used in found.items() if used is not None}

    def wait_until_ready(self, seconds: float = READY_SECONDS) -> None:
        """Until every app process answers its health check (``serve`` restarts one that
        died); RuntimeError with the log if ``serve`` ends or time runs out."""
        deadline = time.monotonic() + seconds
        waiting = set(self.ports)
        while waiting:
            if self.serve.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The app did not start:\n{self.log()[-3000:]}")
            waiting = {port for port in waiting if not healthy("127.0.0.1", port)}
            time.sleep(0.2)

    def log(self) -> str:
        try:
            return (self.folder / "serve.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        if self.serve.poll() is None:
            self.serve.send_signal(signal.SIGTERM)
            try:
                self.serve.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.serve.kill()
                self.serve.wait()


def start(db_path: Path, processes: int, folder: Path, *, proxy: bool = True,
          show_upstream: bool = False) -> Deployment:
    """Start ``serve`` on ``db_path`` with ``processes`` app processes, wait until each
    answers, and put nginx in front (``proxy``)."""
    folder.mkdir(parents=True, exist_ok=True)
    ports = free_ports(processes)
    env = {**os.environ, "FATIGUE_DB": str(db_path), "PYTHONUNBUFFERED": "1"}
    with open(folder / "serve.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "fatigue", "serve", "--processes", str(processes),
             "--port", str(ports[0]), "--address", "127.0.0.1"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deployment = Deployment(db_path, folder, ports, process)
    try:
        deployment.wait_until_ready()
        if proxy:
            deployment.nginx = Nginx(folder / "nginx", ports, show_upstream=show_upstream)
    except BaseException:
        deployment.stop()
        raise
    return deployment
