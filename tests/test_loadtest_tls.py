"""The load test's TLS connection for websockets (fatigue.loadtest.tls): one thread in
OpenSSL at a time, so a write racing the first read (TLS 1.3's session tickets) is never
lost, as it was now and then with the plain TLS socket."""
import socket
import ssl
import threading

import pytest

from fatigue.loadtest.proxy import self_signed
from fatigue.loadtest.tls import connect_tls

CONNECTIONS = 60
MESSAGES = 200


@pytest.fixture
def echo_server(tmp_path):
    """A TLS 1.3 echo server on loopback (it sends session tickets after each handshake)."""
    cert, key = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))

    def serve(conn: socket.socket) -> None:
        with context.wrap_socket(conn, server_side=True) as tls:
            while (data := tls.recv(65536)) and data != b"close":
                tls.sendall(data)

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()


def client_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return context


def test_a_reader_thread_and_a_writer_share_the_connection_without_losing_a_byte(echo_server):
    """As websockets does: a thread reads from the moment the handshake is done while the
    caller writes its request, on many connections."""
    for _ in range(CONNECTIONS):
        tls = connect_tls("127.0.0.1", echo_server, client_context(), timeout=10)
        tls.settimeout(10)
        expected = b"".join(b"message %d\n" % n for n in range(MESSAGES))
        received = bytearray()

        def read() -> None:
            while len(received) < len(expected):
                data = tls.recv(65536)
                if not data:
                    return
                received.extend(data)

        reader = threading.Thread(target=read)
        reader.start()
        for n in range(MESSAGES):
            tls.sendall(b"message %d\n" % n)
        reader.join(15)
        assert bytes(received) == expected
        tls.close()


def test_a_silent_server_times_out_and_a_closed_one_reads_as_the_end(echo_server):
    tls = connect_tls("127.0.0.1", echo_server, client_context(), timeout=10)
    tls.settimeout(0.2)
    with pytest.raises(TimeoutError):
        tls.recv(10)  # nothing was sent, so nothing comes back
    tls.settimeout(5)
    tls.sendall(b"ping")
    assert tls.recv(10) == b"ping"
    tls.sendall(b"close")  # the server closes the connection
    assert tls.recv(10) == b""
    tls.close()
