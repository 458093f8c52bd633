"""The suite's socket guard itself: a connection to anything but loopback fails, here and in child processes."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest


def test_a_connection_to_a_non_loopback_address_is_refused_and_recorded(expected_violation):
    with socket.socket() as s, pytest.raises(ConnectionRefusedError, match="test socket guard"):
        s.connect(("198.51.100.25", 25))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u, pytest.raises(ConnectionRefusedError):
        u.sendto(b"x", ("9.9.9.9", 53))


def test_loopback_connections_pass(socket_log):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        address = listener.getsockname()
        with socket.create_connection(address):
            pass
    assert socket_log.connections[-1] == (socket.SOCK_STREAM, address)


def test_a_child_process_is_guarded_too(expected_violation):
    code = "import socket\ntry:\n    socket.create_connection(('203.0.113.7', 25), timeout=1)\nexcept OSError as e:\n" \
           "    print(e)\n"  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True)
    assert "test socket guard" in out.stdout
