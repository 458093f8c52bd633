"""atheris harness for the CRM CSV reader and writer: any bytes must end in a result or a LeadAssistError.

Run for as long as you like (atheris is not a LeadAssist dependency: `pip install atheris` first):
    python -m tests.fuzz.fuzz_crmcsv -max_total_time=600
`one_input(data)` is the target; tests/core/test_crmcsv_fuzz.py runs it under hypothesis in the normal suite.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from leadassist.core.crmcsv import CsvExporter, ExportOptions, lead_from_cells, open_csv, write_rejects
from leadassist.core.errors import LeadAssistError

_PRESETS = ("original", "salesforce", "hubspot", "pipedrive", "zoho", "generic")


def one_input(data: bytes) -> None:
    """Read `data` as a CRM file and write it back; only LeadAssistError may escape (anything else is a bug)."""
    options = ExportOptions(
        preset=_PRESETS[data[0] % len(_PRESETS)] if data else "original", excel_safe=data[-1:] == b"!"
    )
    with tempfile.TemporaryDirectory() as tmp:
        src_path, out_path = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        src_path.write_bytes(data)
        try:
            with open_csv(src_path) as src:
                with CsvExporter(out_path, src.dialect, src.header, src.mapping, options) as out:
                    for i, rec in enumerate(src.records()):
                        lead_from_cells(i, rec.cells, src.mapping)
                        out.write(rec.cells, None, raw=rec.raw)
                if src.rejects:
                    write_rejects(out_path, src.header, src.dialect, src.rejects)
        except LeadAssistError:
            return


def main() -> None:
    """Entry point for atheris (imported lazily so the suite never needs it)."""
    import atheris

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
