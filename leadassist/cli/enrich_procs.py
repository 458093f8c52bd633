"""Child processes of `leadassist enrich`: the DNS check, and a second ranker for big files.

Ranking and dnspython's parsing are both CPU-bound Python, so threads would share one interpreter lock; a child
process gets the machine's second core. Children are forked on Linux (they inherit what pass 1 learned at no
cost) and ignore Ctrl-C: the parent handles it and terminates them. They report over a pipe; an error in a
child reaches the parent as the same one-line message (known errors) or a traceback (bugs).
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
import sys
import traceback
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leadassist.cli.progress import ProgressLine
from leadassist.core.errors import LeadAssistError
from leadassist.core.mailcheck import CheckOptions, DomainCache
from leadassist.core.models import DomainCheck, Progress

if TYPE_CHECKING:
    from leadassist.core.domainguess import DomainGuess, GuessRequest


def can_fork() -> bool:
    """True where a child can start from this process's memory (Linux): needed by PartWorker."""
    return sys.platform == "linux"


def _context():  # type: ignore[no-untyped-def]
    # fork shares what pass 1 loaded at no cost; platforms without a safe fork start a fresh interpreter.
    return multiprocessing.get_context("fork" if can_fork() else "spawn")


def _lost(proc: multiprocessing.process.BaseProcess, what: str) -> LeadAssistError:
    proc.join(5)
    return LeadAssistError(
        f"The {what} stopped unexpectedly (exit code {proc.exitcode}).",
        hint="Run the command again, or pass --offline to skip DNS.",
    )


def _check_in_child(
    conn: Connection,
    domains: list[str],
    options: CheckOptions,
    cache_path: Path | None,
    requests: list[GuessRequest],
) -> None:
    """The DNS child process: check the domains and guess the companies' domains at the same time, send progress,
    then the checks and guesses (or the error) to the parent."""
    import asyncio

    from leadassist.core.companydomain import check_and_guess

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it terminates this process
    try:
        cache = DomainCache(cache_path) if cache_path is not None else None
        try:
            checks, guesses = asyncio.run(
                check_and_guess(
                    domains,
                    requests,
                    options,
                    cache=cache,
                    on_progress=lambda p: conn.send(("progress", p)),
                    on_guess_progress=lambda p: conn.send(("progress", replace(p, stage="guess"))),
                )
            )
        finally:
            if cache is not None:
                cache.close()
        conn.send(("done", (checks, guesses)))
    except LeadAssistError as exc:
        conn.send(("error", str(exc)))  # re-raised in the parent as the same one-line message
    except Exception:
        conn.send(("crash", traceback.format_exc()))
    finally:
        conn.close()


class DnsChild:
    """The DNS step in a child process (mail checks and company-domain guesses), so its CPU work runs beside
    ranking on another core."""

    def __init__(
        self,
        domains: list[str],
        options: CheckOptions,
        cache_path: Path | None,
        requests: list[GuessRequest] | None = None,
    ) -> None:
        ctx = _context()
        self._conn, child_end = ctx.Pipe(duplex=False)
        args = (child_end, domains, options, cache_path, list(requests or ()))
        self._proc = ctx.Process(target=_check_in_child, args=args, name="leadassist-dns", daemon=True)
        self._proc.start()
        child_end.close()  # so a child that dies leaves EOF here instead of a hang
        self._result: tuple[dict[str, DomainCheck], list[DomainGuess]] | None = None
        self._latest: Progress | None = None
        self._on_progress: ProgressLine | None = None

    def _receive(self, block: bool) -> None:
        while self._result is None and (block or self._conn.poll()):
            try:
                kind, payload = self._conn.recv()
            except EOFError:
                raise _lost(self._proc, "DNS check") from None
            if kind == "progress":
                self._latest = payload
            elif kind == "done":
                self._result = payload
            elif kind == "error":
                raise LeadAssistError(payload)
            else:
                raise RuntimeError(f"the DNS check failed in its child process:\n{payload}")
            if block and self._latest is not None and self._on_progress is not None:
                self._on_progress(self._latest)

    def poll(self) -> None:
        """Take whatever the child has sent so far without waiting (keeps its pipe from filling up)."""
        self._on_progress = None
        self._receive(block=False)

    def wait(self, on_progress: ProgressLine) -> tuple[dict[str, DomainCheck], list[DomainGuess]]:
        """The checks by domain and the guesses (in the order asked), waiting for them while showing progress."""
        self._on_progress = on_progress
        if self._latest is not None:
            on_progress(self._latest)
        self._receive(block=True)
        assert self._result is not None
        return self._result

    def stop(self) -> None:
        """End the child (at once if it is still running) and release the pipe."""
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join(5)
        self._conn.close()


def _work_in_child(conn: Connection, work: Callable[[], Any]) -> None:
    """The second process: do `work` and send what it returned (or the error), once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        result = work()
        conn.send(("done", result))
    except LeadAssistError as exc:
        conn.send(("error", str(exc)))
    except Exception:
        conn.send(("crash", traceback.format_exc()))
    finally:
        conn.close()


class PartWorker:
    """A forked child doing `work` (learning or ranking the second part of the file, see enrich_pass1 and
    enrich_cmds) while this process does the first part; the two exchange nothing until the child sends what `work`
    returned, once, at the end (so neither waits for the other on the way)."""

    def __init__(self, work: Callable[[], Any]) -> None:
        ctx = multiprocessing.get_context("fork")  # `work` is a closure over the learned engine: fork only
        self._conn, child_end = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_work_in_child, args=(child_end, work), name="leadassist-rank", daemon=True)
        # What was learned stays for the run: out of the collector's sight in both processes, so neither walks it
        # again, and the child's collections do not touch (and so copy) the pages it shares with this process.
        gc.freeze()
        try:
            self._proc.start()
        finally:
            gc.unfreeze()  # this process's collector sees it again (the child keeps its frozen copy)
        child_end.close()

    def wait(self) -> Any:
        """What the child's `work` returned (its error raised here)."""
        enabled = gc.isenabled()
        gc.disable()  # unpickling a big result makes objects only: nothing for the collector to find on the way
        try:
            kind, payload = self._conn.recv()
        except EOFError:
            raise _lost(self._proc, "second process") from None
        finally:
            if enabled:
                gc.enable()
        if kind == "error":
            raise LeadAssistError(payload)
        if kind == "crash":
            raise RuntimeError(f"ranking failed in its child process:\n{payload}")
        return payload

    def stop(self) -> None:
        """End the child (at once if it is still running) and release the pipe."""
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join(5)
        self._conn.close()
