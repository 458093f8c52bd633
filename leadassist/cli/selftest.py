"""`leadassist --selftest`: a headless check that an installed copy or a PyInstaller bundle actually works.

Steps, in order, each with its own name in a failure line: Qt loads and a QApplication starts (offscreen unless
QT_QPA_PLATFORM is set); every LeadAssist module imports (a bundle missing a module fails here, not in a rep's
hands); the libraries the engine imports lazily work (DNS wire parsing, encoding detection, fuzzy matching,
address syntax, the public suffix list); a temporary database opens, migrated; the SVG app icon draws and the
main window builds over that database; the bundled sample export enriches offline with at least one inferred
address. Nothing touches the network or the rep's own database and settings: all files live in a temporary
directory that is removed afterwards.
Prints exactly one line and returns 0 (ok) or 1 (failed).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


class SelftestFailure(Exception):
    """One step of the self-test did not do what it should."""


def run_selftest(args: argparse.Namespace) -> int:
    """Run every step; print one line ("selftest ok: ..." or "selftest FAILED: <step>: <reason>"); 0 or 1."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    del args  # the self-test never uses the rep's --db / --data-dir: it must not touch real data
    step = "start"
    try:
        with tempfile.TemporaryDirectory(prefix="leadassist-selftest-") as tmp:
            step = "Qt"
            app, qt_version = _start_qt()
            step = "modules"
            modules = _import_all_modules()
            step = "libraries"
            _check_libraries()
            step = "database"
            db, db_path = _open_database(Path(tmp))
            try:
                step = "window"
                _build_window(app, db, db_path, Path(tmp))
            finally:
                db.close()
            step = "enrich"
            count, inferred, seconds = _enrich_sample()
    except Exception as exc:  # the point of a self-test: report any failure as one line, not a traceback
        reason = str(exc) or type(exc).__name__
        print(f"selftest FAILED: {step}: {reason}")
        return 1
    from leadassist.core.compiled import COMPILED

    loops = "compiled" if COMPILED else "pure-Python"  # core/_speedups.pyx built (and bundled) or not
    print(
        f"selftest ok: Qt {qt_version}, {modules} modules, libraries, database, window, "
        f"{count} leads enriched offline ({inferred} inferred, {loops} ranking loops) in {seconds:.2f} s"
    )
    return 0


def _start_qt() -> tuple[Any, str]:
    """A QApplication (reused if one exists) and the Qt runtime version."""
    from PySide6.QtCore import qVersion
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "leadassist"])
    return app, qVersion()


def _import_all_modules() -> int:
    """Import every module of the leadassist package; the count imported."""
    import leadassist

    names = [m.name for m in pkgutil.walk_packages(leadassist.__path__, "leadassist.")]
    # A frozen bundle whose importer cannot list modules would otherwise "pass" by importing nothing.
    if len(names) < 10:
        raise SelftestFailure(f"only {len(names)} modules found in the leadassist package")
    for name in names:
        importlib.import_module(name)
    return len(names)


def _check_libraries() -> None:
    """Exercise the lazily imported parts of the engine's libraries (what a bundle most often misses)."""
    import dns.message
    import dns.rdatatype
    import dns.rrset
    from charset_normalizer import from_bytes
    from email_validator import validate_email
    from rapidfuzz import fuzz

    from leadassist.core import domains

    # dnspython loads each record type's module on first use; a round trip through wire format loads MX and A.
    query = dns.message.make_query("example.com", dns.rdatatype.MX)
    reply = dns.message.make_response(query)
    reply.answer.append(dns.rrset.from_text("example.com.", 300, "IN", "MX", "10 mail.example.com."))
    reply.additional.append(dns.rrset.from_text("mail.example.com.", 300, "IN", "A", "192.0.2.1"))
    parsed = dns.message.from_wire(reply.to_wire())
    if str(parsed.answer[0][0].exchange) != "mail.example.com.":
        raise SelftestFailure("DNS wire round trip lost the MX record")
    sample = "Société Générale, Müller & Søn, Zürich, Ærøskøbing\n".encode("cp1252") * 20
    best = from_bytes(sample).best()
    if best is None or "Müller" not in str(best):
        raise SelftestFailure("encoding detection could not read a cp1252 sample")
    if fuzz.ratio("Acme Logistics", "ACME Logistics Inc") < 50:
        raise SelftestFailure("fuzzy matching returned an implausible score")
    validate_email("jane.doe@example.com", check_deliverability=False)
    if domains.registrable_domain("mail.sub.example.co.uk") != "example.co.uk":
        raise SelftestFailure("the public suffix list did not find example.co.uk")
    if not domains.is_free("gmail.com"):
        raise SelftestFailure("the free-mail provider list does not know gmail.com")
    if domains.company_key("Société Générale S.A.") != domains.company_key("societe generale"):
        raise SelftestFailure("company names are not folded (transliteration or legal-form removal failed)")


def _open_database(tmp: Path) -> tuple[Any, Path]:
    """A fresh, migrated research database in the temporary directory."""
    from leadassist.store.db import open_store

    path = tmp / "selftest.sqlite3"
    db = open_store(path, auto_backup=False)
    if not db.table_names():
        db.close()
        raise SelftestFailure("the new database has no tables after migration")
    return db, path


def _build_window(app: Any, db: Any, db_path: Path, tmp: Path) -> None:
    """Draw the app icon; build, show and close the main window over the temporary database (settings in tmp)."""
    from PySide6.QtGui import QIcon

    from leadassist import paths
    from leadassist.ui.main_window import MainWindow
    from leadassist.ui.settings import AppSettings

    # The app icon is an SVG: drawing it proves the bundle carries Qt's SVG icon engine and resources/icons.
    icon = paths.resources_dir() / "icons" / "leadassist.svg"
    if QIcon(str(icon)).pixmap(64, 64).isNull():
        raise SelftestFailure(f"the app icon {icon} cannot be drawn (missing file or SVG support)")
    window = MainWindow(db, db_path, AppSettings(tmp), data_dir=str(tmp))
    try:
        window.show()
        if not window.isVisible():
            raise SelftestFailure("the main window did not show")
    finally:
        window.close()
        window.deleteLater()
    app.sendPostedEvents(None, 0)  # 0 = QEvent.DeferredDelete: free the window before the database closes


def _enrich_sample() -> tuple[int, int, float]:
    """Enrich resources/sample_leads.csv offline: (leads, inferred addresses, seconds)."""
    from leadassist import paths
    from leadassist.core.crmcsv import lead_from_cells, open_csv
    from leadassist.core.enrich import EnrichOptions, enrich_leads_sync
    from leadassist.core.mailcheck import CheckOptions
    from leadassist.core.models import EmailSource

    sample = paths.resources_dir() / "sample_leads.csv"
    if not sample.is_file():
        raise SelftestFailure(f"the bundled sample is missing: {sample}")
    with open_csv(sample) as src:
        leads = [lead_from_cells(i, rec.cells, src.mapping) for i, rec in enumerate(src.records())]
    if not leads:
        raise SelftestFailure(f"no leads read from {sample}")
    start = time.monotonic()
    results = enrich_leads_sync(leads, EnrichOptions(check=CheckOptions(offline=True)))
    seconds = time.monotonic() - start
    inferred = sum(1 for r in results if r.source is EmailSource.INFERRED and r.email)
    if len(results) != len(leads):
        raise SelftestFailure(f"{len(leads)} leads in, {len(results)} results out")
    if not inferred:
        raise SelftestFailure(f"no address inferred for any of the {len(leads)} sample leads")
    return len(leads), inferred, seconds
