"""A real IMAP server (pymap's in-memory `dict` backend) on 127.0.0.1, on a port the kernel picks
at bind time, run in a thread of the test process: it starts in milliseconds, and a test reaches
it with any IMAP client (the mailbox code under test uses IMAPClient).

One user (`baocao` / `matkhau-ung-dung`, as an app password would be). Messages are put in with
APPEND, the real protocol, with the INTERNALDATE the test wants.
"""

from __future__ import annotations

import asyncio
import threading
from argparse import Namespace
from contextlib import AsyncExitStack
from datetime import datetime
from types import TracebackType
from typing import Any

from imapclient import IMAPClient
from proxyprotocol.reader import ProxyProtocolReader
from pymap.backend.dict import DictBackend
from pymap.imap import IMAPServer

USER = "baocao"
PASSWORD = "matkhau-ung-dung"  # noqa: S105 - a test server's demo password


class ImapServer:
    """with ImapServer() as imap: imap.port, imap.append(raw, folder, when)"""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._stack = AsyncExitStack()
        self._server: Any = None

    @property
    def port(self) -> int:
        return int(self._server.sockets[0].getsockname()[1])

    def url(self, folder: str = "INBOX") -> str:
        return f"imap://{USER}@127.0.0.1:{self.port}/{folder}"

    def environment(self, folder: str = "INBOX") -> dict[str, str]:
        return {"TUPHAP_IMAP_URL": self.url(folder), "TUPHAP_IMAP_PASSWORD": PASSWORD}

    async def _start(self) -> Any:
        args = Namespace(debug=False, demo_data=False, demo_user=USER, demo_password=PASSWORD,
                         tls=False, cert=None, key=None, proxy_protocol=None,
                         inherited_sockets=None, host=None, port="0", passlib_cfg=None)
        backend, config = await DictBackend.init(args)
        await backend.start(self._stack)
        callback = ProxyProtocolReader(config.proxy_protocol).get_callback(
            IMAPServer(backend.login, config))
        return await asyncio.start_server(callback, "127.0.0.1", 0)

    def __enter__(self) -> ImapServer:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        async def stop() -> None:
            self._server.close()
            await self._stack.aclose()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def client(self, folder: str = "INBOX") -> IMAPClient:
        """A logged-in client with `folder` selected (created if missing)."""
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(USER, PASSWORD)
        if folder.upper() != "INBOX" and not client.folder_exists(folder):
            client.create_folder(folder)
        client.select_folder(folder)
        return client

    def append(self, raw: bytes, *, folder: str = "INBOX", when: datetime | None = None,
               flags: tuple[bytes, ...] = ()) -> None:
        with self.client(folder) as client:
            client.append(folder, raw, flags=flags, msg_time=when)

    def flags(self, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        """uid -> flags, as the server keeps them (read without touching them)."""
        with self.client(folder) as client:
            return {uid: tuple(sorted(data[b"FLAGS"]))
                    for uid, data in client.fetch(client.search("ALL"), ["FLAGS"]).items()}
