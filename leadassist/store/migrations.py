"""The database schema as an append-only list of sqlite-utils `Migrations`; never edit one that has shipped.

Each migration runs in its own transaction with the record of it being applied. Before migrating a database that
already holds data the caller's `backup_first` copies the file (db.open_store: VACUUM INTO `backups/`), so a
failed upgrade can be undone with `leadassist restore`; this module knows nothing of backups. A database whose
applied migrations include names this version does not know was written by a newer LeadAssist: it is refused
rather than used with a schema we cannot read. `PRAGMA user_version` mirrors the number of applied migrations so
other tools can see the schema version at a glance.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from leadassist.core.addresses import is_safe
from leadassist.core.crmcsv.identity import normalise_address, record_id_key, row_key
from leadassist.core.errors import StoreError
from leadassist.core.statuses import STATUSES, VERDICTS
from leadassist.store.connection import translated

log = logging.getLogger(__name__)

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


_SCHEMA_0005 = """
    ALTER TABLE imports ADD COLUMN state TEXT NOT NULL DEFAULT 'done';  -- staging | applying | done
    ALTER TABLE imports ADD COLUMN owner TEXT NOT NULL DEFAULT '';      -- host:pid of the importing process
    ALTER TABLE imports ADD COLUMN heartbeat REAL NOT NULL DEFAULT 0;
    ALTER TABLE imports ADD COLUMN applied_upto INTEGER NOT NULL DEFAULT 0;  -- import_rows.id applied so far
    ALTER TABLE imports ADD COLUMN plan TEXT NOT NULL DEFAULT '{}';     -- JSON of the ImportPlan counts
    ALTER TABLE leads ADD COLUMN id_key TEXT NOT NULL DEFAULT '';
    ALTER TABLE leads ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
    ALTER TABLE leads ADD COLUMN row_key INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE import_rows (
        id INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
        line INTEGER NOT NULL,
        lead_id INTEGER,                 -- the lead this record is (no FK: staged before the lead exists)
        match TEXT NOT NULL DEFAULT '',  -- id | record | email | name | new (legacy: earlier imports)
        record_id TEXT NOT NULL DEFAULT '',
        id_key TEXT NOT NULL DEFAULT '',
        first TEXT NOT NULL DEFAULT '',
        last TEXT NOT NULL DEFAULT '',
        full_name TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL DEFAULT '',
        name_key TEXT NOT NULL DEFAULT '',
        company TEXT NOT NULL DEFAULT '',
        crm_email TEXT NOT NULL DEFAULT '',
        email_key TEXT NOT NULL DEFAULT '',
        website TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        row_key INTEGER NOT NULL DEFAULT 0,
        cells TEXT NOT NULL DEFAULT '[]',
        raw TEXT
    );
    CREATE INDEX import_rows_by_import ON import_rows(import_id);
    CREATE UNIQUE INDEX import_rows_by_line ON import_rows(import_id, line);
    CREATE INDEX import_rows_by_lead ON import_rows(lead_id);
"""
_INDEXES_0005 = """
    CREATE INDEX leads_by_id_key ON leads(id_key) WHERE id_key != '';
    CREATE INDEX leads_by_email_key ON leads(email_key) WHERE email_key != '';
    CREATE INDEX leads_by_name_key ON leads(name_key) WHERE name_key != '';
    CREATE INDEX leads_by_row_key ON leads(row_key);
    -- Without these, every lead inserted made SQLite scan known_addresses for rows its foreign key points at.
    CREATE INDEX known_by_lead ON known_addresses(lead_id);
    CREATE INDEX known_by_import ON known_addresses(import_id);
"""


def _run_each(db: sqlite_utils.Database, script: str) -> None:
    """Run `;`-separated statements (without comments) inside the migration's transaction."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    for statement in "\n".join(lines).split(";"):
        if statement.strip():
            db.conn.execute(statement)


@MIGRATIONS(name="0005_import_rows")
def _import_rows(db: sqlite_utils.Database) -> None:
    # Every record of every import is kept as it was read (import_rows), so one import can be exported faithfully
    # even after a later file updated its leads; imports are staged there and applied in short transactions
    # (state staging -> applying -> done; see store/applying.py). Leads get the keys imports match on, indexed.
    # Statement by statement, not executescript (which commits first): the whole upgrade stays one transaction.
    _run_each(db, _SCHEMA_0005)
    conn = db.conn
    conn.create_function("la_id_key", 1, lambda v: record_id_key(v or ""), deterministic=True)
    conn.create_function("la_email_key", 1, lambda v: normalise_address(v or ""), deterministic=True)
    conn.create_function("la_row_key", 2, lambda h, c: row_key(h or "[]", c or "[]"), deterministic=True)
    conn.execute(
        "UPDATE leads SET id_key = la_id_key(record_id), email_key = la_email_key(crm_email),"
        " row_key = la_row_key(coalesce((SELECT header FROM imports WHERE imports.id = leads.import_id), '[]'),"
        " cells), name_key = CASE WHEN name_key LIKE '|%' THEN '' ELSE name_key END"
    )
    conn.execute(
        "INSERT INTO import_rows (import_id, line, lead_id, match, record_id, id_key, first, last, full_name, name,"
        " name_key, company, crm_email, email_key, website, title, row_key, cells, raw)"
        " SELECT import_id, line, id, 'legacy', record_id, id_key, first, last, full_name, name, name_key, company,"
        " crm_email, email_key, website, title, row_key, cells, raw FROM leads"
        " WHERE import_id IN (SELECT id FROM imports) ORDER BY import_id, line, id"
    )
    conn.execute("UPDATE leads SET cells = '[]', raw = NULL")  # the records live in import_rows from now on
    _run_each(db, _INDEXES_0005)


_SCHEMA_0006 = """
    CREATE TABLE company_domains (            -- the rep's decisions on a company's mail domain
        company_key TEXT NOT NULL,            -- core.domains.company_key of the company name
        domain TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('confirmed', 'rejected', 'doubted')),
        weight REAL NOT NULL DEFAULT 1.0,     -- doubted: the likelihood factor of the bounces on it
        company TEXT NOT NULL DEFAULT '',     -- the name as the rep saw it (for lists)
        source TEXT NOT NULL DEFAULT 'rep',   -- rep | correct | replied | bounced | pack
        decided_at REAL NOT NULL,
        PRIMARY KEY (company_key, domain)
    );
    CREATE UNIQUE INDEX company_domains_one_confirmed ON company_domains(company_key) WHERE kind = 'confirmed';
    CREATE TABLE company_guesses (            -- the latest guess of each company's domain from its name
        company_key TEXT PRIMARY KEY,
        company TEXT NOT NULL,
        status TEXT NOT NULL,                 -- found | none | unknown
        domain TEXT NOT NULL DEFAULT '',
        confidence INTEGER NOT NULL DEFAULT 0,
        reason TEXT NOT NULL DEFAULT '',
        evidence TEXT NOT NULL DEFAULT '',
        candidates TEXT NOT NULL DEFAULT '[]',  -- JSON [{domain, probability, evidence, kind}]
        leads INTEGER NOT NULL DEFAULT 0,
        guessed_at REAL NOT NULL
    );
    CREATE INDEX company_guesses_by_confidence ON company_guesses(confidence, company_key);
    CREATE TABLE team_formats (               -- format counts per domain from team packs (aggregates only)
        origin TEXT NOT NULL,                 -- the store the counts were learned in (a random id)
        domain TEXT NOT NULL,
        counts TEXT NOT NULL,                 -- JSON of core.models.FormatCounts
        learned_at REAL NOT NULL,             -- when that store exported them
        PRIMARY KEY (origin, domain)
    );
    CREATE INDEX team_formats_by_domain ON team_formats(domain);
    CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    ALTER TABLE leads ADD COLUMN domain_confidence INTEGER NOT NULL DEFAULT 0;
"""


@MIGRATIONS(name="0006_company_domains")
def _company_domains(db: sqlite_utils.Database) -> None:
    # Issue 12: company domains the rep confirmed or rejected, guessed from the name, and team packs' format counts.
    # Leads enriched before this keep their domain; their Domain Confidence follows the source's reliability as the
    # format prior of that time had it (address 1.0, colleagues 0.97, website 0.85).
    _run_each(db, _SCHEMA_0006)
    db.conn.execute(
        "UPDATE leads SET domain_confidence = CASE domain_source WHEN 'address' THEN 100 WHEN 'colleagues' THEN 97"
        " WHEN 'website' THEN 85 ELSE 0 END WHERE domain != '' AND enriched_at IS NOT NULL"
    )


_SCHEMA_0007 = """
    ALTER TABLE feedback ADD COLUMN status_before TEXT;       -- the lead's status before this feedback set it
    ALTER TABLE feedback ADD COLUMN status_at_before REAL;
    ALTER TABLE feedback ADD COLUMN status_set INTEGER NOT NULL DEFAULT 0;  -- 1: this feedback set the status
    ALTER TABLE feedback ADD COLUMN known_before TEXT;  -- JSON of the known address row it replaced; NULL: none
    ALTER TABLE feedback ADD COLUMN company_before TEXT;  -- JSON of the company-domain decision it changed (0006)
    CREATE TABLE feedback_undo (
        feedback_id INTEGER PRIMARY KEY REFERENCES feedback(id) ON DELETE CASCADE,
        domain TEXT NOT NULL,
        ranked_at REAL NOT NULL,  -- the enriched_at the re-ranking after the feedback gave these leads
        results TEXT NOT NULL     -- JSON {lead id: the result columns before the feedback}
    );
    CREATE INDEX feedback_undo_by_domain ON feedback_undo(domain);
    CREATE INDEX feedback_by_lead_id ON feedback(lead_id, id)
"""
_RESET_RESULT = (
    "email = email_key, source = CASE WHEN email_key != '' THEN 'known' ELSE 'none' END,"
    " confidence = CASE WHEN email_key != '' THEN 100 ELSE 0 END, pattern = '', alternates = '[]', evidence = '',"
    " candidates = '[]', flags = '[]', enriched_at = NULL"
)


def _unsafe_result(email: str, alternates: str, candidates: str) -> int:
    """1 when a stored result shows an address that is not a safe one (written before 0007)."""
    found = [email, *json.loads(alternates or "[]"), *(c.get("email", "") for c in json.loads(candidates or "[]"))]
    return int(any(a and not is_safe(a) for a in found))


@MIGRATIONS(name="0007_feedback_undo")
def _feedback_undo(db: sqlite_utils.Database) -> None:
    # Feedback can be undone: each row keeps the status it replaced, and the latest feedback at a domain keeps the
    # results its re-ranking replaced (store/feedback.py). Addresses stored before every address had to pass
    # email-validator unchanged (core.addresses) are brought in line: keys recomputed (an IDN domain in its ASCII
    # form), unusable known addresses dropped, and results showing an unsafe address reset to "not enriched yet"
    # so the next enrichment ranks them again; the records themselves (import_rows) are untouched.
    _run_each(db, _SCHEMA_0007)
    conn = db.conn
    conn.create_function("la_email_key", 1, lambda v: normalise_address(v or ""), deterministic=True)
    conn.create_function("la_unsafe_result", 3, _unsafe_result, deterministic=True)
    conn.execute(
        "UPDATE import_rows SET email_key = la_email_key(crm_email) WHERE email_key != la_email_key(crm_email)"
    )
    conn.execute("UPDATE leads SET email_key = la_email_key(crm_email) WHERE email_key != la_email_key(crm_email)")
    conn.execute(f"UPDATE leads SET {_RESET_RESULT} WHERE la_unsafe_result(email, alternates, candidates)")
    conn.execute("DELETE FROM known_addresses WHERE la_email_key(email) = ''")
    conn.execute(
        "UPDATE OR IGNORE known_addresses SET email = la_email_key(email),"
        " domain = substr(la_email_key(email), instr(la_email_key(email), '@') + 1) WHERE email != la_email_key(email)"
    )
    conn.execute("DELETE FROM known_addresses WHERE email != la_email_key(email)")  # duplicates of a fixed row
    conn.execute(
        "UPDATE feedback SET email = la_email_key(email)"
        " WHERE la_email_key(email) != '' AND email != la_email_key(email)"
    )


_SCHEMA_0008_TABLES = """
    ALTER TABLE leads ADD COLUMN next_date TEXT;                     -- the next step's day, ISO YYYY-MM-DD
    ALTER TABLE leads ADD COLUMN next_text TEXT NOT NULL DEFAULT '';  -- the next step, in a few words
    ALTER TABLE leads ADD COLUMN crm_created_at REAL;  -- the CRM's create date (POSIX s), when the file has one
    ALTER TABLE leads ADD COLUMN verdict TEXT CHECK (verdict IN ({verdicts}));
    ALTER TABLE leads ADD COLUMN verdict_reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE leads ADD COLUMN verdict_at REAL;
    CREATE INDEX leads_by_next_step ON leads(next_date, id);
    CREATE INDEX leads_by_age ON leads(coalesce(crm_created_at, created_at), id);
    -- Covering for the "needs first touch" half of the Due count (store/followups.due_clause).
    CREATE INDEX leads_new_by_age ON leads(coalesce(crm_created_at, created_at), next_date) WHERE status = 'new';
    CREATE TABLE status_changes (      -- every status a lead was given, from 0008 on (the report's "contacted")
        id INTEGER PRIMARY KEY,
        lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
        status TEXT NOT NULL,
        changed_at REAL NOT NULL
    );
    CREATE INDEX status_changes_by_lead ON status_changes(lead_id, changed_at)
"""
_TRIGGER_0008 = """
    CREATE TRIGGER leads_status_change AFTER UPDATE OF status ON leads WHEN old.status IS NOT new.status BEGIN
        INSERT INTO status_changes (lead_id, status, changed_at)
        VALUES (new.id, new.status, coalesce(new.status_at, (julianday('now') - 2440587.5) * 86400.0));
    END
"""
_BACKFILL_0008 = """
    INSERT INTO status_changes (lead_id, status, changed_at)
        SELECT id, status, status_at FROM leads WHERE status != 'new' AND status_at IS NOT NULL
"""


@MIGRATIONS(name="0008_next_steps_and_verdicts")
def _next_steps_and_verdicts(db: sqlite_utils.Database) -> None:
    # Issue 14: a next step per lead (day + text), the CRM's create date (the lead's age; set by
    # store/followups.fill_created after each import), the rep's quality verdict, and a history of status changes
    # so the report can tell when a lead was first contacted (before 0008 only the latest change is known: it is
    # copied in as the lead's one change). Defined before 0009 in this file though added after it: a database
    # that already has 0009 gets it applied all the same (Migrations applies every name not yet applied).
    verdicts = ", ".join(f"'{v}'" for v in VERDICTS)
    _run_each(db, _SCHEMA_0008_TABLES.format(verdicts=verdicts))
    # The trigger body holds `;`, so it goes in whole.
    db.conn.execute(_TRIGGER_0008)
    db.conn.execute(_BACKFILL_0008)


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


def pending_names(db: sqlite_utils.Database) -> list[str]:
    """The migrations `db` still needs (read only; empty for a database written by this or a newer version)."""
    done = set(applied_names(db))
    return [n for n in known_names() if n not in done]


def needs_migrating(db: sqlite_utils.Database) -> bool:
    """Whether `db` has pending migrations or a schema version behind the migrations applied (another process
    committed its last migration and has not yet written user_version, or was killed in between)."""
    if pending_names(db):
        return True
    return int(db.conn.execute("PRAGMA user_version").fetchone()[0]) < len(applied_names(db))


def migrate(
    db: sqlite_utils.Database,
    path: Path | None = None,
    *,
    stop_before: str | None = None,
    backup_first: Callable[[str], object] | None = None,
) -> list[str]:
    """Apply pending migrations; return the names applied. A database that already has a schema is first
    handed to `backup_first(label)` (e.g. "before-0005_import_rows")."""
    with translated(path or ""):
        check_not_newer(db, path or "")
        pending = [m.name for m in MIGRATIONS.pending(db)]
        if stop_before in pending:
            pending = pending[: pending.index(stop_before)]
        if not pending:
            applied = len(applied_names(db))
            if db.conn.execute("PRAGMA user_version").fetchone()[0] < applied:  # see needs_migrating
                db.execute(f"PRAGMA user_version = {applied}")
            return []
        if applied_names(db) and backup_first is not None:
            backup_first(f"before-{pending[0]}")
        MIGRATIONS.apply(db, stop_before=stop_before)
        applied = len(applied_names(db))
        db.execute(f"PRAGMA user_version = {applied}")
        log.info("%s: applied migrations %s", path or "database", ", ".join(pending))
    return pending
