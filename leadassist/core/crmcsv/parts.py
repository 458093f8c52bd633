"""Where a CRM file can be cut in two so two processes read the halves at once (the `enrich` command's pass 1).

A cut is a byte offset just after a line feed with an even number of quote characters before it: in a well-formed
file a record starts there. That is only the likely place: the reader of the first part, stopped at the cut
(`until`), must also end there on a record boundary with nothing in doubt (no row it could not parse, see
CsvSource.parse_errors), or the halves are not what one pass over the file would read and the caller reads the
file in one pass instead. Only encodings that write line feeds, carriage returns and the quote character as the
single ASCII bytes (and never inside another character) are cut.
"""

from __future__ import annotations

import codecs
import io
import os

from leadassist.core.crmcsv.dialect import CsvDialect

_WINDOW = 1 << 20  # bytes looked at past the middle for a line end outside quotes
# Codecs (codecs.lookup names) whose bytes 0x0A, 0x0D and 0x22 are those characters and nothing else.
_CUTTABLE = (
    {"utf-8", "ascii", "latin-1", "iso8859-1", "mac-roman"}
    | {f"cp{n}" for n in range(1250, 1259)}
    | {f"iso8859-{n}" for n in range(2, 17)}
)


def cut_offset(path: str | os.PathLike[str], dialect: CsvDialect, share: float = 0.5) -> tuple[int, int] | None:
    """(byte offset, physical lines before it) of a likely record start about `share` into the file, or None
    (an encoding or quote character that cannot be cut by bytes, no line feed there outside quotes)."""
    try:
        codec = codecs.lookup(dialect.encoding).name
    except LookupError:
        return None
    if codec not in _CUTTABLE or len(dialect.quotechar) != 1 or not dialect.quotechar.isascii():
        return None
    size = os.path.getsize(path)
    target = int(size * share)
    with open(path, "rb") as f:
        data = f.read(target + _WINDOW)
    quote = dialect.quotechar.encode("ascii")
    pos = data.find(b"\n", target)
    quotes = data.count(quote, 0, pos + 1) if pos >= 0 else 0
    while pos >= 0 and quotes % 2:  # inside a quoted field: try the next line end
        nxt = data.find(b"\n", pos + 1)
        if nxt < 0:
            return None
        quotes += data.count(quote, pos + 1, nxt + 1)
        pos = nxt
    if pos < 0 or pos + 1 >= size:
        return None
    cut = pos + 1
    # Physical lines as the reader counts them (text mode, newline=""): "\n", "\r\n" and a lone "\r" each end one.
    lines = data.count(b"\n", 0, cut) + data.count(b"\r", 0, cut) - data.count(b"\r\n", 0, cut)
    return cut, lines


class Until(io.RawIOBase):
    """A raw binary file that ends at byte `stop` (the first part's reader sees the cut as the end of the file)."""

    def __init__(self, raw: io.RawIOBase, stop: int) -> None:
        super().__init__()
        self._raw, self._stop = raw, stop

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        left = self._stop - self._raw.tell()
        if left <= 0:
            return 0
        view = memoryview(buffer)
        return self._raw.readinto(view[: min(left, len(view))]) or 0

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        self._raw.close()
        super().close()
