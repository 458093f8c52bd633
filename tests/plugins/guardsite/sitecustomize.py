"""Installs the test suite's socket guard in Python child processes the suite starts (see socketguard_impl)."""

import os

if os.environ.get("LEADASSIST_SOCKET_GUARD_LOG"):
    import socketguard_impl

    socketguard_impl.install()
