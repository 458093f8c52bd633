"""Streaming, faithful CSV reading: every record's cells *and* its exact text, problem rows set aside.

A CsvSource holds an open file and hands out records one by one (flat memory for any file size). Cells stay
strings exactly as written (`02134`, `NA`, `null`); repeated or case-variant header names are all kept because
rows are lists, never dicts. A record that cannot be used - wrong number of fields, bytes the encoding cannot
decode, broken quoting - becomes a RejectedRow with its line number and raw text, and reading goes on.

Decoding uses `surrogateescape` (UTF-8 and single-byte code pages) or `replace` (UTF-16/32) so one bad byte
costs one row, not the file; such rows are found by a cheap `isascii()` check followed by a regex only on
non-ASCII rows.
"""

from __future__ import annotations

import functools
import io
import itertools
import logging
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, NamedTuple

from leadassist.core.compiled import fields_of, make
from leadassist.core.crmcsv.columns import FORMULA_SIGNS, all_enrich_names, restore
from leadassist.core.crmcsv.dialect import CsvDialect, bom_length, detect_dialect
from leadassist.core.crmcsv.mapping import LEAD_FIELDS, HeaderMapping, detect_crm, map_headers, prefer_fuller
from leadassist.core.crmcsv.parts import Until
from leadassist.core.crmcsv.rawrows import RawRow, iter_raw_rows
from leadassist.core.errors import CsvFormatError
from leadassist.core.models import Lead

log = logging.getLogger(__name__)

RIVAL_SAMPLE = 5_000  # rows read to tell which of two same-named columns is the fuller one
# Beyond these only the count grows (and the raw text is dropped), so a hopeless file cannot exhaust memory.
MAX_KEPT_REJECTS = 10_000
MAX_KEPT_CHARS = 32 * 1024 * 1024
_READ_BUFFER = 1024 * 1024
_ESCAPED = re.compile("[\udc80-\udcff]")  # surrogateescape's marks for undecodable bytes
_REPLACED = re.compile("\ufffd")
_EMAILISH = re.compile(r"\S@\S+\.\w")


class SourceRecord(NamedTuple):
    """One data record: first physical line (1-based, header = 1), its cells, its exact text without line end."""

    line: int
    cells: list[str]
    raw: str


@dataclass(frozen=True)
class RejectedRow:
    """A record that could not be used: where, why, and its exact text."""

    line: int
    reason: str
    raw: str


def _is_wide(codec: str) -> bool:
    return codec.startswith(("utf-16", "utf-32"))


def _raw_rows(binary: BinaryIO, dialect: CsvDialect, start: int) -> tuple[io.TextIOWrapper, Iterator[RawRow]]:
    """The text and raw rows of an open binary file from byte `start` (0: the file's start, past a BOM)."""
    if start:
        binary.seek(start)
    else:
        skip, _ = bom_length(binary.read(4))
        binary.seek(skip if dialect.bom else 0)
    errors = "replace" if _is_wide(dialect.encoding) else "surrogateescape"
    text = io.TextIOWrapper(binary, encoding=dialect.encoding, errors=errors, newline="")
    return text, iter_raw_rows(text, dialect.delimiter, dialect.quotechar)


class CsvSource:
    """An open CRM file: dialect, header, mapping, and a single streaming pass over its records."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        dialect: CsvDialect,
        *,
        mapping_override: dict[str, int] | None = None,
        restore_cells: bool | None = None,
        until: int | None = None,
    ) -> None:
        """`until`: read only the bytes before this offset (the first part of a file cut by parts.cut_offset)."""
        self._setup(path, dialect)
        self._open(0, until)
        try:
            self.header = self._read_header()
            self.mapping = self._mapping(mapping_override)
            self._restore = self._restore_columns(restore_cells)
        except BaseException:
            self._binary.close()
            raise

    def _setup(self, path: str | os.PathLike[str], dialect: CsvDialect) -> None:
        self.path = Path(path)
        self.dialect = dialect
        self.rejects: list[RejectedRow] = []
        self.rejected = 0
        self.parse_errors = 0  # rows whose quoting or size could not be read (others are only the wrong width)
        self._kept_chars = 0
        self._bad = _REPLACED if _is_wide(dialect.encoding) else _ESCAPED
        self._lines_before = 0  # physical lines before this source's first byte (a second part's)
        self._started = False

    def _open(self, start: int, until: int | None) -> None:
        raw = open(self.path, "rb", buffering=0)
        self._binary = io.BufferedReader(Until(raw, until) if until is not None else raw, _READ_BUFFER)
        try:
            self.size = os.fstat(self._binary.fileno()).st_size
            self._text, self._rows = _raw_rows(self._binary, self.dialect, start)
        except BaseException:
            self._binary.close()
            raise

    def rest(self, start: int, lines_before: int) -> CsvSource:
        """A source of its own for the records from byte `start` to the end (the second part of a file cut by
        parts.cut_offset, `lines_before` physical lines before it), with this source's header and mapping; its
        line numbers count from the start of the file."""
        part = CsvSource.__new__(CsvSource)
        part._setup(self.path, self.dialect)
        part._lines_before = lines_before
        part._open(start, None)
        part.header, part.mapping, part._restore = list(self.header), self.mapping, self._restore
        return part

    def _error(self, message: str, line: int | None = None, hint: str = "") -> CsvFormatError:
        return CsvFormatError(message, path=str(self.path), line=line, hint=hint)

    def _read_header(self) -> list[str]:
        for row in self._rows:
            if row.cells is None:
                raise self._error(f"the header row cannot be parsed: {row.error}.", row.line)
            if not row.cells:
                continue
            if not row.raw.isascii() and self._bad.search(row.raw):
                raise self._error(f"the header row has bytes that are not valid {self.dialect.encoding}.", row.line)
            header = [c.replace("\ufeff", "") for c in row.cells]
            if not any(c.strip() for c in header):
                raise self._error("the first row has no column names.", row.line, "The file needs a header row.")
            return header
        raise self._error("the file has no header row and no records.", hint="Export the records again.")

    def _mapping(self, override: dict[str, int] | None) -> HeaderMapping:
        if override is not None:
            for field, col in override.items():
                if field not in LEAD_FIELDS or not 0 <= col < len(self.header):
                    raise self._error(f"column mapping {field!r} -> {col} does not fit this file's header.")
            mapping = HeaderMapping(detect_crm(self.header), dict(override))
        else:
            mapping = map_headers(self.header)
            if mapping.rivals:
                mapping = self._fuller(mapping)
        if not mapping.has_name_or_company():
            if any(_EMAILISH.search(c) for c in self.header):
                raise self._error(
                    "line 1 looks like data, not column names.",
                    hint="Add a header row such as First Name,Last Name,Company,Email.",
                )
            shown = ", ".join(repr(h) for h in self.header[:8]) + (" ..." if len(self.header) > 8 else "")
            raise self._error(
                f"no column for a name or company among {shown}.",
                hint="Rename a column to First Name, Last Name, Full Name or Company, or choose the columns by hand.",
            )
        return mapping

    def _fuller(self, mapping: HeaderMapping) -> HeaderMapping:
        """Count filled cells of rival columns over the first RIVAL_SAMPLE records and keep the fuller ones."""
        cols = sorted({c for cs in mapping.rivals.values() for c in cs})
        filled = dict.fromkeys(cols, 0)
        seen = 0
        with open(self.path, "rb") as raw:
            _, rows = _raw_rows(raw, self.dialect, 0)
            next(rows, None)  # the header
            for row in itertools.islice(rows, RIVAL_SAMPLE):
                if row.cells and len(row.cells) == len(self.header):
                    seen += 1
                    for c in cols:
                        if row.cells[c].strip():
                            filled[c] += 1
        return prefer_fuller(mapping, self.header, filled, seen)

    def _restore_columns(self, wanted: bool | None) -> tuple[int, ...]:
        """Columns whose cells get restore(): LeadAssist's own columns always, all of them for --excel-safe files."""
        ours = all_enrich_names()
        own = tuple(i for i, h in enumerate(self.header) if h in ours)
        if wanted is False or (wanted is None and len(own) < 3):
            return ()
        # A UTF-8-with-BOM file carrying LeadAssist's columns is what --excel-safe writes: every cell neutralised.
        if wanted or (self.dialect.bom and self.dialect.encoding == "utf-8"):
            self.header = [restore(h) for h in self.header]
            return tuple(range(len(self.header)))
        return own

    def _reject(self, line: int, reason: str, raw: str) -> None:
        self.rejected += 1
        if len(self.rejects) < MAX_KEPT_REJECTS:
            self._kept_chars += len(raw)
            if self._kept_chars > MAX_KEPT_CHARS:  # bounded memory: the line and reason still tell where to look
                raw = ""
            self.rejects.append(RejectedRow(line, reason, raw))
        elif self.rejected == MAX_KEPT_REJECTS + 1:
            log.warning("%s: more than %d problem rows; only the first are kept", self.path, MAX_KEPT_REJECTS)

    @property
    def rejects_whole(self) -> bool:
        """Every problem row so far is in `rejects` with its raw text (none beyond the limits)."""
        return self.rejected == len(self.rejects) and self._kept_chars <= MAX_KEPT_CHARS

    def add_rejects(self, rejects: Sequence[RejectedRow]) -> None:
        """Take the problem rows of the part read after this one (its rejects_whole must hold), as if met here."""
        for r in rejects:
            self._reject(r.line, r.reason, r.raw)

    def records(self) -> Iterator[SourceRecord]:
        """The data records in file order (one pass); problem rows go to `rejects` instead."""
        if self._started:
            raise RuntimeError("CsvSource.records() streams the file once; open the file again for another pass")
        self._started = True
        width, bad, fix, encoding = len(self.header), self._bad, self._restore, self.dialect.encoding
        new_record = functools.partial(tuple.__new__, SourceRecord)  # skips NamedTuple's Python-level __new__
        before = self._lines_before
        for line, cells, raw, _term, error in self._rows:
            line += before
            if cells is None:
                self.parse_errors += 1
                self._reject(line, error, raw)
            elif len(cells) != width:
                if cells:  # a blank line is no record and no problem
                    self._reject(line, f"expected {width} fields, found {len(cells)}", raw)
            elif not raw.isascii() and bad.search(raw):
                self._reject(line, f"bytes that are not valid {encoding}", raw)
            else:
                if fix:
                    for i in fix:
                        cells[i] = restore(cells[i])
                yield new_record((line, cells, raw))

    @property
    def position(self) -> int:
        """How many bytes of the file have been read so far (for progress)."""
        try:
            return self._binary.tell()
        except (OSError, ValueError):
            return self.size

    def close(self) -> None:
        """Close the file (records() stops)."""
        self._binary.close()

    def __enter__(self) -> CsvSource:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open_csv(
    path: str | os.PathLike[str],
    *,
    mapping_override: dict[str, int] | None = None,
    restore_cells: bool | None = None,
) -> CsvSource:
    """Open a CRM export for streaming; raises CsvFormatError without a header or a name/company column.

    `restore_cells`: None = undo LeadAssist's formula neutralisation where LeadAssist wrote it (its own columns,
    and every cell of an --excel-safe file); True = restore every cell; False = leave every cell as written.
    """
    return CsvSource(path, detect_dialect(path), mapping_override=mapping_override, restore_cells=restore_cells)


def lead_from_cells(row: int, cells: Sequence[str], mapping: HeaderMapping) -> Lead:
    """The Lead a record describes (cells stripped of surrounding spaces unless that would make a formula of
    them, see columns.lead_field; unmapped fields empty)."""
    width = len(cells)
    values: list[Any] = [row]
    for col in mapping.lead_columns:
        if 0 <= col < width:  # columns.lead_field, inlined: this runs for every mapped cell of every record
            cell = cells[col]
            value = cell.strip()
            values.append(cell if value and value[0] in FORMULA_SIGNS and len(value) != len(cell) else value)
        else:
            values.append("")
    return make(Lead, _LEAD, tuple(values))


_LEAD = fields_of(Lead)  # what `make` fills: row, then the fields from a cell each (mapping.lead_columns)
