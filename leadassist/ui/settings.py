"""The app's settings: typed accessors over one QSettings INI file in the data directory.

QSettings lives only here (STYLE rule 9): the file sits beside the database under `paths.data_dir()`, so the
CLI's `--data-dir` moves both together. Values are read back with explicit types because INI stores strings.
`check_options()` turns the DNS settings into the core's `CheckOptions`, `smtp_options()` the mailbox-check
settings (off by default) into `SmtpOptions`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from leadassist import paths
from leadassist.core.errors import SmtpConfigError
from leadassist.core.mailcheck import CheckOptions
from leadassist.core.smtppolicy import SmtpOptions, make_options

log = logging.getLogger(__name__)

SETTINGS_FILENAME = "leadassist.ini"


@dataclass(frozen=True)
class DnsSettings:
    """What the rep set for mail-domain checks (empty servers = the system resolver)."""

    servers: tuple[str, ...] = ()
    timeout: float = 3.0
    concurrency: int = 64
    offline: bool = False


@dataclass(frozen=True)
class SmtpSettings:
    """The opt-in mailbox check: off until the rep read the explanation and set a HELO name and sender."""

    enabled: bool = False
    helo: str = ""
    mail_from: str = ""
    socks5: str = ""
    server: str = ""  # a relay or test server that takes every connection instead of the MX addresses
    budget: int = 100
    acknowledged: bool = False  # the one-time setup dialog was read and accepted


class AppSettings:
    """Typed view of the settings file; one per window, never global."""

    def __init__(self, data_dir: str | Path | None = None) -> None:
        self.path = paths.data_dir(data_dir) / SETTINGS_FILENAME
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)

    # -- typed primitives ------------------------------------------------------------------------------
    def _get_str(self, key: str, default: str = "") -> str:
        value = self._qs.value(key, default)
        return str(value) if value is not None else default

    def _get_float(self, key: str, default: float, lo: float, hi: float) -> float:
        try:
            value = float(self._qs.value(key, default))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            log.warning("setting %s is not a number; using %s", key, default)
            return default
        return min(max(value, lo), hi)

    def _get_bool(self, key: str, default: bool) -> bool:
        value = self._qs.value(key, default)
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in {"1", "true", "yes", "on"}

    def _get_bytes(self, key: str) -> QByteArray:
        value = self._qs.value(key)
        return value if isinstance(value, QByteArray) else QByteArray()

    # -- DNS -------------------------------------------------------------------------------------------
    def dns(self) -> DnsSettings:
        """The DNS settings, clamped to sane ranges."""
        raw = self._get_str("dns/servers")
        servers = tuple(s.strip() for s in raw.replace(";", ",").split(",") if s.strip())
        return DnsSettings(
            servers=servers,
            timeout=self._get_float("dns/timeout", DnsSettings.timeout, 0.2, 60.0),
            concurrency=int(self._get_float("dns/concurrency", DnsSettings.concurrency, 1, 512)),
            offline=self._get_bool("dns/offline", DnsSettings.offline),
        )

    def set_dns(self, dns: DnsSettings) -> None:
        """Store the DNS settings."""
        self._qs.setValue("dns/servers", ", ".join(dns.servers))
        self._qs.setValue("dns/timeout", float(dns.timeout))
        self._qs.setValue("dns/concurrency", int(dns.concurrency))
        self._qs.setValue("dns/offline", bool(dns.offline))

    def check_options(self) -> CheckOptions:
        """The core's `CheckOptions` for these settings."""
        dns = self.dns()
        return CheckOptions(
            nameservers=tuple(dns.servers), timeout=dns.timeout, concurrency=dns.concurrency, offline=dns.offline
        )

    # -- mailbox check over SMTP ----------------------------------------------------------------------
    def smtp(self) -> SmtpSettings:
        """The mailbox-check settings (off by default)."""
        return SmtpSettings(
            enabled=self._get_bool("smtp/enabled", False),
            helo=self._get_str("smtp/helo"),
            mail_from=self._get_str("smtp/mail_from"),
            socks5=self._get_str("smtp/socks5"),
            server=self._get_str("smtp/server"),
            budget=int(self._get_float("smtp/budget", SmtpSettings.budget, 0, 10000)),
            acknowledged=self._get_bool("smtp/acknowledged", False),
        )

    def set_smtp(self, smtp: SmtpSettings) -> None:
        """Store the mailbox-check settings."""
        for key, value in (("enabled", bool(smtp.enabled)), ("helo", smtp.helo), ("mail_from", smtp.mail_from),
                           ("socks5", smtp.socks5), ("server", smtp.server), ("budget", int(smtp.budget)),
                           ("acknowledged", bool(smtp.acknowledged))):  # fmt: skip
            self._qs.setValue(f"smtp/{key}", value)

    def smtp_options(self) -> SmtpOptions | None:
        """The core's SmtpOptions when the rep turned the check on (None otherwise, or when a setting is unusable)."""
        smtp = self.smtp()
        if not (smtp.enabled and smtp.acknowledged):
            return None
        try:
            return make_options(smtp.helo, smtp.mail_from, socks5=smtp.socks5, server=smtp.server, budget=smtp.budget)
        except SmtpConfigError as exc:
            log.warning("mailbox check skipped: %s", exc)
            return None

    # -- backups ---------------------------------------------------------------------------------------
    @property
    def backups(self) -> bool:
        """Whether daily automatic backups are made."""
        return self._get_bool("store/backups", True)

    @backups.setter
    def backups(self, on: bool) -> None:
        self._qs.setValue("store/backups", bool(on))

    # -- first run, window and table state ------------------------------------------------------------
    @property
    def demo_offered(self) -> bool:
        """Whether the first-run demo offer was already shown."""
        return self._get_bool("app/demo_offered", False)

    @demo_offered.setter
    def demo_offered(self, shown: bool) -> None:
        self._qs.setValue("app/demo_offered", bool(shown))

    def window_state(self) -> tuple[QByteArray, QByteArray, QByteArray, QByteArray]:
        """Saved geometry, dock/toolbar state, splitter state and table header state (empty if none)."""
        return tuple(self._get_bytes(f"window/{k}") for k in ("geometry", "state", "splitter", "header"))  # type: ignore[return-value]

    def save_window_state(
        self, geometry: QByteArray, state: QByteArray, splitter: QByteArray, header: QByteArray
    ) -> None:
        """Remember the window's layout for the next start."""
        for key, value in (("geometry", geometry), ("state", state), ("splitter", splitter), ("header", header)):
            self._qs.setValue(f"window/{key}", value)

    def sync(self) -> None:
        """Write pending changes to disk now (QSettings otherwise writes lazily)."""
        self._qs.sync()
        if self._qs.status() != QSettings.Status.NoError:
            log.warning("could not write settings to %s", self.path)
