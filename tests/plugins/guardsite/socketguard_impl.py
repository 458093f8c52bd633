"""The test suite's network guard: any socket connection to a non-loopback address is refused and recorded.

Installed into the pytest process by tests/plugins/socketguard.py and into every Python child process the suite
starts (this directory is put on PYTHONPATH, its sitecustomize.py installs the guard when
LEADASSIST_SOCKET_GUARD_LOG names a file). A refused attempt raises ConnectionRefusedError *and* is written to
that file, so code that swallows connection errors (a mailbox check trying the next MX) still fails its test.
Every allowed TCP connection is remembered too (`connections`), so a test can assert none was made.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket

ENV = "LEADASSIST_SOCKET_GUARD_LOG"
violations: list[str] = []
connections: list[tuple[int, object]] = []  # (socket type, address) of every allowed connect
_original = {name: getattr(socket.socket, name) for name in ("connect", "connect_ex", "sendto")}


def _allowed(address: object) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths and the like
    host = str(address[0]).split("%")[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name connect() would resolve: it could be anywhere


def _record(sock: socket.socket, address: object, how: str) -> str:
    message = f"{how} to {address!r} (pid {os.getpid()})"
    violations.append(message)
    path = os.environ.get(ENV)
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(message + "\n")
    return message


def _guarded(sock: socket.socket, address: object) -> bool:
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or _allowed(address):
        return False
    # The limited broadcast address on a socket without SO_BROADCAST: the kernel itself refuses to send.
    broadcast = isinstance(address, tuple) and address and address[0] == "255.255.255.255"
    return not (broadcast and sock.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST) == 0)


def _connect(self: socket.socket, address: object) -> None:
    if _guarded(self, address):
        raise ConnectionRefusedError(errno.ECONNREFUSED, "test socket guard: " + _record(self, address, "connect"))
    connections.append((self.type, address))
    _original["connect"](self, address)


def _connect_ex(self: socket.socket, address: object) -> int:
    if _guarded(self, address):
        _record(self, address, "connect_ex")
        return errno.ECONNREFUSED
    connections.append((self.type, address))
    return int(_original["connect_ex"](self, address))


def _sendto(self: socket.socket, data: bytes, *args: object) -> int:
    address = args[-1] if args else None
    if _guarded(self, address):
        raise ConnectionRefusedError(errno.ECONNREFUSED, "test socket guard: " + _record(self, address, "sendto"))
    return int(_original["sendto"](self, data, *args))


def install() -> None:
    """Patch socket.socket (idempotent)."""
    socket.socket.connect = _connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign,assignment]
    socket.socket.sendto = _sendto  # type: ignore[method-assign,assignment]
