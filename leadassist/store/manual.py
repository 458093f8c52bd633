"""Adding a lead by hand (Leads → New lead…) through the normal import, so it is a lead like any other.

The rep's fields are written as a one-row CSV (UTF-8, header First Name, Last Name, Company, Email, Website,
Country) into `manual/` beside the database (0700 folder, 0600 file: it holds a person's name) and imported with
`service.import_csv`: the lead gets its import row and raw record, is matched like any row (the same name and
company as one stored lead updates that lead instead of adding a twin), is searchable, enrichable and exported
with the others. The file stays as the record of what was typed. The address must pass core.addresses' one
rule (`normalise_email`: usable as typed, up to case); anything else is refused, saying why, before a file is
written.
"""

from __future__ import annotations

import csv
import os
import time
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from leadassist.core.addresses import has_control, normalise_email
from leadassist.core.errors import LeadAssistError
from leadassist.store import service
from leadassist.store.connection import database_path, private_dir
from leadassist.store.imports import MANUAL_FOLDER, ImportSummary

HEADER = ("First Name", "Last Name", "Company", "Email", "Website", "Country")
FOLDER = MANUAL_FOLDER


@dataclass(frozen=True)
class NewLead:
    """What the rep typed for a new lead."""

    first: str = ""
    last: str = ""
    company: str = ""
    email: str = ""
    website: str = ""
    country: str = ""

    def cells(self) -> list[str]:
        """The CSV cells, in HEADER order, trimmed."""
        return [v.strip() for v in (self.first, self.last, self.company, self.email, self.website, self.country)]


def problems(lead: NewLead) -> list[str]:
    """Why the lead cannot be added as typed ([] when it can)."""
    first, last, company, email = lead.cells()[:4]
    out = []
    if not (first or last or company):
        out.append("Type a name or a company.")
    if email and not normalise_email(email):
        out.append(f"{email!r} is not an address LeadAssist can use (one address, no spaces or quotes, a real domain).")
    if any(has_control(v) for v in lead.cells()):
        out.append("Remove the control characters (tabs, line breaks) from the fields.")
    return out


def add_lead(db: sqlite_utils.Database, lead: NewLead, *, now: float | None = None) -> ImportSummary:
    """Import one hand-typed lead (see the module docstring); LeadAssistError saying what to fix when it is bad."""
    found = problems(lead)
    if found:
        raise LeadAssistError(" ".join(found))
    now = time.time() if now is None else now
    folder = private_dir(database_path(db).parent / FOLDER)
    path = folder / time.strftime("new-lead-%Y%m%d-%H%M%S", time.localtime(now))
    path = _unique(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerow(lead.cells())
    return service.import_csv(db, path)


def _unique(stem: Path) -> Path:
    for n in range(1000):
        candidate = stem.with_name(f"{stem.name}{f'-{n}' if n else ''}.csv")
        if not candidate.exists():
            return candidate
    raise LeadAssistError(f"too many hand-added leads in {stem.parent} this second; try again.")
