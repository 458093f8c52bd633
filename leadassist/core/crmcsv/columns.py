"""The columns LeadAssist adds, their names per CRM preset, and formula-injection neutralisation.

Neutralising (OWASP "CSV injection"): a cell starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` so a
spreadsheet shows it as text instead of running it. A cell that already starts with `'` gets one too, which makes
the operation exactly reversible: `restore(neutralise(x)) == x` for every string, so LeadAssist's own reader can
undo it on re-import.
"""

from __future__ import annotations

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
    "SMTP Status",
    "SMTP Detail",
)
PRESETS = ("original", "salesforce", "hubspot", "pipedrive", "zoho", "generic")
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")


def smtp_cells(result: LeadResult) -> list[str]:
    """`SMTP Status` and `SMTP Detail` of the result's best address (`not-checked` when it was not asked)."""
    check = next((c for c in result.smtp if c.email == result.email), None) if result.email else None
    if check is None:
        return [SmtpStatus.NOT_CHECKED.value, ""]
    detail = f"{check.reason}: {check.detail}" if check.reason and check.reason not in check.detail else check.detail
    return [check.status.value, detail]


def _snake(name: str) -> str:
    return name.lower().replace(" ", "_")


def enrich_column_names(preset: str) -> tuple[str, ...]:
    """The enrichment column names as written under `preset`.

    "original" keeps the documented names other tools depend on; CRM presets prefix "LeadAssist " so the names
    never collide with a built-in property (HubSpot has its own "Email Domain") and an admin can create custom
    fields with exactly these labels, which the importers then map by themselves; Pipedrive wants the
    "Person - " entity prefix; "generic" uses snake_case.
    """
    if preset == "original":
        return ENRICH_COLUMNS
    if preset == "generic":
        return tuple(_snake(c) for c in ENRICH_COLUMNS)
    if preset == "pipedrive":
        return tuple(f"Person - LeadAssist {c}" for c in ENRICH_COLUMNS)
    if preset in PRESETS:
        return tuple(f"LeadAssist {c}" for c in ENRICH_COLUMNS)
    raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")


def all_enrich_names() -> frozenset[str]:
    """Every name an enrichment column can have in a file LeadAssist wrote (any preset)."""
    return frozenset(n for p in PRESETS for n in enrich_column_names(p))


def neutralise(cell: str) -> str:
    """The cell made safe to open in a spreadsheet (a leading `'` when it could start a formula)."""
    return "'" + cell if cell.startswith(_TRIGGERS) else cell


def restore(cell: str) -> str:
    """Undo neutralise(): drop the `'` LeadAssist added, leave every other cell alone."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@\t\r'":
        return cell[1:]
    return cell
