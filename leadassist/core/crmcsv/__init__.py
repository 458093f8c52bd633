"""CRM CSV import/export: dialect sniffing, faithful streaming reader, header mapping, presets, safe writer.

Typical use (the `enrich` command, the store's import/export and the import dialog):

    with open_csv(path) as src:
        for rec in src.records():
            lead = lead_from_cells(i, rec.cells, src.mapping)
    with CsvExporter(out, src.dialect, src.header, src.mapping, ExportOptions()) as ex:
        ex.write(rec.cells, result, raw=rec.raw)
"""

from __future__ import annotations

from leadassist.core.crmcsv.columns import (
    ENRICH_COLUMNS,
    PRESETS,
    enrich_column_names,
    formula_like,
    lead_field,
    neutralise,
    restore,
)
from leadassist.core.crmcsv.dialect import CsvDialect, detect_dialect
from leadassist.core.crmcsv.mapping import LEAD_FIELDS, HeaderMapping, detect_crm, map_headers, normalise_header
from leadassist.core.crmcsv.reader import CsvSource, RejectedRow, SourceRecord, lead_from_cells, open_csv
from leadassist.core.crmcsv.writer import (
    CsvExporter,
    ExportOptions,
    rejects_path,
    result_cells,
    write_rejects,
)

__all__ = [
    "ENRICH_COLUMNS",
    "LEAD_FIELDS",
    "PRESETS",
    "CsvDialect",
    "CsvExporter",
    "CsvSource",
    "ExportOptions",
    "HeaderMapping",
    "RejectedRow",
    "SourceRecord",
    "detect_crm",
    "detect_dialect",
    "enrich_column_names",
    "formula_like",
    "lead_field",
    "lead_from_cells",
    "map_headers",
    "neutralise",
    "normalise_header",
    "open_csv",
    "rejects_path",
    "restore",
    "result_cells",
    "write_rejects",
]
