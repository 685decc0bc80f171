"""A TCP relay in front of the test IMAP server that loses the connection mid-fetch, as a
server restarting or a network dropping does: it relays both ways, and when the client asks
for the body of a message beyond the first `bodies` ones (a `BODY.PEEK[]` command), it passes
on only the first bytes of the server's answer and closes both sockets. It does so once; later
connections are relayed whole (the next pull reaches the server).
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType

BODY_FETCH = b"BODY.PEEK[]"
PARTIAL_BYTES = 64  # of the answer that cut, so the client reads a message half sent


class DroppingProxy:
    """with DroppingProxy(imap.port, bodies=1) as proxy: proxy.port ..."""

    def __init__(self, target_port: int, *, bodies: int) -> None:
        self.target_port = target_port
        self.bodies = bodies
        self.dropped = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    def __enter__(self) -> DroppingProxy:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        _close(self._listener)  # shut down first: a close alone does not wake accept()
        self._thread.join(timeout=10)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            server = socket.create_connection(("127.0.0.1", self.target_port))
            cut = threading.Event()
            threading.Thread(target=self._upstream, args=(client, server, cut),
                             daemon=True).start()
            threading.Thread(target=self._downstream, args=(server, client, cut),
                             daemon=True).start()

    def _upstream(self, client: socket.socket, server: socket.socket,
                  cut: threading.Event) -> None:
        """Client -> server; decides the cut before the server sees the command."""
        asked = 0
        try:
            while data := client.recv(65536):
                asked += data.count(BODY_FETCH)
                if asked > self.bodies and not self.dropped.is_set():
                    self.dropped.set()
                    cut.set()
                server.sendall(data)
        except OSError:
            pass
        finally:
            _close(server)

    def _downstream(self, server: socket.socket, client: socket.socket,
                    cut: threading.Event) -> None:
        """Server -> client; after the cut, a few bytes of the answer, then nothing."""
        try:
            while data := server.recv(65536):
                if cut.is_set():
                    client.sendall(data[:PARTIAL_BYTES])
                    break
                client.sendall(data)
        except OSError:
            pass
        finally:
            _close(client)
            _close(server)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
