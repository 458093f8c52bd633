"""Header row -> lead fields, and which CRM wrote the file.

Spellings come from resources/crm_headers.csv. A header maps to a field when, lower-cased with punctuation
collapsed, it equals a listed spelling ("Person - Email - Work" -> "person email work"); the earliest listed
spelling wins when several columns could serve, then the leftmost column. Which CRM wrote the file is decided by
exact (case-sensitive) header matches weighted by how distinctive they are: "Record ID" is HubSpot, "Record Id"
is Zoho, "(Do Not Modify) Row Checksum" is Dynamics 365. A CRM is named only when one of its own columns is there
(listed for it alone, not an everyday word like "Id"); a file without one is "generic".
Full names are not split here: a full-name column maps to `full_name` and core.names does the rest.

Record IDs: every CRM's ID column is listed (Salesforce "Lead ID"/"Contact ID", HubSpot "Record ID" and
"Record ID - Contact", Pipedrive "ID"/"Person - ID", Zoho "Record Id"), and any Dynamics 365 "(Do Not Modify) X"
column other than its checksum and timestamp is the record's GUID. When two columns map to one field with the
same spelling (HubSpot's "Company Name" and "Company name"), `rivals` lists them and the reader keeps the one
with more filled cells (`prefer_fuller`), saying so in `describe()`.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from dataclasses import fields as dataclass_fields

from leadassist import paths
from leadassist.core.models import Lead

LEAD_FIELDS = ("record_id", "first", "last", "full_name", "company", "email", "website", "country", "city", "phone")
CRMS = ("salesforce", "hubspot", "pipedrive", "zoho", "dynamics", "generic")
CRM_LABELS = {
    "salesforce": "Salesforce",
    "hubspot": "HubSpot",
    "pipedrive": "Pipedrive",
    "zoho": "Zoho CRM",
    "dynamics": "Dynamics 365",
    "generic": "generic",
}
NAME_FIELDS = ("first", "last", "full_name", "company")
HEADERS_FILE = "crm_headers.csv"
_PUNCT = re.compile(r"[\W_]+")
_MIN_SCORE = 1.0  # at least one fully distinctive header (or two shared ones) before naming a CRM
# Column names any hand-made sheet has; one CRM listing them ("Id", "Name" in Salesforce's API) does not make a
# file that CRM's export.
_EVERYDAY = frozenset({"id", "name", "email", "company", "phone", "website", "title", "rating", "country", "city"})


def normalise_header(text: str) -> str:
    """Lower-cased, punctuation collapsed to spaces: 'Person - Email - Work' -> 'person email work'."""
    return _PUNCT.sub(" ", text.replace("\ufeff", "").casefold()).strip()


@dataclass(frozen=True)
class HeaderTable:
    """The spellings table: normalised spelling -> (field, preference) and exact header -> CRMs that use it."""

    spellings: dict[str, tuple[str, int]]
    crm_headers: dict[str, frozenset[str]]


def parse_header_table(text: str) -> HeaderTable:
    """Build a HeaderTable from the CSV layout of resources/crm_headers.csv ('#' lines are comments)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    spellings: dict[str, tuple[str, int]] = {}
    crm_headers: dict[str, set[str]] = defaultdict(set)
    rows = csv.reader(lines)
    if next(rows, None) != ["crm", "kind", "header"]:
        raise ValueError(f"{HEADERS_FILE}: expected the columns crm,kind,header")
    for order, row in enumerate(rows):
        crm, kind, header = (cell.strip() for cell in row)
        if crm not in CRMS or (kind != "marker" and kind not in LEAD_FIELDS):
            raise ValueError(f"{HEADERS_FILE}: unknown crm/kind {crm!r}/{kind!r}")
        if kind != "marker":
            spellings.setdefault(normalise_header(header), (kind, order))
        if crm != "generic":
            crm_headers[header].add(crm)
    return HeaderTable(spellings, {h: frozenset(c) for h, c in crm_headers.items()})


@functools.cache
def header_table() -> HeaderTable:
    """The shipped spellings table, read once."""
    return parse_header_table((paths.resources_dir() / HEADERS_FILE).read_text(encoding="utf-8"))


_DYNAMICS_META = frozenset({"do not modify row checksum", "do not modify modified on"})
_DYNAMICS_PREF = 10_000  # after every listed spelling


@dataclass(frozen=True)
class HeaderMapping:
    """Which CRM wrote the file and which column (index) holds each lead field it has.

    `rivals`: fields that several equally-named columns could fill (field -> their indexes); `notes`: why a
    column was chosen over a rival, for people."""

    crm: str
    fields: dict[str, int]
    rivals: dict[str, tuple[int, ...]] = dc_field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def column(self, field: str) -> int | None:
        """The column index of a lead field, or None."""
        return self.fields.get(field)

    @functools.cached_property
    def lead_columns(self) -> tuple[int, ...]:
        """The column of each field of a Lead after its `row`, in the Lead's order (-1: not in the file)."""
        return tuple(self.fields.get(f.name, -1) for f in dataclass_fields(Lead)[1:])

    def describe(self, headers: Sequence[str]) -> str:
        """One line for people: 'HubSpot export; first <- "First Name", company <- "Company Name", ...'."""
        parts = []
        for field in LEAD_FIELDS:
            i = self.fields.get(field)
            if i is not None:
                name = headers[i] if i < len(headers) else f"column {i + 1}"
                parts.append(f"{field} <- {name!r}")
        kind = "file" if self.crm == "generic" else "export"
        notes = "".join(f" ({n})" for n in self.notes)
        return f"{CRM_LABELS.get(self.crm, self.crm)} {kind}; " + (", ".join(parts) or "no lead columns") + notes

    def has_name_or_company(self) -> bool:
        """True when at least one of first, last, full name or company is mapped."""
        return any(f in self.fields for f in NAME_FIELDS)


def detect_crm(headers: Sequence[str], table: HeaderTable | None = None) -> str:
    """The CRM whose exact header spellings the row uses most distinctively, or 'generic'."""
    table = table or header_table()
    scores: dict[str, float] = defaultdict(float)
    own: set[str] = set()  # CRMs with a column of their own: listed for that CRM only and not an everyday word
    for h in headers:
        exact = h.strip().replace("\ufeff", "")
        crms = table.crm_headers.get(exact)
        if crms:
            for crm in crms:
                scores[crm] += 1.0 / len(crms)
            if len(crms) == 1 and normalise_header(exact) not in _EVERYDAY:
                own |= crms
    if not own:  # "First Name, Last Name, Company, Email" is what every spreadsheet has: not a CRM's export
        return "generic"
    # Ties go to the order of CRMS so the answer never depends on set ordering.
    best = max((c for c in CRMS[:-1] if c in own), key=lambda c: (scores.get(c, 0.0), -CRMS.index(c)))
    return best if scores.get(best, 0.0) >= _MIN_SCORE else "generic"


def map_headers(headers: Sequence[str]) -> HeaderMapping:
    """Map a header row to lead fields (column indexes) and name the CRM that wrote it."""
    table = header_table()
    chosen: dict[str, tuple[int, int]] = {}  # field -> (preference, column)
    tied: dict[str, list[int]] = defaultdict(list)
    for i, h in enumerate(headers):
        norm = normalise_header(h)
        hit = table.spellings.get(norm)
        if hit is None and norm.startswith("do not modify") and norm not in _DYNAMICS_META:
            hit = ("record_id", _DYNAMICS_PREF)
        if hit is None:
            continue
        kind, pref = hit
        if kind not in chosen or pref < chosen[kind][0]:
            chosen[kind] = (pref, i)
            tied[kind] = [i]
        elif pref == chosen[kind][0]:
            tied[kind].append(i)
    fields = {f: chosen[f][1] for f in LEAD_FIELDS if f in chosen}
    rivals = {f: tuple(cols) for f, cols in tied.items() if len(cols) > 1}
    return HeaderMapping(detect_crm(headers, table), fields, rivals)


def prefer_fuller(mapping: HeaderMapping, headers: Sequence[str], filled: dict[int, int], seen: int) -> HeaderMapping:
    """Choose, for each field with rivals, the column with the most filled cells (`filled[col]` of `seen` rows)."""
    fields = dict(mapping.fields)
    notes = list(mapping.notes)
    for kind, cols in mapping.rivals.items():
        best = max(cols, key=lambda c: (filled.get(c, 0), -cols.index(c)))
        if best != fields.get(kind):
            others = ", ".join(f"{headers[c]!r} {filled.get(c, 0):,}" for c in cols if c != best)
            notes.append(f"{kind}: {headers[best]!r} is the fuller column, {filled.get(best, 0):,} of {seen:,} rows"
                         f" filled against {others}")  # fmt: skip
            fields[kind] = best
    return replace(mapping, fields=fields, notes=tuple(notes))
