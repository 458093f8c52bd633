"""Low-level record splitting that remembers each record's exact text (shared by dialect sniffing and the reader).

`csv.reader` is fed the physical lines of the file (line ends kept, universal newlines untranslated) by a
generator that also keeps them in `pending`: when the reader hands out a record, `pending` holds exactly that
record's lines, so its raw text is one join away (embedded newlines included).

Memory stays bounded whatever the file holds. The feeder reads a physical line with `readline(limit)`, so a
line longer than `max_record` characters is cut off and skipped, never held whole; a line with more than
`max_fields` delimiters is set aside before `csv` splits it into a huge list; a record spanning lines stops at
`max_record` characters. Each of these becomes an error row, and so does an unclosed quote, which makes `csv`
read every following line into one field: the row is reported at the line where the quote opened, and parsing
starts again on the next line, so only that row is lost and the rest of the file is read normally.
"""

from __future__ import annotations

import csv
import functools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

MAX_RECORD_CHARS = 1024 * 1024
MAX_FIELDS = 10_000
_SHOWN = 200  # characters of an oversized line kept as its "raw" text in the rejects file


class RawRow(NamedTuple):
    """One parsed record: first physical line (1-based), cells (None on a parse error), raw text, terminator."""

    line: int
    cells: list[str] | None
    raw: str
    terminator: str
    error: str


class _Oversized(Exception):
    """The feeder refused a line: too long, too many fields, or a record grown past the limit."""

    def __init__(self, reason: str, shown: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.shown = shown


def split_terminator(text: str) -> tuple[str, str]:
    """(text without its final line end, that line end: '\\r\\n', '\\n', '\\r' or '')."""
    last = text[-1:]
    if last == "\n":
        if text[-2:-1] == "\r":
            return text[:-2], "\r\n"
        return text[:-1], "\n"
    if last == "\r":
        return text[:-1], "\r"
    return text, ""


def _readline_of(lines: Iterable[str]) -> Callable[[int], str]:
    """A readline(limit) for a file-like object, or one over an iterable of lines (the limit checked after)."""
    readline = getattr(lines, "readline", None)
    if readline is not None:
        return readline  # type: ignore[no-any-return]
    it = iter(lines)
    return lambda _limit: next(it, "")


def _feed(
    readline: Callable[[int], str],
    replay: deque[str],
    pending: list[str],
    size: list[int],
    delimiter: str,
    max_record: int,
    max_fields: int,
) -> Iterator[str]:
    """Physical lines for csv.reader, each also appended to `pending`; raises _Oversized (see module doc)."""
    append = pending.append
    while True:
        line = replay.popleft() if replay else readline(max_record + 1)
        if size[1]:  # a skipped line ended in "\r" at a chunk boundary: its "\n" is not a line of its own
            size[1] = 0
            if line == "\n":
                continue
        if not line:
            return
        n = len(line)
        if n > max_record and line[-1] not in "\r\n":
            shown = line[:_SHOWN]
            while line and line[-1] not in "\r\n":  # skip the rest of the physical line, a chunk at a time
                line = readline(max_record)
            size[1] = int(line.endswith("\r"))
            raise _Oversized(f"a line longer than {max_record // 1024:,} KB", shown + "…")
        if n > max_fields and line.count(delimiter) >= max_fields:
            raise _Oversized(f"more than {max_fields:,} fields", line[:_SHOWN] + "…")
        size[0] += n
        if size[0] > max_record and pending:
            raise _Oversized(f"a record longer than {max_record // 1024:,} KB (a quote that is never closed?)", "")
        append(line)
        yield line


def iter_raw_rows(
    lines: Iterable[str],
    delimiter: str,
    quotechar: str = '"',
    *,
    max_record: int = MAX_RECORD_CHARS,
    max_fields: int = MAX_FIELDS,
) -> Iterator[RawRow]:
    """Parse `lines` (a text file or physical lines with their ends) into RawRows; problems become error rows."""
    readline = _readline_of(lines)
    replay: deque[str] = deque()
    size = [0, 0]  # characters of the record so far; 1 when a "\n" right after a skipped line is to be dropped
    consumed = 0  # physical lines handed out in rows so far
    new_row = functools.partial(tuple.__new__, RawRow)  # skips NamedTuple's Python-level __new__
    while True:
        pending: list[str] = []
        size[0] = 0
        reader = csv.reader(
            _feed(readline, replay, pending, size, delimiter, max_record, max_fields),
            delimiter=delimiter,
            quotechar=quotechar,
            strict=True,
        )
        try:
            for cells in reader:
                start = consumed + 1
                used = len(pending)
                consumed += used
                text = pending[0] if used == 1 else "".join(pending)
                pending.clear()
                size[0] = 0
                # split_terminator() inlined: this loop runs once per record of every file.
                if text[-1:] == "\n":
                    if text[-2:-1] == "\r":
                        yield new_row((start, cells, text[:-2], "\r\n", ""))
                    else:
                        yield new_row((start, cells, text[:-1], "\n", ""))
                elif text[-1:] == "\r":
                    yield new_row((start, cells, text[:-1], "\r", ""))
                else:
                    yield new_row((start, cells, text, "", ""))
            return
        except _Oversized as exc:
            start = consumed + 1
            if pending:  # a multi-line record grew too long: report its first line, read on from the next
                raw, term = split_terminator(pending[0])
                replay.extend(pending[1:])
                consumed += 1
                yield RawRow(start, None, raw, term, exc.reason)
            else:  # one physical line refused outright
                consumed += 1
                yield RawRow(start, None, exc.shown, "", exc.reason)
        except csv.Error as exc:
            start = consumed + 1
            if len(pending) > 1 and "unexpected end of data" in str(exc):
                # An unclosed quote swallowed everything to the end: only its own line is lost.
                raw, term = split_terminator(pending[0])
                replay.extend(pending[1:])
                consumed += 1
                yield RawRow(start, None, raw, term,
                             f"a quoted field opened on line {start} is never closed (it would swallow the "
                             f"{len(pending) - 1:,} lines after it)")  # fmt: skip
            else:
                text = "".join(pending)
                consumed += len(pending)
                raw, term = split_terminator(text)
                yield RawRow(start, None, raw, term, f"unparseable record ({exc})")
