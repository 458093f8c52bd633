"""Regenerate the README screenshots in docs/screenshots/ by driving the real app offscreen on the demo data.

The bundled `resources/sample_leads.csv` is imported into a temporary database, enriched against the test
suite's loopback DNS server (every sample domain gets MX hosts named like real providers, so the Mail and
Provider columns fill in), and four widgets are grabbed:

- main_window.png    the window with enriched demo data, a lead with three ranked candidates selected
- lead_panel.png     the lead panel alone: a lead with known colleagues and a note written
- import_dialog.png  the import dialog on the sample file (detected CRM, encoding, delimiter, mapping, preview)
- company_chart.png  the company view of the company with the most known addresses (format mixture chart)
- due_view.png       the Due view (Ctrl+D): overdue next steps and new leads waiting for a first touch, oldest first
- followup_panel.png the lead panel's Follow-up box: a next step tomorrow with its text, a verdict with a reason
- quality_report.png the lead-quality report by Lead Source (bar chart, table, Save as CSV)

The sample is imported with two columns added (Lead Source, Create Date spread over the last ten weeks, from the
row number), so the ages, the Due view and the report have something to show; the bundled file is not changed.

Usage: python benchmarks/screenshots.py [--out docs/screenshots]   (rerunnable; overwrites the PNGs)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
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
from PySide6.QtWidgets import QAbstractItemView, QApplication, QScrollArea, QWidget

from benchmarks.ui_latency import mail_domains
from leadassist import paths
from leadassist.store import leads as store_leads
from leadassist.ui import app as app_module
from leadassist.ui.leads_model import COLUMN_IDS

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


SOURCES = ("Webinar", "Trade show", "Website form", "Partner referral", "Purchased list")


def sample_with_sources(sample: Path, out: Path) -> Path:
    """The sample file with Lead Source and Create Date columns (deterministic per row, dates before today)."""
    with sample.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    today = dt.date.today()
    body = []
    for n, row in enumerate(rows[1:]):
        source = SOURCES[(0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 4)[n * 7 % 12]]  # uneven, like real sources
        created = today - dt.timedelta(days=(n * 13) % 70 + 1)
        body.append(
            [*row, source, created.strftime("%m/%d/%Y") + f" {1 + n % 12}:{n % 60:02d} {'AM' if n % 2 else 'PM'}"]
        )
    with out.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([[*rows[0], "Lead Source", "Create Date"], *body])
    return out


def follow_up_scenes(window: object, db: object, ids: list[int], out: Path, panel_id: int) -> None:
    """Set next steps and verdicts like a rep's week, then grab the Due view, the Follow-up box and the report."""
    from leadassist.store import followups, notes

    today = dt.date.today()
    for n, lead_id in enumerate(ids):
        if n % 3 == 0:
            notes.set_status(db, lead_id, "replied" if n % 7 == 0 else "contacted")
        if n % 9 == 0:
            day = (today - dt.timedelta(days=n % 4)).isoformat()
            followups.set_next_step(db, lead_id, day, ("call back", "send the pricing sheet", "demo follow-up")[n % 3])
        if n % 4 == 0:
            followups.set_verdict(db, lead_id, ("good-fit", "not-a-fit", "wrong-person", "bad-data")[n % 16 // 4])
    window.model.reload()
    table = window.table
    hidden = [c for c in ("confidence", "provider", "mail_status") if not table.isColumnHidden(COLUMN_IDS.index(c))]
    for c in hidden:  # room for Age and Next step in the picture
        table.setColumnHidden(COLUMN_IDS.index(c), True)
    window.followups.due_action.trigger()
    window.select_lead(window.model.lead_id(0))
    window.side.setCurrentWidget(window.lead_panel)
    window.statusBar().clearMessage()
    save(window, out / "due_view.png")
    window.followups.due_action.trigger()
    for c in hidden:
        table.setColumnHidden(COLUMN_IDS.index(c), False)

    window.select_lead(panel_id)
    box = window.followups.box
    box.text_edit.setText("Send the Q3 pilot proposal")
    box.set_in_days(1)
    box.reason_edit.setText("budget owner, asked for pricing")
    box.verdict_combo.setCurrentIndex(box.verdict_combo.findData("good-fit"))
    box.reason_edit.setCursorPosition(0)
    panel = window.lead_panel
    panel.findChild(QScrollArea, "lead_scroll").ensureWidgetVisible(box)
    save(panel, out / "followup_panel.png")

    dialog = window.followups.open_report()
    dialog.resize(1180, 520)
    save(dialog, out / "quality_report.png")
    dialog.close()


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
            sample = sample_with_sources(paths.resources_dir() / "sample_leads.csv", Path(tmp) / "sample_leads.csv")
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

            follow_up_scenes(window, db, all_ids(db), args.out, panel_id)

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
