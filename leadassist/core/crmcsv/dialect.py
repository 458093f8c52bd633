"""What kind of CSV a file is: encoding, BOM, delimiter, quoting, line ending, final newline.

Encoding: a BOM decides (UTF-8, UTF-16, UTF-32); else BOM-less UTF-16 from its NUL pattern; else UTF-8 if the
bytes decode; else charset-normalizer's guess, with cp1252 preferred over its Western look-alikes (it is what
Excel and Salesforce write); cp1252 as the last resort. Because an ASCII-only start says nothing, the sniffer
scans on (cheaply, `bytes.isascii`) to the first non-ASCII block and decides there.

Delimiter: `,` `;` tab `|`, chosen by which one splits the first ~100 records into the same number of fields as
the header (csv.Sniffer alone picks letters on one-column files). A file no candidate splits is one column.

`CsvDialect.encoding` is a codec name *without* BOM handling ("utf-8", "utf-16-le", "cp1252"); `bom` says whether
a byte-order mark precedes the text, so the writer can put back exactly what was there.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from leadassist.core.crmcsv.rawrows import iter_raw_rows
from leadassist.core.errors import CsvFormatError, EncodingError

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE = 64 * 1024
_SCAN_LIMIT = 64 * 1024 * 1024  # how far to look for the first non-ASCII byte before trusting ASCII/UTF-8
_SNIFF_RECORDS = 100
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Single-byte Western code pages charset-normalizer may name for what is, in CRM files, almost always cp1252.
# DOS and Mac pages are in the list because on small samples charset-normalizer names them for plain cp1252 text.
_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_15", "mac_roman", "cp850", "cp858", "cp437", "cp775"})
_EVIDENCE = 64  # non-ASCII bytes needed before charset-normalizer may overrule cp1252
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is spelled on disk, enough to write it back the same way."""

    encoding: str = "utf-8"
    bom: bool = False
    delimiter: str = ","
    quotechar: str = '"'
    quote_all: bool = False
    line_ending: str = "\r\n"
    final_newline: bool = True

    def describe(self) -> str:
        """Human summary, e.g. 'UTF-8 with BOM, delimiter ';', CRLF'."""
        ends = {"\r\n": "CRLF", "\n": "LF", "\r": "CR"}.get(self.line_ending, repr(self.line_ending))
        bom = " with BOM" if self.bom else ""
        return f"{self.encoding}{bom}, delimiter {self.delimiter!r}, {ends}"


def bom_length(head: bytes) -> tuple[int, str]:
    """(length of the BOM at the start of `head`, codec it announces) or (0, '')."""
    for mark, codec in _BOMS:
        if head.startswith(mark):
            return len(mark), codec
    return 0, ""


def _is_utf16_without_bom(sample: bytes) -> str:
    """'utf-16-le'/'utf-16-be' when the NUL pattern says so (ASCII text in UTF-16), else ''."""
    if len(sample) < 4 or b"\x00" not in sample:
        return ""
    even, odd = sample[0::2], sample[1::2]
    nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if nul_odd > 0.3 and nul_even < 0.05:
        return "utf-16-le"
    if nul_even > 0.3 and nul_odd < 0.05:
        return "utf-16-be"
    return ""


def _decodes(data: bytes, codec: str, final: bool) -> bool:
    try:
        codecs.getincrementaldecoder(codec)("strict").decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _mostly_utf8(window: bytes) -> bool:
    """True when valid UTF-8 letters clearly outnumber stray bytes: a UTF-8 file with a few corrupt rows.

    Legacy code-page text almost never forms valid multi-byte UTF-8 sequences, so a clear majority of them means
    UTF-8 - and the stray bytes then cost only their own rows (rejects) instead of mis-decoding the whole file.
    """
    text = window.decode("utf-8", "surrogateescape")
    stray = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
    letters = sum(1 for ch in text if ch > "\x7f") - stray
    # The window's last bytes may be a cut sequence; the margin of 2 keeps that from deciding anything.
    return letters >= 2 * stray + 2


def _guess_single_byte(window: bytes, path: str) -> str:
    from charset_normalizer import from_bytes  # imported lazily: it is slow to import and rarely needed

    best = from_bytes(window).best()
    guess = codecs.lookup(best.encoding).name.replace("-", "_") if best is not None else ""
    # A few bytes cp1252 leaves undefined are corrupt cells (rejected row by row), not a reason to switch pages;
    # and on a handful of accented letters charset-normalizer's guess is noise (it names Korean johab for
    # "Société"), so it only overrules cp1252 with real evidence: many non-ASCII bytes, spelt the way that
    # code page spells its own language (see _overrules_cp1252).
    high = sum(1 for b in window if b >= 0x80)
    stray = sum(1 for b in window if b in _CP1252_UNDEFINED)
    if stray <= max(2, high // 50):
        if not guess or guess in _WESTERN:
            return "cp1254" if _turkish_share(window, high) >= _OWN_LETTERS else "cp1252"
        if high < _EVIDENCE or not _overrules_cp1252(window, guess, high):
            return "cp1252"
    if guess:
        return codecs.lookup(guess).name
    raise EncodingError(
        "the text encoding could not be recognised.",
        path=path,
        hint="Save the file as CSV UTF-8 from Excel or your CRM and try again.",
    )


# The share of non-ASCII bytes that must be a code page's own letters (where it differs from cp1252) before that
# page is believed over cp1252: a Western file with a few Icelandic or Vietnamese-looking letters stays cp1252.
_OWN_LETTERS = 0.2
_TURKISH_BYTES = frozenset(b"\xd0\xdd\xde\xf0\xfd\xfe")  # cp1254 Ğ İ Ş ğ ı ş where cp1252 has Icelandic Ð Ý Þ ð ý þ
_WORD = re.compile(r"[^\W\d_]+")


def _turkish_share(window: bytes, high: int) -> float:
    """Share of the non-ASCII bytes that are Turkish letters in cp1254 (and Icelandic ones in cp1252)."""
    return sum(1 for b in window if b in _TURKISH_BYTES) / high if high else 0.0


@functools.cache
def _differs_from_cp1252(codec: str) -> tuple[frozenset[int], bool]:
    """(bytes >= 0x80 that `codec` decodes unlike cp1252, whether `codec` writes a Latin script)."""
    differs = set()
    latin = 0
    for b in range(0x80, 0x100):
        try:
            ours = bytes([b]).decode(codec)
        except (UnicodeDecodeError, LookupError):
            differs.add(b)
            continue
        if b >= 0xC0 and unicodedata.name(ours, "").startswith("LATIN"):
            latin += 1
        if ours != bytes([b]).decode("cp1252", "replace"):
            differs.add(b)
    return frozenset(differs), latin >= 32


def _overrules_cp1252(window: bytes, guess: str, high: int) -> bool:
    """Whether the bytes read more plausibly in `guess` than in cp1252.

    A Latin-script page (Central European, Turkish, Baltic, Vietnamese) shares most letters with cp1252: it wins
    only when the file really uses the letters where the two differ. A page of another script (Cyrillic, Greek,
    CJK) wins unless the text, read as cp1252, looks Western: accented letters inside words of ASCII letters
    ("Müller"), where cp1251 Russian read as cp1252 gives words made only of accented letters ("Ïðèìåð").
    """
    try:
        differs, latin = _differs_from_cp1252(guess)
    except LookupError:
        return False
    if latin:
        return sum(1 for b in window if b in differs) / high >= _OWN_LETTERS
    words = [w for w in _WORD.findall(window.decode("cp1252", "replace")) if not w.isascii()]
    if not words:
        return True
    ascii_letters = sum(sum(1 for ch in w if ch.isascii()) for w in words)
    other = sum(len(w) for w in words) - ascii_letters
    return ascii_letters < other  # mostly non-ASCII inside words: not a Western text


def _first_non_ascii_window(f: io.BufferedReader, start: int, head: bytes) -> tuple[bytes, bool]:
    """A block around the first non-ASCII byte (or `head` if the file is ASCII), and whether it ends the file."""
    if not head.isascii():
        return head, False
    pos = start + len(head)
    f.seek(pos)
    while pos - start < _SCAN_LIMIT:
        chunk = f.read(1024 * 1024)
        if not chunk:
            return head, True
        if not chunk.isascii():
            i = next(i for i, b in enumerate(chunk) if b >= 0x80)
            lo = max(0, i - 64)
            return chunk[lo : lo + _SAMPLE], False
        pos += len(chunk)
    return head, False


def _detect_encoding(f: io.BufferedReader, path: str, size: int) -> tuple[str, bool, int]:
    """(codec without BOM handling, has BOM, BOM length)."""
    head = f.read(_SAMPLE)
    skip, codec = bom_length(head)
    if skip:
        return codec, True, skip
    if head.startswith(b"PK\x03\x04"):
        raise CsvFormatError(
            "this is an Excel workbook or other ZIP file, not CSV.",
            path=path,
            hint="Open it in Excel and save as 'CSV UTF-8 (comma delimited)'.",
        )
    utf16 = _is_utf16_without_bom(head)
    if utf16:
        return utf16, False, 0
    if b"\x00" in head:
        raise CsvFormatError("looks like a binary file, not CSV text.", path=path, hint="Choose a .csv export.")
    window, at_end = _first_non_ascii_window(f, 0, head)
    if _decodes(window, "utf-8", final=at_end or len(head) == size) or _mostly_utf8(window):
        return "utf-8", False, 0
    return _guess_single_byte(window, path), False, 0


def _has_final_newline(f: io.BufferedReader, size: int, codec: str, start: int) -> bool:
    width = len("\n".encode(codec))
    if size - start < width:
        return False
    f.seek(size - width)
    tail = f.read(width)
    return tail in ("\n".encode(codec), "\r".encode(codec))


def _decode_sample(f: io.BufferedReader, start: int, codec: str) -> tuple[str, bool]:
    """(the decoded start of the file, whether that is the whole file)."""
    f.seek(start)
    data = f.read(_SAMPLE * 4)
    whole = not f.read(1)
    return codecs.getincrementaldecoder(codec)("replace").decode(data, final=whole), whole


def _check_text(text: str, path: str) -> None:
    if not text.strip():
        raise CsvFormatError("the file is empty.", path=path, hint="Export the records again, with a header row.")
    # Vertical tab and form feed come with text pasted from word processors: they are not signs of binary data.
    controls = sum(1 for ch in text[:20000] if ch < " " and ch not in "\t\r\n\x0b\x0c")
    if "\x00" in text or controls > max(3, len(text[:20000]) // 100):
        raise CsvFormatError("looks like a binary file, not CSV text.", path=path, hint="Choose a .csv export.")


def _complete_lines(text: str, whole: bool) -> list[str]:
    lines = io.StringIO(text, newline="").readlines()
    if not whole and len(lines) > 1:
        lines.pop()  # the last line may be cut in the middle
    return lines


def _field_counts(lines: list[str], delimiter: str) -> list[int]:
    counts = []
    for row in itertools.islice(iter_raw_rows(lines, delimiter), _SNIFF_RECORDS + 1):
        if row.cells is None:
            counts.append(-1)
        elif row.cells:
            counts.append(len(row.cells))
    return counts


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the sample consistently into as many fields as the header ("," if none does)."""
    best, best_score = ",", (0.0, 0)
    for delim in DELIMITERS:
        counts = _field_counts(lines, delim)
        if not counts or counts[0] < 2:
            continue
        body = counts[1:] or counts[:1]
        score = (sum(1 for c in body if c == counts[0]) / len(body), counts[0])
        if score > best_score:
            best, best_score = delim, score
    return best


def _quote_all(lines: list[str], delimiter: str, quotechar: str) -> bool:
    """True when every sampled record is written exactly as csv.QUOTE_ALL would write it."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, quotechar=quotechar, quoting=csv.QUOTE_ALL, lineterminator="")
    seen = 0
    for row in itertools.islice(iter_raw_rows(lines, delimiter, quotechar), 21):
        if not row.cells:
            continue
        buf.seek(0)
        buf.truncate()
        writer.writerow(row.cells)
        if buf.getvalue() != row.raw:
            return False
        seen += 1
    return seen > 0


def detect_dialect(path: str | os.PathLike[str]) -> CsvDialect:
    """Sniff a CSV file's encoding, BOM, delimiter, quoting and line ends; raise a clear error for non-CSV files."""
    name = str(path)
    try:
        size = Path(path).stat().st_size
        with open(path, "rb") as f:
            if size == 0:
                raise CsvFormatError("the file is empty.", path=name, hint="Export the records again.")
            codec, bom, skip = _detect_encoding(f, name, size)
            text, whole = _decode_sample(f, skip, codec)
            _check_text(text, name)
            final_newline = _has_final_newline(f, size, codec, skip)
    except OSError as exc:
        raise CsvFormatError(f"cannot read the file ({exc.strerror or exc}).", path=name) from exc
    lines = _complete_lines(text, whole)
    delimiter = sniff_delimiter(lines)
    first = next((r for r in iter_raw_rows(lines, delimiter) if r.cells), None)
    line_ending = first.terminator if first is not None and first.terminator else "\r\n"
    return CsvDialect(
        encoding=codec,
        bom=bom,
        delimiter=delimiter,
        quotechar='"',
        quote_all=_quote_all(lines, delimiter, '"'),
        line_ending=line_ending,
        final_newline=final_newline,
    )
