"""Length-prefixed JSON messages over a Unix socket, optionally carrying file descriptors.

The protocol of the helper processes a load talks to: the warm dbt process (runtime/dbt_shim.py)
and the preload server (runtime/preload.py). Only the standard library: the shim imports this
and starts in milliseconds.
"""

from __future__ import annotations

import json
import socket
import struct
from collections.abc import Sequence

_HEADER = struct.Struct("!I")


def send(sock: socket.socket, message: dict, fds: Sequence[int] = ()) -> None:
    """Send one message, with `fds` if any."""
    body = json.dumps(message).encode()
    data = _HEADER.pack(len(body)) + body
    if fds:
        socket.send_fds(sock, [data], list(fds))
    else:
        sock.sendall(data)


def _receive_exact(sock: socket.socket, size: int) -> bytes:
    chunks = b""
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise EOFError("connection closed")
        chunks += chunk
    return chunks


def receive(sock: socket.socket, max_fds: int = 0) -> tuple[dict, list[int]]:
    """Receive one message, and up to `max_fds` file descriptors sent with it."""
    fds: list[int] = []
    if max_fds:
        head, fds, _flags, _address = socket.recv_fds(sock, _HEADER.size, max_fds)
        if not head:
            raise EOFError("connection closed")
        head += _receive_exact(sock, _HEADER.size - len(head))
    else:
        head = _receive_exact(sock, _HEADER.size)
    (size,) = _HEADER.unpack(head)
    return json.loads(_receive_exact(sock, size)), fds
