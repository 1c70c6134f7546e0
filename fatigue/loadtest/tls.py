"""A TLS connection that lets one thread into OpenSSL at a time, for the load test's
websockets.

websockets' sync client reads its connection in a thread of its own while the
caller writes on it, and OpenSSL forbids two threads in one connection at once
(python-socketio issue 1568, python-engineio issue 461). With TLS 1.3 the server
sends its session tickets just after the handshake, so the client's first read
raced its write of the websocket request: now and then the request was lost, and
nginx waited for it ("client timed out while waiting for request", 60 s later)
while the client waited for an answer ("connection closed while reading HTTP
status line"), or OpenSSL said "[SSL] internal error". A browser has no such race,
so the load test counted failures that no person would meet.

Here the socket is non-blocking, every call into OpenSSL holds one lock, and
waiting for the network happens outside it.
"""
from __future__ import annotations

import select
import socket
import ssl
import threading
from typing import Any, Callable, TypeVar

T = TypeVar("T")


class LockedTLS:
    """The socket-like object websockets' sync client needs (recv, sendall, settimeout,
    and the rest passed to the TLS socket), over ``tls`` (a connected, handshaken
    :class:`ssl.SSLSocket`)."""

    def __init__(self, tls: ssl.SSLSocket) -> None:
        tls.setblocking(False)
        self._tls, self._lock = tls, threading.Lock()
        self._timeout: float | None = None

    def _call(self, call: Callable[..., T], arg: Any, *, reading: bool) -> T:
        while True:
            with self._lock:
                try:
                    return call(arg)
                except ssl.SSLWantReadError:
                    readable = True
                except ssl.SSLWantWriteError:
                    readable = False
                except BlockingIOError:  # after shutdown(): the plain socket underneath
                    readable = reading
            waits = ([self._tls], []) if readable else ([], [self._tls])
            if not any(select.select(*waits, [], self._timeout)):
                raise TimeoutError("timed out")

    def recv(self, size: int) -> bytes:
        try:
            return self._call(self._tls.recv, size, reading=True)
        except ssl.SSLEOFError:  # the other end closed without TLS's goodbye
            return b""

    def sendall(self, data: bytes) -> None:
        with memoryview(data) as view, view.cast("B") as left:
            while len(left):
                left = left[self._call(self._tls.send, left, reading=False):]

    def settimeout(self, seconds: float | None) -> None:
        self._timeout = seconds  # the socket itself stays non-blocking

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tls, name)


def connect_tls(host: str, port: int, context: ssl.SSLContext, timeout: float) -> socket.socket:
    """A TLS connection to ``host:port`` (handshake done), as :class:`LockedTLS`."""
    raw = socket.create_connection((host, port), timeout=timeout)
    try:
        tls = context.wrap_socket(raw, server_hostname=host)
    except BaseException:
        raw.close()
        raise
    return LockedTLS(tls)  # type: ignore[return-value]
