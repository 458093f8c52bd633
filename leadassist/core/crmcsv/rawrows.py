"""Low-level record splitting that remembers each record's exact text (shared by dialect sniffing and the reader).

`csv.reader` is fed the physical lines of the file (line ends kept, universal newlines untranslated). The same
lines go through `itertools.tee` to a shadow iterator; after each record `reader.line_num` says how many lines it
consumed, so the shadow hands back exactly those lines. That gives every record's raw text - embedded newlines
included - with C-speed iteration and one short join per record, which is what keeps faithful reading within a
small factor of plain `csv`.
"""

from __future__ import annotations

import csv
import functools
import itertools
from collections.abc import Iterable, Iterator
from typing import NamedTuple


class RawRow(NamedTuple):
    """One parsed record: first physical line (1-based), cells (None on a parse error), raw text, terminator."""

    line: int
    cells: list[str] | None
    raw: str
    terminator: str
    error: str


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


def iter_raw_rows(lines: Iterable[str], delimiter: str, quotechar: str = '"') -> Iterator[RawRow]:
    """Parse `lines` (physical lines with their ends) into RawRows; a malformed record becomes an error row."""
    feed, shadow = itertools.tee(lines)
    reader = csv.reader(feed, delimiter=delimiter, quotechar=quotechar, strict=True)
    consumed = 0
    new_row = functools.partial(tuple.__new__, RawRow)  # skips NamedTuple's Python-level __new__
    while True:
        try:
            for cells in reader:
                used = reader.line_num - consumed
                text = next(shadow) if used == 1 else "".join(itertools.islice(shadow, used))
                start = consumed + 1
                consumed += used
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
        except csv.Error as exc:
            # The reader resets itself on the next call, so one bad record never stops the file.
            used = reader.line_num - consumed
            text = "".join(itertools.islice(shadow, used))
            start = consumed + 1
            consumed += used
            raw, term = split_terminator(text)
            yield RawRow(start, None, raw, term, f"unparseable record ({exc})")
