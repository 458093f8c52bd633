"""Writing the enriched file: faithful by default, CRM presets for re-import as updates, atomic on disk.

Default ("original" preset): the input's columns in order, every untouched record written as its exact raw text
plus the enrichment columns, in the input's encoding, BOM, delimiter, quoting and line endings (final newline
included or not). The columns LeadAssist writes are always neutralised against formula injection; original cells
only with `excel_safe` (which also writes UTF-8 with BOM, for a person opening the file in Excel). Without it the
exporter counts the original cells it writes exactly that a spreadsheet could run (`formula_cells`, the first
one in `first_formula`), so the caller can warn; the rejects file is always neutralised (columns.py).

Presets rename the mapped columns to what each CRM's importer maps by itself and matches as an *update*; every
other column is kept as it is (importers let the admin skip unmapped ones):
- salesforce: Data Import Wizard field labels; "Lead ID" (or "Contact ID" for a contact export, with "Account
  Name" as the company) is what the wizard matches on with "Match by Salesforce ID".
- hubspot: "Record ID" (HubSpot's unique identifier for updates), "First Name", "Last Name", "Company Name",
  "Email", "Website URL".
- pipedrive: the "Entity - Field" names of Pipedrive's own export; "Person - ID" maps to the Pipedrive system ID,
  which makes the import merge into the existing person instead of guessing by name/phone/email.
- zoho: "Record Id" (Zoho matches existing records on it before falling back to Email), "First Name",
  "Last Name", "Company", "Email", "Website".
- generic: snake_case names (id, first_name, ...).
A file without a record-ID column cannot be matched by ID; the exporter logs that and writes the rest anyway.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType, TracebackType

from leadassist.core.crmcsv.columns import (
    ENRICH_COLUMNS,
    PRESETS,
    enrich_column_names,
    existing_enrichment,
    formula_like,
    neutralise,
    smtp_cells,
)
from leadassist.core.crmcsv.dialect import CsvDialect
from leadassist.core.crmcsv.mapping import HeaderMapping, normalise_header
from leadassist.core.crmcsv.reader import RejectedRow
from leadassist.core.errors import EncodingError, LeadAssistError
from leadassist.core.junk import NO_FILL_FLAGS
from leadassist.core.models import EmailSource, LeadResult, MailStatus, SmtpStatus
from leadassist.core.prior import FILL_MIN_CONFIDENCE

log = logging.getLogger(__name__)

# One match per formula-like cell (columns.formula_like) of a record's cells joined by NUL, which is no white space
# (so a match never runs from one cell into the next) and which no cell holds (a file with NUL is refused as
# binary); should one hold it after all, the cells are counted one by one instead.
_FORMULA_CELL = re.compile("(?:^|\x00)(?:\\s*[=+\\-@\uff1d\uff0b\uff0d\uff20]|[\t\r])")

_WRITE_BUFFER = 1024 * 1024
MAX_ALTERNATES = 4
PRESET_HEADERS = MappingProxyType(
    {
        "salesforce": MappingProxyType(
            {
                "record_id": "Lead ID",
                "first": "First Name",
                "last": "Last Name",
                "company": "Company",
                "email": "Email",
                "website": "Website",
            }
        ),
        "hubspot": MappingProxyType(
            {
                "record_id": "Record ID",
                "first": "First Name",
                "last": "Last Name",
                "company": "Company Name",
                "email": "Email",
                "website": "Website URL",
            }
        ),
        "pipedrive": MappingProxyType(
            {
                "record_id": "Person - ID",
                "first": "Person - First name",
                "last": "Person - Last name",
                "full_name": "Person - Name",
                "company": "Person - Organization",
                "email": "Person - Email",
            }
        ),
        "zoho": MappingProxyType(
            {
                "record_id": "Record Id",
                "first": "First Name",
                "last": "Last Name",
                "company": "Company",
                "email": "Email",
                "website": "Website",
            }
        ),
        "generic": MappingProxyType(
            {
                "record_id": "id",
                "first": "first_name",
                "last": "last_name",
                "full_name": "full_name",
                "company": "company",
                "email": "email",
                "website": "website",
            }
        ),
    }
)


@dataclass(frozen=True)
class ExportOptions:
    """How to write the enriched file (see the module docstring)."""

    preset: str = "original"
    fill_email: bool = False
    min_confidence: int = FILL_MIN_CONFIDENCE
    excel_safe: bool = False
    encoding: str | None = None  # None = as read (UTF-8 with BOM when excel_safe); "utf-8-sig" = with BOM


def result_cells(result: LeadResult | None) -> list[str]:
    """The enrichment cells for a result, one per ENRICH_COLUMNS (neutralised); None gives an empty, unchecked row."""
    if result is None:
        empty = {"Email Source": EmailSource.NONE.value, "Mail Status": MailStatus.NOT_CHECKED.value}
        empty |= {"Domain Source": "none", "Domain Confidence": "0", "SMTP Status": SmtpStatus.NOT_CHECKED.value}
        return [empty.get(c, "") for c in ENRICH_COLUMNS]
    check = result.check
    cells = [
        result.email,
        str(int(result.confidence)),
        result.source.value,
        result.pattern,
        "; ".join(result.alternates[:MAX_ALTERNATES]),
        result.evidence,
        result.domain,
        check.status.value if check is not None else MailStatus.NOT_CHECKED.value,
        " ".join(check.mx_hosts) if check is not None else "",
        check.provider if check is not None else "",
        "; ".join(result.flags),
        result.domain_source or "none",
        str(int(result.domain_confidence)),
        *smtp_cells(result),
    ]
    return [neutralise(c) for c in cells]


def output_encoding(dialect: CsvDialect, options: ExportOptions) -> tuple[str, bool]:
    """(codec without BOM handling, write a BOM) for an export."""
    name = options.encoding
    if name is None:
        return ("utf-8", True) if options.excel_safe else (dialect.encoding, dialect.bom)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise LeadAssistError(f"unknown text encoding {name!r}.", hint="Use utf-8, utf-8-sig or cp1252.") from None
    if codec == "utf-8-sig":
        return "utf-8", True
    if codec in ("utf-16", "utf-32"):
        return codec + "-le", True  # the BOM-writing codecs: little-endian as Windows writes them
    return codec, False


def _preset_header(header: Sequence[str], mapping: HeaderMapping, preset: str) -> list[str]:
    names = dict(PRESET_HEADERS[preset])
    rid = mapping.fields.get("record_id")
    if preset == "salesforce" and rid is not None and normalise_header(header[rid]) == "contact id":
        names.update(record_id="Contact ID", company="Account Name")
    if rid is None:
        log.warning("no record-ID column: the %s import cannot match these rows as updates", preset)
    out = list(header)
    for field, col in mapping.fields.items():
        if field in names and col < len(out):
            out[col] = names[field]
    return out


class CsvExporter:
    """Writes the enriched file to a temporary file beside `path` and moves it into place on success.

    With `part_from`, it writes a *part* of such a file: the records from number `part_from` on, without the
    header, for the exporter of the whole file to `append_part` (a second process writes the second half)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        dialect: CsvDialect,
        header: Sequence[str],
        mapping: HeaderMapping,
        options: ExportOptions,
        *,
        part_from: int | None = None,
    ) -> None:
        if options.preset not in PRESETS:
            raise LeadAssistError(f"unknown preset {options.preset!r}.", hint=f"Choose one of {', '.join(PRESETS)}.")
        self.path = Path(path)
        self.dialect = dialect
        self.options = options
        self._part = part_from is not None
        self.rows = part_from or 0
        self.formula_cells = 0  # original cells written exactly that a spreadsheet could run (not excel_safe)
        self.first_formula: tuple[int, str] | None = None  # (record number, column name) of the first one
        self._header = list(header)
        self._mapping = mapping
        self._codec, bom = output_encoding(dialect, options)
        self._unicode = self._codec.startswith(("utf-8", "utf-16", "utf-32"))
        # A re-run on LeadAssist's own output (this version's or an earlier one's) replaces the old enrichment
        # columns instead of adding them again.
        self._keep = len(header) - existing_enrichment(header)
        self._email = mapping.fields.get("email") if options.fill_email else None
        if options.fill_email and self._email is None:
            log.warning("--fill-email: the file has no Email column; addresses stay in 'Enriched Email'")
        self._raw_ok = options.preset == "original" and not options.excel_safe and self._keep == len(header)
        self._delimiter = dialect.delimiter
        out_header = list(header[: self._keep])
        if options.preset != "original":
            out_header = _preset_header(out_header, mapping, options.preset)
        out_header += enrich_column_names(options.preset)
        if options.excel_safe:
            out_header = [neutralise(h) for h in out_header]
        try:
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".part")
        except OSError as exc:
            raise LeadAssistError(
                f"{self.path}: cannot write here ({exc.strerror or exc}).", hint="Choose another folder."
            ) from exc
        self._tmp = Path(tmp)
        self._binary = os.fdopen(fd, "wb", buffering=_WRITE_BUFFER)
        self._text = io.TextIOWrapper(self._binary, encoding=self._codec, errors="strict", newline="")
        self._writer = csv.writer(
            self._text,
            delimiter=dialect.delimiter,
            quotechar=dialect.quotechar,
            quoting=csv.QUOTE_ALL if dialect.quote_all else csv.QUOTE_MINIMAL,
            lineterminator=dialect.line_ending,
        )
        # csv only quotes a field holding a line-break character that is *in* its lineterminator, so with "\n"
        # line ends a cell holding "\r" would be written bare and split the record on re-reading; rows with such
        # a cell go through a CRLF-terminated writer instead (checked on the joined row: one C-level scan).
        self._stray = "".join(ch for ch in "\r\n" if ch not in dialect.line_ending)
        self._line_ending = dialect.line_ending
        self._scratch = io.StringIO()
        self._crlf_writer = csv.writer(
            self._scratch,
            delimiter=dialect.delimiter,
            quotechar=dialect.quotechar,
            quoting=csv.QUOTE_ALL if dialect.quote_all else csv.QUOTE_MINIMAL,
            lineterminator="\r\n",
        )
        try:
            if bom and not self._part:
                self._text.write("\ufeff")
            if not self._part:
                self._writerow(out_header)
        except BaseException:
            self._discard()
            raise

    def _writerow(self, row: list[str]) -> None:
        stray = self._stray
        if stray and stray in "".join(row):
            self._scratch.seek(0)
            self._scratch.truncate()
            self._crlf_writer.writerow(row)
            self._text.write(self._scratch.getvalue()[:-2] + self._line_ending)
        else:
            self._writer.writerow(row)

    def _fit(self, cells: list[str]) -> list[str]:
        """LeadAssist's own cells made encodable in a legacy code page (unknown letters become '?')."""
        if self._unicode:
            return cells
        codec = self._codec
        return [c if c.isascii() else c.encode(codec, "replace").decode(codec) for c in cells]

    def write(self, cells: Sequence[str], result: LeadResult | None, raw: str | None = None) -> None:
        """Write one record: its original cells (or exact raw text when untouched) plus the enrichment cells."""
        new = self._fit(result_cells(result))
        col = self._email
        fill = (
            col is not None
            and result is not None
            and result.email != ""
            and result.source == EmailSource.INFERRED
            and result.confidence >= self.options.min_confidence
            and NO_FILL_FLAGS.isdisjoint(result.flags)  # never a role, a place or a placeholder company
            and col < len(cells)
            and not cells[col].strip()
        )
        self.rows += 1
        if not self.options.excel_safe:
            self._count_formulas(cells)
        try:
            if not fill and raw is not None and self._raw_ok:
                self._text.write(raw)
                self._text.write(self._delimiter)
                self._writerow(new)
                return
            row = list(cells[: self._keep])
            if self.options.excel_safe:
                row = [neutralise(c) for c in row]
            if fill and col is not None and result is not None:
                row[col] = self._fit([neutralise(result.email)])[0]
            self._writerow(row + new)
        except UnicodeEncodeError as exc:
            raise EncodingError(
                f"record {self.rows} has {exc.object[exc.start : exc.end]!r}, which {self._codec} cannot hold.",
                path=str(self.path),
                hint="Write UTF-8 instead (--encoding utf-8 or utf-8-sig).",
            ) from exc

    def _count_formulas(self, cells: Sequence[str]) -> None:
        kept = cells[: self._keep]
        joined = "\x00".join(kept)
        if joined.count("\x00") == len(kept) - 1:  # the usual case: one C-level pass over the record
            found = len(_FORMULA_CELL.findall(joined))
        else:
            found = sum(1 for c in kept if formula_like(c))
        if not found:
            return
        if self.first_formula is None:
            first = next(i for i, c in enumerate(kept) if formula_like(c))
            self.first_formula = (
                self.rows,
                self._header[first] if first < len(self._header) else f"column {first + 1}",
            )
        self.formula_cells += found

    def _discard(self) -> None:
        try:
            self._text.close()
        except (OSError, ValueError, UnicodeError):
            pass  # the partial file is being thrown away; its close errors do not matter
        self._tmp.unlink(missing_ok=True)

    def part(self, path: str | os.PathLike[str], part_from: int) -> CsvExporter:
        """An exporter for a part of this file: the records from number `part_from` on, written to `path`."""
        return CsvExporter(path, self.dialect, self._header, self._mapping, self.options, part_from=part_from)

    def part_written(self) -> tuple[str, int, int, tuple[int, str] | None]:
        """What a finished part tells the whole file's exporter: (path, rows so far, formula cells, first one)."""
        return str(self.path), self.rows, self.formula_cells, self.first_formula

    def append_part(self, written: tuple[str, int, int, tuple[int, str] | None]) -> None:
        """Append the records of a finished part (its `part_written()`, maybe from another process), which was
        written from this exporter's next record on."""
        path, rows, formula_cells, first_formula = written
        self._text.flush()
        with open(path, "rb") as f:
            shutil.copyfileobj(f, self._binary, _WRITE_BUFFER)
        self.formula_cells += formula_cells
        if self.first_formula is None:
            self.first_formula = first_formula
        self.rows = rows

    def _finish(self) -> None:
        self._text.flush()
        if self._part:  # the whole file's exporter ends it
            self._text.close()
            os.replace(self._tmp, self.path)
            return
        if not self.dialect.final_newline:
            # Every record was written with its line end; the source's last one had none.
            end = len(self.dialect.line_ending.encode(self._codec))
            self._binary.seek(-end, os.SEEK_END)
            self._binary.truncate()
        self._binary.flush()
        os.fsync(self._binary.fileno())
        self._text.close()
        os.replace(self._tmp, self.path)

    def close(self) -> None:
        """Finish the file and move it into place."""
        try:
            self._finish()
        except BaseException:
            self._discard()
            raise

    def __enter__(self) -> CsvExporter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self._discard()


def rejects_path(output: str | os.PathLike[str]) -> Path:
    """Where the rejects of OUT.csv go: OUT.rejects.csv beside it."""
    out = Path(output)
    return out.with_name(f"{out.stem}.rejects{out.suffix or '.csv'}")


def write_rejects(
    path: str | os.PathLike[str], header: Sequence[str], dialect: CsvDialect, rejects: Sequence[RejectedRow]
) -> Path:
    """Write OUT.rejects.csv (Line, Reason, Raw) beside the output; row 1 holds the original header as raw text.

    Created readable by the user only (0600). Same encoding and delimiter as the source; undecodable bytes are
    written back as they were read, so the Raw column can be pasted into the original file after fixing. Every cell
    is neutralised (a rejects file is opened in a spreadsheet to be fixed): a Raw text that starts like a formula
    gets a leading `'`, which columns.restore takes off again.
    """
    target = rejects_path(path)
    buf = io.StringIO()
    csv.writer(buf, delimiter=dialect.delimiter, lineterminator="").writerow(header)
    errors = "surrogateescape" if not dialect.encoding.startswith(("utf-16", "utf-32")) else "replace"
    tmp = target.with_name(f".{target.name}.part")
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)  # rejects hold people's data: private
    if hasattr(os, "fchmod"):  # an older .part left by a crash may have been created with wider permissions
        os.fchmod(fd, 0o600)
    with open(fd, "w", encoding=dialect.encoding, errors=errors, newline="") as f:
        if dialect.bom:
            f.write("\ufeff")
        writer = csv.writer(f, delimiter=dialect.delimiter, lineterminator=dialect.line_ending)
        writer.writerow(["Line", "Reason", "Raw"])
        writer.writerow(["1", "header", neutralise(buf.getvalue())])
        for r in rejects:
            writer.writerow([str(r.line), neutralise(r.reason), neutralise(r.raw)])
    os.replace(tmp, target)
    return target
