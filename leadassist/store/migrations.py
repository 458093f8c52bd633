"""The database schema as an append-only list of sqlite-utils `Migrations`; never edit one that has shipped.

Each migration runs in its own transaction with the record of it being applied. Before migrating a database that
already holds data the file is copied into `backups/` (VACUUM INTO), so a failed upgrade can be undone with
`leadassist restore`. A database whose applied migrations include names this version does not know was written
by a newer LeadAssist: it is refused rather than used with a schema we cannot read. `PRAGMA user_version` mirrors
the number of applied migrations so other tools can see the schema version at a glance.
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from leadassist.core.errors import StoreError
from leadassist.store.db import translated

log = logging.getLogger(__name__)

STATUSES = ("new", "researched", "contacted", "replied", "bounced", "do-not-contact")
FEEDBACK_KINDS = ("correct", "bounced", "replied")

MIGRATIONS = Migrations("leadassist")


@MIGRATIONS(name="0001_leads_and_notes")
def _leads_and_notes(db: sqlite_utils.Database) -> None:
    statuses = ", ".join(f"'{s}'" for s in STATUSES)
    db.executescript(f"""
    CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,
        imported_at REAL NOT NULL,
        crm TEXT NOT NULL DEFAULT 'generic',
        dialect TEXT NOT NULL,   -- JSON of core.crmcsv.CsvDialect
        header TEXT NOT NULL,    -- JSON list of the file's column names
        mapping TEXT NOT NULL,   -- JSON {{lead field: column index}}
        records INTEGER NOT NULL DEFAULT 0,
        added INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0,
        rejected INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE leads (
        id INTEGER PRIMARY KEY,
        identity TEXT NOT NULL UNIQUE,  -- id:<CRM record ID> | email:<address> | name:<name>|<company>
        import_id INTEGER REFERENCES imports(id),
        line INTEGER NOT NULL DEFAULT 0,
        record_id TEXT NOT NULL DEFAULT '',
        first TEXT NOT NULL DEFAULT '',
        last TEXT NOT NULL DEFAULT '',
        full_name TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL DEFAULT '',
        name_key TEXT NOT NULL DEFAULT '',
        company TEXT NOT NULL DEFAULT '',
        crm_email TEXT NOT NULL DEFAULT '',
        website TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        cells TEXT NOT NULL DEFAULT '[]',  -- JSON list: the record's cells as read
        raw TEXT,                          -- the record's exact text, for a byte-faithful export
        status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ({statuses})),
        status_at REAL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,          -- when the CRM fields last changed
        email TEXT NOT NULL DEFAULT '',    -- the enrichment result from here on
        source TEXT NOT NULL DEFAULT 'none',
        confidence INTEGER NOT NULL DEFAULT 0,
        pattern TEXT NOT NULL DEFAULT '',
        alternates TEXT NOT NULL DEFAULT '[]',
        evidence TEXT NOT NULL DEFAULT '',
        domain TEXT NOT NULL DEFAULT '',
        domain_source TEXT NOT NULL DEFAULT '',
        candidates TEXT NOT NULL DEFAULT '[]',
        flags TEXT NOT NULL DEFAULT '[]',
        mail_status TEXT NOT NULL DEFAULT 'not-checked',
        enriched_at REAL
    );
    -- One index per sortable column of the leads table (id breaks ties, so pages never overlap).
    CREATE INDEX leads_by_name ON leads(name COLLATE NOCASE, id);
    CREATE INDEX leads_by_company ON leads(company COLLATE NOCASE, id);
    CREATE INDEX leads_by_email ON leads(email COLLATE NOCASE, id);
    CREATE INDEX leads_by_confidence ON leads(confidence, id);
    CREATE INDEX leads_by_domain ON leads(domain, id);
    CREATE INDEX leads_by_mail_status ON leads(mail_status, id);
    CREATE INDEX leads_by_status ON leads(status, id);
    CREATE INDEX leads_by_title ON leads(title COLLATE NOCASE, id);
    CREATE INDEX leads_by_record_id ON leads(record_id, id);
    CREATE INDEX leads_by_import ON leads(import_id, line);
    CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX notes_by_lead ON notes(lead_id);
    CREATE TABLE note_versions (
        id INTEGER PRIMARY KEY,
        note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        saved_at REAL NOT NULL  -- when this (earlier) text was current until
    );
    CREATE INDEX note_versions_by_note ON note_versions(note_id);
    """)


@MIGRATIONS(name="0002_companies_and_feedback")
def _companies_and_feedback(db: sqlite_utils.Database) -> None:
    kinds = ", ".join(f"'{k}'" for k in FEEDBACK_KINDS)
    db.executescript(f"""
    CREATE TABLE domains (
        domain TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        mx_hosts TEXT NOT NULL DEFAULT '[]',
        provider TEXT NOT NULL DEFAULT '',
        warnings TEXT NOT NULL DEFAULT '[]',
        checked_at REAL NOT NULL DEFAULT 0,
        expires_at REAL NOT NULL DEFAULT 0
    );
    CREATE TABLE known_addresses (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL,
        domain TEXT NOT NULL,
        first TEXT NOT NULL DEFAULT '',
        last TEXT NOT NULL DEFAULT '',
        full_name TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL,  -- 'import' (an Email cell of an imported file) or 'feedback'
        lead_id INTEGER REFERENCES leads(id) ON DELETE SET NULL,
        import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL,
        added_at REAL NOT NULL,
        UNIQUE (email, source)
    );
    CREATE INDEX known_by_domain ON known_addresses(domain);
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
        email TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ({kinds})),
        given_at REAL NOT NULL
    );
    CREATE INDEX feedback_by_lead ON feedback(lead_id);
    CREATE INDEX feedback_by_email ON feedback(email);
    """)
    # Leads imported under schema 1 already carry Email cells: they are known addresses too.
    db.execute("""
        INSERT OR IGNORE INTO known_addresses (email, domain, first, last, full_name, source, lead_id, import_id,
                                               added_at)
        SELECT lower(crm_email), substr(lower(crm_email), instr(crm_email, '@') + 1), first, last, full_name,
               'import', id, import_id, updated_at
        FROM leads WHERE crm_email LIKE '%_@_%'
    """)


@MIGRATIONS(name="0003_search_index")
def _search_index(db: sqlite_utils.Database) -> None:
    # Regular (content-storing) FTS5 table keyed by lead id. Triggers keep it in step with lead edits and with
    # notes; new leads are indexed by imports.py in bulk, because a per-row AFTER INSERT trigger made a 100k import
    # 2.5x slower (measured: 8 s against 3.5 s). remove_diacritics 2: "Muller" finds "Müller"; prefix indexes make the
    # search-as-you-type prefix queries of 2-3 letters cheap.
    db.executescript("""
    CREATE VIRTUAL TABLE lead_search USING fts5(
        name, company, notes, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
    );
    INSERT INTO lead_search (rowid, name, company, notes)
        SELECT l.id, l.name, l.company,
               coalesce((SELECT group_concat(n.text, char(10)) FROM notes n WHERE n.lead_id = l.id), '')
        FROM leads l;
    CREATE TRIGGER leads_search_update AFTER UPDATE OF name, company ON leads
    WHEN old.name IS NOT new.name OR old.company IS NOT new.company BEGIN
        UPDATE lead_search SET name = new.name, company = new.company WHERE rowid = new.id;
    END;
    CREATE TRIGGER leads_search_delete AFTER DELETE ON leads BEGIN
        DELETE FROM lead_search WHERE rowid = old.id;
    END;
    CREATE TRIGGER notes_search_insert AFTER INSERT ON notes BEGIN
        UPDATE lead_search SET notes = (SELECT group_concat(text, char(10)) FROM notes WHERE lead_id = new.lead_id)
        WHERE rowid = new.lead_id;
    END;
    CREATE TRIGGER notes_search_update AFTER UPDATE OF text ON notes BEGIN
        UPDATE lead_search SET notes = (SELECT group_concat(text, char(10)) FROM notes WHERE lead_id = new.lead_id)
        WHERE rowid = new.lead_id;
    END;
    CREATE TRIGGER notes_search_delete AFTER DELETE ON notes BEGIN
        UPDATE lead_search
        SET notes = coalesce((SELECT group_concat(text, char(10)) FROM notes WHERE lead_id = old.lead_id), '')
        WHERE rowid = old.lead_id;
    END;
    """)


@MIGRATIONS(name="0004_lead_provider")
def _lead_provider(db: sqlite_utils.Database) -> None:
    # The table shows and sorts by the mail provider; like mail_status it is copied into the lead's row so that
    # sorting needs no join.
    db.executescript("""
    ALTER TABLE leads ADD COLUMN provider TEXT NOT NULL DEFAULT '';
    UPDATE leads SET provider = coalesce((SELECT provider FROM domains WHERE domains.domain = leads.domain), '');
    CREATE INDEX leads_by_provider ON leads(provider COLLATE NOCASE, id);
    """)


@MIGRATIONS(name="0009_smtp_checks")
def _smtp_checks(db: sqlite_utils.Database) -> None:
    # What mail servers said about addresses (the opt-in mailbox check), the latest answer per address: the
    # export's SMTP Status / SMTP Detail and the re-ranking after feedback read it (store/smtpchecks.py).
    db.executescript("""
    CREATE TABLE smtp_checks (
        email TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',
        mx_host TEXT NOT NULL DEFAULT '',
        checked_at REAL NOT NULL
    );
    """)


def known_names() -> list[str]:
    """The migration names this version knows, in order."""
    return [m.name for m in MIGRATIONS._migrations]


def applied_names(db: sqlite_utils.Database) -> list[str]:
    """The migrations applied to `db`, in order."""
    return [m.name for m in MIGRATIONS.applied(db)]


def check_not_newer(db: sqlite_utils.Database, path: Path | str = "") -> None:
    """Refuse a database written by a newer LeadAssist (it has migrations or a schema version we do not know)."""
    ours = known_names()
    unknown = [n for n in applied_names(db) if n not in ours]
    version = db.conn.execute("PRAGMA user_version").fetchone()[0]
    if unknown or version > len(ours):
        raise StoreError(
            f"{path or 'the database'} was written by a newer LeadAssist (schema {max(version, len(ours) + 1)}; "
            f"this version reads up to {len(ours)}).",
            hint="Install the newer LeadAssist, or restore a backup made by this version with `leadassist restore`.",
        )


def migrate(db: sqlite_utils.Database, path: Path | None = None, *, stop_before: str | None = None) -> list[str]:
    """Apply pending migrations (backing up a non-empty database first); return the names applied."""
    from leadassist.store import backup

    with translated(path or ""):
        check_not_newer(db, path or "")
        pending = [m.name for m in MIGRATIONS.pending(db)]
        if stop_before in pending:
            pending = pending[: pending.index(stop_before)]
        if not pending:
            return []
        if applied_names(db) and path is not None:
            saved = backup.backup_to(db, backup.default_backup_dir(path) / backup.stamped_name(f"before-{pending[0]}"))
            log.info("backed up %s to %s before migrating", path, saved)
        MIGRATIONS.apply(db, stop_before=stop_before)
        applied = len(applied_names(db))
        db.execute(f"PRAGMA user_version = {applied}")
        log.info("%s: applied migrations %s", path or "database", ", ".join(pending))
    return pending
