"""A minimal SOCKS5 proxy (RFC 1928: no authentication, CONNECT only) on 127.0.0.1 for the mailbox-check tests.

It runs its own event loop in a thread, logs every CONNECT destination (`destinations`) and can refuse a port
with reply code 2 ("connection not allowed by ruleset"), as a proxy that forbids port 25 does.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import struct
import threading


class Socks5Proxy:
    """Serve SOCKS5 on 127.0.0.1:`port` from a background thread."""

    def __init__(self, *, refuse_port: int | None = None) -> None:
        self.refuse_port = refuse_port
        self.destinations: list[tuple[str, int]] = []
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None

    @property
    def address(self) -> str:
        """HOST:PORT for --socks5."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> Socks5Proxy:
        """Listen and serve; returns self."""
        self._thread = threading.Thread(target=self._serve, name="socks5-test-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("SOCKS5 test proxy did not start")
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and join the thread."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> Socks5Proxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        finally:
            loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        tasks: set[asyncio.Task[None]] = set()
        writers: set[asyncio.StreamWriter] = set()

        async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writers.add(writer)
            task = asyncio.current_task()
            assert task is not None
            tasks.add(task)
            try:
                await self._client(reader, writer, writers)
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            finally:
                writer.close()
                writers.discard(writer)

        server = await asyncio.start_server(client, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stop.wait()
        server.close()
        for w in list(writers):
            w.transport.abort()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()

    async def _client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, writers: set[asyncio.StreamWriter]
    ) -> None:
        version, n = await reader.readexactly(2)
        await reader.readexactly(n)
        if version != 5:
            return
        writer.write(b"\x05\x00")
        _, command, _, atyp = await reader.readexactly(4)
        if atyp == 1:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        elif atyp == 4:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        else:
            host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        self.destinations.append((host, port))
        if command != 1 or port == self.refuse_port:
            writer.write(b"\x05\x02\x00\x01" + bytes(6))
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(host, port)
        except OSError:
            writer.write(b"\x05\x05\x00\x01" + bytes(6))
            return
        writers.add(up_writer)
        writer.write(b"\x05\x00\x00\x01" + bytes(6))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        try:
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        finally:
            up_writer.close()
            writers.discard(up_writer)
