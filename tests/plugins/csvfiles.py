"""CSV fixtures: `make_csv` writes a synthetic CRM file byte for byte; `synthetic_dir` holds the shipped ones.

`make_csv(rows, ...)` formats rows with the standard library's csv writer (the oracle, independent of
leadassist.core.crmcsv) and controls every byte the CRMs vary: encoding, BOM, delimiter, line ending, quoting and
the final newline. `make_csv(text=..., ...)` writes given text instead, for hand-made malformed files, and
`make_csv(data=b"...")` raw bytes.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

SYNTHETIC_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "synthetic"

_BOMS = {
    "utf-8": codecs.BOM_UTF8,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-32-le": codecs.BOM_UTF32_LE,
}


def format_csv(
    rows: Sequence[Sequence[str]],
    *,
    delimiter: str = ",",
    line_ending: str = "\r\n",
    quote_all: bool = False,
    final_newline: bool = True,
) -> str:
    """The text the standard csv writer makes of `rows` in this dialect."""
    buf = io.StringIO(newline="")
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    # With "\r\n" as terminator csv quotes every cell holding "\r" or "\n"; with "\n" alone it would leave a
    # "\r" bare (and the file unreadable), so rows are formatted CRLF-terminated and the ending swapped.
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n", quoting=quoting)
    parts = []
    for row in rows:
        buf.seek(0)
        buf.truncate()
        writer.writerow(row)
        parts.append(buf.getvalue()[:-2] + line_ending)
    text = "".join(parts)
    if not final_newline and text.endswith(line_ending):
        text = text[: -len(line_ending)]
    return text


def encode_csv(text: str, encoding: str = "utf-8", bom: bool = False) -> bytes:
    """`text` in `encoding` (a codec without BOM handling), with that codec's BOM first when `bom`."""
    return (_BOMS[encoding] if bom else b"") + text.encode(encoding)


@pytest.fixture
def make_csv(tmp_path: Path) -> Callable[..., Path]:
    """Factory writing a CSV file under tmp_path; returns its path."""
    counter = iter(range(1_000_000))

    def make(
        rows: Sequence[Sequence[str]] | None = None,
        *,
        text: str | None = None,
        data: bytes | None = None,
        name: str | None = None,
        encoding: str = "utf-8",
        bom: bool = False,
        delimiter: str = ",",
        line_ending: str = "\r\n",
        quote_all: bool = False,
        final_newline: bool = True,
    ) -> Path:
        path = tmp_path / (name or f"crm_{next(counter)}.csv")
        if data is None:
            if text is None:
                assert rows is not None, "give rows, text or data"
                text = format_csv(
                    rows,
                    delimiter=delimiter,
                    line_ending=line_ending,
                    quote_all=quote_all,
                    final_newline=final_newline,
                )
            data = encode_csv(text, encoding, bom)
        path.write_bytes(data)
        return path

    return make


@pytest.fixture
def synthetic_dir() -> Path:
    """tests/fixtures/synthetic: one small fake export per CRM header set."""
    return SYNTHETIC_DIR
