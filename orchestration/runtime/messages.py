"""Length-prefixed JSON messages over a Unix socket, optionally carrying file descriptors.

The protocol of the helper processes a load talks to: the warm dbt process (runtime/dbt_shim.py)
and the preload server (runtime/preload.py). Only the standard library: the shim imports this
and starts in milliseconds.
"""

from __future__ import annotations

import json
import os
import socket
import struct
from collections.abc import Sequence
from typing import Any

_HEADER = struct.Struct("!I")


def send(sock: socket.socket, message: dict[str, Any], fds: Sequence[int] = ()) -> None:
    """Send one message, with `fds` if any (they travel with its first bytes)."""
    body = json.dumps(message).encode()
    data = _HEADER.pack(len(body)) + body
    sent = socket.send_fds(sock, [data], list(fds)) if fds else 0
    if sent < len(data):  # nothing left to send must not be sent: the peer may have gone
        sock.sendall(data[sent:])


def _receive_exact(sock: socket.socket, size: int) -> bytes:
    chunks = b""
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise EOFError("connection closed")
        chunks += chunk
    return chunks


def receive(sock: socket.socket, max_fds: int = 0) -> tuple[dict[str, Any], list[int]]:
    """Receive one message, and up to `max_fds` file descriptors sent with it (closed again
    if the rest of the message does not arrive: a long-lived receiver must not leak them)."""
    fds: list[int] = []
    try:
        if max_fds:
            head, fds, _flags, _address = socket.recv_fds(sock, _HEADER.size, max_fds)
            if not head:
                raise EOFError("connection closed")
            head += _receive_exact(sock, _HEADER.size - len(head))
        else:
            head = _receive_exact(sock, _HEADER.size)
        (size,) = _HEADER.unpack(head)
        message = json.loads(_receive_exact(sock, size))
        if not isinstance(message, dict):
            raise ValueError("a message is a JSON object")
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise
    return message, fds
