"""Regenerate the README screenshots in docs/screenshots/ by driving the real app offscreen on the demo data.

The bundled `resources/sample_leads.csv` is imported into a temporary database, enriched against the test
suite's loopback DNS server (every sample domain gets MX hosts named like real providers, so the Mail and
Provider columns fill in), and four widgets are grabbed:

- main_window.png    the window with enriched demo data, a lead with three ranked candidates selected
- lead_panel.png     the lead panel alone: a lead with known colleagues and a note written
- import_dialog.png  the import dialog on the sample file (detected CRM, encoding, delimiter, mapping, preview)
- company_chart.png  the company view of the company with the most known addresses (format mixture chart)

Usage: python benchmarks/screenshots.py [--out docs/screenshots]   (rerunnable; overwrites the four PNGs)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # always offscreen: the pictures must not depend on a desktop
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

from benchmarks.ui_latency import mail_domains
from leadassist import paths
from leadassist.store import leads as store_leads
from leadassist.ui import app as app_module

ROOT = Path(__file__).resolve().parent.parent
WINDOW_SIZE = (1400, 860)
FONT_FAMILY = "DejaVu Sans"  # present on every Debian/Ubuntu; the offscreen platform's default is less stable
FONT_POINTS = 10
EARLIER_NOTE = "Met at the trade fair: runs the data team, asked for the pricing sheet."
NOTE = (
    "Called on Tuesday: interested in the Q3 pilot.\n"
    "Prefers email over phone; follow up after the board meeting on the 14th."
)


def wait(ms: int) -> None:
    """Run the event loop for `ms` milliseconds (layouts, timers and queued signals settle)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Run the event loop until `condition()` holds; fail loudly after `timeout_s` seconds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshots: timed out waiting for {what}")
        wait(50)


def provider_mx(domain: str) -> list[tuple[int, str]]:
    """MX records named like real providers', chosen stably per domain (so reruns give the same pictures)."""
    label = domain.split(".")[0]
    choice = zlib.crc32(domain.encode()) % 5
    if choice in (0, 1):
        return [(0, f"{label}-example.mail.protection.outlook.com")]
    if choice == 2:
        return [(1, "aspmx.l.google.com"), (5, "alt1.aspmx.l.google.com"), (5, "alt2.aspmx.l.google.com")]
    if choice == 3:
        return [(10, f"mx1.{domain}"), (20, f"mx2.{domain}")]
    return [(10, f"mx0a-001.{label}.pphosted.com"), (10, f"mx0b-001.{label}.pphosted.com")]


def all_ids(db: object) -> list[int]:
    """Every lead id in the store."""
    return [r[0] for r in db.execute("select id from leads order by id").fetchall()]  # type: ignore[attr-defined]


def pick_leads(db: object) -> tuple[int, int, str]:
    """(lead for the main window, lead for the panel, domain for the company chart) from the enriched store."""
    best_main: tuple[int, int] | None = None
    best_panel: tuple[int, int] | None = None
    known_at: dict[str, int] = {}
    for k in store_leads.known_addresses(db):  # type: ignore[arg-type]
        domain = k.email.rpartition("@")[2]
        known_at[domain] = known_at.get(domain, 0) + 1
    for lead_id in all_ids(db):
        d = store_leads.get_lead(db, lead_id)  # type: ignore[arg-type]
        cands = [c for c in d.candidates if c.evidence]
        if len(cands) < 3 or d.source == "known":
            continue
        colleagues = known_at.get(d.domain, 0)
        score = (colleagues, len(d.evidence or ""))
        if best_main is None or (colleagues >= 1, -lead_id) > (best_main[1] >= 1, -best_main[0]):
            best_main = (lead_id, colleagues)
        if colleagues >= 2 and (best_panel is None or score[0] > best_panel[1]):
            best_panel = (lead_id, colleagues)
    if best_main is None:
        raise SystemExit("screenshots: no enriched lead has three ranked candidates with evidence")
    chart_domain = max(known_at, key=lambda dom: (known_at[dom], dom))
    return best_main[0], (best_panel or best_main)[0], chart_domain


def save(widget: QWidget, path: Path) -> None:
    """Grab a widget as it is painted and write it as PNG."""
    wait(150)  # let coalescing timers and deferred layouts run before the grab
    if not widget.grab().save(str(path), "PNG", 0):  # quality 0 = strongest zlib compression (lossless)
        raise SystemExit(f"screenshots: could not write {path}")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} ({path.stat().st_size // 1024} KB)")


def main() -> None:
    """Drive the app through the four scenes and write their PNGs."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from tests.dnsserver import DnsTestServer  # the test suite's loopback DNS server

    app = app_module.application()
    if FONT_FAMILY not in QFontDatabase.families():
        raise SystemExit(f"screenshots: font {FONT_FAMILY!r} is not installed (apt install fonts-dejavu-core)")
    app.setFont(QFont(FONT_FAMILY, FONT_POINTS))
    with tempfile.TemporaryDirectory(prefix="leadassist-shots-") as tmp, DnsTestServer() as server:
        ns = argparse.Namespace(db=str(Path(tmp) / paths.DB_FILENAME), data_dir=tmp, demo=False)
        session = app_module.start(ns, offer_demo=False)
        window, db = session.window, session.db
        try:
            window.resize(*WINDOW_SIZE)
            window.splitter.setSizes([950, 450])
            sample = paths.resources_dir() / "sample_leads.csv"
            window.import_file(sample)
            wait_until(lambda: window.model.total > 0, 10, "the demo import")

            for n, domain in enumerate(sorted(mail_domains(sample))):
                mx = provider_mx(domain)
                server.add_domain(domain, mx=mx)
                for m, (_pref, host) in enumerate(mx):  # MX hosts must resolve, else the domain reads no-mail
                    server.add_domain(host, a=[f"198.51.100.{(n * 3 + m) % 250 + 1}"])
            done: list[bool] = []
            window.enrichment_finished.connect(
                lambda _cancelled: done.append(True)
            )  # not the emitted bool (see ui_latency)
            window.start_enrichment(check=replace(server.check_options(), timeout=5.0))
            wait_until(lambda: bool(done), 60, "enrichment of the demo leads")

            main_id, panel_id, chart_domain = pick_leads(db)
            window.model.reload()
            wait_until(lambda: window.select_lead(main_id), 5, f"lead {main_id} in the table")
            window.table.scrollTo(window.table.currentIndex(), QAbstractItemView.ScrollHint.PositionAtCenter)
            window.side.setCurrentWidget(window.lead_panel)
            window.statusBar().clearMessage()
            save(window, args.out / "main_window.png")

            window.save_note(panel_id, None, EARLIER_NOTE)
            window.select_lead(panel_id)
            window.lead_panel.notes.editor.insertPlainText(NOTE)  # typed like the rep types it
            window.lead_panel.flush()
            window.resize(WINDOW_SIZE[0], 1160)  # tall enough to show the whole panel, notes history included
            save(window.lead_panel, args.out / "lead_panel.png")
            window.resize(*WINDOW_SIZE)

            chart_lead = next(i for i in all_ids(db) if store_leads.get_lead(db, i).domain == chart_domain)
            window.select_lead(chart_lead)
            window.side.setCurrentWidget(window.company_view)
            save(window.company_view, args.out / "company_chart.png")

            dialog = window.open_import_dialog(sample)
            wait_until(dialog.isVisible, 5, "the import dialog")
            wait_until(dialog.import_button.isEnabled, 30, "the import dialog's plan")  # a dry run, off-thread
            save(dialog, args.out / "import_dialog.png")
            dialog.reject()
        finally:
            session.close()
    QApplication.processEvents()  # deliver deferred deletes before the interpreter tears Qt down


if __name__ == "__main__":
    main()
