"""The columns LeadAssist adds, their names per CRM preset, and formula-injection neutralisation.

`ENRICH_COLUMNS` is the one list of the columns LeadAssist appends, in order. A file an earlier version wrote ends
in that version's columns: the first `FIRST_RELEASED` of today's, then some of the later ones; a re-run recognises
any such tail (`existing_enrichment`) and replaces it instead of appending the columns again.


Formula-like cells (OWASP "CSV injection"): a cell whose first character other than white space is `=`, `+`,
`-` or `@`, or their full-width forms `＝＋－＠` (which spreadsheets fold to ASCII), or that starts with a tab or
a carriage return. Spreadsheets strip leading spaces before deciding, so " =1+1" is a formula there too.
Neutralising puts a `'` in front of such a cell so a spreadsheet shows it as text instead of running it. A cell
that already starts with `'` gets one too, which makes the operation exactly reversible: `restore(neutralise(x))
== x` for every string, so LeadAssist's own reader can undo it on re-import.

`lead_field` is how a cell becomes a lead's field: stripped of surrounding white space, unless stripping would
turn it into a formula (" =1+1" stays " =1+1", exactly as the CRM holds it).
"""

from __future__ import annotations

from collections.abc import Sequence

from leadassist.core.models import LeadResult, SmtpStatus

ENRICH_COLUMNS = (
    "Enriched Email",
    "Email Confidence",
    "Email Source",
    "Email Pattern",
    "Email Alternates",
    "Email Evidence",
    "Email Domain",
    "Mail Status",
    "MX Hosts",
    "Mail Provider",
    "Flags",
    "Domain Source",  # issue 12: address | colleagues | website | confirmed | guessed | none
    "Domain Confidence",  # 0..100
    "SMTP Status",
    "SMTP Detail",
)
FIRST_RELEASED = 11  # the first version wrote ENRICH_COLUMNS[:11]
PRESETS = ("original", "salesforce", "hubspot", "pipedrive", "zoho", "generic")
FORMULA_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")  # = + - @ and the full-width ＝ ＋ － ＠
_SIGNS = FORMULA_SIGNS
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20\t\r")  # a cell starting with one is formula-like
_STARTS = FORMULA_STARTS


def smtp_cells(result: LeadResult) -> list[str]:
    """`SMTP Status` and `SMTP Detail` of the result's best address (`not-checked` when it was not asked)."""
    check = next((c for c in result.smtp if c.email == result.email), None) if result.email else None
    if check is None:
        return [SmtpStatus.NOT_CHECKED.value, ""]
    detail = f"{check.reason}: {check.detail}" if check.reason and check.reason not in check.detail else check.detail
    return [check.status.value, detail]


def _snake(name: str) -> str:
    return name.lower().replace(" ", "_")


def enrich_column_names(preset: str, columns: Sequence[str] = ENRICH_COLUMNS) -> tuple[str, ...]:
    """The enrichment column names as written under `preset` (all of ENRICH_COLUMNS unless `columns` says).

    "original" keeps the documented names other tools depend on; CRM presets prefix "LeadAssist " so the names
    never collide with a built-in property (HubSpot has its own "Email Domain") and an admin can create custom
    fields with exactly these labels, which the importers then map by themselves; Pipedrive wants the
    "Person - " entity prefix; "generic" uses snake_case.
    """
    if preset == "original":
        return tuple(columns)
    if preset == "generic":
        return tuple(_snake(c) for c in columns)
    if preset == "pipedrive":
        return tuple(f"Person - LeadAssist {c}" for c in columns)
    if preset in PRESETS:
        return tuple(f"LeadAssist {c}" for c in columns)
    raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")


def existing_enrichment(header: Sequence[str]) -> int:
    """How many trailing columns of `header` are an earlier LeadAssist run's enrichment columns (0 when none).

    They are recognised whatever version wrote them: under one preset's names, the first FIRST_RELEASED columns
    in order, then only further enrichment columns (any of today's, in the order that version wrote them)."""
    for preset in PRESETS:
        names = enrich_column_names(preset)
        first = names[:FIRST_RELEASED]
        known = frozenset(names)
        start = len(header) - FIRST_RELEASED
        while start >= 0:  # the last run of the first columns whose tail holds only enrichment columns
            if tuple(header[start : start + FIRST_RELEASED]) == first and known.issuperset(header[start:]):
                return len(header) - start
            if header[start] not in known:
                break  # a column of the file's own ends every earlier candidate too
            start -= 1
    return 0


def all_enrich_names() -> frozenset[str]:
    """Every name an enrichment column can have in a file LeadAssist wrote (any preset)."""
    return frozenset(n for p in PRESETS for n in enrich_column_names(p))


def formula_like(cell: str) -> bool:
    """True when a spreadsheet could run the cell as a formula (see the module docstring)."""
    if not cell:
        return False
    first = cell[0]
    if first in _STARTS:
        return True
    if first.isspace():
        rest = cell.lstrip()
        return bool(rest) and rest[0] in _SIGNS
    return False


_PREFIXED = FORMULA_STARTS | {"'"}


def neutralise(cell: str) -> str:
    """The cell made safe to open in a spreadsheet (a leading `'` when it could start a formula)."""
    if not cell:
        return cell
    first = cell[0]  # formula_like inlined for the common cases: LeadAssist neutralises 11 cells a record
    if first in _PREFIXED or (first.isspace() and formula_like(cell)):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """Undo neutralise(): drop the `'` LeadAssist added, leave every other cell alone."""
    if len(cell) > 1 and cell[0] == "'" and (cell[1] == "'" or formula_like(cell[1:])):
        return cell[1:]
    return cell


def lead_field(cell: str) -> str:
    """A cell as a lead's field: stripped, unless stripping would make a formula of it (then exactly as read)."""
    value = cell.strip()
    return cell if value and value[0] in _SIGNS and value != cell else value
