"""Known errors. Each message says what happened and what to do; the CLI prints it on one line, the UI shows it."""

from __future__ import annotations


class LeadAssistError(Exception):
    """Base of every error LeadAssist expects and can explain to the user."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class CsvFormatError(LeadAssistError):
    """The file is not a CSV LeadAssist can read (empty, binary, no header, no name/company column)."""

    def __init__(self, message: str, *, path: str = "", line: int | None = None, hint: str = "") -> None:
        where = path + (f", line {line}" if line is not None else "")
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.path = path
        self.line = line


class EncodingError(CsvFormatError):
    """The file's bytes could not be decoded with any encoding LeadAssist recognises."""


class DnsConfigError(LeadAssistError):
    """The DNS settings are unusable (bad server address, no resolver configured)."""


class StoreError(LeadAssistError):
    """The research database cannot be opened or written (locked, read-only, full disk, newer schema)."""


class NotFoundError(LeadAssistError):
    """A lead, note or file the user named does not exist."""


class ImportCancelled(LeadAssistError):
    """The rep cancelled an import before it was applied: nothing was written."""

    exit_code = 130


class SmtpConfigError(LeadAssistError):
    """The mailbox-check settings are unusable (HELO name, sender address, proxy or server address)."""


class PackError(LeadAssistError):
    """A team-knowledge pack cannot be read: damaged, not a pack, or written by a newer LeadAssist."""
